package io.replog.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * A loopback address where a connect neither succeeds nor is refused, like a host behind a firewall that drops
 * packets: a listener that never accepts, its accept queue filled up, so the kernel drops further SYNs. For tests
 * of connect timeouts.
 */
public final class BlackHole implements AutoCloseable {
    private final ServerSocket listener;
    private final List<Socket> queued;

    private BlackHole(final ServerSocket listener, final List<Socket> queued) {
        this.listener = listener;
        this.queued = queued;
    }

    public static BlackHole open() throws IOException {
        final ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        final List<Socket> queued = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            final Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort()), 200);
                queued.add(s);
            } catch (SocketTimeoutException full) {
                s.close();
                return new BlackHole(listener, queued);
            }
        }
        for (final Socket s : queued) {
            s.close();
        }
        listener.close();
        throw new IllegalStateException("the accept queue never filled up");
    }

    /** {@code 127.0.0.1:port}. */
    public String address() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        for (final Socket s : queued) {
            s.close();
        }
        listener.close();
    }
}
