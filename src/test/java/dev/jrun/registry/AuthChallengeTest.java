package dev.jrun.registry;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuthChallengeTest {
    @Test
    void dockerHubBearerChallenge() {
        List<AuthChallenge> challenges = AuthChallenge.parseAll(List.of(
                "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
                        + "scope=\"repository:library/alpine:pull\""));
        assertEquals(1, challenges.size());
        AuthChallenge bearer = challenges.get(0);
        assertTrue(bearer.isBearer());
        assertEquals(Map.of("realm", "https://auth.docker.io/token", "service", "registry.docker.io",
                "scope", "repository:library/alpine:pull"), bearer.parameters());
    }

    @Test
    void basicChallengeAndCaseInsensitiveScheme() {
        AuthChallenge basic = AuthChallenge.parseAll(List.of("basic Realm=\"Registry Realm\"")).get(0);
        assertTrue(basic.isBasic());
        assertEquals("Registry Realm", basic.parameter("realm").orElseThrow());
    }

    @Test
    void severalChallengesInOneHeaderAndAcrossHeaders() {
        List<AuthChallenge> challenges = AuthChallenge.parseAll(List.of(
                "Basic realm=\"a\", Bearer realm=\"https://x/token\",service=\"s\"", "Negotiate"));
        assertEquals(List.of("basic", "bearer", "negotiate"), challenges.stream().map(AuthChallenge::scheme).toList());
        assertEquals("https://x/token", challenges.get(1).parameter("realm").orElseThrow());
        assertEquals("s", challenges.get(1).parameter("service").orElseThrow());
    }

    @Test
    void quotedEscapesAndCommasInsideQuotes() {
        AuthChallenge c = AuthChallenge.parseAll(List.of(
                "Bearer realm=\"https://h/t?a=1,b=2\",scope=\"repository:a/b:pull,push\",error=\"say \\\"hi\\\"\"")).get(0);
        assertEquals("https://h/t?a=1,b=2", c.parameter("realm").orElseThrow());
        assertEquals("repository:a/b:pull,push", c.parameter("scope").orElseThrow());
        assertEquals("say \"hi\"", c.parameter("error").orElseThrow());
    }

    @Test
    void unquotedValuesAndSpaces() {
        AuthChallenge c = AuthChallenge.parseAll(List.of("Bearer  realm = https://h:5001/auth , service=reg")).get(0);
        assertEquals("https://h:5001/auth", c.parameter("realm").orElseThrow());
        assertEquals("reg", c.parameter("service").orElseThrow());
    }

    @Test
    void malformedInputDoesNotThrow() {
        assertEquals(List.of(), AuthChallenge.parseAll(List.of("", "   ", ",,,")));
        AuthChallenge unterminated = AuthChallenge.parseAll(List.of("Bearer realm=\"https://h/t")).get(0);
        assertTrue(unterminated.parameter("realm").isEmpty());
        // The first value of a repeated parameter wins; a later one cannot override the realm.
        AuthChallenge repeated = AuthChallenge.parseAll(List.of("Bearer realm=\"https://good\",realm=\"https://evil\"")).get(0);
        assertEquals("https://good", repeated.parameter("realm").orElseThrow());
    }
}
