package io.replog.node.security;

import io.replog.protocol.AuthHello;
import io.replog.protocol.AuthMac;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;

/**
 * The secret every node of a cluster shares (MongoDB's keyFile): who proves it on a replication connection may write
 * into a secondary, and a master counts only secondaries that proved it. Never printed.
 */
public final class ClusterKey {
    /** Fewer characters than this are refused: too easy to guess. */
    public static final int MIN_BYTES = 32;
    /** More is not stronger, only a sign the wrong file was given. */
    public static final int MAX_BYTES = 1024;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<PosixFilePermission> OPEN = EnumSet.of(PosixFilePermission.GROUP_READ,
        PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
        PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private final byte[] key;
    private final String source;

    private ClusterKey(final byte[] key, final String source) {
        this.key = key;
        this.source = source;
    }

    /**
     * Reads a key file: its bytes with surrounding whitespace trimmed. Refused (with what to do) when it is missing,
     * readable or writable by group or others (as ssh and MongoDB refuse), or shorter than {@value #MIN_BYTES} bytes.
     */
    public static ClusterKey load(final Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("cluster key file " + file + " does not exist (make one with: head -c 48 "
                + "/dev/urandom | base64 > " + file + " && chmod 600 " + file + ")");
        }
        final PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (posix != null) {
            final Set<PosixFilePermission> permissions = posix.readAttributes().permissions();
            permissions.retainAll(OPEN);
            if (!permissions.isEmpty()) {
                throw new IOException("cluster key file " + file + " is accessible by group or others "
                    + permissions + ": a key others can read protects nothing; run chmod 600 " + file);
            }
        }
        final byte[] trimmed = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).strip()
            .getBytes(StandardCharsets.UTF_8);
        if (trimmed.length < MIN_BYTES || trimmed.length > MAX_BYTES) {
            throw new IOException("cluster key file " + file + " holds " + trimmed.length + " bytes (after trimming "
                + "whitespace); a key needs " + MIN_BYTES + ".." + MAX_BYTES + " (e.g. head -c 48 /dev/urandom | "
                + "base64)");
        }
        return new ClusterKey(trimmed, file.toString());
    }

    /** A fresh random key, for a cluster that lives in one process ({@code local}). */
    public static ClusterKey random() {
        final byte[] raw = new byte[48];
        RANDOM.nextBytes(raw);
        return new ClusterKey(Base64.getEncoder().encode(raw), "generated in memory");
    }

    /** A key given as text (tests). */
    public static ClusterKey of(final String text) {
        final byte[] bytes = text.strip().getBytes(StandardCharsets.UTF_8);
        if (bytes.length < MIN_BYTES) {
            throw new IllegalArgumentException("a cluster key needs at least " + MIN_BYTES + " bytes");
        }
        return new ClusterKey(bytes, "given");
    }

    /** 32 fresh random bytes for one side of one handshake. */
    public static byte[] nonce() {
        final byte[] nonce = new byte[AuthHello.NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        return nonce;
    }

    public byte[] proof(final String role, final long logId, final byte[] nonceMaster, final byte[] nonceSecondary) {
        return AuthMac.proof(key, role, logId, nonceMaster, nonceSecondary);
    }

    public boolean verify(final String role, final long logId, final byte[] nonceMaster, final byte[] nonceSecondary,
                          final byte[] proof) {
        return AuthMac.verify(key, role, logId, nonceMaster, nonceSecondary, proof);
    }

    /** Where the key came from (a file name), never the key. */
    @Override
    public String toString() {
        return "cluster key (" + source + ")";
    }

    /** Same secret. */
    public boolean sameAs(final ClusterKey other) {
        return other != null && Arrays.equals(key, other.key);
    }
}
