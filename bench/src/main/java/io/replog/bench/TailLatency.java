package io.replog.bench;

import io.replog.node.LocalCluster;
import io.replog.node.ReplogNode;
import io.replog.protocol.client.Message;
import io.replog.protocol.client.ReadResult;
import io.replog.protocol.client.ReplogClient;
import org.HdrHistogram.Histogram;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * How soon a follower ({@code logctl tail -f}: waiting READs) sees a new message: {@code java -cp
 * bench/target/benchmarks.jar io.replog.bench.TailLatency [messages] [disk]}. A local cluster of a master and two
 * secondaries (in memory, or with "disk" on disk with --flush batch); one message at a time is appended with w=1 and
 * followed on the master and on a secondary; each is timed from the APPEND_OK to its arrival at each follower (and
 * from the APPEND sent, for scale). Not JMH: the question is a distribution of one event's latency.
 */
public final class TailLatency {
    private TailLatency() {
    }

    /** Follows {@code node} from msg_id {@code from}, putting (msg_id, arrival nanos) pairs on {@code seen}. */
    private static Thread follow(final ReplogNode node, final long from, final BlockingQueue<long[]> seen) {
        final Thread t = new Thread(() -> {
            try (ReplogClient c = ReplogClient.connect("127.0.0.1:" + node.port())) {
                long next = from;
                while (!Thread.currentThread().isInterrupted()) {
                    final ReadResult page = c.read(next, 1000, 30_000).get();
                    final long now = System.nanoTime();
                    for (final Message m : page.messages()) {
                        seen.add(new long[] {ByteBuffer.wrap(m.payload()).getLong(), now});
                    }
                    next += page.messages().size();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                if (!Thread.currentThread().isInterrupted()) {
                    e.printStackTrace();
                }
            }
        }, "follower-" + node.port());
        t.setDaemon(true);
        t.start();
        return t;
    }

    public static void main(final String[] args) throws Exception {
        final int messages = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        final boolean disk = args.length > 1 && args[1].equals("disk");
        final int warmup = Math.min(5_000, messages / 4);
        LocalCluster.Settings settings = LocalCluster.Settings.ephemeral(2);
        final Path dir = disk ? Files.createTempDirectory("tail-latency") : null;
        if (disk) {
            settings = settings.onDisk(dir);
        }
        try (LocalCluster cluster = LocalCluster.start(settings);
             ReplogClient writer = ReplogClient.connect("127.0.0.1:" + cluster.master().port())) {
            final BlockingQueue<long[]> onMaster = new LinkedBlockingQueue<>();
            final BlockingQueue<long[]> onSecondary = new LinkedBlockingQueue<>();
            final Thread f1 = follow(cluster.master(), 1, onMaster);
            final Thread f2 = follow(cluster.secondaries().get(0), 1, onSecondary);
            final Histogram masterAfterOk = new Histogram(3);
            final Histogram secondaryAfterOk = new Histogram(3);
            final Histogram masterAfterSent = new Histogram(3);
            final Histogram appendOk = new Histogram(3);
            for (int i = 0; i < messages; i++) {
                final byte[] payload = ByteBuffer.allocate(100).putLong(i).array();
                final long sent = System.nanoTime();
                writer.append(payload, 1, 0).get();
                final long ok = System.nanoTime();
                final long[] m = take(onMaster, i);
                final long[] s = take(onSecondary, i);
                if (i >= warmup) {
                    appendOk.recordValue(ok - sent);
                    masterAfterOk.recordValue(Math.max(0, m[1] - ok)); // the follower may be told before the writer
                    masterAfterSent.recordValue(m[1] - sent);
                    secondaryAfterOk.recordValue(Math.max(0, s[1] - ok));
                }
            }
            f1.interrupt();
            f2.interrupt();
            System.out.printf("%,d messages (after %,d warm-up), one at a time, w=1, %s%n", messages - warmup, warmup,
                disk ? "on disk (--flush batch)" : "in memory");
            print("APPEND sent -> APPEND_OK", appendOk);
            print("APPEND sent -> follower of the master", masterAfterSent);
            print("APPEND_OK -> follower of the master", masterAfterOk);
            print("APPEND_OK -> follower of a secondary", secondaryAfterOk);
        }
    }

    private static long[] take(final BlockingQueue<long[]> seen, final long expected) throws InterruptedException {
        final long[] m = seen.poll(30, TimeUnit.SECONDS);
        if (m == null || m[0] != expected) {
            throw new IllegalStateException("follower: expected message " + expected + ", got "
                + (m == null ? "nothing in 30 s" : m[0]));
        }
        return m;
    }

    private static void print(final String what, final Histogram h) {
        System.out.printf("%-40s p50 %7.1f us  p99 %7.1f us  p99.9 %7.1f us  max %8.1f us%n", what,
            h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3,
            h.getMaxValue() / 1e3);
    }
}
