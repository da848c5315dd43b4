/**
 * jrun as a Java library: containers for tests and tools, started by this JVM as its own user,
 * with no daemon and no root. The only package documented for library users; every other
 * package of jrun may change.
 *
 * <p>{@link dev.jrun.api.Jrun} is the entry: {@code Jrun.local().container("busybox")} (or
 * {@code containerFromRootfs(dir)}) returns a {@link dev.jrun.api.JrunContainer} to configure,
 * start, use and close. Failures are {@link dev.jrun.api.JrunApiException}s carrying the
 * command line's message and exit code; {@link dev.jrun.api.CommandNotFoundException} (127) and
 * {@link dev.jrun.api.CannotInvokeException} (126) name the two a caller may want to tell apart.
 * A container outlives neither its {@code close()} nor this JVM, unless it was asked to
 * ({@code withKeep()}).
 */
package dev.jrun.api;
