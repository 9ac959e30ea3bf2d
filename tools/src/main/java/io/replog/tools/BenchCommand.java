package io.replog.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.replog.protocol.HostPort;
import io.replog.tools.bench.BenchResult;
import io.replog.tools.bench.BenchSettings;
import io.replog.tools.bench.LoadGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/** {@code logctl bench}: the load generator. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Load-test a node over the binary protocol: throughput and latency percentiles (HdrHistogram). "
        + "--inflight 1 is a blocking client; --rate paces the load (open loop, coordinated omission corrected).")
final class BenchCommand implements Callable<Integer> {
    @ParentCommand
    Logctl parent;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--op", defaultValue = "append", description = "append or ping (default ${DEFAULT-VALUE}).")
    String op;

    @Option(names = {"-w", "--w"}, defaultValue = "1", description = "Write concern (default ${DEFAULT-VALUE}).")
    int w;

    @Option(names = "--size", defaultValue = "100", description = "Message bytes (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--duration", defaultValue = "10s",
        description = "How long to measure, e.g. 10s, 500ms, 1m (default ${DEFAULT-VALUE}); ignored with --messages.")
    String duration;

    @Option(names = "--messages", defaultValue = "0", description = "Send exactly this many requests instead.")
    long messages;

    @Option(names = "--warmup", defaultValue = "2s",
        description = "Run this long before measuring (default ${DEFAULT-VALUE}; 0 with --messages).")
    String warmup;

    @Option(names = "--inflight", defaultValue = "1",
        description = "Requests outstanding per connection (default ${DEFAULT-VALUE}: one at a time).")
    int inflight;

    @Option(names = "--connections", defaultValue = "1", description = "Connections (default ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--rate", defaultValue = "0", description = "Requests per second in total, paced (0: as fast as "
        + "the window allows).")
    double rate;

    @Option(names = "--json", description = "End with one JSON line summing up the run.")
    boolean json;

    @Option(names = "--histogram", paramLabel = "FILE",
        description = "Write HdrHistogram's percentile distribution (microseconds) to FILE, for charts.")
    String histogramFile;

    @Override
    public Integer call() throws Exception {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final BenchSettings settings;
        try {
            settings = new BenchSettings(op, w, size, inflight, connections, rate,
                BenchSettings.parseDuration(duration), messages,
                messages > 0 && !spec.commandLine().getParseResult().hasMatchedOption("--warmup")
                    ? 0 : BenchSettings.parseDuration(warmup));
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        // fail in seconds, with a hint, when --server is no replog node, before any load is generated
        parent.open().close();
        final BenchResult outcome = new LoadGenerator(settings, HostPort.parse(parent.server), parent.connectTimeoutMs,
            parent.tlsContext())
            .run(System.console() != null ? new PrintWriter(System.err) : null);
        if (histogramFile != null) {
            try (PrintStream file = new PrintStream(histogramFile, StandardCharsets.UTF_8)) {
                outcome.writeDistribution(file);
            }
        }
        outcome.printText(out);
        if (json) {
            out.println(new ObjectMapper().writeValueAsString(outcome.summary()));
        }
        out.flush();
        err.flush();
        return outcome.errors() == 0 ? 0 : Logctl.EXIT_FAILED;
    }
}
