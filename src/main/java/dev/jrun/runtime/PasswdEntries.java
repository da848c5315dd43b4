package dev.jrun.runtime;

import dev.jrun.errors.JrunException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * podman's --passwd: a UID (or a numeric GID) the container's /etc/passwd (or /etc/group) does
 * not know gets a line there, so that id, whoami and $HOME work. Home is the working directory.
 */
final class PasswdEntries {
    /** What podman writes for -u 1234: "1234:*:1234:0:container user:/:/bin/sh". */
    static final String DEFAULT_TEMPLATE = "$USERNAME:*:$UID:$GID:$NAME:$HOME:/bin/sh";
    private static final int LIMIT = 4 << 20;

    /** A file to provide in the container and its new content. */
    record Addition(String path, String content) {}

    record Result(ProcessIdentity identity, List<Addition> files) {}

    private PasswdEntries() {}

    static Result plan(RunSpec spec, RootfsView view, UserResolver resolver, ProcessIdentity identity,
            String workdir) throws JrunException {
        List<Addition> files = new ArrayList<>();
        if (!spec.passwd()) return new Result(identity, files);
        String username = Long.toString(identity.uid());
        ProcessIdentity result = identity;
        if (!resolver.knowsUid(identity.uid())) {
            String line = spec.passwdEntry().orElse(DEFAULT_TEMPLATE)
                    .replace("$USERNAME", username).replace("$UID", Long.toString(identity.uid()))
                    .replace("$GID", Long.toString(identity.gid())).replace("$NAME", "container user")
                    .replace("$HOME", workdir);
            // One line only: a newline in the template would add further users (a second root
            // without password) to the container's /etc/passwd.
            if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
                throw new JrunException("--passwd-entry " + spec.passwdEntry().orElse("")
                        + ": must be a single line; give one passwd(5) entry");
            }
            append(view, "/etc/passwd", line).ifPresent(files::add);
            result = new ProcessIdentity(identity.uid(), identity.gid(), identity.supplementaryGroups(), workdir);
        }
        boolean groupGiven = spec.user().or(() -> spec.image().user()).filter(u -> u.contains(":")).isPresent();
        if (groupGiven && !resolver.knowsGid(identity.gid())) {
            // podman: -u 1234:55 gives "55:x:55:1234" in /etc/group.
            append(view, "/etc/group", identity.gid() + ":x:" + identity.gid() + ":" + username)
                    .ifPresent(files::add);
        }
        return new Result(result, files);
    }

    /** The file's content with the line added, if the file is a plain file or missing. */
    private static Optional<Addition> append(RootfsView view, String path, String line) throws JrunException {
        RootfsView.Kind kind = view.kind(path);
        // Through a symlink the file is the container's to resolve: it keeps what it has.
        if (kind != RootfsView.Kind.FILE && kind != RootfsView.Kind.MISSING) return Optional.empty();
        String existing;
        try {
            existing = view.read(path, LIMIT).map(b -> new String(b, StandardCharsets.UTF_8)).orElse("");
        } catch (IOException e) {
            throw new JrunException("read the container's " + path + ": " + e.getMessage(), e);
        }
        if (!existing.isEmpty() && !existing.endsWith("\n")) existing += "\n";
        return Optional.of(new Addition(path, existing + line + "\n"));
    }
}
