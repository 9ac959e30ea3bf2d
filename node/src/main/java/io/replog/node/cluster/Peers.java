package io.replog.node.cluster;

import io.replog.protocol.HostPort;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The nodes of a cluster. A failover cluster is given as {@code --peers 1@host:port,2@host:port,3@host:port}: every
 * node is given the same list (itself included) and its own {@code --id}. Ids are positive and distinct. Each node
 * also has the address HTTP clients reach it at ({@code --http-peers}, by default its host with the binary port +
 * 1000), where a node that is not master redirects them.
 *
 * <p>Fixed roles ({@link #fixedMaster}, {@link #fixedSecondary}): the master is node 1 and its secondaries are nodes
 * 2..N in {@code --secondaries} order. A secondary is told nothing about its master, so its master is a node in
 * {@code dialIn} (known by id, without an address: it connects to this node, which answers on that connection), and
 * its own id is 2 whichever it is: its master tells its secondaries apart by the connection, not by the id they send.
 * Nodes without an HTTP address (a fixed master's secondaries, a secondary's master) have none in {@code http}.
 */
public record Peers(int self, Map<Integer, InetSocketAddress> addresses, Map<Integer, InetSocketAddress> http,
                    Set<Integer> dialIn) {
    /** The HTTP port of a node that names none: its binary port + this, as {@code --http-port} defaults to. */
    public static final int HTTP_PORT_OFFSET = 1000;
    /** A fixed master's node id. */
    public static final int FIXED_MASTER = 1;
    /** A fixed secondary's own node id (see the class comment). */
    public static final int FIXED_SECONDARY = 2;

    public Peers {
        if (!addresses.containsKey(self)) {
            throw new IllegalArgumentException("--id " + self + " is not among --peers " + addresses.keySet());
        }
        if (!addresses.keySet().containsAll(http.keySet())) {
            throw new IllegalArgumentException("--http-peers must name the nodes of --peers " + addresses.keySet()
                + ", each once; it names " + http.keySet());
        }
        for (final int id : dialIn) {
            if (id < 1 || addresses.containsKey(id)) {
                throw new IllegalArgumentException("node " + id + " either has an address or dials in, not both");
            }
        }
        addresses = Map.copyOf(addresses);
        http = Map.copyOf(http);
        dialIn = Set.copyOf(dialIn);
    }

    /** Every node with an address. */
    public Peers(final int self, final Map<Integer, InetSocketAddress> addresses,
                 final Map<Integer, InetSocketAddress> http) {
        this(self, addresses, http, Set.of());
    }

    /** A fixed master (node 1, at {@code self}, HTTP at {@code selfHttp}) and its secondaries, nodes 2..N. */
    public static Peers fixedMaster(final InetSocketAddress self, final InetSocketAddress selfHttp,
                                    final List<InetSocketAddress> secondaries) {
        final Map<Integer, InetSocketAddress> addresses = new LinkedHashMap<>();
        addresses.put(FIXED_MASTER, self);
        for (int i = 0; i < secondaries.size(); i++) {
            addresses.put(FIXED_MASTER + 1 + i, secondaries.get(i));
        }
        return new Peers(FIXED_MASTER, addresses, Map.of(FIXED_MASTER, selfHttp));
    }

    /** A fixed secondary (at {@code self}, HTTP at {@code selfHttp}): its master dials in. */
    public static Peers fixedSecondary(final InetSocketAddress self, final InetSocketAddress selfHttp) {
        return new Peers(FIXED_SECONDARY, Map.of(FIXED_SECONDARY, self), Map.of(FIXED_SECONDARY, selfHttp),
            Set.of(FIXED_MASTER));
    }

    /** Parses {@code 1@host:port,2@host:port,…}; HTTP at each host's binary port + {@value #HTTP_PORT_OFFSET}. */
    public static Peers parse(final int self, final String list) {
        return parse(self, list, null);
    }

    /**
     * Parses {@code list} and, unless null or blank, {@code httpList}: both {@code 1@host:port,2@host:port,…}, the
     * second naming where HTTP clients reach each node (it may differ from where the node listens: a container's
     * published port, a proxy).
     */
    public static Peers parse(final int self, final String list, final String httpList) {
        final Map<Integer, InetSocketAddress> addresses = parseList(list, "--peers");
        if (httpList != null && !httpList.isBlank()) {
            final Map<Integer, InetSocketAddress> http = parseList(httpList, "--http-peers");
            if (!http.keySet().equals(addresses.keySet())) {
                throw new IllegalArgumentException("--http-peers must name the nodes of --peers "
                    + addresses.keySet() + ", each once; it names " + http.keySet());
            }
            return new Peers(self, addresses, http);
        }
        final Map<Integer, InetSocketAddress> http = new LinkedHashMap<>();
        addresses.forEach((id, a) -> {
            final int port = a.getPort() + HTTP_PORT_OFFSET;
            if (port > 65_535) {
                throw new IllegalArgumentException("node " + id + "'s HTTP port would be its binary port + "
                    + HTTP_PORT_OFFSET + ", past 65535: name every node's HTTP address with --http-peers");
            }
            http.put(id, InetSocketAddress.createUnresolved(a.getHostString(), port));
        });
        return new Peers(self, addresses, http);
    }

    private static Map<Integer, InetSocketAddress> parseList(final String list, final String flag) {
        final Map<Integer, InetSocketAddress> addresses = new LinkedHashMap<>();
        for (final String item : list.split(",")) {
            final String trimmed = item.trim();
            final int at = trimmed.indexOf('@');
            if (at <= 0) {
                throw new IllegalArgumentException(flag + ": a node is id@host:port, got '" + trimmed + "'");
            }
            final int id;
            try {
                id = Integer.parseInt(trimmed.substring(0, at));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + ": a node's id must be a number, got '" + trimmed + "'");
            }
            if (id < 1) {
                throw new IllegalArgumentException(flag + ": node ids are 1 or more, got " + id);
            }
            if (addresses.put(id, HostPort.parse(trimmed.substring(at + 1))) != null) {
                throw new IllegalArgumentException(flag + ": node id " + id + " is given twice");
            }
        }
        return addresses;
    }

    /** The other nodes' ids, ascending. */
    public int[] others() {
        return java.util.stream.Stream.concat(addresses.keySet().stream(), dialIn.stream()).filter(id -> id != self)
            .sorted().mapToInt(Integer::intValue).toArray();
    }

    /** Where node {@code id} listens, or null for a node that dials in. */
    public InetSocketAddress address(final int id) {
        return addresses.get(id);
    }

    /** Whether node {@code id} is one of the cluster. */
    public boolean member(final int id) {
        return addresses.containsKey(id) || dialIn.contains(id);
    }

    public int size() {
        return addresses.size() + dialIn.size();
    }

    /** host:port of node {@code id}, as clients should dial it. */
    public String hostPort(final int id) {
        return hostPort(addresses.get(id));
    }

    /** host:port where HTTP clients reach node {@code id}. */
    public String httpHostPort(final int id) {
        return hostPort(http.get(id));
    }

    private static String hostPort(final InetSocketAddress a) {
        return a == null ? null : HostPort.format(a);
    }

    @Override
    public String toString() {
        final List<String> parts = new ArrayList<>();
        addresses.keySet().stream().sorted().forEach(id -> parts.add(id + "@" + hostPort(id)));
        dialIn.stream().sorted().forEach(id -> parts.add(id + "@(dials in)"));
        return String.join(",", parts);
    }
}
