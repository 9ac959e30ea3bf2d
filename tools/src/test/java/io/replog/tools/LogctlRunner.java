package io.replog.tools;

import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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

    /**
     * logctl as a separate process: {@code java -cp <this test's class path> io.replog.tools.Logctl args}, without
     * the LOGCTL_SERVER of whoever runs the tests.
     */
    static ProcessBuilder process(final String... args) {
        final List<String> command = new ArrayList<>(List.of(
            System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
            "-cp", System.getProperty("java.class.path"), "io.replog.tools.Logctl"));
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("LOGCTL_SERVER");
        return builder;
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
