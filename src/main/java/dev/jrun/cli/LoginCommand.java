package dev.jrun.cli;

import dev.jrun.container.Engine;

import dev.jrun.errors.JrunException;
import dev.jrun.image.RegistriesConf;
import dev.jrun.registry.AuthFile;
import dev.jrun.registry.Credentials;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "login", description = {"Log in to a registry: the credentials are checked, then saved in auth.json",
        "($XDG_RUNTIME_DIR/containers/auth.json, as podman)."}, mixinStandardHelpOptions = true)
final class LoginCommand implements Callable<Integer> {
    @Option(names = {"-u", "--username"}, paramLabel = "USER")
    String username;

    @Option(names = {"-p", "--password"}, paramLabel = "PASSWORD", description = "Visible in ps; prefer --password-stdin.")
    String password;

    @Option(names = "--password-stdin", description = "Read the password from standard input.")
    boolean passwordStdin;

    @Parameters(paramLabel = "REGISTRY", description = "e.g. quay.io, localhost:5000")
    String registry;

    @Override
    public Integer call() throws JrunException {
        var env = System.getenv();
        if (username == null) throw new JrunException("login " + registry + ": give --username USER");
        String secret = password;
        if (passwordStdin) {
            try {
                secret = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            } catch (IOException e) {
                throw new JrunException("login " + registry + ": read the password from standard input: " + e.getMessage(), e);
            }
        } else if (secret == null && System.console() != null) {
            char[] typed = System.console().readPassword("Password: ");
            secret = typed == null ? null : new String(typed);
        }
        if (secret == null || secret.isEmpty()) {
            throw new JrunException("login " + registry + ": no password; give --password-stdin and pipe it in");
        }
        AuthFile auth = AuthFile.forEnvironment(env);
        boolean insecure = RegistriesConf.load(env).isInsecure(registry);
        Engine ctx = new Engine(null, true, Warnings::print);
        auth.login(ctx.client(), registry, insecure, new Credentials(username, secret));
        System.out.println("Login Succeeded!");
        return 0;
    }
}
