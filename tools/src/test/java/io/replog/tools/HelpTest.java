package io.replog.tools;

import io.replog.tools.LogctlRunner.Run;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --help} of every command: exit 0, the usage text, and nothing on stderr. Picocli reports a description it
 * cannot format (an unescaped '%', say) on System.err, not on the command's own error writer, so both are watched.
 */
class HelpTest {
    @ParameterizedTest
    @ValueSource(strings = {"", "append", "list", "health", "ping", "bench"})
    void helpPrintsUsageAndNoWarning(final String command) {
        final PrintStream systemErr = System.err;
        final ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        final Run run;
        System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
        try {
            run = command.isEmpty() ? LogctlRunner.logctl("", "--help") : LogctlRunner.logctl("", command, "--help");
        } finally {
            System.setErr(systemErr);
        }
        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.out().startsWith("Usage: logctl" + (command.isEmpty() ? "" : " " + command) + " "),
            run.out());
        assertTrue(run.out().contains("--server"), "the connection options are listed: " + run.out());
        assertTrue(run.out().contains("--answer-timeout-ms"), run.out());
        assertEquals("", run.err());
        assertEquals("", warnings.toString(StandardCharsets.UTF_8));
    }
}
