package dev.jrun.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns an HTTP error from a registry into a {@link RegistryException} with a plain message.
 * The body is the distribution spec's {@code {"errors":[{"code","message","detail"}]}}; it is
 * hostile text, so only short, printable excerpts of it reach the user's terminal.
 */
final class ErrorResponses {
    /** Enough for any real error document; more is not read (containers/image: 1 MiB). */
    static final int MAX_ERROR_BODY = 64 * 1024;
    private static final int MAX_SHOWN = 300;
    private static final ObjectMapper JSON = new ObjectMapper();

    private ErrorResponses() {
    }

    /**
     * @param action what was attempted, e.g. "fetch manifest 127.0.0.1:5000/test/busybox:latest"
     * @param registry host users log in to (for "run jrun login HOST")
     * @param what what was asked for, e.g. "manifest test/busybox:latest"
     */
    static RegistryException toException(String action, String registry, String what, int status,
                                         HttpHeaders headers, byte[] body) {
        List<String[]> errors = parse(body);
        String codes = String.join(", ", errors.stream().map(e -> e[0]).toList());
        String said = errors.isEmpty() ? excerpt(new String(body, StandardCharsets.UTF_8))
                : String.join("; ", errors.stream().map(e -> e[0] + (e[1].isEmpty() ? "" : ": " + e[1])).toList());
        String registrySaid = said.isEmpty() ? "" : " (registry said: " + said + ")";
        String prefix = action + ": ";
        if (status == 401 || codes.contains("UNAUTHORIZED")) {
            return new RegistryException(RegistryException.Kind.UNAUTHORIZED, status, prefix
                    + "authentication required" + registrySaid + "; run jrun login " + registry
                    + " (or check the credentials stored for it)", null);
        }
        if (status == 429 || codes.contains("TOOMANYREQUESTS")) {
            Duration retryAfter = retryAfter(headers).orElse(null);
            return new RegistryException(RegistryException.Kind.TOO_MANY_REQUESTS, status, prefix
                    + "the registry's rate limit was reached" + limits(headers) + registrySaid
                    + "; wait and try again, or log in (jrun login " + registry + ") for a higher limit", retryAfter);
        }
        if (status == 403 || codes.contains("DENIED")) {
            return new RegistryException(RegistryException.Kind.DENIED, status, prefix
                    + "access denied" + registrySaid + "; check that " + what + " exists and that your account ("
                    + "jrun login " + registry + ") may access it", null);
        }
        if (status == 404 || codes.contains("MANIFEST_UNKNOWN") || codes.contains("NAME_UNKNOWN")
                || codes.contains("BLOB_UNKNOWN")) {
            String advice = what.startsWith("blob ")
                    ? "; the registry lacks a blob the image's manifest references (a broken or partly pushed image)"
                    : "; check the name and tag";
            return new RegistryException(RegistryException.Kind.NOT_FOUND, status, prefix
                    + what + " not found" + registrySaid + advice, null);
        }
        if (status >= 500) {
            return new RegistryException(RegistryException.Kind.SERVER, status, prefix
                    + "the registry failed with HTTP " + status + registrySaid + "; try again later", retryAfter(headers).orElse(null));
        }
        return new RegistryException(RegistryException.Kind.OTHER, status, prefix
                + "unexpected HTTP " + status + registrySaid, null);
    }

    /** [code, message] pairs; an unparseable body yields none. */
    private static List<String[]> parse(byte[] body) {
        List<String[]> out = new ArrayList<>();
        try {
            JsonNode errors = JSON.readTree(body).path("errors");
            for (JsonNode error : errors) {
                if (out.size() == 5) {
                    break;
                }
                out.add(new String[] {excerpt(error.path("code").asText("")), excerpt(error.path("message").asText(""))});
            }
        } catch (IOException | RuntimeException notJson) {
            // Not the spec's error document (e.g. an HTML page from a proxy): fall back to the raw text.
        }
        return out;
    }

    /** Docker Hub's rate-limit headers ("100;w=21600"), when present. */
    private static String limits(HttpHeaders headers) {
        Optional<String> limit = headers.firstValue("ratelimit-limit");
        Optional<String> remaining = headers.firstValue("ratelimit-remaining");
        Optional<String> retry = headers.firstValue("retry-after");
        if (limit.isEmpty() && remaining.isEmpty() && retry.isEmpty()) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        limit.ifPresent(v -> parts.add("limit " + excerpt(v)));
        remaining.ifPresent(v -> parts.add("remaining " + excerpt(v)));
        retry.ifPresent(v -> parts.add("retry after " + excerpt(v)));
        return " (" + String.join(", ", parts) + ")";
    }

    /** Retry-After as seconds or an HTTP date (RFC 9110, 10.2.3). */
    static Optional<Duration> retryAfter(HttpHeaders headers) {
        Optional<String> value = headers.firstValue("retry-after");
        if (value.isEmpty()) {
            return Optional.empty();
        }
        String text = value.get().trim();
        try {
            long seconds = Long.parseLong(text);
            return seconds >= 0 ? Optional.of(Duration.ofSeconds(seconds)) : Optional.empty();
        } catch (NumberFormatException notSeconds) {
            try {
                Duration until = Duration.between(ZonedDateTime.now(),
                        ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME));
                return until.isNegative() ? Optional.empty() : Optional.of(until);
            } catch (DateTimeParseException bogus) {
                return Optional.empty();
            }
        }
    }

    /** A short, single-line, printable excerpt: registry text must not drive the terminal. */
    static String excerpt(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && out.length() < MAX_SHOWN; i++) {
            char c = text.charAt(i);
            out.append(Character.isISOControl(c) ? ' ' : c);
        }
        if (text.length() > MAX_SHOWN) {
            out.append("...");
        }
        return out.toString().trim();
    }
}
