package io.replog.node;

import io.replog.node.cli.LocalCommand;
import io.replog.node.cli.MasterCommand;
import io.replog.node.cli.NodeCommand;
import io.replog.node.cli.SecondaryCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code replog-node master|secondary|local}: parse flags (each also from an environment variable), start, wait
 * for SIGINT/SIGTERM, stop. The commands and their shared flags live in {@code cli/}.
 */
@Command(name = "replog-node", mixinStandardHelpOptions = true, version = "replog 0.1.0",
    description = "A replog node: the master, a secondary, or a whole local cluster in one process.",
    subcommands = {MasterCommand.class, SecondaryCommand.class, LocalCommand.class, NodeCommand.class})
public final class Main implements Runnable {

    public static void main(final String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.err);
    }
}
