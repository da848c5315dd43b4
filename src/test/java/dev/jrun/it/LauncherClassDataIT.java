package dev.jrun.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ./jrun launcher's class-data archive (CDS on JDK 17-23, the AOT cache on 24+) follows the
 * JVM's identity, not its path: apt-get upgrades a JDK in place, and an archive of the old build
 * no longer maps, silently, which makes every start slower than with no archive at all.
 *
 * <p>The JVM here is a stand-in JDK directory whose bin/java runs the real one: its release file
 * can be changed as an in-place upgrade changes it, without touching the real JDK.
 */
class LauncherClassDataIT {
    static Path install;
    static Path jdk;
    static boolean aot;

    @BeforeAll
    static void setUp() throws IOException {
        Host.requireRoot();
        Path checkout = Path.of(System.getenv().getOrDefault("JRUN_HOME", System.getProperty("user.dir")));
        install = Files.createTempDirectory("jrun-it-launcher-");
        Host.check("cp", checkout.resolve("jrun").toString(), install.toString());
        Files.createDirectories(install.resolve("target"));
        for (String part : List.of("jrun.jar", "lib", "native")) {
            Host.check("cp", "-r", checkout.resolve("target").resolve(part).toString(), install.resolve("target").toString());
        }
        Path real = Path.of(TestInstall.javaHome());
        jdk = install.resolve("jdk");
        Path java = Files.createDirectories(jdk.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\nexec " + real.resolve("bin/java") + " \"$@\"\n");
        Host.check("chmod", "755", java.toString());
        Files.copy(real.resolve("release"), jdk.resolve("release"));
        aot = feature(release()) >= 24;
    }

    /** The feature release of a JDK's release file: JAVA_VERSION="25.0.3" is 25. */
    private static int feature(String release) {
        var m = java.util.regex.Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)").matcher(release);
        assertTrue(m.find(), "no JAVA_VERSION in the JDK's release file: " + release);
        return Integer.parseInt(m.group(1));
    }

    /** A stand-in JDK like {@link #jdk} whose JVM cannot make archives (it fails every dump). */
    private static Path jdkThatCannotDump() throws IOException {
        Path home = install.resolve("jdk-nodump");
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\ncase \"$*\" in *-Xshare:dump*|*AOTMode=create*) exit 1 ;; esac\n"
                + "exec " + Path.of(TestInstall.javaHome(), "bin/java") + " \"$@\"\n");
        Host.check("chmod", "755", java.toString());
        Files.copy(Path.of(TestInstall.javaHome(), "release"), home.resolve("release"));
        return home;
    }

    @AfterAll
    static void tearDown() {
        if (install != null) Host.run(List.of("rm", "-rf", install.toString()));
    }

    private static String release() throws IOException {
        return Files.readString(jdk.resolve("release"));
    }

    /** The archive of the commands other than a --rootfs run ({@link #launch}'s). */
    private static Path archive() {
        return archive("commands");
    }

    private static Path archive(String kind) {
        String slug = jdk.toString().replace('/', '_');
        return install.resolve("target/class-data/" + slug + "." + kind + (aot ? ".aot" : ".jsa"));
    }

    private static Host.Result jrun(String... args) {
        return jrun(List.of(), args);
    }

    private static Host.Result jrun(List<String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of("env", "-i", "PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
                "HOME=/root", "LANG=C.UTF-8", "JAVA_HOME=" + jdk));
        cmd.addAll(env);
        cmd.add(install.resolve("jrun").toString());
        cmd.addAll(List.of(args));
        return Host.run(cmd, install.toFile(), 300);
    }

    private static Object fileKey(Path p) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        return a.fileKey() + "@" + a.lastModifiedTime();
    }

    /** A command that uses the archive (jrun --version does not): listing an empty store's images. */
    private static Host.Result launch(List<String> env) {
        return jrun(env, "--root", install.resolve("store").toString(), "images", "-q");
    }

    private static Host.Result launch() {
        return launch(List.of());
    }

    /** The JVM must really map the archive: with sharing required it refuses to start otherwise. */
    private static void assertArchiveMaps() {
        String require = aot ? "-XX:AOTMode=on" : "-Xshare:on";
        Host.Result r = launch(List.of("JRUN_JAVA_OPTS=" + require));
        assertEquals(0, r.exit(), "the JVM could not use the launcher's archive (" + require + "): " + r.describe());
    }

    /** jrun --version maps no archive (it would cost more than it saves), so it makes none either. */
    @Test
    void versionNeitherMakesNorNeedsTheArchive() throws IOException {
        Files.deleteIfExists(archive());   // (another test may have made it)
        Host.Result version = jrun("--version");
        assertEquals(0, version.exit(), version.describe());
        assertTrue(version.out().startsWith("jrun "), version.describe());
        assertFalse(Files.exists(archive()), "jrun --version made " + archive());
    }

    @Test
    void anInPlaceUpgradeOfTheJvmRemakesTheArchive() throws IOException {
        Host.Result first = launch();
        assertEquals(0, first.exit(), first.describe());
        assertEquals("", first.err(), "no output but the (empty) list: " + first.describe());
        assertTrue(Files.isRegularFile(archive()), "no archive at " + archive());
        assertArchiveMaps();
        Object made = fileKey(archive());

        Host.Result again = launch();
        assertEquals(0, again.exit(), again.describe());
        assertEquals(made, fileKey(archive()), "an archive that fits was made again");

        // apt-get upgrade: same path, a new build (its release file names the new build).
        Files.writeString(jdk.resolve("release"), release().replace("JAVA_RUNTIME_VERSION=\"",
                "JAVA_RUNTIME_VERSION=\"upgraded-"));
        Host.Result upgraded = launch();
        assertEquals(0, upgraded.exit(), upgraded.describe());
        assertNotEquals(made, fileKey(archive()), "the archive of the old build was kept after the JVM changed");
        assertTrue(Files.readString(Path.of(archive() + ".id")).contains("upgraded-"), "the new identity was not recorded");
        assertArchiveMaps();
    }

    /**
     * A --rootfs run, the start-up bench/startup measures, maps an archive trained on such runs
     * alone: the AOT cache loads every class it holds at start, and the image path's classes
     * made these runs slower.
     */
    @Test
    void aRootfsRunHasAnArchiveOfItsOwn() throws IOException {
        Files.deleteIfExists(archive());
        // (a copy: a run as root makes mount points in the directory, which the other tests share)
        Path rootfs = install.resolve("rootfs");
        Host.check("cp", "-a", TestInstall.rootfs() + "/.", Files.createDirectories(rootfs).toString());
        String[] run = {"run", "--rm", "--network", "none", "--rootfs", rootfs.toString(), "true"};
        Host.Result first = jrun(run);
        assertEquals(0, first.exit(), first.describe());
        assertTrue(Files.isRegularFile(archive("launch")), "no archive at " + archive("launch"));
        assertFalse(Files.exists(archive()), "a --rootfs run made the other commands' archive: " + archive());
        Host.Result mapped = jrun(List.of("JRUN_JAVA_OPTS=" + (aot ? "-XX:AOTMode=on" : "-Xshare:on")), run);
        assertEquals(0, mapped.exit(), "the JVM could not use the launch archive: " + mapped.describe());
    }

    /** Training takes seconds: when making the archive fails, the next launches do not try again. */
    @Test
    void aFailedArchiveIsNotRetriedAtEveryLaunch() throws IOException {
        Path nodump = jdkThatCannotDump();
        List<String> env = List.of("JAVA_HOME=" + nodump);
        Host.Result first = launch(env);
        assertEquals(0, first.exit(), first.describe());
        assertTrue(first.err().contains("could not create the class data archive"), first.describe());
        Host.Result second = launch(env);
        assertEquals(0, second.exit(), second.describe());
        assertEquals("", second.err(), "the failed archive was tried again: " + second.describe());
        Host.Result version = jrun(env, "--version");
        assertTrue(version.out().contains("in " + Path.of(TestInstall.javaHome())), "not the JVM of JAVA_HOME="
                + nodump + ": " + version.describe());
    }

    @Test
    void anArchiveRecordedForAnotherJvmIsRemade() throws IOException {
        Host.Result first = launch();
        assertEquals(0, first.exit(), first.describe());
        Path id = Path.of(archive() + ".id");
        String recorded = Files.readString(id);
        Files.writeString(id, recorded.replace("JAVA_VERSION=", "JAVA_VERSION_OF_ANOTHER_BUILD="));
        Object before = fileKey(archive());

        Host.Result r = launch();
        assertEquals(0, r.exit(), r.describe());
        assertNotEquals(before, fileKey(archive()), "an archive recorded for another JVM build was used");
        assertEquals(recorded, Files.readString(id));
        assertArchiveMaps();
    }
}
