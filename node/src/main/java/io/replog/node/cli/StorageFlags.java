package io.replog.node.cli;

import io.replog.node.config.NodeConfig;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Where and how a node keeps its log. */
public final class StorageFlags {
    /** Parent of the default data directories, under the working directory. */
    static final String DEFAULT_DATA_ROOT = "replog-data";

    @Option(names = "--data-dir", defaultValue = "${env:REPLOG_DATA_DIR}",
        description = "Directory of this node's log (env REPLOG_DATA_DIR, default ./" + DEFAULT_DATA_ROOT
            + "/<role>-<port>; `local` makes one sub-directory per node in it). Delete it to start fresh.")
    Path dataDir;

    @Option(names = "--flush", defaultValue = "${env:REPLOG_FLUSH:-" + NodeConfig.DEFAULT_FLUSH + "}",
        description = "When a stored message counts: batch (after an fsync, shared by everything written "
            + "meanwhile), interval:MS (once written; fsync every MS ms) or never (once written; the OS flushes) "
            + "(env REPLOG_FLUSH, default ${DEFAULT-VALUE}).")
    String flush;

    @Option(names = "--segment-bytes",
        defaultValue = "${env:REPLOG_SEGMENT_BYTES:-" + NodeConfig.DEFAULT_SEGMENT_BYTES + "}",
        description = "Size of each log file (env REPLOG_SEGMENT_BYTES, default ${DEFAULT-VALUE}).")
    long segmentBytes;

    @Option(names = "--in-memory", defaultValue = "${env:REPLOG_IN_MEMORY:-false}",
        description = "Keep the log in memory only: nothing survives the process (for benchmarks and demos; "
            + "env REPLOG_IN_MEMORY).")
    boolean inMemory;

    /** Applies to {@code config}, with {@code dir} as its data directory (null: the caller sets it, or memory). */
    NodeConfig applyTo(final NodeConfig config, final Path dir) {
        config.flush(flush).segmentBytes(segmentBytes);
        return dir == null ? config : config.dataDir(inMemory ? null : dir);
    }

    /** The data directory of a node of its own (master or secondary command). */
    Path nodeDir(final String role, final int port) {
        return dataDir != null ? dataDir : Path.of(DEFAULT_DATA_ROOT, role + "-" + port);
    }

    /** Where {@code local} keeps its nodes' directories ({@code master}, {@code secondary-1}, …). */
    Path localRoot() {
        return dataDir != null ? dataDir : Path.of(DEFAULT_DATA_ROOT, "local");
    }
}
