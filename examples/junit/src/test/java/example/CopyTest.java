package example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrun.api.ExecResult;
import dev.jrun.api.Jrun;
import dev.jrun.api.JrunApiException;
import dev.jrun.api.JrunContainer;
import dev.jrun.junit.Container;
import dev.jrun.junit.JrunTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Directories into and out of a container, through tar inside it; an image without tar says so. */
@JrunTest
class CopyTest {
    @Container
    JrunContainer box = Jrun.local().containerFromRootfs(BusyboxRootfs.get()).withCommand("sleep", "600");

    @Container
    JrunContainer noTar = Jrun.local().containerFromRootfs(BusyboxRootfs.withoutTar()).withCommand("sleep", "600");

    private static Path tree(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("conf/nested"));
        Files.writeString(dir.resolve("conf/nested/app.properties"), "port=8080\n");
        Files.createSymbolicLink(dir.resolve("current"), Path.of("conf/nested/app.properties"));
        return dir;
    }

    @Test
    void aDirectoryWithANestedFileAndASymlinkGoesInAndComesBack(@TempDir Path tmp) throws IOException {
        box.copyTo(tree(tmp.resolve("in")), "/srv/app");
        ExecResult inside = box.exec("sh", "-c", "cat /srv/app/conf/nested/app.properties; readlink /srv/app/current; "
                + "cat /srv/app/current; stat -c %U /srv/app/conf/nested/app.properties");
        assertEquals(0, inside.exitCode(), inside.stderr());
        assertEquals("port=8080\nconf/nested/app.properties\nport=8080\nroot\n", inside.stdout());

        // Made inside, copied out: the tree, the link as a link.
        assertEquals(0, box.exec("sh", "-c", "echo made inside > /srv/app/conf/nested/new.txt").exitCode());
        Path out = tmp.resolve("out");
        box.copyFrom("/srv/app", out);
        assertEquals("port=8080\n", Files.readString(out.resolve("conf/nested/app.properties")));
        assertEquals("made inside\n", Files.readString(out.resolve("conf/nested/new.txt")));
        assertEquals(Path.of("conf/nested/app.properties"), Files.readSymbolicLink(out.resolve("current")));

        // What is not there, or a directory onto a host file: errors that say so.
        JrunApiException missing = assertThrows(JrunApiException.class, () -> box.copyFrom("/no/such", tmp.resolve("x")));
        assertTrue(missing.getMessage().startsWith("copy /no/such out of container " + box.id().substring(0, 12) + ": cat exited with 1: "),
                missing.getMessage());
        assertTrue(missing.getMessage().contains("No such file or directory"), missing.getMessage());
        Files.writeString(tmp.resolve("a-file"), "");
        UncheckedIOException onFile = assertThrows(UncheckedIOException.class, () -> box.copyFrom("/srv/app", tmp.resolve("a-file")));
        assertTrue(onFile.getMessage().contains("exists and is not a directory"), onFile.getMessage());

        // A single file still comes out as a file.
        box.copyFrom("/srv/app/conf/nested/new.txt", tmp.resolve("one.txt"));
        assertEquals("made inside\n", Files.readString(tmp.resolve("one.txt")));
    }

    @Test
    void anImageWithoutTarCannotTakeADirectoryAndSaysWhy(@TempDir Path tmp) throws IOException {
        JrunApiException e = assertThrows(JrunApiException.class, () -> noTar.copyTo(tree(tmp.resolve("in")), "/srv/app"));
        assertTrue(e.getMessage().contains("the container has no tar"), e.getMessage());
        assertTrue(e.getMessage().contains("copy directory " + tmp.resolve("in") + " to /srv/app"), e.getMessage());
        assertEquals("1\n", noTar.exec("sh", "-c", "test -e /srv/app; echo $?").stdout(), "nothing was made");
        // Files need no tar.
        noTar.copyTo("one file\n".getBytes(), "/tmp/one.txt");
        assertEquals("one file\n", noTar.exec("cat", "/tmp/one.txt").stdout());
        JrunApiException out = assertThrows(JrunApiException.class, () -> noTar.copyFrom("/bin", tmp.resolve("bin")));
        assertTrue(out.getMessage().contains("the container has no tar"), out.getMessage());
    }
}
