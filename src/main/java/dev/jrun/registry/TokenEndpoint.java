package dev.jrun.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jrun.errors.JrunException;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The token endpoint of the Docker/distribution token authentication spec: {@code GET realm?
 * service=...&scope=...}, anonymously or with Basic credentials, answering {@code {"token":...}}
 * (or {@code access_token}) with {@code expires_in}. Tokens are cached per realm, service,
 * scope and user until shortly before they expire.
 */
final class TokenEndpoint {
    /** containers/image's MaxAuthTokenBodySize: a token document is small; more is hostile. */
    private static final int MAX_TOKEN_BODY = 1024 * 1024;
    /** The spec's default lifetime when expires_in is absent, also the minimum honoured. */
    private static final long MIN_LIFETIME_SECONDS = 60;
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Cached(String token, Instant expires) {
    }

    private final RegistryTransport transport;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    TokenEndpoint(RegistryTransport transport) {
        this.transport = transport;
    }

    static String describe(String realm, String scope) {
        return "get token from " + realm + (scope == null ? "" : " for " + scope);
    }

    String token(String registry, boolean insecure, AuthChallenge challenge, String scope,
                 Optional<Credentials> creds, boolean refresh) throws IOException, JrunException {
        String realm = challenge.parameter("realm").orElseThrow(() -> new RegistryException(
                RegistryException.Kind.PROTOCOL, 401, "authenticate to " + registry
                + ": its Bearer challenge has no realm; the registry is misconfigured", null));
        String service = challenge.parameter("service").orElse(null);
        String key = realm + "|" + service + "|" + scope + "|" + creds.map(Credentials::username).orElse("");
        Cached cached = cache.get(key);
        if (!refresh && cached != null && Instant.now().isBefore(cached.expires())) {
            return cached.token();
        }
        Cached fresh = fetch(registry, insecure, realm, service, scope, creds);
        cache.put(key, fresh);
        return fresh.token();
    }

    private Cached fetch(String registry, boolean insecure, String realm, String service, String scope,
                         Optional<Credentials> creds) throws IOException, JrunException {
        String action = describe(realm, scope);
        URI realmUri;
        try {
            realmUri = URI.create(realm);
        } catch (IllegalArgumentException e) {
            throw new RegistryException(RegistryException.Kind.PROTOCOL, 0, action + ": the registry's realm is not a URL", null);
        }
        String scheme = realmUri.getScheme() == null ? "" : realmUri.getScheme().toLowerCase();
        // The realm comes from the registry: only http(s), and plain http only when the user
        // accepted insecure transport for this registry or the realm is on this machine
        // (loopback cannot be sniffed from the network), since credentials go there.
        if (!scheme.equals("https") && !(scheme.equals("http") && (insecure || RegistryTransport.isLoopback(realmUri.getAuthority())))) {
            throw new RegistryException(RegistryException.Kind.PROTOCOL, 0, action + ": jrun only asks https realms"
                    + " for tokens (http only for registries marked insecure); the registry is misconfigured", null);
        }
        List<String> query = new ArrayList<>();
        if (service != null) {
            query.add("service=" + URLEncoder.encode(service, StandardCharsets.UTF_8));
        }
        if (scope != null) {
            query.add("scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8));
        }
        creds.ifPresent(c -> query.add("account=" + URLEncoder.encode(c.username(), StandardCharsets.UTF_8)));
        String separator = realm.contains("?") ? "&" : "?";
        URI uri = URI.create(realm + (query.isEmpty() ? "" : separator + String.join("&", query)));
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).GET();
        creds.ifPresent(c -> builder.header("Authorization", c.basicAuthorization()));
        HttpResponse<InputStream> response = RegistryTransport.sendRaw(transport.client(insecure), builder.build());
        byte[] body;
        try (InputStream in = response.body()) {
            body = in.readNBytes(MAX_TOKEN_BODY + 1);
        }
        if (response.statusCode() != 200) {
            throw ErrorResponses.toException(action, registry, "token for " + scope, response.statusCode(),
                    response.headers(), body.length > MAX_TOKEN_BODY ? new byte[0] : body);
        }
        if (body.length > MAX_TOKEN_BODY) {
            throw new RegistryException(RegistryException.Kind.PROTOCOL, 200, action + ": the token response is"
                    + " larger than " + MAX_TOKEN_BODY + " bytes; refusing it", null);
        }
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (IOException e) {
            throw new RegistryException(RegistryException.Kind.PROTOCOL, 200, action + ": the token response is not JSON", null);
        }
        String token = json == null ? "" : json.path("token").asText("");
        if (token.isEmpty()) {
            token = json == null ? "" : json.path("access_token").asText("");
        }
        // Header injection guard: the token goes into an Authorization header verbatim.
        if (token.isEmpty() || token.chars().anyMatch(c -> c <= ' ' || c >= 127)) {
            throw new RegistryException(RegistryException.Kind.PROTOCOL, 200, action
                    + ": the token response has no usable token", null);
        }
        long lifetime = Math.max(MIN_LIFETIME_SECONDS, json.path("expires_in").asLong(MIN_LIFETIME_SECONDS));
        // Renew a little early so a token does not expire between check and use.
        Instant expires = Instant.now().plusSeconds(Math.min(lifetime, 24 * 3600) - 10);
        return new Cached(token, expires);
    }
}
