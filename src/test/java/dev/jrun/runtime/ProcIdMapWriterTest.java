package dev.jrun.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jrun.errors.JrunException;
import dev.jrun.sys.JnaSyscalls;
import dev.jrun.userns.IdMap;
import dev.jrun.userns.IdMapping;
import dev.jrun.userns.MapWriter;
import dev.jrun.userns.UserNamespacePlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcIdMapWriterTest {
    @TempDir Path tmp;

    @Test
    void aFailingHelpersOwnMessageIsPassedOn() throws Exception {
        Path helper = tmp.resolve("newuidmap");
        Files.writeString(helper, "#!/bin/sh\necho \"newuidmap: uid range [1-65537) -> [100000-165536) not allowed\" >&2\nexit 1\n");
        helper.toFile().setExecutable(true);
        Path ok = tmp.resolve("newgidmap");
        Files.writeString(ok, "#!/bin/sh\nexit 0\n");
        ok.toFile().setExecutable(true);
        IdMap map = new IdMap(List.of(new IdMapping(0, 1000, 1), new IdMapping(1, 100000, 65536)));
        UserNamespacePlan plan = new UserNamespacePlan(map, map, MapWriter.SETUID_HELPERS, true, helper, ok);
        JrunException e = assertThrows(JrunException.class, () -> new ProcIdMapWriter(new JnaSyscalls()).write(4242, plan));
        assertEquals(125, e.exitCode());
        assertTrue(e.getMessage().startsWith("newuidmap 4242 0 1000 1 1 100000 65536 failed (exit 1): "
                + "newuidmap: uid range [1-65537) -> [100000-165536) not allowed"), e.getMessage());
        assertTrue(e.getMessage().contains("/etc/subuid"), e.getMessage());
    }

    @Test
    void theHelpersGetThePidAndTheMapAsArguments() throws Exception {
        Path log = tmp.resolve("args");
        Path helper = tmp.resolve("recorder");
        Files.writeString(helper, "#!/bin/sh\necho \"$0 $*\" >> " + log + "\n");
        helper.toFile().setExecutable(true);
        IdMap uids = new IdMap(List.of(new IdMapping(0, 1003, 1), new IdMapping(1, 296608, 392)));
        IdMap gids = new IdMap(List.of(new IdMapping(0, 1003, 1), new IdMapping(1, 296608, 65536)));
        new ProcIdMapWriter(new JnaSyscalls()).write(77, new UserNamespacePlan(uids, gids, MapWriter.SETUID_HELPERS, true, helper, helper));
        List<String> lines = Files.readAllLines(log);
        assertTrue(lines.contains(helper + " 77 0 1003 1 1 296608 392"), lines.toString());
        assertTrue(lines.contains(helper + " 77 0 1003 1 1 296608 65536"), lines.toString());
    }

    @Test
    void aMissingHelperSaysWhatToInstall() {
        Path missing = tmp.resolve("no-such-newuidmap");
        IdMap map = new IdMap(List.of(new IdMapping(0, 1000, 1), new IdMapping(1, 100000, 65536)));
        UserNamespacePlan plan = new UserNamespacePlan(map, map, MapWriter.SETUID_HELPERS, true, missing, missing);
        JrunException e = assertThrows(JrunException.class, () -> new ProcIdMapWriter(new JnaSyscalls()).write(4242, plan));
        assertTrue(e.getMessage().startsWith("run " + missing + ": exec"), e.getMessage());
        assertTrue(e.getMessage().contains("No such file or directory"), e.getMessage());
        assertTrue(e.getMessage().endsWith("install it with: apt-get install uidmap"), e.getMessage());
    }
}
