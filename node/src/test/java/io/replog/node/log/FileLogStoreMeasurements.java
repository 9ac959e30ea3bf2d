package io.replog.node.log;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Numbers for the file store on this machine; not a test (run once, by hand):
 * {@code java -cp … io.replog.node.log.FileLogStoreMeasurements DIR [throughput|fsync|restart|open|enospc]}.
 * <ul>
 *   <li>throughput: append+commit of 100 B entries in batches of 100 under {@code never} and {@code batch}, then
 *       reads of the whole log from the files and from the tail cache;</li>
 *   <li>fsync: latency of a 4 KiB write + {@code force(false)};</li>
 *   <li>restart: 10 M × 100 B (~1 GB), the process's RSS, then a clean reopen and one after kill -9;</li>
 *   <li>enospc: fills DIR (a small file system) until the disk is full.</li>
 * </ul>
 */
public final class FileLogStoreMeasurements {
    private static final int ENTRY = 100;
    private static final int BATCH = 100;

    private FileLogStoreMeasurements() {
    }

    public static void main(final String[] args) throws Exception {
        final Path dir = Path.of(args[0]);
        final String what = args.length > 1 ? args[1] : "all";
        if (what.equals("throughput") || what.equals("all")) {
            for (int round = 1; round <= 2; round++) { // the first round warms the JIT up
                System.out.println("round " + round);
                throughput(dir.resolve("never"), FlushPolicy.NEVER, 2_000_000, BATCH);
                throughput(dir.resolve("batch"), FlushPolicy.BATCH, 2_000_000, BATCH);
                throughput(dir.resolve("single"), FlushPolicy.BATCH, 200_000, 1);
                reads(dir.resolve("never"));
            }
        }
        if (what.equals("fsync") || what.equals("all")) {
            fsync(dir.resolve("fsync.bin"), 2000);
        }
        if (what.equals("restart") || what.equals("all")) {
            restart(dir.resolve("big"), 10_000_000);
        }
        if (what.equals("open")) { // a clean reopen of what "restart" left, e.g. after dropping the page cache
            timedOpen(dir.resolve("big"), FileLogOptions.defaults(), "clean reopen");
        }
        if (what.equals("enospc")) {
            enospc(dir.resolve("full"));
        }
    }

    private static void fill(final FileLogStore log, final long entries, final int perCommit) {
        final ByteBuf payload = Unpooled.directBuffer(ENTRY).writeZero(ENTRY);
        for (long i = 1; i <= entries; i++) {
            log.append(payload);
            if (i % perCommit == 0) {
                log.commit();
            }
        }
        log.commit();
        payload.release();
    }

    private static void throughput(final Path path, final FlushPolicy policy, final long entries,
                                   final int perCommit) throws Exception {
        delete(path);
        try (FileLogStore log = FileLogStore.open(path, FileLogOptions.defaults().flushPolicy(policy))) {
            final long start = System.nanoTime();
            fill(log, entries, perCommit);
            final double committed = (System.nanoTime() - start) / 1e9;
            while (log.durableId() < log.lastId()) {
                Thread.onSpinWait();
            }
            final double durable = (System.nanoTime() - start) / 1e9;
            System.out.printf("%-6s append+commit %,d × %d B in batches of %d: %.2f s = %,.0f entries/s "
                    + "(%,.0f MB/s); all durable after %.2f s = %,.0f entries/s; %,d fsyncs%n", policy, entries, ENTRY,
                perCommit, committed, entries / committed, entries * (ENTRY + 4.0) / committed / 1e6, durable,
                entries / durable, log.fsyncCount());
        }
    }

    private static void reads(final Path path) throws Exception {
        for (final int cache : new int[] {0, FileLogOptions.DEFAULT_CACHE_BYTES}) {
            try (FileLogStore log = FileLogStore.open(path, FileLogOptions.defaults().cacheBytes(cache))) {
                if (cache > 0) { // warm the cache with the last ~30 MB, as a master's tail would be
                    final ByteBuf payload = Unpooled.directBuffer(ENTRY).writeZero(ENTRY);
                    for (int i = 0; i < 290_000; i++) {
                        log.append(payload);
                        if (i % BATCH == 0) {
                            log.commit();
                        }
                    }
                    log.commit();
                    payload.release();
                }
                final long from = cache > 0 ? log.lastId() - 280_000 : 1;
                final long start = System.nanoTime();
                long bytes = 0;
                for (long id = from; id <= log.lastId(); ) {
                    final EntryRange range = log.read(id, 100_000, 1 << 20);
                    bytes += range.run().readableBytes();
                    range.run().release();
                    id += range.count();
                }
                final double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("read %s: %,d entries in %.2f s = %,.0f entries/s (%,.0f MB/s)%n",
                    cache > 0 ? "tail from the cache" : "everything from the files", log.lastId() - from + 1, seconds,
                    (log.lastId() - from + 1) / seconds, bytes / seconds / 1e6);
            }
        }
    }

    private static void fsync(final Path file, final int rounds) throws IOException {
        final long[] micros = new long[rounds];
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            final ByteBuffer block = ByteBuffer.allocateDirect(4096);
            for (int i = 0; i < rounds; i++) {
                block.clear();
                channel.write(block, (long) i * 4096);
                final long start = System.nanoTime();
                channel.force(false);
                micros[i] = (System.nanoTime() - start) / 1000;
            }
        }
        Files.delete(file);
        Arrays.sort(micros);
        System.out.printf("fsync (4 KiB write + force(false)) × %d: p50 %d µs, p90 %d µs, p99 %d µs, max %d µs%n",
            rounds, micros[rounds / 2], micros[rounds * 9 / 10], micros[rounds * 99 / 100], micros[rounds - 1]);
    }

    private static void restart(final Path path, final long entries) throws Exception {
        delete(path);
        final FileLogOptions options = FileLogOptions.defaults().flushPolicy(FlushPolicy.NEVER);
        final FileLogStore writer = FileLogStore.open(path, options);
        final long start = System.nanoTime();
        fill(writer, entries, BATCH);
        System.gc();
        System.out.printf("wrote %,d × %d B (%,d bytes of segments) in %.1f s; store memory %,d B; process %s; heap "
                + "used %,d B%n", entries, ENTRY, dirBytes(path), (System.nanoTime() - start) / 1e9,
            writer.memoryBytes(), rss(), Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory());
        writer.halt(); // kill -9: the recovery point is where the last segment was rolled
        timedOpen(path, options, "reopen after kill -9 (scans the segment written since the last roll)");
        for (int i = 0; i < 3; i++) {
            timedOpen(path, options, "clean reopen");
        }
        Files.delete(path.resolve(RecoveryCheckpoint.FILE_NAME));
        timedOpen(path, options, "reopen without any recovery point (scans and CRC-checks everything)");
    }

    private static void timedOpen(final Path path, final FileLogOptions options, final String what)
        throws IOException {
        final long start = System.nanoTime();
        try (FileLogStore log = FileLogStore.open(path, options)) {
            System.out.printf("%s: %,d entries in %.0f ms%n", what, log.lastId(), (System.nanoTime() - start) / 1e6);
        }
    }

    private static void enospc(final Path path) throws Exception {
        delete(path);
        long committed = 0;
        try (FileLogStore log = FileLogStore.open(path, FileLogOptions.defaults().segmentBytes(64 * 1024))) {
            final ByteBuf payload = Unpooled.directBuffer(ENTRY).writeZero(ENTRY);
            try {
                while (true) {
                    for (int i = 0; i < BATCH; i++) {
                        log.append(payload);
                    }
                    log.commit();
                    committed = log.lastId();
                }
            } catch (LogFullException e) {
                System.out.printf("disk full after %,d entries: %s (lastId %d, appendedId %d)%n", committed,
                    e.getMessage(), log.lastId(), log.appendedId());
            } finally {
                payload.release();
            }
        } catch (RuntimeException e) {
            System.out.println("close on a full disk: " + e);
        }
        try (FileLogStore log = FileLogStore.open(path, FileLogOptions.defaults()
            .corruptionPolicy(CorruptionPolicy.FAIL))) {
            System.out.printf("reopened: lastId %,d (expected %,d)%n", log.lastId(), committed);
        }
    }

    private static String rss() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS"))
            .findFirst().orElse("?").replaceAll("\\s+", " ");
    }

    private static long dirBytes(final Path path) throws IOException {
        try (Stream<Path> files = Files.list(path)) {
            return files.mapToLong(f -> f.toFile().length()).sum();
        }
    }

    private static void delete(final Path path) throws IOException {
        if (Files.exists(path)) {
            try (Stream<Path> files = Files.walk(path)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
