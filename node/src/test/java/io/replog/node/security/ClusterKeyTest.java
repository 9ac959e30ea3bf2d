package io.replog.node.security;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Key files as operators make them, and the ones a node must refuse. */
class ClusterKeyTest {
    @TempDir
    Path dir;

    private Path keyFile(final String content, final String permissions) throws IOException {
        final Path file = dir.resolve("cluster.key");
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
        return file;
    }

    @Test
    void aPrivateFileIsReadWithItsWhitespaceTrimmed() throws IOException {
        final ClusterKey key = ClusterKey.load(
            keyFile("  c2VjcmV0LWtleS1mb3ItdGhpcy1jbHVzdGVyLTAxMjM0NTY3\n", "rw-------"));
        assertTrue(key.sameAs(ClusterKey.of("c2VjcmV0LWtleS1mb3ItdGhpcy1jbHVzdGVyLTAxMjM0NTY3")));
        assertFalse(key.toString().contains("c2Vj"), "the key is never printed: " + key);
        assertTrue(ClusterKey.load(keyFile("c2VjcmV0LWtleS1mb3ItdGhpcy1jbHVzdGVyLTAxMjM0NTY3", "r--------"))
            .sameAs(key));
    }

    @Test
    void aFileOthersCanReadIsRefusedWithTheFix() throws IOException {
        for (final String open : new String[] {"rw-r--r--", "rw-r-----", "rw----r--", "rw--w----"}) {
            final IOException e = assertThrows(IOException.class,
                () -> ClusterKey.load(keyFile("c2VjcmV0LWtleS1mb3ItdGhpcy1jbHVzdGVyLTAxMjM0NTY3", open)), open);
            assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
        }
    }

    @Test
    void aShortEmptyOrMissingKeyIsRefused() throws IOException {
        final IOException shortKey = assertThrows(IOException.class,
            () -> ClusterKey.load(keyFile("password123\n", "rw-------")));
        assertTrue(shortKey.getMessage().contains("11 bytes"), shortKey.getMessage());
        assertThrows(IOException.class, () -> ClusterKey.load(keyFile(" \n\n ", "rw-------")));
        final IOException missing = assertThrows(IOException.class, () -> ClusterKey.load(dir.resolve("nope")));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
    }

    @Test
    void proofsDependOnEveryInput() {
        final ClusterKey key = ClusterKey.random();
        final byte[] m = ClusterKey.nonce();
        final byte[] s = ClusterKey.nonce();
        final byte[] proof = key.proof("master", 7, m, s);
        assertTrue(key.verify("master", 7, m, s, proof));
        assertFalse(key.verify("secondary", 7, m, s, proof), "role");
        assertFalse(key.verify("master", 8, m, s, proof), "log");
        assertFalse(key.verify("master", 7, s, m, proof), "nonces");
        assertFalse(ClusterKey.random().verify("master", 7, m, s, proof), "key");
        assertFalse(ClusterKey.random().sameAs(key));
    }
}
