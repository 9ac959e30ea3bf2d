package io.replog.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.replog.protocol.client.Message;
import io.replog.protocol.client.ReplogClient;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link LocalCluster} for a test class: started before the tests, closed after them, with the helpers the
 * cluster tests share.
 *
 * <pre>
 * &#64;RegisterExtension
 * static final ClusterExtension cluster = ClusterExtension.of(LocalCluster.Settings.ephemeral(2, 0L, 4000L));
 * </pre>
 *
 * A static field shares one cluster among the class's tests; an instance field gives each test a fresh one. Unless
 * the settings say where, every node keeps its log on disk, in a directory of its own that is deleted afterwards:
 * the tests exercise the store users run.
 */
public final class ClusterExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
    AfterEachCallback {
    private final LocalCluster.Settings settings;
    private LocalCluster cluster;
    /** True when started for one test (instance field) rather than for the class (static field). */
    private boolean perTest;
    /** The temporary directory of the nodes' logs, when this extension made one. */
    private Path dataRoot;

    private ClusterExtension(final LocalCluster.Settings settings) {
        this.settings = settings;
    }

    public static ClusterExtension of(final LocalCluster.Settings settings) {
        return new ClusterExtension(settings);
    }

    @Override
    public void beforeAll(final ExtensionContext context) {
        cluster = start();
    }

    @Override
    public void beforeEach(final ExtensionContext context) {
        if (cluster == null) {
            perTest = true;
            cluster = start();
        }
    }

    private LocalCluster start() {
        if (settings.dataRoot() != null) {
            return LocalCluster.start(settings);
        }
        try {
            dataRoot = Files.createTempDirectory("replog-cluster");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return LocalCluster.start(settings.onDisk(dataRoot));
    }

    @Override
    public void afterEach(final ExtensionContext context) {
        if (perTest) {
            close();
        }
    }

    @Override
    public void afterAll(final ExtensionContext context) {
        close();
    }

    private void close() {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
        if (dataRoot != null) {
            try (Stream<Path> files = Files.walk(dataRoot)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            dataRoot = null;
        }
    }

    public LocalCluster cluster() {
        if (cluster == null) {
            throw new IllegalStateException("the cluster runs only while the tests do");
        }
        return cluster;
    }

    public ReplogNode master() {
        return cluster().master();
    }

    public List<ReplogNode> secondaries() {
        return cluster().secondaries();
    }

    public ReplogNode secondary(final int index) {
        return secondaries().get(index);
    }

    /** Master first, then the secondaries in order. */
    public List<ReplogNode> nodes() {
        final List<ReplogNode> all = new ArrayList<>();
        all.add(master());
        all.addAll(secondaries());
        return all;
    }

    /** A new binary-protocol client of {@code node}; the caller closes it. */
    public ReplogClient client(final ReplogNode node) {
        return ClusterTestSupport.client(node);
    }

    /** Every message of {@code node}, read over the binary protocol. */
    public List<Message> messages(final ReplogNode node) {
        return ClusterTestSupport.messages(node);
    }

    public List<String> texts(final ReplogNode node) {
        return ClusterTestSupport.texts(node);
    }

    /** One HTTP exchange with {@code node} ({@code body} null for none), bounded in time. */
    public HttpResponse<String> http(final ReplogNode node, final String method, final String path,
                                     final String body) {
        return ClusterTestSupport.http(node, method, path, body);
    }

    /** {@code GET path} on {@code node}, parsed as JSON. */
    public JsonNode json(final ReplogNode node, final String path) {
        return ClusterTestSupport.json(node, path);
    }
}
