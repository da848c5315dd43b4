package dev.jrun.junit;

import dev.jrun.api.JrunContainer;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * Starts a {@link JrunTest} class's {@link Container} fields and closes them (which removes the
 * containers), injects them as parameters, and attaches their last log lines to a failed test.
 */
public final class JrunExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback,
        ParameterResolver, TestExecutionExceptionHandler {
    /** How many of each container's last log lines a failure shows. */
    static final int LOG_LINES = 50;

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(JrunExtension.class);
    private static final String STARTED = "containers";

    @Override
    public void beforeAll(ExtensionContext context) {
        List<Field> fields = fields(context.getRequiredTestClass(), true);
        Object instance = null;
        if (perClass(context)) {
            // One test instance for the class: its containers live as long as it.
            instance = context.getRequiredTestInstance();
            fields.addAll(fields(instance.getClass(), false));
        }
        startAll(context, fields, instance);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (perClass(context)) return;
        Object instance = context.getRequiredTestInstance();
        startAll(context, fields(instance.getClass(), false), instance);
    }

    private static boolean perClass(ExtensionContext context) {
        return context.getTestInstanceLifecycle().orElse(TestInstance.Lifecycle.PER_METHOD)
                == TestInstance.Lifecycle.PER_CLASS;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!perClass(context)) closeAll(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        closeAll(context);
    }

    private static void startAll(ExtensionContext context, List<Field> fields, Object instance) {
        Map<String, JrunContainer> started = new LinkedHashMap<>();
        context.getStore(NAMESPACE).put(key(context), started);
        for (Field f : fields) {
            JrunContainer c = read(f, Modifier.isStatic(f.getModifiers()) ? null : instance);
            if (!c.isStarted()) c.start();
            started.put(f.getName(), c);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, JrunContainer> startedIn(ExtensionContext context) {
        // Keyed by the context itself: a store lookup falls back to the parent's values.
        Map<String, JrunContainer> m = context.getStore(NAMESPACE).get(key(context), Map.class);
        return m == null ? Map.of() : m;
    }

    private static String key(ExtensionContext context) {
        return STARTED + " " + context.getUniqueId();
    }

    /** Last started, first closed; every one is closed even if one fails. */
    private static void closeAll(ExtensionContext context) {
        List<JrunContainer> list = new ArrayList<>(startedIn(context).values());
        context.getStore(NAMESPACE).remove(key(context));
        RuntimeException first = null;
        for (int i = list.size() - 1; i >= 0; i--) {
            try {
                list.get(i).close();
            } catch (RuntimeException e) {
                if (first == null) first = e;
                else first.addSuppressed(e);
            }
        }
        if (first != null) throw first;
    }

    /** The containers a test sees: its own (per test) and its class's, by field name. */
    private static Map<String, JrunContainer> inScope(ExtensionContext context) {
        Map<String, JrunContainer> all = new LinkedHashMap<>();
        for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
            startedIn(c).forEach(all::putIfAbsent);
        }
        return all;
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == JrunContainer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Map<String, JrunContainer> all = inScope(context);
        Parameter p = parameter.getParameter();
        String wanted = parameter.findAnnotation(Container.class).map(Container::value).filter(v -> !v.isEmpty())
                .orElse(p.isNamePresent() ? p.getName() : null);
        if (wanted != null && all.containsKey(wanted)) return all.get(wanted);
        if (all.size() == 1 && (wanted == null || !p.isAnnotationPresent(Container.class))) {
            return all.values().iterator().next();
        }
        throw new ParameterResolutionException("parameter " + p + " of " + parameter.getDeclaringExecutable()
                + ": no started @Container field " + (wanted == null ? "" : "named " + wanted + " ") + "among "
                + all.keySet() + "; name the field with @Container(\"field\") on the parameter");
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        inScope(context).forEach((name, c) -> {
            try {
                failure.addSuppressed(new ContainerLog(name, c, c.lastLogLines(LOG_LINES)));
            } catch (RuntimeException e) {
                failure.addSuppressed(new ContainerLog(name, c, List.of("(its log could not be read: " + e + ")")));
            }
        });
        throw failure;
    }

    /** A failed test's note of one container's last log lines (in the report, under the failure). */
    static final class ContainerLog extends Exception {
        private static final long serialVersionUID = 1L;

        ContainerLog(String field, JrunContainer c, List<String> lines) {
            super("container " + field + " (" + c + "), its last " + lines.size()
                    + " log lines:\n" + String.join("\n", lines), null, false, false);
        }
    }

    private static List<Field> fields(Class<?> type, boolean statics) {
        List<Field> out = new ArrayList<>();
        List<Class<?>> chain = new ArrayList<>();
        for (Class<?> t = type; t != null && t != Object.class; t = t.getSuperclass()) chain.add(0, t);
        for (Class<?> t : chain) {
            for (Field f : t.getDeclaredFields()) {
                if (!f.isAnnotationPresent(Container.class) || Modifier.isStatic(f.getModifiers()) != statics) continue;
                if (!JrunContainer.class.isAssignableFrom(f.getType())) {
                    throw new ExtensionConfigurationException("@Container field " + t.getName() + "." + f.getName()
                            + " is a " + f.getType().getName() + "; it must be a dev.jrun.api.JrunContainer");
                }
                out.add(f);
            }
        }
        return out;
    }

    private static JrunContainer read(Field f, Object instance) {
        try {
            f.setAccessible(true);
            JrunContainer c = (JrunContainer) f.get(instance);
            if (c == null) {
                throw new ExtensionConfigurationException("@Container field " + f.getName() + " is null: assign it a "
                        + "container, e.g. Jrun.local().container(\"busybox\").withCommand(...)");
            }
            return c;
        } catch (IllegalAccessException e) {
            throw new ExtensionConfigurationException("read @Container field " + f.getName() + ": " + e.getMessage(), e);
        }
    }
}
