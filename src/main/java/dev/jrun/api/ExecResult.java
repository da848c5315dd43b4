package dev.jrun.api;

/**
 * How a command run in a container with {@link JrunContainer#exec} ended.
 *
 * @param exitCode its exit status (128 + N if signal N ended it)
 * @param stdout   what it wrote to standard output (UTF-8)
 * @param stderr   what it wrote to standard error (UTF-8)
 */
public record ExecResult(int exitCode, String stdout, String stderr) {}
