package dev.jrun.registry;

import dev.jrun.errors.JrunException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The HTTP layer shared by the endpoint classes: picks https or http per registry, authenticates
 * (Bearer tokens per scope, or Basic), and follows redirects safely. One attempt per call;
 * {@link RetryPolicy} repeats whole operations.
 *
 * <p>Scheme, as podman (containers/image {@code detectProperties}) decides it: always https
 * first; plain http only for a registry marked {@code insecure} (registries.conf), which also
 * disables certificate verification. Loopback is <em>not</em> implicitly insecure (Docker's
 * daemon treats 127.0.0.0/8 so; podman does not): mark it insecure in registries.conf or pass
 * {@code insecure} in {@link RemoteRepository}.
 */
final class RegistryTransport {
    /** Docker Hub's API is not served at docker.io (containers/image {@code dockerRegistry}). */
    static final String DOCKER_HUB_API_HOST = "registry-1.docker.io";
    private static final int MAX_REDIRECTS = 5;
    private static final Duration PING_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration INSECURE_HTTPS_PING_TIMEOUT = Duration.ofSeconds(3);
    private static final String USER_AGENT = "jrun/0.1 (+https://github.com/jrun)";

    /** What to send; the body supplier is called again for the one authenticated resend. */
    record Request(String method, String pathOrUrl, Map<String, String> headers,
                   Supplier<HttpRequest.BodyPublisher> body, Duration timeout, boolean followRedirects) {
        static Request get(String path, Map<String, String> headers, Duration timeout) {
            return new Request("GET", path, headers, null, timeout, true);
        }
    }

    /** The result of pinging /v2/ once: which scheme works and how the registry wants auth. */
    private record Base(String scheme, String apiHost, List<AuthChallenge> challenges, boolean insecure) {
        URI uri(String path) {
            return URI.create(scheme + "://" + apiHost + path);
        }
    }

    private final HttpClient verifyingClient;
    private final HttpClient unverifiedClient;
    private final CredentialSource credentials;
    private final TokenEndpoint tokens;
    private final Map<String, Base> bases = new ConcurrentHashMap<>();
    private final StallWatchdog stallWatchdog;

    RegistryTransport(CredentialSource credentials, Duration connectTimeout, Duration stallTimeout) {
        this.credentials = credentials;
        this.stallWatchdog = new StallWatchdog(stallTimeout);
        this.verifyingClient = newClient(connectTimeout, null);
        this.unverifiedClient = newClient(connectTimeout, trustAllContext());
        this.tokens = new TokenEndpoint(this);
    }

    private static HttpClient newClient(Duration connectTimeout, SSLContext ssl) {
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                // Redirects are followed by hand: the JDK would carry Authorization to any host
                // (the class of leak of CVE-2018-1000007 in curl).
                .followRedirects(HttpClient.Redirect.NEVER);
        if (ssl != null) {
            builder.sslContext(ssl);
        }
        return builder.build();
    }

    static String apiHost(String registry) {
        return registry.equals("docker.io") ? DOCKER_HUB_API_HOST : registry;
    }

    HttpClient client(boolean insecure) {
        return insecure ? unverifiedClient : verifyingClient;
    }

    StallWatchdog stallWatchdog() {
        return stallWatchdog;
    }

    /**
     * Sends {@code request} for {@code repo} with credentials for {@code scopeActions}
     * ("pull", "pull,push"; null for none). The caller reads and closes the body.
     */
    HttpResponse<InputStream> send(RemoteRepository repo, String scopeActions, Request request)
            throws IOException, JrunException {
        Optional<Credentials> creds = credentials.find(repo.registry(), repo.name());
        return send(repo.registry(), repo.insecure(), creds, scope(repo, scopeActions), request);
    }

    HttpResponse<InputStream> send(String registry, boolean insecure, Optional<Credentials> creds, String scope,
                                   Request request) throws IOException, JrunException {
        Base base = base(registry, insecure);
        URI uri = request.pathOrUrl().startsWith("/") ? base.uri(request.pathOrUrl())
                : resolve(registry, base.uri("/"), request.pathOrUrl());
        if (!request.pathOrUrl().startsWith("/")) {
            // Absolute URLs come from the registry (upload Location): same rules as a redirect.
            checkRedirect(base, base.uri("/"), uri);
        }
        Optional<String> authorization = authorization(base, registry, creds, scope, base.challenges(), false);
        boolean sameOrigin = sameOrigin(uri, base.uri("/"));
        HttpResponse<InputStream> response = sendOnce(base, uri, request, sameOrigin ? authorization : Optional.empty());
        if (response.statusCode() == 401 && sameOrigin) {
            // The registry may want another scope than the ping suggested, or the token expired.
            List<AuthChallenge> challenges = AuthChallenge.parseAll(response.headers().allValues("www-authenticate"));
            String challengeScope = challenges.stream().filter(AuthChallenge::isBearer)
                    .map(c -> c.parameter("scope").orElse(null)).filter(s -> s != null).findFirst().orElse(scope);
            Optional<String> retried = authorization(base, registry, creds, challengeScope,
                    challenges.isEmpty() ? base.challenges() : challenges, true);
            if (retried.isPresent() && !retried.equals(authorization)) {
                response.body().close();
                response = sendOnce(base, uri, request, retried);
            }
        }
        for (int hops = 0; request.followRedirects() && isRedirect(response.statusCode()); hops++) {
            Optional<String> location = response.headers().firstValue("location");
            response.body().close();
            if (hops == MAX_REDIRECTS || location.isEmpty()) {
                throw new RegistryException(RegistryException.Kind.PROTOCOL, response.statusCode(), registry
                        + " redirected " + uri + (location.isEmpty() ? " without a Location" : " more than "
                        + MAX_REDIRECTS + " times") + "; the registry is misconfigured", null);
            }
            URI next = resolve(registry, uri, location.get());
            checkRedirect(base, uri, next);
            // Blob storage (S3, CDN) gets no registry credentials: they are for the registry only.
            Optional<String> auth = sameOrigin(next, base.uri("/")) ? authorization : Optional.empty();
            uri = next;
            response = sendOnce(base, uri, new Request(request.method(), next.toString(), request.headers(), null,
                    request.timeout(), true), auth);
        }
        return response;
    }

    /** Resolves a Location header (hostile text) against the request's URI, or refuses it. */
    static URI resolve(String registry, URI base, String location) throws RegistryException {
        try {
            return base.resolve(location);
        } catch (IllegalArgumentException e) {
            throw new RegistryException(RegistryException.Kind.PROTOCOL, 0, registry + " answered " + base
                    + " with a Location that is not a URL (\"" + ErrorResponses.excerpt(location)
                    + "\"); the registry is misconfigured", null);
        }
    }

    private static String scope(RemoteRepository repo, String actions) {
        return actions == null ? null : "repository:" + repo.name() + ":" + actions;
    }

    private void checkRedirect(Base base, URI from, URI to) throws RegistryException {
        String scheme = to.getScheme() == null ? "" : to.getScheme().toLowerCase();
        if (to.getHost() == null || !scheme.equals("https")
                && !(scheme.equals("http") && (base.insecure() || from.getScheme().equals("http")))) {
            // Never downgrade a verified https download to http or to another scheme.
            throw new RegistryException(RegistryException.Kind.PROTOCOL, 0, base.apiHost() + " redirected "
                    + from + " to " + to + ", which jrun refuses (only https, or http for insecure registries)", null);
        }
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost() != null
                && a.getHost().equalsIgnoreCase(b.getHost()) && a.getPort() == b.getPort();
    }

    private HttpResponse<InputStream> sendOnce(Base base, URI uri, Request request, Optional<String> authorization)
            throws IOException, JrunException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .timeout(request.timeout())
                .header("User-Agent", USER_AGENT)
                .header("Docker-Distribution-API-Version", "registry/2.0");
        request.headers().forEach(builder::header);
        authorization.ifPresent(value -> builder.header("Authorization", value));
        HttpRequest.BodyPublisher body = request.body() == null ? HttpRequest.BodyPublishers.noBody() : request.body().get();
        builder.method(request.method(), body);
        return sendRaw(client(base.insecure() || "http".equals(uri.getScheme())), builder.build());
    }

    static HttpResponse<InputStream> sendRaw(HttpClient client, HttpRequest request) throws IOException, JrunException {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JrunException(request.method() + " " + request.uri() + ": interrupted", e);
        }
    }

    private Optional<String> authorization(Base base, String registry, Optional<Credentials> creds, String scope,
                                           List<AuthChallenge> challenges, boolean refresh) throws IOException, JrunException {
        for (AuthChallenge challenge : challenges) {
            if (challenge.isBearer()) {
                return Optional.of("Bearer " + tokens.token(registry, base.insecure(), challenge, scope, creds, refresh));
            }
            if (challenge.isBasic() && creds.isPresent()) {
                // Over plain http this sends the password in clear; we only get here over http
                // when the user marked the registry insecure (see base()).
                return Optional.of(creds.get().basicAuthorization());
            }
        }
        return Optional.empty();
    }

    static boolean isLoopback(String hostPort) {
        String host = hostPort.startsWith("[") ? hostPort.substring(0, hostPort.indexOf(']') + 1)
                : hostPort.contains(":") ? hostPort.substring(0, hostPort.indexOf(':')) : hostPort;
        // 127.0.0.0/8 as a literal only: "127.example.com" is a name anyone can point anywhere.
        return host.equals("localhost") || host.equals("[::1]") || host.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }

    /** Pings /v2/ once per registry (https, then http if insecure) and remembers the answer. */
    private Base base(String registry, boolean insecure) throws IOException, JrunException {
        String key = registry + (insecure ? " insecure" : "");
        Base known = bases.get(key);
        if (known != null) {
            return known;
        }
        String host = apiHost(registry);
        Base base;
        try {
            base = ping("https", host, insecure);
        } catch (IOException e) {
            if (!insecure) {
                throw e;
            }
            base = ping("http", host, true);
        }
        bases.put(key, base);
        return base;
    }

    private Base ping(String scheme, String host, boolean insecure) throws IOException, JrunException {
        URI uri = URI.create(scheme + "://" + host + "/v2/");
        // An insecure registry that speaks plain http may never answer a TLS hello (a server
        // waiting for a request line): give https a short chance before falling back to http.
        Duration timeout = insecure && scheme.equals("https") ? INSECURE_HTTPS_PING_TIMEOUT : PING_TIMEOUT;
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("User-Agent", USER_AGENT).GET().build();
        HttpResponse<InputStream> response;
        try {
            response = sendRaw(client(insecure), request);
        } catch (IOException e) {
            throw new IOException("connect to " + uri + ": " + RetryPolicy.describe(e), e);
        }
        try (InputStream body = response.body()) {
            byte[] excerpt = body.readNBytes(ErrorResponses.MAX_ERROR_BODY);
            int status = response.statusCode();
            if (status == 200 || status == 401) {
                return new Base(scheme, host, AuthChallenge.parseAll(response.headers().allValues("www-authenticate")), insecure);
            }
            throw ErrorResponses.toException("ping registry " + uri, host, host + "/v2/ (is this an OCI registry?)",
                    status, response.headers(), excerpt);
        }
    }

    /**
     * For registries the user marked insecure only: accepts any certificate and host name, as
     * containers/image's InsecureSkipVerify does. An X509ExtendedTrustManager is used because JSSE
     * would otherwise wrap it and still check the host name.
     */
    private static SSLContext trustAllContext() {
        TrustManager trustAll = new X509ExtendedTrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trustAll}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS", e);
        }
    }
}
