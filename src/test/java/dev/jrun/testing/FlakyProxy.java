package dev.jrun.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP forwarder in front of a real registry that breaks connections on purpose: it can reset
 * the next N connections as soon as they are accepted, or cut a connection after it forwarded
 * some bytes of the registry's answers (a download dropped mid-stream).
 */
public final class FlakyProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final AtomicInteger dropsLeft = new AtomicInteger();
    private final AtomicInteger cutsLeft = new AtomicInteger();
    private final AtomicLong cutAfter = new AtomicLong(Long.MAX_VALUE);
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger stallsLeft = new AtomicInteger();
    private final AtomicLong stallAfter = new AtomicLong(Long.MAX_VALUE);

    private FlakyProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "flaky-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Forwards to 127.0.0.1:{@code targetPort}. */
    public static FlakyProxy start(int targetPort) {
        try {
            return new FlakyProxy(targetPort);
        } catch (IOException e) {
            throw new UncheckedIOException("start proxy", e);
        }
    }

    /** Resets the next {@code count} connections right after accepting them. */
    public FlakyProxy dropConnections(int count) {
        dropsLeft.set(count);
        return this;
    }

    /** The next {@code count} connections that carry more than {@code bytes} of answers are cut there. */
    public FlakyProxy cutAfterBytes(long bytes, int count) {
        cutAfter.set(bytes);
        cutsLeft.set(count);
        return this;
    }

    /** The next {@code count} connections that carry more than {@code bytes} of answers go silent there (not closed). */
    public FlakyProxy stallAfterBytes(long bytes, int count) {
        stallAfter.set(bytes);
        stallsLeft.set(count);
        return this;
    }

    public String host() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    public int connectionsAccepted() {
        return accepted.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                accepted.incrementAndGet();
                if (dropsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    client.setSoLinger(true, 0); // close with RST: "connection reset"
                    client.close();
                    continue;
                }
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                pump(client, upstream, false);
                pump(upstream, client, true);
            } catch (IOException e) {
                if (server.isClosed()) {
                    return;
                }
            }
        }
    }

    private void pump(Socket from, Socket to, boolean answers) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            long forwarded = 0;
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    long limit = cutAfter.get();
                    if (answers && forwarded + n > limit && cutsLeft.getAndUpdate(c -> Math.max(0, c - 1)) > 0) {
                        out.write(buffer, 0, (int) Math.max(0, limit - forwarded));
                        out.flush();
                        to.setSoLinger(true, 0);
                        to.close();
                        from.close();
                        return;
                    }
                    long silentAt = stallAfter.get();
                    if (answers && forwarded + n > silentAt && stallsLeft.getAndUpdate(c -> Math.max(0, c - 1)) > 0) {
                        out.write(buffer, 0, (int) Math.max(0, silentAt - forwarded));
                        out.flush();
                        while (!to.isClosed() && !server.isClosed()) {
                            Thread.sleep(20); // until the client gives up on this connection
                        }
                        return;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                    forwarded += n;
                }
            } catch (IOException closed) {
                // One side went away: close the other too.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "flaky-proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Already closed.
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
