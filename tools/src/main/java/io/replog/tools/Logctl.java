package io.replog.tools;

import io.replog.protocol.ReplogException;
import io.replog.protocol.client.ReplogClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

import java.io.InputStream;
import java.io.PrintWriter;
import java.util.concurrent.CompletionException;

/**
 * {@code logctl}: a netcat-style client for replog over the binary protocol. Plain lines on stdout, errors on
 * stderr with a non-zero exit code, stdin when no message is given.
 */
@Command(name = "logctl", mixinStandardHelpOptions = true, version = "logctl 0.1.0",
    description = "Talk to a replog node over its binary protocol.",
    subcommands = {AppendCommand.class, ListCommand.class, HealthCommand.class, PingCommand.class,
        BenchCommand.class})
public final class Logctl implements Runnable {
    /** Exit code when a request failed or the server could not be reached. */
    static final int EXIT_FAILED = 1;

    @Option(names = {"-s", "--server"}, defaultValue = "${env:LOGCTL_SERVER:-127.0.0.1:7000}", scope =
        CommandLine.ScopeType.INHERIT,
        description = "host:port of the node's binary port (env LOGCTL_SERVER, default ${DEFAULT-VALUE}).")
    String server;

    @Spec
    CommandLine.Model.CommandSpec spec;

    final InputStream stdin;

    public Logctl(final InputStream stdin) {
        this.stdin = stdin;
    }

    public static void main(final String[] args) {
        System.exit(commandLine(System.in).execute(args));
    }

    /** The configured command line; tests swap stdin, stdout and stderr. */
    public static CommandLine commandLine(final InputStream stdin) {
        final CommandLine cli = new CommandLine(new Logctl(stdin));
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            // futures wrap the failure; the user wants the failure itself
            final Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            final String what = cause instanceof ReplogException r ? r.toString() : cause.toString();
            cmd.getErr().println("logctl: " + what);
            cmd.getErr().flush();
            return EXIT_FAILED;
        });
        return cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    ReplogClient connect() {
        return ReplogClient.connect(server);
    }

    static void fail(final PrintWriter err, final String message) {
        err.println("logctl: " + message);
        err.flush();
    }
}
