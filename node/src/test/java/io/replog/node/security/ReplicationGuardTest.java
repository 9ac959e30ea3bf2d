package io.replog.node.security;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.replog.protocol.AppendEntries;
import io.replog.protocol.AuthChallenge;
import io.replog.protocol.AuthHello;
import io.replog.protocol.AuthMac;
import io.replog.protocol.AuthOk;
import io.replog.protocol.AuthProof;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.ErrorFrame;
import io.replog.protocol.Ping;
import io.replog.protocol.VoteRequest;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The secondary's side of the handshake, frame by frame, on an embedded channel. */
class ReplicationGuardTest {
    private final ClusterKey key = ClusterKey.of("guard-test-key-0123456789abcdef-0123");
    private final AuthStats stats = new AuthStats();

    /** A master's heartbeat (node 1, epoch 1, log 5). */
    private static AppendEntries probe(final long requestId) {
        return new AppendEntries(requestId, 1, 1, 0, 0, 0, 5, List.of());
    }

    private static short refusal(final EmbeddedChannel ch) {
        final ErrorFrame error = assertInstanceOf(ErrorFrame.class, ch.readOutbound());
        return error.code();
    }

    @Test
    void replicationPassesOnlyAfterTheMasterProvedTheKey() {
        final EmbeddedChannel ch = new EmbeddedChannel(new ReplicationGuard(key, stats));
        ch.writeInbound(probe(-1));
        assertEquals(ErrorCode.UNAUTHORIZED, refusal(ch));
        ch.writeInbound(new VoteRequest(-3, 2, 2, 1, 0, false)); // an election is replication too
        assertEquals(ErrorCode.UNAUTHORIZED, refusal(ch));
        assertNull(ch.readInbound(), "refused frames go no further");
        final Ping ping = new Ping(3);
        ch.writeInbound(ping);
        assertSame(ping, ch.readInbound(), "client frames need no key");

        final byte[] nonceM = ClusterKey.nonce();
        ch.writeInbound(new AuthHello(1, 5, nonceM));
        final AuthChallenge challenge = assertInstanceOf(AuthChallenge.class, ch.readOutbound());
        assertTrue(key.verify(AuthMac.SECONDARY, 5, nonceM, challenge.nonce(), challenge.proof()));
        ch.writeInbound(new AuthProof(2, key.proof(AuthMac.MASTER, 5, nonceM, challenge.nonce())));
        assertInstanceOf(AuthOk.class, ch.readOutbound());
        final AppendEntries allowed = probe(-2);
        ch.writeInbound(allowed);
        assertSame(allowed, ch.readInbound());
        assertEquals(2, stats.refusedFrames());
        assertEquals(1, stats.authenticatedConnections());
        assertEquals(0, stats.failedHandshakes());
        assertTrue(ch.isOpen());
        ch.finishAndReleaseAll();
    }

    @Test
    void aProofMadeAsASecondaryOrForOtherNoncesOrOutOfOrderEndsTheConnection() {
        final byte[] nonceM = ClusterKey.nonce();
        // the secondary's own proof sent back at it (reflection) does not pass as a master's
        final EmbeddedChannel reflected = new EmbeddedChannel(new ReplicationGuard(key, stats));
        reflected.writeInbound(new AuthHello(1, 5, nonceM));
        final AuthChallenge challenge = assertInstanceOf(AuthChallenge.class, reflected.readOutbound());
        reflected.writeInbound(new AuthProof(2, challenge.proof()));
        assertEquals(ErrorCode.UNAUTHORIZED, refusal(reflected));
        assertFalse(reflected.isOpen());

        final EmbeddedChannel early = new EmbeddedChannel(new ReplicationGuard(key, stats));
        early.writeInbound(new AuthProof(2, new byte[32]));
        assertEquals(ErrorCode.UNAUTHORIZED, refusal(early));
        assertFalse(early.isOpen());

        final EmbeddedChannel twice = new EmbeddedChannel(new ReplicationGuard(key, stats));
        twice.writeInbound(new AuthHello(1, 5, nonceM));
        ReferenceCountUtil.release(twice.readOutbound());
        twice.writeInbound(new AuthHello(3, 5, nonceM));
        assertEquals(ErrorCode.UNAUTHORIZED, refusal(twice));
        assertFalse(twice.isOpen());
        assertEquals(3, stats.failedHandshakes());
        assertEquals(0, stats.authenticatedConnections());
    }

    @Test
    void withoutAKeyReplicationPassesAndAHelloIsAnsweredThatThereIsNone() {
        final EmbeddedChannel ch = new EmbeddedChannel(new ReplicationGuard(null, stats));
        final AppendEntries frame = probe(-1);
        ch.writeInbound(frame);
        assertSame(frame, ch.readInbound());
        ch.writeInbound(new AuthHello(1, 5, ClusterKey.nonce()));
        final ErrorFrame error = assertInstanceOf(ErrorFrame.class, ch.readOutbound());
        assertEquals(ErrorCode.UNAUTHORIZED, error.code());
        assertTrue(error.message().contains("no cluster key"), error.message());
        assertTrue(ch.isOpen());
        ch.finishAndReleaseAll();
    }
}
