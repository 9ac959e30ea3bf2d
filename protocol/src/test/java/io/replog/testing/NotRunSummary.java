package io.replog.testing;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

import java.util.ArrayList;
import java.util.List;

/**
 * Says once, at the end of a test run, which tests did not run because something they need is missing (an
 * assumption failed: no browser, say), and why: a skipped test reads too easily as a passed one in a long log.
 * Tests switched off on purpose ({@code @Disabled}, a replay that needs a seed) are not listed. Registered for every
 * test JVM through META-INF/services.
 */
public final class NotRunSummary implements TestExecutionListener {
    private final List<String> notRun = new ArrayList<>();

    @Override
    public void executionFinished(final TestIdentifier test, final TestExecutionResult result) {
        if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
            synchronized (notRun) {
                notRun.add(name(test) + ": " + result.getThrowable().map(Throwable::getMessage).orElse("aborted"));
            }
        }
    }

    private static String name(final TestIdentifier test) {
        return test.getSource().filter(MethodSource.class::isInstance).map(MethodSource.class::cast)
            .map(m -> m.getClassName().substring(m.getClassName().lastIndexOf('.') + 1) + "." + m.getMethodName())
            .orElse(test.getDisplayName());
    }

    @Override
    public void testPlanExecutionFinished(final TestPlan plan) {
        synchronized (notRun) {
            if (notRun.isEmpty()) {
                return;
            }
            final StringBuilder s = new StringBuilder("\n*** ").append(notRun.size())
                .append(" test(s) DID NOT RUN (skipped, not passed) ***\n");
            notRun.forEach(line -> s.append("  - ").append(line).append('\n'));
            System.err.print(s);
            System.err.flush();
        }
    }
}
