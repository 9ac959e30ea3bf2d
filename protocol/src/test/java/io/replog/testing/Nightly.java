package io.replog.testing;

import org.junit.jupiter.api.Tag;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A long run that CI leaves to the nightly build: {@code mvn -B verify} excludes the tag, {@code mvn -B verify
 * -Pnightly} runs it with everything else (the parent pom's {@code test.excludedGroups}). Whatever a nightly test
 * catches, CI must still show caught by a shorter run (a slice of the seeds, the seed that caught it, one
 * configuration of several), or it is not a nightly test but a missing one.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag(Nightly.TAG)
public @interface Nightly {
    /** The JUnit tag, as the pom names it. */
    String TAG = "nightly";
}
