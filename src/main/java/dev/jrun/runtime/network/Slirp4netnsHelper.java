package dev.jrun.runtime.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jrun.errors.JrunException;
import dev.jrun.sys.SysException;
import dev.jrun.sys.Syscalls;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * slirp4netns(1) as podman runs it: given the container's PID it joins its user and network
 * namespace, creates tap0 and configures it (--configure: 10.0.2.100, gateway .2, DNS .3).
 *
 * <p>Lifetime: --exit-fd: slirp4netns exits as soon as the other end of that pipe is closed.
 * The container's monitor holds the write end ({@link NetworkAttacher.Pending#monitorHolds}), so
 * the helper ends when the monitor does (after the container), also when it is killed (the kernel
 * closes the descriptor); no death signal is set, so it outlives the JVM that started it (-d). --ready-fd tells when the tap device
 * is configured.
 * Ports are published through its API socket (add_hostfwd), which is unlinked once they are.
 */
final class Slirp4netnsHelper {
    private Slirp4netnsHelper() {}

    static final String TAP = "tap0";

    static List<String> argv(NetworkMode.Slirp4netns mode, int pid, Path apiSocket, boolean sandbox) {
        SlirpOptions o = mode.options();
        List<String> argv = new ArrayList<>();
        argv.add(mode.binary().toString());
        argv.add("--configure");
        argv.add("--mtu=" + o.mtu());
        // slirp4netns(1): 10.0.2.2 leads to the host's 127.0.0.1 unless this is given.
        if (!o.allowHostLoopback()) argv.add("--disable-host-loopback");
        if (o.enableIpv6()) argv.add("--enable-ipv6");
        o.cidr().ifPresent(c -> argv.add("--cidr=" + c));
        o.outboundAddr().ifPresent(a -> argv.add("--outbound-addr=" + a));
        o.outboundAddr6().ifPresent(a -> argv.add("--outbound-addr6=" + a));
        // As podman: the helper sees only /etc and /run of the host, under a seccomp filter.
        if (sandbox) {
            argv.add("--enable-sandbox");
            argv.add("--enable-seccomp");
        }
        argv.add("--exit-fd=3");
        argv.add("--ready-fd=4");
        if (apiSocket != null) argv.add("--api-socket=" + apiSocket);
        argv.add(Integer.toString(pid));
        argv.add(TAP);
        return argv;
    }

    /**
     * slirp4netns(1), --enable-sandbox: "Requires /etc/resolv.conf not to be a symlink to a file
     * outside /etc and /run" (podman checks the same).
     */
    static boolean sandboxPossible() {
        try {
            Path real = Path.of("/etc/resolv.conf").toRealPath();
            return real.startsWith("/etc") || real.startsWith("/run");
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The exit pipe is made before the container's monitor starts: the monitor holds its write
     * end for the container's whole life (and the kernel closes it if the monitor dies).
     */
    static NetworkAttacher.Pending prepare(Syscalls sys, NetworkMode.Slirp4netns mode) throws JrunException {
        int[] exit = pipe(sys, "exit");
        return new NetworkAttacher.Pending() {
            private HelperProcess helper;

            @Override
            public List<Integer> monitorHolds() {
                return List.of(exit[1]);
            }

            @Override
            public void attach(List<PortMapping> ports, int pid) throws JrunException {
                helper = start(sys, mode, ports, pid, exit[0]);
            }

            @Override
            public void abort() {
                if (helper != null) helper.stop();
            }

            @Override
            public void close() {
                sys.close(exit[0]);
                sys.close(exit[1]);
            }
        };
    }

    private static HelperProcess start(Syscalls sys, NetworkMode.Slirp4netns mode, List<PortMapping> ports, int pid,
                                       int exitReader) throws JrunException {
        Path apiDir = null;
        int[] ready = null;
        HelperProcess helper = null;
        try {
            ready = pipe(sys, "ready");
            Path apiSocket = null;
            if (!ports.isEmpty()) {
                apiDir = Files.createTempDirectory("jrun-slirp4netns-",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                apiSocket = apiDir.resolve("api.sock");
            }
            helper = HelperProcess.start(sys, "slirp4netns", argv(mode, pid, apiSocket, sandboxPossible()),
                    List.of(exitReader, ready[1]));
            sys.close(ready[1]);
            ready[1] = -1;
            java.util.concurrent.atomic.AtomicBoolean isReady = new java.util.concurrent.atomic.AtomicBoolean();
            helper.stopUnlessReady(isReady, PastaHelper.READY_TIMEOUT_MILLIS);
            byte[] one = new byte[1];
            int n = sys.read(ready[0], one);
            isReady.set(n == 1);
            if (n != 1 || one[0] != '1') {
                helper.awaitExit(2000);
                throw Failures.helperFailed("slirp4netns", helper.output(), ports);
            }
            for (PortMapping p : ports) forward(apiSocket, p, mode.options().guestAddress(), helper);
            HelperProcess running = helper;
            helper = null;
            return running;
        } catch (IOException e) {
            throw new JrunException("prepare slirp4netns's API socket in " + System.getProperty("java.io.tmpdir")
                    + ": " + e.getMessage(), e);
        } catch (SysException e) {
            throw new JrunException("start slirp4netns: " + e.getMessage(), e);
        } finally {
            if (helper != null) helper.stop();
            closeAll(sys, ready);
            deleteQuietly(apiDir);
        }
    }

    /** add_hostfwd for each port of the mapping (slirp4netns's API forwards single ports). */
    private static void forward(Path socket, PortMapping p, String guest, HelperProcess helper) throws JrunException {
        ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < p.count(); i++) {
            ObjectNode request = json.createObjectNode();
            request.put("execute", "add_hostfwd");
            ObjectNode args = request.putObject("arguments");
            args.put("proto", p.protocol());
            args.put("host_addr", p.hostIp().orElse("0.0.0.0"));
            args.put("host_port", p.hostPort() + i);
            args.put("guest_addr", guest);
            args.put("guest_port", p.containerPort() + i);
            JsonNode answer;
            try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                ch.connect(UnixDomainSocketAddress.of(socket));
                ch.write(ByteBuffer.wrap(json.writeValueAsBytes(request)));
                ch.shutdownOutput();
                ByteBuffer buf = ByteBuffer.allocate(4096);
                while (buf.hasRemaining() && ch.read(buf) > 0) {
                    // read the whole answer
                }
                answer = json.readTree(new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new JrunException("publish port " + (p.hostPort() + i) + "/" + p.protocol() + " through "
                        + "slirp4netns: " + e.getMessage() + (helper.output().isEmpty() ? "" : "; it said: "
                        + helper.output()), e);
            }
            if (answer == null || answer.has("error")) {
                String desc = answer == null ? "no answer" : answer.path("error").path("desc").asText();
                throw new JrunException("publish port " + (p.hostPort() + i) + "/" + p.protocol() + " on "
                        + p.hostIp().orElse("0.0.0.0") + ": slirp4netns: " + desc
                        + "; is the port in use? choose another host port (-p)");
            }
        }
    }

    private static int[] pipe(Syscalls sys, String what) throws JrunException {
        try {
            return sys.pipe();
        } catch (SysException e) {
            throw new JrunException("create slirp4netns's " + what + " pipe: " + e.getMessage(), e);
        }
    }

    private static void closeAll(Syscalls sys, int[] fds) {
        if (fds == null) return;
        for (int fd : fds) {
            if (fd >= 0) sys.close(fd);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) return;
        try {
            Files.deleteIfExists(dir.resolve("api.sock"));
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a leftover empty directory in the temporary directory; nothing holds it
        }
    }
}
