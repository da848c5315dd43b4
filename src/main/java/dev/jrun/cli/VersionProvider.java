package dev.jrun.cli;

import dev.jrun.sys.SyscallsFactory;
import picocli.CommandLine.IVersionProvider;

final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        // Which JVM and which syscall backend: start-up time and behaviour depend on both.
        String vm = System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version")
                + " (" + System.getProperty("java.vendor") + ") in " + System.getProperty("java.home");
        return new String[] {"jrun " + (v == null ? "development build" : v), "JVM: " + vm, SyscallsFactory.describe()};
    }
}
