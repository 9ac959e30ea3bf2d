package io.replog.tools;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code logctl ping}: round trips of the no-op frame, to check a node is up and see the network floor. */
@Command(name = "ping", mixinStandardHelpOptions = true, description = "Send PING frames and print each round trip.")
final class PingCommand implements Callable<Integer> {
    @ParentCommand
    Logctl parent;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = {"-c", "--count"}, defaultValue = "3", description = "How many pings (default ${DEFAULT-VALUE}).")
    int count;

    @Override
    public Integer call() throws Exception {
        final PrintWriter out = spec.commandLine().getOut();
        try (NodeLink link = parent.open()) {
            for (int i = 1; i <= count; i++) {
                final long start = System.nanoTime();
                link.answer(link.client().ping(), "PING");
                out.printf("pong from %s: seq=%d time=%.3f ms%n", link.server(), i, (System.nanoTime() - start) / 1e6);
            }
            out.flush();
            return 0;
        }
    }
}
