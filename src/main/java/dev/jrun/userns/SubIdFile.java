package dev.jrun.userns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * /etc/subuid or /etc/subgid as subuid(5) describes it: lines of {@code name:start:count},
 * where name is a login name or a numeric UID. Malformed lines are skipped with a warning that
 * names the file and line, as shadow's own parser skips them.
 */
public final class SubIdFile {
    private final Path path;
    private final List<String> lines;

    private SubIdFile(Path path, List<String> lines) {
        this.path = path;
        this.lines = lines;
    }

    /** Reads the file; a missing file is an empty one (no ranges for anyone). */
    public static SubIdFile read(Path path) throws IOException {
        try {
            return new SubIdFile(path, Files.readAllLines(path));
        } catch (NoSuchFileException e) {
            return new SubIdFile(path, List.of());
        }
    }

    public static SubIdFile of(Path path, String content) {
        return new SubIdFile(path, content.lines().toList());
    }

    public Path path() {
        return path;
    }

    /** The ranges of the user known as {@code name} or by the numeric {@code id}, in file order. */
    public List<SubIdRange> rangesOf(String name, long id, Consumer<String> warn) {
        String numeric = Long.toString(id);
        List<SubIdRange> ranges = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] fields = line.split(":", -1);
            SubIdRange range = fields.length == 3 ? parseRange(fields[1], fields[2]) : null;
            if (range == null || fields[0].isEmpty()) {
                warn.accept(path + " line " + (i + 1) + " is not NAME:START:COUNT, skipped: " + line);
                continue;
            }
            if (fields[0].equals(name) || fields[0].equals(numeric)) ranges.add(range);
        }
        return ranges;
    }

    private static SubIdRange parseRange(String start, String count) {
        try {
            long s = Long.parseLong(start);
            long c = Long.parseLong(count);
            if (s < 0 || c <= 0 || s + c - 1 > IdMap.MAX_ID) return null;
            return new SubIdRange(s, c);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
