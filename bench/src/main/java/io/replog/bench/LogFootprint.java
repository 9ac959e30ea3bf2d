package io.replog.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.replog.node.log.MemoryLogStore;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;

/**
 * Memory a log of N messages costs, heap and direct: {@code java -cp bench/target/benchmarks.jar
 * io.replog.bench.LogFootprint [messages] [bytes]} (default 10,000,000 of 100 bytes). Not a JMH benchmark: the
 * question is a size, not a speed.
 */
public final class LogFootprint {
    private LogFootprint() {
    }

    public static void main(final String[] args) {
        final long messages = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
        final int bytes = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        final long heapBefore = usedHeapAfterGc();
        final long directBefore = direct();
        final MemoryLogStore log = new MemoryLogStore();
        final ByteBuf payload = Unpooled.buffer(bytes).writeZero(bytes);
        final long start = System.nanoTime();
        for (long i = 0; i < messages; i++) {
            log.append(payload);
            if ((i & 4095) == 4095) {
                log.commit(); // as the sequencer does, a batch at a time
            }
        }
        log.commit();
        final double seconds = (System.nanoTime() - start) / 1e9;
        final long heap = usedHeapAfterGc() - heapBefore;
        final long direct = direct() - directBefore;
        System.out.printf("%,d messages of %d bytes (%,d payload bytes) appended in %.2f s%n", messages, bytes,
            messages * bytes, seconds);
        System.out.printf("log:    %,d bytes (%.1f bytes per message)%n", log.memoryBytes(),
            (double) log.memoryBytes() / messages);
        System.out.printf("heap:   %,d bytes after GC%n", heap);
        System.out.printf("direct: %,d bytes%n", direct);
        System.out.printf("total:  %.2f GB (heap + direct)%n", (heap + direct) / 1e9);
        payload.release();
        log.close();
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long direct() {
        for (final BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if ("direct".equals(pool.getName())) {
                return pool.getMemoryUsed();
            }
        }
        return 0;
    }
}
