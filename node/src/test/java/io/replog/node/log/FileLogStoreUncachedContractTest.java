package io.replog.node.log;

/** The {@link LogStore} contract for the file-backed log reading everything from its files, no index kept. */
class FileLogStoreUncachedContractTest extends FileLogStoreContractTest {
    @Override
    protected FileLogOptions options() {
        return FileLogOptions.defaults().cacheBytes(0).sealedIndexes(0);
    }
}
