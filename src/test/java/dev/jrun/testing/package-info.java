/**
 * Test fixtures shared by jrun's tests: {@link dev.jrun.testing.TestRegistry} (a real
 * docker-registry on 127.0.0.1, open, htpasswd or token auth), {@link dev.jrun.testing.TokenService},
 * {@link dev.jrun.testing.TestLayer} and {@link dev.jrun.testing.TestImages} (real images pushed
 * with jrun's client), {@link dev.jrun.testing.FlakyProxy} (connections dropped on purpose), and
 * {@link dev.jrun.testing.Environment} (the one rule for a check that cannot be made: fail in a
 * strict run, skip otherwise).
 */
package dev.jrun.testing;
