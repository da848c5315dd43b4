package dev.jrun.cli;

import dev.jrun.errors.JrunException;
import dev.jrun.registry.AuthFile;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "logout", description = "Remove a registry's credentials from auth.json.", mixinStandardHelpOptions = true)
final class LogoutCommand implements Callable<Integer> {
    @Parameters(paramLabel = "REGISTRY")
    String registry;

    @Override
    public Integer call() throws JrunException {
        AuthFile.forEnvironment(System.getenv()).logout(registry);
        System.out.println("Removed login credentials for " + registry);
        return 0;
    }
}
