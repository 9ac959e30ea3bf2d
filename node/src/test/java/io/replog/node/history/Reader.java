package io.replog.node.history;

import io.replog.protocol.client.ReadResult;
import io.replog.protocol.client.ReplogClient;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * A reader of a history run: reads a page from a random node, from a random msg_id near the end of what it has
 * seen, and records what the node answered. Reads that get no answer are not recorded (they say nothing). The
 * checker holds every recorded read against the final log: a node must never have served what that log contradicts.
 */
final class Reader implements Runnable {
    private static final int PAGE = 500;

    private final HistoryCluster cluster;
    private final History history;
    private final String process;
    private final Random random;
    private final Map<Integer, ReplogClient> clients = new HashMap<>();
    private volatile boolean stop;
    private long seen;

    Reader(final HistoryCluster cluster, final History history, final int number, final long seed) {
        this.cluster = cluster;
        this.history = history;
        this.process = "reader-" + number;
        this.random = new Random(seed * 17 + number);
    }

    void stop() {
        stop = true;
    }

    @Override
    public void run() {
        try {
            while (!stop) {
                readOnce(cluster.ids().get(random.nextInt(cluster.size())));
                try {
                    Thread.sleep(20 + random.nextInt(40)); // pacing the reads
                } catch (InterruptedException e) {
                    return;
                }
            }
        } finally {
            clients.values().forEach(ReplogClient::close);
        }
    }

    private void readOnce(final int node) {
        final long from = Math.max(1, seen - random.nextInt(PAGE));
        final int index = history.nextIndex();
        final double invoked = history.nowMs();
        try {
            ReplogClient client = clients.get(node);
            if (client == null || !client.isConnected()) {
                if (client != null) {
                    client.close();
                }
                client = cluster.connect(node);
                clients.put(node, client);
            }
            final ReadResult page = client.read(from, PAGE).get(2, TimeUnit.SECONDS);
            final List<String> values = new ArrayList<>(page.messages().size());
            page.messages().forEach(m -> values.add(m.text()));
            // msg_ids are positions: the page starts where the node says, which must be where it was asked
            final long first = page.messages().isEmpty() ? from : page.messages().get(0).msgId();
            // a page may end before the node's end (at an epoch's first entry): read on from where the node says it is
            seen = Math.max(seen, Math.max(first + values.size() - 1, page.lastId()));
            history.read(new History.Read(index, process, cluster.address(node), first, invoked, history.nowMs(),
                values, page.lastId()));
        } catch (Exception e) {
            final ReplogClient client = clients.remove(node);
            if (client != null) {
                client.close();
            }
        }
    }
}
