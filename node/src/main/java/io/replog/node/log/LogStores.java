package io.replog.node.log;

import io.replog.node.config.NodeConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;

/** Opens the log a node's configuration asks for: on disk in its data directory, or in memory. */
public final class LogStores {
    private static final Logger LOG = LoggerFactory.getLogger(LogStores.class);

    private LogStores() {
    }

    /**
     * @param master a master refuses to start on a damaged log (it is the source of truth; an operator decides), a
     *               secondary cuts the log at the damage and fetches the rest from its master again
     */
    public static LogStore open(final NodeConfig config, final boolean master) {
        if (config.dataDir() == null) {
            LOG.info("log: in memory only (nothing survives this process)");
            return new MemoryLogStore(MemoryLogStore.DEFAULT_SEGMENT_BYTES, config.maxLogBytes(),
                master ? MemoryLogStore.newLogId() : 0);
        }
        final FileLogOptions options = FileLogOptions.defaults()
            .segmentBytes((int) config.segmentBytes())
            .flushPolicy(FlushPolicy.parse(config.flush()))
            .maxLogBytes(config.explicitMaxLogBytes() > 0 ? config.explicitMaxLogBytes() : Long.MAX_VALUE)
            .corruptionPolicy(master ? CorruptionPolicy.FAIL : CorruptionPolicy.TRUNCATE);
        try {
            FileLogStore store;
            try {
                store = FileLogStore.open(config.dataDir(), options);
            } catch (CorruptLogException e) {
                if (!master || config.secondaries().isEmpty()) {
                    throw e;
                }
                // the part after the damage may be held by the secondaries: the master takes it back from them
                // before it starts, and refuses to start if they cannot give all of it back
                LOG.warn("log: {}; this master has secondaries: setting the damaged part aside to take it back from "
                    + "them", e.getMessage());
                store = FileLogStore.open(config.dataDir(), options.corruptionPolicy(CorruptionPolicy.SET_ASIDE));
            }
            if (master && store.logId() == 0) {
                store.adoptLogId(MemoryLogStore.newLogId()); // an empty directory: a new log begins here
            }
            LOG.info("log: {} in {} (--flush {}), log {} at msg_id {}", store.lastId() == 0 ? "empty" : "recovered",
                config.dataDir().toAbsolutePath(), config.flush(), Long.toHexString(store.logId()), store.lastId());
            return store;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the log in " + config.dataDir().toAbsolutePath() + ": "
                + e.getMessage(), e);
        }
    }
}
