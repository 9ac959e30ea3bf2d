package io.replog.tools;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.FileOutputStream;
import java.io.FileDescriptor;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.SSLException;
import java.io.InputStream;
import java.nio.file.Path;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import io.replog.protocol.ReplogException;

/**
 * {@code logctl}: a netcat-style client for replog over the binary protocol. Plain lines on stdout, errors on
 * stderr with a non-zero exit code, stdin when no message is given.
 */
@Command(name = "logctl", mixinStandardHelpOptions = true, version = "logctl 0.1.0",
    description = "Talk to a replog node over its binary protocol.",
    subcommands = {AppendCommand.class, ListCommand.class, TailCommand.class, HealthCommand.class,
        PingCommand.class, BenchCommand.class, VerifyCommand.class})
public final class Logctl implements Runnable {
    /** Exit code when a request failed or the server could not be reached. */
    static final int EXIT_FAILED = 1;

    @Option(names = {"-s", "--server"}, defaultValue = "${env:LOGCTL_SERVER:-127.0.0.1:7000}",
        scope = CommandLine.ScopeType.INHERIT,
        description = "host:port of the node's binary port, or a comma-separated list of the nodes of a failover "
            + "cluster: append finds the master among them and follows it; reads use the first node that answers "
            + "(env LOGCTL_SERVER, default ${DEFAULT-VALUE}).")
    String server;

    @Option(names = "--connect-timeout-ms", defaultValue = "${env:LOGCTL_CONNECT_TIMEOUT_MS:-3000}",
        scope = CommandLine.ScopeType.INHERIT, paramLabel = "MS",
        description = "Give up connecting after this long (env LOGCTL_CONNECT_TIMEOUT_MS, default ${DEFAULT-VALUE}).")
    int connectTimeoutMs;

    @Option(names = "--answer-timeout-ms", defaultValue = "${env:LOGCTL_ANSWER_TIMEOUT_MS:-5000}",
        scope = CommandLine.ScopeType.INHERIT, paramLabel = "MS",
        description = "Give up when the node does not answer a request within this long: the first HEALTH, every "
            + "list page, health, ping; not an append's wait for its write concern, which --timeout-ms bounds "
            + "(env LOGCTL_ANSWER_TIMEOUT_MS, default ${DEFAULT-VALUE}).")
    int answerTimeoutMs;

    @Option(names = "--reconnect-for-ms", defaultValue = "${env:LOGCTL_RECONNECT_FOR_MS:-30000}",
        scope = CommandLine.ScopeType.INHERIT, paramLabel = "MS",
        description = "append, tail -f: when the connection is lost, keep reconnecting (append: and re-sending "
            + "what was not answered) for this long without success before giving up; 0: do not reconnect "
            + "(env LOGCTL_RECONNECT_FOR_MS, default ${DEFAULT-VALUE}).")
    long reconnectForMs;

    @Option(names = "--tls", defaultValue = "${env:LOGCTL_TLS:-false}", scope = CommandLine.ScopeType.INHERIT,
        description = "Speak TLS to the node (one started with --tls-cert), checking its certificate against the "
            + "system's trusted CAs, or --tls-ca (env LOGCTL_TLS).")
    boolean tls;

    @Option(names = "--tls-ca", defaultValue = "${env:LOGCTL_TLS_CA}", scope = CommandLine.ScopeType.INHERIT,
        paramLabel = "FILE", description = "PEM file of the CA(s) that signed the node's certificate; implies --tls "
            + "(env LOGCTL_TLS_CA).")
    Path tlsCa;

    @Spec
    CommandLine.Model.CommandSpec spec;

    final InputStream stdin;

    public Logctl(final InputStream stdin) {
        this.stdin = stdin;
    }

    public static void main(final String[] args) {
        final CommandLine cli = commandLine(System.in);
        // messages are UTF-8 bytes: print them as such whatever the platform's default charset is
        cli.setOut(new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out),
            StandardCharsets.UTF_8)));
        cli.setErr(new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.err),
            StandardCharsets.UTF_8), true));
        System.exit(cli.execute(args));
    }

    /** The configured command line; tests swap stdin, stdout and stderr. */
    public static CommandLine commandLine(final InputStream stdin) {
        final CommandLine cli = new CommandLine(new Logctl(stdin));
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            // futures wrap the failure; the user wants the failure itself
            final Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            // a CommandFailure is worded for the user already; anything else shows its kind (ReplogException: code)
            final String what = cause instanceof CommandFailure ? cause.getMessage() : cause.toString();
            cmd.getOut().flush();
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

    /**
     * Connects to {@code --server} and checks it is a replog node, within the connect and answer timeouts. With a
     * list of nodes, the first of them that answers (reads work on every node).
     */
    NodeLink open() {
        checkTimeouts();
        if (!isList()) {
            return NodeLink.open(server, connectTimeoutMs, answerTimeoutMs, tlsContext());
        }
        final SslContext tls = tlsContext();
        final List<String> failures = new ArrayList<>();
        for (final String node : servers()) {
            try {
                return open(node, tls);
            } catch (ReplogException | CommandFailure e) {
                failures.add(node + ": " + describe(e));
            }
        }
        throw new CommandFailure("none of the nodes of --server " + server + " answered: "
            + String.join("; ", failures));
    }

    /** Connects to one node of the list. */
    NodeLink open(final String node, final SslContext tls) {
        return NodeLink.open(node, connectTimeoutMs, answerTimeoutMs, tls);
    }

    void checkTimeouts() {
        if (connectTimeoutMs < 1 || answerTimeoutMs < 1 || reconnectForMs < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--connect-timeout-ms and --answer-timeout-ms must be >= 1, --reconnect-for-ms >= 0");
        }
    }

    /** Whether --server is a comma-separated list of nodes (even of one) rather than one node, as it always was. */
    boolean isList() {
        return server.indexOf(',') >= 0;
    }

    /** The nodes of --server, in the order given. */
    List<String> servers() {
        final List<String> nodes = new ArrayList<>();
        for (final String node : server.split(",")) {
            if (!node.isBlank()) {
                nodes.add(node.trim());
            }
        }
        if (nodes.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--server: no node in '" + server + "'");
        }
        return nodes;
    }

    /** A failure as the user should read it: worded already, or with its kind (ReplogException: code). */
    static String describe(final RuntimeException e) {
        return e instanceof CommandFailure ? e.getMessage() : e.toString();
    }

    /** The client TLS context of --tls / --tls-ca, or null for plain TCP. */
    SslContext tlsContext() {
        if (!tls && tlsCa == null) {
            return null;
        }
        try {
            final SslContextBuilder builder = SslContextBuilder.forClient()
                .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK);
            if (tlsCa != null) {
                builder.trustManager(tlsCa.toFile());
            }
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new CommandFailure("--tls-ca " + tlsCa + ": " + e.getMessage());
        }
    }

    static void fail(final PrintWriter err, final String message) {
        err.println("logctl: " + message);
        err.flush();
    }
}
