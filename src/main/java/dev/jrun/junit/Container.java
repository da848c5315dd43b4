package dev.jrun.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On a {@link dev.jrun.api.JrunContainer} field of a {@link JrunTest} class: started before
 * (a static field: before all tests; an instance field: before each) and closed after.
 * On a test method's JrunContainer parameter: which field to inject, by name (not needed when
 * the class has one container, or when the parameter has the field's name and the class is
 * compiled with -parameters).
 */
@Target({ElementType.FIELD, ElementType.PARAMETER})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Container {
    /** On a parameter: the name of the field whose container it gets. */
    String value() default "";
}
