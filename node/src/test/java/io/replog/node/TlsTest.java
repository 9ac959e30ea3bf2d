package io.replog.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.replog.node.config.NodeConfig;
import io.replog.node.security.ClusterKey;
import io.replog.node.security.TestCertificates;
import io.replog.node.security.TlsSettings;
import io.replog.node.server.EventLoops;
import io.replog.protocol.AppendEntries;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.ReplogException;
import io.replog.protocol.client.ClientOptions;
import io.replog.protocol.client.Message;
import io.replog.protocol.client.ReplogClient;
import io.replog.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TLS on both ports and mutual TLS for replication, with certificates the test makes (its own CA, and a rogue one). */
class TlsTest {
    private static final ClusterKey KEY = ClusterKey.of("tls-test-cluster-key-0123456789abcdef");

    @TempDir
    Path dir;

    private final EventLoops loops = new EventLoops(2, "tls");
    private final List<ReplogNode> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            nodes.get(i).close();
        }
        loops.close();
    }

    private static TlsSettings tls(final Path[] certAndKey, final TestCertificates ca) throws Exception {
        return TlsSettings.load(certAndKey[0], certAndKey[1], ca.caFile());
    }

    private ReplogNode secondary(final TlsSettings tls, final ClusterKey key) {
        final ReplogNode node = ReplogNode.secondary(new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0)
            .tls(tls).clusterKey(key), loops);
        nodes.add(node);
        return node;
    }

    private ReplogNode master(final TlsSettings tls, final ClusterKey key, final ReplogNode secondary) {
        final ReplogNode node = ReplogNode.master(new NodeConfig().bindHost("127.0.0.1").port(0).httpPort(0)
            .tls(tls).clusterKey(key).quorum(1)
            .secondaries(List.of(new InetSocketAddress("127.0.0.1", secondary.port()))), loops);
        nodes.add(node);
        return node;
    }

    private static ReplogClient tlsClient(final ReplogNode node, final TestCertificates ca) throws Exception {
        final SslContext trust = SslContextBuilder.forClient().trustManager(ca.caFile().toFile()).build();
        return ReplogClient.connect(new InetSocketAddress("127.0.0.1", node.port()),
            ClientOptions.defaults().withTls(trust));
    }

    @Test
    void replicationRunsOverMutualTlsAndClientsSpeakTlsOnBothPorts() throws Exception {
        final TestCertificates ca = TestCertificates.authority(dir, "cluster-ca");
        final ReplogNode secondary = secondary(tls(ca.issue("secondary"), ca), KEY);
        final ReplogNode master = master(tls(ca.issue("master"), ca), KEY, secondary);
        Await.until("writable", () -> !master.role().status().readOnly());
        try (ReplogClient c = tlsClient(master, ca)) {
            assertEquals(1L, Await.result(c.append("over tls", 2)));
        }
        try (ReplogClient c = tlsClient(secondary, ca)) {
            assertEquals(List.of("over tls"), c.readAll().stream().map(Message::text).toList());
        }

        assertEquals("Healthy", health(master, ca).get("peers").get(0).get("status").asText());

        // plain TCP to a TLS port is no conversation
        final ReplogException plain = assertThrows(ReplogException.class, () -> {
            try (ReplogClient c = ReplogClient.connect("127.0.0.1", master.port())) {
                Await.result(c.ping());
            } catch (CompletionException e) {
                throw (RuntimeException) e.getCause();
            }
        });
        assertTrue(plain.code() == ReplogException.NOT_REPLOG_PEER || plain.code() == ReplogException.CONNECTION_LOST,
            plain.toString());
    }

    @Test
    void aMasterWhoseCertificateAnotherCaSignedIsRefusedAndGetsNothing() throws Exception {
        final TestCertificates ca = TestCertificates.authority(dir, "cluster-ca");
        final TestCertificates rogueCa = TestCertificates.authority(dir.resolve("rogue"), "rogue-ca");
        final ReplogNode secondary = secondary(tls(ca.issue("secondary"), ca), null);
        final Path[] rogueCert = rogueCa.issue("rogue");
        // it even trusts the cluster's CA: only its own certificate gives it away
        final ReplogNode rogue = master(TlsSettings.load(rogueCert[0], rogueCert[1], ca.caFile()), null, secondary);
        Await.until("the secondary refuses the rogue's certificate", () -> health(rogue, rogueCa)
            .get("peers").get(0).get("status").asText().equals("Unauthorized"));
        assertTrue(health(rogue, rogueCa).get("peers").get(0).get("reason").asText().contains("TLS"),
            health(rogue, rogueCa).toString());
        assertEquals(0, health(secondary, ca).get("last_msg_id").asLong());
    }

    @Test
    void underMutualTlsReplicationNeedsAClientCertificateButClientsDoNot() throws Exception {
        final TestCertificates ca = TestCertificates.authority(dir, "cluster-ca");
        final ReplogNode secondary = secondary(tls(ca.issue("secondary"), ca), null);
        try (ReplogClient c = tlsClient(secondary, ca)) { // trusts the CA, presents no certificate
            Await.result(c.ping());
            // a master's heartbeat, as a peer without a certificate would send it
            final CompletionException e = assertThrows(CompletionException.class, () -> Await.result(c.send(
                new AppendEntries(c.nextRequestId(), 1, 1, 0, 0, 0, 42, List.of()))));
            final ReplogException refused = assertInstanceOf(ReplogException.class, e.getCause());
            assertEquals(ErrorCode.UNAUTHORIZED, refused.code());
            assertTrue(refused.getMessage().contains("client certificate"), refused.getMessage());
        }
        assertEquals(1, health(secondary, ca).get("unauthorized_frames").asLong());
    }

    /** GET /health over HTTPS, trusting {@code ca}. */
    private static JsonNode health(final ReplogNode node, final TestCertificates ca) {
        try {
            final HttpClient https = HttpClient.newBuilder().sslContext(trusting(ca.caFile())).build();
            final HttpResponse<String> response = https.send(HttpRequest.newBuilder(
                URI.create("https://127.0.0.1:" + node.httpPort() + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            return new ObjectMapper().readTree(response.body());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static SSLContext trusting(final Path caFile) throws Exception {
        final KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(caFile)) {
            store.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        final TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
