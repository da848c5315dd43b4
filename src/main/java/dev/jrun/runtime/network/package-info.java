/**
 * A container's own network: options, plan, and the helper that connects it.
 *
 * <p><b>Options</b> are checked where they are parsed: {@link dev.jrun.runtime.network.NetworkMode}
 * ({@code --network}), {@link dev.jrun.runtime.network.PortMapping} ({@code -p}),
 * {@link dev.jrun.runtime.network.DnsSettings}, {@link dev.jrun.runtime.network.HostEntry}. Values
 * that reach a helper's argv or a file in /etc are refused rather than escaped: pasta's own
 * options pass a whitelist ({@code PastaOptions}), slirp4netns's are podman's NAME=VALUE set
 * ({@link dev.jrun.runtime.network.SlirpOptions}), and nothing may start with '-' or contain
 * whitespace where a value is expected.
 *
 * <p><b>Plan</b>: {@link dev.jrun.runtime.network.NetworkPlanner} picks the helper (containers.conf,
 * then pasta, then slirp4netns, then the host with a warning), claims the host ports (an error
 * before anything starts) and writes /etc/hosts and /etc/resolv.conf
 * ({@link dev.jrun.runtime.network.NetworkFiles}).
 *
 * <p><b>Attach</b>: the launcher calls {@link dev.jrun.runtime.network.NetworkAttacher} once, after
 * the container's ID maps are written (the helper joins its user namespace) and before its go
 * byte (its command finds the network up), and holds the returned
 * {@link dev.jrun.runtime.network.Attachment} until the container is reaped.
 *
 * <p><b>Lifetime</b> of a helper: exactly the container's. It is jrun's child, started by the
 * native spawn primitive with only the descriptors it needs, outside the container's PID
 * namespace. {@code Attachment.close()} ends it after the container ends. If jrun is killed:
 * slirp4netns exits when its {@code --exit-fd} closes, whose write end is in {@code heldFds()}
 * (whoever outlives the container holds it; the kernel closes it when that process dies, even by
 * SIGKILL). Debian 12's pasta has no exit descriptor and in PID mode does not notice its target's
 * end, so it gets PR_SET_PDEATHSIG(SIGKILL), tied to the thread that spawned it
 * ({@code HelperProcess} keeps that thread alive as the helper's reaper). A monitor that replaces
 * the JVM by exec ends that thread, and so pasta: it must then start or adopt pasta itself.
 */
package dev.jrun.runtime.network;
