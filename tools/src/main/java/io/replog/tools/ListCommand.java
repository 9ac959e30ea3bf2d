package io.replog.tools;

import io.replog.protocol.client.Message;
import io.replog.protocol.client.ReadResult;
import io.replog.protocol.client.ReplogClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code logctl list}: the node's messages as {@code msg_id<TAB>message} lines (or JSON lines), in order. */
@Command(name = "list", mixinStandardHelpOptions = true,
    description = "Print the node's messages in msg_id order, one 'msg_id<TAB>message' line each (--json: one "
        + "JSON object per line, for messages that hold newlines or tabs).")
final class ListCommand implements Callable<Integer> {
    @ParentCommand
    Logctl parent;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--from", defaultValue = "1", description = "First msg_id to print (default ${DEFAULT-VALUE}).")
    long from;

    @Option(names = "--limit", defaultValue = "-1", description = "Print at most this many (default: all).")
    long limit;

    @Option(names = "--json", description = "One JSON object per line: {\"msg_id\":1,\"message\":\"…\"}.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        final MessageLines out = new MessageLines(spec.commandLine().getOut(), json);
        if (from < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--from must be >= 1");
        }
        long remaining = limit < 0 ? Long.MAX_VALUE : limit;
        try (NodeLink link = parent.open()) {
            long next = from;
            while (remaining > 0) {
                final int count = (int) Math.min(ReplogClient.READ_PAGE, remaining);
                final ReadResult page = link.answer(link.client().read(next, count), "READ");
                for (final Message m : page.messages()) {
                    out.print(m);
                }
                remaining -= page.messages().size();
                next += page.messages().size();
                if (page.messages().isEmpty() || next > page.lastId()) {
                    break;
                }
            }
            out.flush();
            return 0;
        }
    }
}
