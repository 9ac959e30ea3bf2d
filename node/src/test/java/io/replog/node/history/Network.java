package io.replog.node.history;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The links between the nodes of a history run, each through a small TCP proxy the test controls: node {@code a}
 * reaches node {@code b} at {@link #proxyPort(int, int) proxyPort(a, b)} (its {@code --peers} names that port), and
 * the proxy forwards to b's real port. A cut stops the bytes from one node to another without resetting anything,
 * as a network partition does: the proxy stops reading them, so they wait in the kernel's buffers and the sender's
 * window fills (TCP's own view of a black hole); a connection closed meanwhile is closed on the other side only once
 * the cut heals, and a connection made meanwhile reaches its node only then. Healed, the held bytes flow on, late,
 * as TCP's retransmissions would deliver them.
 */
final class Network implements AutoCloseable {
    private static final int BUFFER = 8192;

    private final Map<Integer, Integer> realPorts;
    private final Map<Long, Proxy> proxies = new HashMap<>();
    /** Pairs (from, to) whose bytes are held: from * 1000 + to. */
    private final Set<Long> cuts = new TreeSet<>();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** Proxies for every ordered pair of {@code realPorts}' nodes (id → binary port). */
    Network(final Map<Integer, Integer> realPorts) throws IOException {
        this.realPorts = Map.copyOf(realPorts);
        for (final int from : realPorts.keySet()) {
            for (final int to : realPorts.keySet()) {
                if (from != to) {
                    final Proxy proxy = new Proxy(from, to);
                    proxies.put(key(from, to), proxy);
                    proxy.start();
                }
            }
        }
    }

    private static long key(final int from, final int to) {
        return from * 1000L + to;
    }

    /** Where node {@code from} dials node {@code to}. */
    int proxyPort(final int from, final int to) {
        return proxies.get(key(from, to)).server.getLocalPort();
    }

    /** Bytes from node {@code from} no longer reach node {@code to} (on any connection between them). */
    synchronized void cut(final int from, final int to) {
        cuts.add(key(from, to));
    }

    /** Node {@code id} hears from nobody and nobody hears from it. */
    synchronized void isolate(final int id) {
        for (final int other : realPorts.keySet()) {
            if (other != id) {
                cut(id, other);
                cut(other, id);
            }
        }
    }

    /** Every cut heals; held bytes flow on. */
    synchronized void heal() {
        cuts.clear();
        notifyAll();
    }

    synchronized String describeCuts() {
        final List<String> parts = new ArrayList<>();
        for (final long cut : cuts) {
            parts.add(cut / 1000 + "->" + cut % 1000);
        }
        return parts.isEmpty() ? "none" : String.join(" ", parts);
    }

    /** Waits while bytes from {@code from} to {@code to} are held; false once the network is closed. */
    private synchronized boolean awaitFlow(final int from, final int to) {
        while (!closed && cuts.contains(key(from, to))) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return !closed;
    }

    @Override
    public void close() {
        closed = true;
        synchronized (this) {
            notifyAll();
        }
        for (final Proxy proxy : proxies.values()) {
            quietly(proxy.server);
        }
        sockets.forEach(Network::quietly);
    }

    private static void quietly(final AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // closing: nothing to do about it
        }
    }

    /** Node {@code from}'s connections to node {@code to}. */
    private final class Proxy {
        final int from;
        final int to;
        final ServerSocket server;

        Proxy(final int from, final int to) throws IOException {
            this.from = from;
            this.to = to;
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        }

        void start() {
            daemon("proxy-" + from + "-" + to, this::acceptLoop);
        }

        private void acceptLoop() {
            while (!closed) {
                final Socket inbound;
                try {
                    inbound = server.accept();
                } catch (IOException e) {
                    return; // closed
                }
                sockets.add(inbound);
                daemon("proxy-" + from + "-" + to + "-connect", () -> connect(inbound));
            }
        }

        /** A connection made during a cut reaches its node once the cut heals (a SYN retried until it gets through). */
        private void connect(final Socket inbound) {
            if (!awaitFlow(from, to)) {
                quietly(inbound);
                return;
            }
            final Socket outbound = new Socket();
            try {
                outbound.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), realPorts.get(to)), 2_000);
                outbound.setTcpNoDelay(true);
                inbound.setTcpNoDelay(true);
            } catch (IOException e) {
                // the node is down: refused, as the node's own port would refuse it
                quietly(outbound);
                quietly(inbound);
                sockets.remove(inbound);
                return;
            }
            sockets.add(outbound);
            daemon("pump-" + from + "-" + to, () -> pump(inbound, outbound, from, to));
            daemon("pump-" + to + "-" + from, () -> pump(outbound, inbound, to, from));
        }
    }

    /** Copies bytes travelling from node {@code a} to node {@code b}, holding them while that direction is cut. */
    private void pump(final Socket source, final Socket sink, final int a, final int b) {
        final byte[] buffer = new byte[BUFFER];
        try {
            final InputStream in = source.getInputStream();
            final OutputStream out = sink.getOutputStream();
            while (true) {
                final int n = in.read(buffer);
                if (n < 0 || !awaitFlow(a, b)) {
                    break;
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // reset or closed: the close travels on below
        }
        // a close (a crash's reset too) reaches the other side only when bytes could
        awaitFlow(a, b);
        quietly(source);
        quietly(sink);
        sockets.remove(source);
        sockets.remove(sink);
    }

    private static void daemon(final String name, final Runnable body) {
        final Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
    }
}
