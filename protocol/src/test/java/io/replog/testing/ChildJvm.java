package io.replog.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * The options a test hands on to the JVMs it starts (node processes, scripts running a node), so that a switch given
 * to the test run ({@code mvn test -Dreplog.fixedOnEngine=true}) reaches the nodes in other processes as it reaches
 * the nodes running in the test's own JVM.
 */
public final class ChildJvm {
    /**
     * Transitional (issue 22): fixed roles on the replication engine. Without it handed on, a process test run "on the
     * engine" would test the old stack and prove nothing.
     */
    private static final List<String> FORWARDED = List.of("replog.fixedOnEngine");

    private ChildJvm() {
    }

    /** {@code -Dkey=value} for each forwarded property this JVM has. */
    public static List<String> forwardedProperties() {
        final List<String> options = new ArrayList<>();
        for (final String key : FORWARDED) {
            final String value = System.getProperty(key);
            if (value != null) {
                options.add("-D" + key + "=" + value);
            }
        }
        return List.copyOf(options);
    }
}
