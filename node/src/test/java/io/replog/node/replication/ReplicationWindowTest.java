package io.replog.node.replication;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.replog.node.log.MemoryLogStore;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.Replicate;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The window of REPLICATE frames in flight: with a 1 KiB frame limit and 500-byte messages every frame carries one
 * entry, so frames can be counted.
 */
class ReplicationWindowTest {
    private final CachedNanoClock clock = new CachedNanoClock();
    private final ManualTimers timers = new ManualTimers(clock);
    private final MemoryLogStore log = new MemoryLogStore(1 << 20, Long.MAX_VALUE);
    private final HealthTracker health = new HealthTracker(clock, 300, 1_000);
    private final ReplicationStream stream = new ReplicationStream("s1", log, clock, timers, health,
        new RetryBackoff(1_000, bound -> bound - 1), position -> { }, 1_024, 100, 1_000);
    private final RecordingLink link = new RecordingLink();

    @AfterEach
    void release() {
        link.releaseAll();
        log.close();
    }

    private void append(final int count) {
        for (int i = 0; i < count; i++) {
            final ByteBuf payload = Unpooled.wrappedBuffer(new byte[500]);
            log.append(payload);
            log.commit();
            payload.release();
        }
    }

    private void streamFrom(final long position) {
        stream.connected(link);
        stream.ack(link.last().requestId(), position, 0);
    }

    @Test
    void atMostSixteenFramesAreInFlightAndEachAnswerOpensTheWindowByOne() {
        append(20);
        streamFrom(0);
        final List<Replicate> sent = link.data();
        assertEquals(ReplicationStream.MAX_IN_FLIGHT, sent.size());
        sent.forEach(f -> assertEquals(1, f.count(), "one 500-byte entry per 1 KiB frame"));
        stream.ack(sent.get(0).requestId(), 1, 0);
        assertEquals(17, link.data().size(), "one answer, one more frame");
        assertEquals(17, link.last().firstId());
        stream.error(sent.get(1).requestId(), ErrorCode.REPLICATION_FAILED, "x");
        timers.advanceMs(1_000);
        // after the pause it resends from msg 2, in the room the failed request gave back
        final List<Replicate> after = link.data();
        assertEquals(18, after.size());
        assertEquals(2, after.get(17).firstId());
    }

    @Test
    void nothingIsSentWhileTheLinkIsNotWritable() {
        append(3);
        link.writable = false;
        streamFrom(0);
        assertEquals(0, link.data().size());
        link.writable = true;
        stream.drain();
        assertEquals(3, link.data().size());
    }

    @Test
    void whenEverythingSentIsAnsweredButTheSecondaryHoldsLessItResendsFromItsPosition() {
        append(3);
        streamFrom(0);
        final List<Replicate> sent = new ArrayList<>(link.data());
        assertEquals(3, sent.size());
        // it kept 2 and 3 aside (1 was lost on the way): every ACK says 0
        stream.ack(sent.get(0).requestId(), 0, 0);
        stream.ack(sent.get(1).requestId(), 0, 0);
        assertEquals(3, link.data().size(), "requests still in flight: no resend yet");
        stream.ack(sent.get(2).requestId(), 0, 0);
        final List<Replicate> now = link.data();
        assertEquals(6, now.size(), "resent 1..3 once the last answer came back");
        assertEquals(1, now.get(3).firstId());
    }
}
