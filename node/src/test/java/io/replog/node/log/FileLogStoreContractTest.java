package io.replog.node.log;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * The {@link LogStore} contract for the file-backed log, with a small tail cache (so reads come from memory and from
 * the files, and the cache restarts on batches too large for it) and at most two sealed segment indexes in memory
 * (so indexes are dropped and rebuilt).
 */
class FileLogStoreContractTest extends LogStoreContractTest {
    @TempDir
    Path dir;
    private int stores;

    protected FileLogOptions options() {
        return FileLogOptions.defaults().cacheBytes(16 * 1024).sealedIndexes(2);
    }

    @Override
    protected LogStore create(final int segmentBytes, final long maxBytes) throws Exception {
        return FileLogStore.open(dir.resolve("log-" + ++stores), options()
            .segmentBytes(Math.max(FileLogOptions.MIN_SEGMENT_BYTES, segmentBytes)).maxLogBytes(maxBytes));
    }
}
