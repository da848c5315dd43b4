package dev.jrun.runtime;

import dev.jrun.errors.JrunException;
import dev.jrun.userns.UserNamespacePlan;

/** Writes a child's ID maps while it waits at its first sync point. */
public interface IdMapWriter {
    void write(int pid, UserNamespacePlan plan) throws JrunException;
}
