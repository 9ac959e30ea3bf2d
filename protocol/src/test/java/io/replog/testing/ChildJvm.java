package io.replog.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * The options a test hands on to the JVMs it starts (node processes, scripts running a node), so that a switch given
 * to the test run ({@code mvn test -Dkey=value}) reaches the nodes in other processes as it reaches the nodes running
 * in the test's own JVM. None today: the switch that chose the replication stack went with the fixed-role stack.
 */
public final class ChildJvm {
    /** The system properties handed on. */
    private static final List<String> FORWARDED = List.of();

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
