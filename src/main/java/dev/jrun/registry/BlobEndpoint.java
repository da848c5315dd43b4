package dev.jrun.registry;

import dev.jrun.oci.Digest;

import dev.jrun.errors.JrunException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;

/** {@code /v2/<name>/blobs/<digest>}: stream a blob while verifying its digest and size; HEAD it. */
final class BlobEndpoint {
    private static final int BUFFER = 128 * 1024;
    /** Time to the response headers; the body of a large layer may take much longer. */
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final RegistryTransport transport;
    private final RemoteRepository repo;
    private final Digest digest;

    BlobEndpoint(RegistryTransport transport, RemoteRepository repo, Digest digest) {
        this.transport = transport;
        this.repo = repo;
        this.digest = digest;
    }

    String describeFetch() {
        return "fetch blob " + repo + "@" + digest;
    }

    String describeCheck() {
        return "check blob " + repo + "@" + digest;
    }

    private String path() {
        return "/v2/" + repo.name() + "/blobs/" + digest;
    }

    /**
     * Streams the blob into a fresh stream from {@code sink}; refuses it if it is not exactly
     * {@code size} bytes with this digest. Reading stops at size + 1 bytes, so a hostile registry
     * cannot fill the disk by sending more than the manifest announced.
     */
    void fetch(long size, BlobSink sink) throws IOException, JrunException {
        HttpResponse<InputStream> response = transport.send(repo, "pull",
                RegistryTransport.Request.get(path(), Map.of(), TIMEOUT));
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw ErrorResponses.toException(describeFetch(), repo.registry(), "blob " + digest + " in " + repo,
                        response.statusCode(), response.headers(), body.readNBytes(ErrorResponses.MAX_ERROR_BODY));
            }
            OptionalLong announced = response.headers().firstValueAsLong("content-length");
            if (announced.isPresent() && announced.getAsLong() != size) {
                throw mismatch("the registry announces " + announced.getAsLong() + " bytes but the manifest says " + size);
            }
            MessageDigest hasher = digest.newHasher();
            long received = 0;
            byte[] buffer = new byte[BUFFER];
            StallWatchdog watchdog = transport.stallWatchdog();
            try (StallWatchdog.Guard guard = watchdog.watch(body); OutputStream out = openSink(sink)) {
                try {
                    while (true) {
                        int n = body.read(buffer, 0, (int) Math.min(buffer.length, size + 1 - received));
                        guard.progress();
                        if (n < 0) {
                            break;
                        }
                        received += n;
                        if (received > size) {
                            throw mismatch("the registry sent more than the " + size + " bytes the manifest announced");
                        }
                        hasher.update(buffer, 0, n);
                        writeSink(out, buffer, n);
                        if (received == size && body.read() >= 0) {
                            throw mismatch("the registry sent more than the " + size + " bytes the manifest announced");
                        }
                    }
                } catch (IOException e) {
                    if (guard.stalled() && !(e instanceof SinkFailure)) {
                        throw stalled(received, size, e);
                    }
                    throw e;
                }
                if (guard.stalled() && received != size) {
                    throw stalled(received, size, null);
                }
            } catch (SinkFailure e) {
                throw new JrunException(describeFetch() + ": writing the blob failed: " + RetryPolicy.describe((IOException) e.getCause())
                        + "; check free space and permissions of the store", e.getCause());
            }
            if (received != size) {
                // A short body is a broken connection as far as HTTP/1.1 is concerned: retry it.
                throw new IOException("the connection ended after " + received + " of " + size + " bytes");
            }
            if (!digest.matches(hasher)) {
                throw mismatch("its content does not match the digest");
            }
        }
    }

    private IOException stalled(long received, long size, IOException cause) {
        return new IOException("no data arrived for " + transport.stallWatchdog().limit().toSeconds() + " s after "
                + received + " of " + size + " bytes; the connection stalled", cause);
    }

    /** Disk errors are not network errors: they must not be retried as if they were. */
    private static final class SinkFailure extends IOException {
        private static final long serialVersionUID = 1L;

        SinkFailure(IOException cause) {
            super(cause);
        }
    }

    private static OutputStream openSink(BlobSink sink) throws SinkFailure {
        try {
            return sink.open();
        } catch (IOException e) {
            throw new SinkFailure(e);
        }
    }

    private static void writeSink(OutputStream out, byte[] buffer, int n) throws SinkFailure {
        try {
            out.write(buffer, 0, n);
        } catch (IOException e) {
            throw new SinkFailure(e);
        }
    }

    private JrunException mismatch(String why) {
        return new JrunException(describeFetch() + ": refused: " + why
                + "; the registry, a mirror or a proxy serves corrupt or tampered data");
    }

    boolean exists() throws IOException, JrunException {
        HttpResponse<InputStream> response = transport.send(repo, "pull",
                new RegistryTransport.Request("HEAD", path(), Map.of(), null, TIMEOUT, true));
        try (InputStream body = response.body()) {
            if (response.statusCode() == 200) {
                return true;
            }
            if (response.statusCode() == 404) {
                return false;
            }
            throw ErrorResponses.toException(describeCheck(), repo.registry(), "blob " + digest + " in " + repo,
                    response.statusCode(), response.headers(), body.readNBytes(ErrorResponses.MAX_ERROR_BODY));
        }
    }
}
