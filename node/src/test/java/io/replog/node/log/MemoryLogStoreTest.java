package io.replog.node.log;

/** The {@link LogStore} contract for the in-memory log. */
class MemoryLogStoreTest extends LogStoreContractTest {
    @Override
    protected LogStore create(final int segmentBytes, final long maxBytes) {
        return new MemoryLogStore(segmentBytes, maxBytes);
    }
}
