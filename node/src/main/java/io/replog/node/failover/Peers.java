package io.replog.node.failover;

import io.replog.protocol.HostPort;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The nodes of a failover cluster, from {@code --peers 1@host:port,2@host:port,3@host:port}: every node is given the
 * same list (itself included) and its own {@code --id}. Ids are positive and distinct.
 */
public record Peers(int self, Map<Integer, InetSocketAddress> addresses) {

    public Peers {
        if (!addresses.containsKey(self)) {
            throw new IllegalArgumentException("--id " + self + " is not among --peers " + addresses.keySet());
        }
        addresses = Map.copyOf(addresses);
    }

    /** Parses {@code 1@host:port,2@host:port,…}. */
    public static Peers parse(final int self, final String list) {
        final Map<Integer, InetSocketAddress> addresses = new LinkedHashMap<>();
        for (final String item : list.split(",")) {
            final String trimmed = item.trim();
            final int at = trimmed.indexOf('@');
            if (at <= 0) {
                throw new IllegalArgumentException("a peer is id@host:port, got '" + trimmed + "'");
            }
            final int id;
            try {
                id = Integer.parseInt(trimmed.substring(0, at));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("a peer's id must be a number, got '" + trimmed + "'");
            }
            if (id < 1) {
                throw new IllegalArgumentException("peer ids are 1 or more, got " + id);
            }
            if (addresses.put(id, HostPort.parse(trimmed.substring(at + 1))) != null) {
                throw new IllegalArgumentException("peer id " + id + " is given twice");
            }
        }
        return new Peers(self, addresses);
    }

    /** The other nodes' ids. */
    public int[] others() {
        return addresses.keySet().stream().filter(id -> id != self).sorted().mapToInt(Integer::intValue).toArray();
    }

    public InetSocketAddress address(final int id) {
        return addresses.get(id);
    }

    public int size() {
        return addresses.size();
    }

    /** host:port of node {@code id}, as clients should dial it. */
    public String hostPort(final int id) {
        final InetSocketAddress a = addresses.get(id);
        return a == null ? null : a.getHostString() + ":" + a.getPort();
    }

    @Override
    public String toString() {
        final List<String> parts = new ArrayList<>();
        addresses.keySet().stream().sorted().forEach(id -> parts.add(id + "@" + hostPort(id)));
        return String.join(",", parts);
    }
}
