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
 * <p><b>Attach</b>: {@code container.ContainerRunner} calls {@link dev.jrun.runtime.network.NetworkAttacher#prepare}
 * before jrun-monitor starts (the monitor holds
 * {@link dev.jrun.runtime.network.NetworkAttacher.Pending#monitorHolds} while the container runs:
 * {@code MonitorSpec.holding}), then {@code Pending.attach} from {@code ContainerStarter.Created.mapped}:
 * after the container's ID maps are written (the helper joins its user namespace) and before its
 * go byte (its command finds the network up).
 *
 * <p><b>Lifetime</b> of a helper: the container's, foreground or detached. It runs outside the
 * container's PID namespace with only the descriptors it needs. slirp4netns (started by the
 * native spawn primitive) exits when its {@code --exit-fd} closes: the monitor holds the write
 * end and the kernel closes it when the monitor ends, also by SIGKILL. Debian 12's pasta has no
 * exit descriptor and in PID mode does not notice its target's end, so jrun-monitor forks it
 * before the container ({@link dev.jrun.runtime.network.HelperLaunch}): its child, with
 * PR_SET_PDEATHSIG(SIGKILL), killed by the monitor when the container ends.
 *
 * <p><b>Joined</b> networks ({@code container:NAME}, {@code ns:PATH}) have no helper: the monitor
 * enters the namespace, and the user namespace that owns it, before it clones the container
 * ({@link dev.jrun.runtime.network.NetworkMode.Joined}, {@link dev.jrun.runtime.network.NamespaceFile}).
 */
package dev.jrun.runtime.network;
