package dev.jrun.cli;

import java.util.function.Consumer;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Options and parameters built with picocli's programmatic API whose values go into a
 * command's fields, for the commands on the launch path (jrun itself and `run`; see
 * {@link RunOptions} for why not annotations there).
 */
final class Bindings {
    private Bindings() {}

    /** An option whose value starts as {@code initial} and goes to {@code sink} whenever picocli sets it. */
    static OptionSpec.Builder option(Object initial, Consumer<Object> sink, String... names) {
        Binding binding = new Binding(initial, sink);
        return OptionSpec.builder(names).initialValue(initial).getter(binding).setter(binding);
    }

    /** The same for positional parameters. */
    static PositionalParamSpec.Builder positional(Object initial, Consumer<Object> sink) {
        Binding binding = new Binding(initial, sink);
        return PositionalParamSpec.builder().initialValue(initial).getter(binding).setter(binding);
    }

    /** Where picocli keeps a value: here, and passed on to the command's field. */
    private static final class Binding implements IGetter, ISetter {
        private final Consumer<Object> sink;
        private Object value;

        Binding(Object initial, Consumer<Object> sink) {
            this.value = initial;
            this.sink = sink;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T get() {
            return (T) value;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T set(T newValue) {
            T old = (T) value;
            value = newValue;
            sink.accept(newValue);
            return old;
        }
    }
}
