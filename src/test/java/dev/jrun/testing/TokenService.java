package dev.jrun.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A small token server for the Docker/distribution token authentication spec, in the test
 * process (com.sun.net.httpserver). It signs RS256 JWTs with a throw-away key whose certificate
 * (made with the JDK's keytool) it hands to the registry as its root bundle, and the JWT carries
 * that certificate in {@code x5c} so the registry can verify it.
 *
 * <p>Policy: anonymous callers may pull any repository; {@code user}/{@code password} may pull
 * and push; wrong credentials get 401. Every request is recorded for assertions.
 */
public final class TokenService implements AutoCloseable {
    /** One token request: the scopes asked for and the user (null: anonymous). */
    public record TokenRequest(List<String> scopes, String user, String service) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SERVICE = "jrun-test-registry";
    private static final String ISSUER = "jrun-test-token-issuer";

    private final HttpServer server;
    private final PrivateKey key;
    private final X509Certificate certificate;
    private final Map<String, String> users = new ConcurrentHashMap<>();
    private final List<TokenRequest> requests = new CopyOnWriteArrayList<>();

    private TokenService(PrivateKey key, X509Certificate certificate) throws IOException {
        this.key = key;
        this.certificate = certificate;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/token", this::handle);
        server.start();
    }

    /** A running token service that knows {@code user} with {@code password}. */
    public static TokenService start(String user, String password) {
        try {
            SigningKey signing = SigningKey.get();
            TokenService service = new TokenService(signing.key(), signing.certificate());
            service.users.put(user, password);
            return service;
        } catch (IOException e) {
            throw new UncheckedIOException("start token service", e);
        }
    }

    /** One throw-away key per test JVM: keytool takes seconds, and tests only need it to be unguessable. */
    private record SigningKey(PrivateKey key, X509Certificate certificate) {
        private static SigningKey instance;

        static synchronized SigningKey get() {
            if (instance == null) {
                instance = generate();
            }
            return instance;
        }

        private static SigningKey generate() {
            Path dir = TestRegistry.tempDir();
            try {
                Path store = dir.resolve("token.p12");
                String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
                TestRegistry.run(List.of(keytool, "-genkeypair", "-alias", "token", "-keyalg", "RSA", "-keysize", "2048",
                        "-dname", "CN=jrun-test-token", "-validity", "2", "-storetype", "PKCS12",
                        "-keystore", store.toString(), "-storepass", "changeit", "-keypass", "changeit"));
                KeyStore keyStore = KeyStore.getInstance("PKCS12");
                try (InputStream in = new FileInputStream(store.toFile())) {
                    keyStore.load(in, "changeit".toCharArray());
                }
                return new SigningKey((PrivateKey) keyStore.getKey("token", "changeit".toCharArray()),
                        (X509Certificate) keyStore.getCertificate("token"));
            } catch (IOException e) {
                throw new UncheckedIOException("make token signing key", e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("make token signing key", e);
            } finally {
                TestRegistry.deleteTree(dir);
            }
        }
    }

    public String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    public String service() {
        return SERVICE;
    }

    public String issuer() {
        return ISSUER;
    }

    public List<TokenRequest> requests() {
        return List.copyOf(requests);
    }

    public String certificatePem() {
        try {
            return "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(certificate.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            List<String> scopes = new ArrayList<>();
            String service = null;
            String query = exchange.getRequestURI().getRawQuery();
            for (String pair : query == null ? new String[0] : query.split("&")) {
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair : pair.substring(0, eq);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                if (name.equals("scope")) {
                    scopes.add(value);
                } else if (name.equals("service")) {
                    service = value;
                }
            }
            String user = null;
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (authorization != null) {
                String decoded = authorization.startsWith("Basic ")
                        ? new String(Base64.getDecoder().decode(authorization.substring(6)), StandardCharsets.UTF_8) : "";
                int colon = decoded.indexOf(':');
                String name = colon < 0 ? "" : decoded.substring(0, colon);
                if (colon < 0 || !decoded.substring(colon + 1).equals(users.get(name))) {
                    requests.add(new TokenRequest(scopes, "(rejected) " + name, service));
                    reply(exchange, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"invalid username or password\"}]}");
                    return;
                }
                user = name;
            }
            requests.add(new TokenRequest(List.copyOf(scopes), user, service));
            reply(exchange, 200, "{\"token\":\"" + jwt(user, scopes) + "\",\"expires_in\":300}");
        } catch (RuntimeException | GeneralSecurityException e) {
            reply(exchange, 500, "{\"errors\":[{\"code\":\"UNKNOWN\",\"message\":\"" + e + "\"}]}");
        }
    }

    private String jwt(String user, List<String> scopes) throws GeneralSecurityException, IOException {
        ObjectNode header = JSON.createObjectNode().put("typ", "JWT").put("alg", "RS256");
        header.putArray("x5c").add(Base64.getEncoder().encodeToString(certificate.getEncoded()));
        long now = System.currentTimeMillis() / 1000;
        ObjectNode claims = JSON.createObjectNode()
                .put("iss", ISSUER).put("sub", user == null ? "" : user).put("aud", SERVICE)
                .put("exp", now + 300).put("nbf", now - 30).put("iat", now).put("jti", UUID.randomUUID().toString());
        ArrayNode access = claims.putArray("access");
        for (String scope : scopes) {
            String[] parts = scope.split(":");
            if (parts.length != 3 || !parts[0].equals("repository")) {
                continue;
            }
            ArrayNode actions = JSON.createArrayNode();
            for (String action : parts[2].split(",")) {
                if (action.equals("pull") || (action.equals("push") && user != null)) {
                    actions.add(action);
                }
            }
            access.addObject().put("type", "repository").put("name", parts[1]).set("actions", actions);
        }
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        String signingInput = url.encodeToString(JSON.writeValueAsBytes(header)) + "."
                + url.encodeToString(JSON.writeValueAsBytes(claims));
        Signature signature = Signature.getInstance("SHA256withRSA");
        signature.initSign(key);
        signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + url.encodeToString(signature.sign());
    }

    private static void reply(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
