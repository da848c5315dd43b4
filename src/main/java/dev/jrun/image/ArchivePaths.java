package dev.jrun.image;

import dev.jrun.errors.JrunException;
import java.util.ArrayList;
import java.util.List;

/** Names inside an image archive: entry names, and the names manifest.json and links point at. */
final class ArchivePaths {
    static final int MAX_NAME = 4096;

    private ArchivePaths() {
    }

    /**
     * The canonical form of a name inside the archive ({@code ./a//b} is {@code a/b}).
     *
     * <p>Why refuse rather than strip: jrun never extracts an archive by its names (files are
     * spooled under numbers, and looked up by canonical name), so a name like
     * {@code ../../etc/passwd} or {@code /etc/passwd} could not escape anyway; but such a name
     * can only come from a broken or malicious writer (the Zip Slip family, e.g. CVE-2019-14271),
     * and refusing it keeps every lookup unambiguous.
     *
     * @param what for the message: which input holds the name
     */
    static String clean(String raw, String what) throws JrunException {
        if (raw == null || raw.isEmpty()) {
            throw new JrunException(what + ": an empty name; the archive is malformed and was not loaded");
        }
        if (raw.length() > MAX_NAME || raw.indexOf('\0') >= 0) {
            throw new JrunException(what + ": a name longer than " + MAX_NAME
                    + " characters or with a NUL byte; the archive is malformed and was not loaded");
        }
        if (raw.startsWith("/")) {
            throw new JrunException(what + ": \"" + shorten(raw) + "\" is an absolute path; an image archive names"
                    + " only files inside itself, so it is broken or hostile and was not loaded");
        }
        List<String> parts = new ArrayList<>();
        for (String part : raw.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw new JrunException(what + ": \"" + shorten(raw) + "\" climbs out with \"..\"; an image archive"
                        + " names only files inside itself, so it is broken or hostile and was not loaded");
            }
            parts.add(part);
        }
        return String.join("/", parts);
    }

    /**
     * Resolves a symbolic link's target inside the archive: relative to the link's directory,
     * never outside the archive's root and never absolute (an absolute target would name a
     * host file).
     */
    static String resolveLink(String linkName, String target, String what) throws JrunException {
        if (target == null || target.isEmpty() || target.startsWith("/") || target.indexOf('\0') >= 0
                || target.length() > MAX_NAME) {
            throw new JrunException(what + ": the archive's symbolic link \"" + shorten(linkName) + "\" points at \""
                    + shorten(String.valueOf(target)) + "\", outside the archive; it is broken or hostile and was not loaded");
        }
        List<String> parts = new ArrayList<>(List.of(linkName.split("/")));
        parts.remove(parts.size() - 1);
        for (String part : target.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    throw new JrunException(what + ": the archive's symbolic link \"" + shorten(linkName)
                            + "\" points at \"" + shorten(target) + "\", outside the archive; it is broken or hostile"
                            + " and was not loaded");
                }
                parts.remove(parts.size() - 1);
            } else {
                parts.add(part);
            }
        }
        return String.join("/", parts);
    }

    static String shorten(String s) {
        return s.length() <= 140 ? s : s.substring(0, 140) + "...(" + s.length() + " characters)";
    }
}
