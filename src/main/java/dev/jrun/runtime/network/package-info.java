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
 * <p><b>Lifetime</b> of a helper: the container's. It is started by the native spawn primitive
 * with only the descriptors it needs, outside the container's PID namespace. slirp4netns exits
 * when its {@code --exit-fd} closes: the monitor holds the write end and the kernel closes it
 * when the monitor ends, also by SIGKILL; so it suits {@code run -d}. Debian 12's pasta has no
 * exit descriptor and in PID mode does not notice its target's end, so it gets
 * PR_SET_PDEATHSIG(SIGKILL) from the thread that starts the container, which then execs the
 * monitor's attach side and so lives as long as a foreground container; a detached container
 * gets slirp4netns by default, and {@code --network pasta -d} is refused ("not yet").
 */
package dev.jrun.runtime.network;
