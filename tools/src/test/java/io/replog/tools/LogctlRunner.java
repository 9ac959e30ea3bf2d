package io.replog.tools;

import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Runs logctl in-process as a user runs it (same parser, same output), with stdin, stdout and stderr swapped. */
final class LogctlRunner {
    /** What one run printed, and how long it took. */
    record Run(int exit, String out, String err, long millis) {
        List<String> lines() {
            return out.isEmpty() ? List.of() : List.of(out.split("\n"));
        }

        List<String> errLines() {
            return err.isEmpty() ? List.of() : List.of(err.replace("\r", "").split("\n"));
        }

        @Override
        public String toString() {
            return "exit " + exit + " after " + millis + " ms\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    private LogctlRunner() {
    }

    static Run logctl(final String stdin, final String... args) {
        return logctl(stdin.getBytes(StandardCharsets.UTF_8), args);
    }

    static Run logctl(final byte[] stdin, final String... args) {
        return logctl(new ByteArrayInputStream(stdin), args);
    }

    static Run logctl(final InputStream stdin, final String... args) {
        final CommandLine cli = Logctl.commandLine(stdin);
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        final long start = System.nanoTime();
        final int exit = cli.execute(args);
        final long millis = (System.nanoTime() - start) / 1_000_000;
        return new Run(exit, out.toString().replace("\r", ""), err.toString(), millis);
    }
}
