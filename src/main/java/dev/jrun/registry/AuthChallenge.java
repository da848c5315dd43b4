package dev.jrun.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One challenge of a {@code WWW-Authenticate} header (RFC 9110, 11.6.1): a scheme and its
 * parameters, e.g. {@code Bearer realm="https://auth.docker.io/token",service="registry.docker.io"}.
 * Parsing is strict about syntax and lenient about unknown parameters.
 */
public record AuthChallenge(String scheme, Map<String, String> parameters) {
    public AuthChallenge {
        scheme = scheme.toLowerCase(Locale.ROOT);
        parameters = Map.copyOf(parameters);
    }

    public Optional<String> parameter(String name) {
        return Optional.ofNullable(parameters.get(name));
    }

    public boolean isBearer() {
        return scheme.equals("bearer");
    }

    public boolean isBasic() {
        return scheme.equals("basic");
    }

    /** All challenges in the given header values; malformed parts end parsing of that value. */
    public static List<AuthChallenge> parseAll(List<String> headerValues) {
        List<AuthChallenge> out = new ArrayList<>();
        for (String value : headerValues) {
            new Parser(value).parseInto(out);
        }
        return List.copyOf(out);
    }

    private static final class Parser {
        private final String text;
        private int pos;

        Parser(String text) {
            this.text = text;
        }

        void parseInto(List<AuthChallenge> out) {
            while (true) {
                skipSpaceAndCommas();
                String scheme = token();
                if (scheme.isEmpty()) {
                    return;
                }
                Map<String, String> params = new LinkedHashMap<>();
                while (true) {
                    skipSpace();
                    int mark = pos;
                    String name = token();
                    skipSpace();
                    if (name.isEmpty() || !consume('=')) {
                        // Not "name=value": the next challenge's scheme starts here.
                        pos = mark;
                        break;
                    }
                    skipSpace();
                    String value = peek() == '"' ? quoted() : token();
                    if (value == null) {
                        out.add(new AuthChallenge(scheme, params));
                        return;
                    }
                    params.putIfAbsent(name.toLowerCase(Locale.ROOT), value);
                    skipSpace();
                    if (!consume(',')) {
                        break;
                    }
                }
                out.add(new AuthChallenge(scheme, params));
            }
        }

        private String token() {
            int start = pos;
            while (pos < text.length() && isTokenChar(text.charAt(pos))) {
                pos++;
            }
            return text.substring(start, pos);
        }

        private String quoted() {
            StringBuilder value = new StringBuilder();
            pos++;
            while (pos < text.length()) {
                char c = text.charAt(pos++);
                if (c == '"') {
                    return value.toString();
                }
                if (c == '\\' && pos < text.length()) {
                    c = text.charAt(pos++);
                }
                value.append(c);
            }
            return null; // unterminated quote
        }

        private static boolean isTokenChar(char c) {
            // RFC 9110 tokens, plus '/' and ':' so that an unquoted realm URL (seen in the wild) survives.
            return c > ' ' && c < 127 && c != '"' && c != ',' && c != '=';
        }

        private char peek() {
            return pos < text.length() ? text.charAt(pos) : 0;
        }

        private boolean consume(char c) {
            if (peek() == c) {
                pos++;
                return true;
            }
            return false;
        }

        private void skipSpace() {
            while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t')) {
                pos++;
            }
        }

        private void skipSpaceAndCommas() {
            while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t' || text.charAt(pos) == ',')) {
                pos++;
            }
        }
    }
}
