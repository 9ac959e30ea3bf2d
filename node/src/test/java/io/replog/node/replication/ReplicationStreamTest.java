package io.replog.node.replication;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.replog.node.log.FailingDisk;
import io.replog.node.log.FlushPolicy;
import io.replog.node.log.LogStore;
import io.replog.node.log.MemoryLogStore;
import io.replog.testing.Await;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.FrameHeader;
import io.replog.protocol.Replicate;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sender's logic driven directly, without sockets or sleeps: a recording link, timers that run when the test
 * moves the clock. Heartbeat every 100 ms, replication timeout 1 s, Suspected after 300 ms, Unhealthy after 1 s,
 * retry cap 1 s, jitter at its top (delays are d - 1 ms).
 */
class ReplicationStreamTest {
    private final CachedNanoClock clock = new CachedNanoClock();
    private final ManualTimers timers = new ManualTimers(clock);
    private final MemoryLogStore log = new MemoryLogStore(1 << 20, Long.MAX_VALUE);
    private final HealthTracker health = new HealthTracker(clock, 300, 1_000);
    private final List<Long> positions = new ArrayList<>();
    private final ReplicationStream stream = new ReplicationStream("s1", log, clock, timers, health,
        new RetryBackoff(1_000, bound -> bound - 1), positions::add, FrameHeader.DEFAULT_MAX_FRAME_LENGTH, 100,
        1_000);
    private final List<RecordingLink> links = new ArrayList<>();

    ReplicationStreamTest() {
        clock.update(1_000_000_000L);
    }

    @AfterEach
    void releaseFrames() {
        links.forEach(RecordingLink::releaseAll);
        log.close();
    }

    private void append(final int count) {
        for (int i = 0; i < count; i++) {
            final ByteBuf payload = Unpooled.copiedBuffer("m" + (log.lastId() + 1), StandardCharsets.UTF_8);
            log.append(payload);
            log.commit();
            payload.release();
        }
    }

    private RecordingLink connect() {
        final RecordingLink link = new RecordingLink();
        links.add(link);
        stream.connected(link);
        return link;
    }

    /** Connects and answers the probe with {@code position}: the stream is streaming afterwards. */
    private RecordingLink connectAt(final long position) {
        final RecordingLink link = connect();
        final Replicate probe = link.last();
        assertEquals(0, probe.count());
        assertTrue(probe.requestId() < 0, "probes use negative request ids");
        stream.ack(probe.requestId(), position, 0);
        assertEquals(SenderState.STREAMING, stream.state());
        return link;
    }

    @Test
    void probesThenStreamsFromTheSecondarysPositionAndCountsItsAcks() {
        append(5);
        final RecordingLink link = connect();
        assertEquals(SenderState.PROBING, stream.state());
        assertEquals(6, link.last().firstId(), "the probe names the master's next id");
        assertEquals(log.logId(), link.last().logId());
        stream.ack(link.last().requestId(), 2, 0);
        final Replicate batch = link.data().get(0);
        assertEquals(3, batch.firstId(), "streams from the secondary's position");
        assertEquals(3, batch.count());
        stream.ack(batch.requestId(), 5, 0);
        assertEquals(5, stream.ackedId());
        assertEquals(List.of(2L, 5L), positions);
        assertEquals(SecondaryHealth.Healthy, health.status());
    }

    @Test
    void onlyWhatTheMastersLogHoldsDurablyIsSent(@TempDir final Path dir) throws Exception {
        final FailingDisk disk = new FailingDisk();
        try (LogStore file = disk.openMasterLog(dir, FlushPolicy.BATCH)) {
            file.startEpoch(1);
            final ReplicationStream onDisk = new ReplicationStream("s2", file, clock, timers, health,
                new RetryBackoff(1_000, bound -> bound - 1), positions::add, FrameHeader.DEFAULT_MAX_FRAME_LENGTH,
                100, 1_000);
            appendTo(file, 3);
            Await.until("3 durable", () -> file.durableId() == 3);
            final RecordingLink link = new RecordingLink();
            links.add(link);
            disk.holdFsyncs();
            try {
                appendTo(file, 5); // written, not yet durable: a crash of the master could still take them back
                onDisk.connected(link);
                onDisk.ack(link.last().requestId(), 0, 0);
                assertEquals(List.of(3), link.data().stream().map(Replicate::count).toList(), "durable entries only");
            } finally {
                disk.releaseFsyncs();
            }
            Await.until("8 durable", () -> file.durableId() == 8);
            onDisk.drain();
            assertEquals(List.of(3, 5), link.data().stream().map(Replicate::count).toList());
        }
    }

    private static void appendTo(final LogStore store, final int count) {
        for (int i = 0; i < count; i++) {
            final ByteBuf payload = Unpooled.copiedBuffer("m" + (store.lastId() + 1), StandardCharsets.UTF_8);
            store.append(payload);
            store.commit();
            payload.release();
        }
    }

    @Test
    void anAckBeyondWhatWasSentIsRefusedNeverCounted() {
        append(10);
        final RecordingLink link = connectAt(0);
        final Replicate batch = link.data().get(0);
        append(1); // the log has more than was sent
        stream.ack(batch.requestId(), 11, 0);
        assertTrue(link.closed, "a connection that lies is dropped");
        assertEquals(0, stream.ackedId());
        assertEquals(List.of(0L), positions, "the lie reached no one");
        assertTrue(stream.disconnected("closed") >= 0);
        clock.advance(1_000_000_000L);
        health.contact();
        assertEquals(SecondaryHealth.Failing, health.status());
        assertTrue(health.reason(SecondaryHealth.Failing).contains("beyond what was sent"),
            health.reason(SecondaryHealth.Failing));
    }

    @Test
    void aProbeAnswerClaimingMoreThanTheLogHoldsIsRefused() {
        append(3);
        final RecordingLink link = connect();
        stream.ack(link.last().requestId(), 4, 0);
        assertEquals(SenderState.PROBING, stream.state());
        assertEquals(List.of(0L), positions, "none of its copies count");
        assertEquals(SecondaryHealth.Diverged, health.status());
        assertTrue(health.reason(SecondaryHealth.Diverged).contains("past this master's log (3)"),
            health.reason(SecondaryHealth.Diverged));
        assertEquals(1, link.truncations.size(), "told to cut what this log does not have");
        assertEquals(3, link.truncations.get(0).afterId());
        stream.ack(link.truncations.get(0).requestId(), 3, 0);
        assertEquals(SenderState.STREAMING, stream.state(), "the histories agree now");
        assertEquals(SecondaryHealth.Healthy, health.status());
        assertEquals(List.of(0L, 3L), positions);
    }

    @Test
    void aProbeAnswerWhoseLastEntryHasAnotherEpochIsDiverged() {
        append(3);
        final RecordingLink link = connect();
        stream.ack(link.last().requestId(), 2, 7);
        assertTrue(link.data().isEmpty(), "nothing is sent to a copy that is not a prefix of this log");
        assertEquals(List.of(0L), positions);
        assertEquals(SecondaryHealth.Diverged, health.status());
        assertTrue(health.reason(SecondaryHealth.Diverged).contains("written in epoch 7"),
            health.reason(SecondaryHealth.Diverged));
        // this log has no epoch 7 (its entries are of epoch 0): everything after epoch 0's end... is 3, above 2,
        // so the secondary steps back one entry and is asked again
        assertEquals(1, link.truncations.get(0).afterId());
        stream.ack(link.truncations.get(0).requestId(), 1, 7);
        assertEquals(0, link.truncations.get(1).afterId());
        stream.ack(link.truncations.get(1).requestId(), 0, 0);
        assertEquals(SenderState.STREAMING, stream.state());
        assertEquals(3, link.data().get(0).lastId(), "then it gets the whole log");
    }

    @Test
    void aFailedDeliveryPausesThenResendsFromTheAcknowledgedPosition() {
        append(4);
        final RecordingLink link = connectAt(0);
        final Replicate batch = link.data().get(0);
        stream.error(batch.requestId(), ErrorCode.REPLICATION_FAILED, "disk full");
        append(1);
        stream.drain();
        assertEquals(1, link.data().size(), "nothing is sent during the pause");
        timers.advanceMs(49); // first failure: d = 50 ms, delay 49 ms with the jitter at its top
        final Replicate resent = link.data().get(1);
        assertEquals(1, resent.firstId(), "resent from the acknowledged position");
        assertEquals(5, resent.count());
        stream.ack(resent.requestId(), 5, 0);
        assertEquals(5, stream.ackedId());
    }

    @Test
    void aPauseTimerOfADeadLinkCannotResumeTheNextOne() {
        append(2);
        timers.honourCancel = false; // the old timer fires although it was cancelled
        final RecordingLink first = connectAt(0);
        stream.error(first.data().get(0).requestId(), ErrorCode.REPLICATION_FAILED, "x"); // pause: 49 ms
        stream.disconnected("cut");
        final RecordingLink second = connectAt(0);
        final int before = second.data().size();
        // third failure in a row: pause 199 ms
        stream.error(second.data().get(before - 1).requestId(), ErrorCode.REPLICATION_FAILED, "y");
        timers.advanceMs(60); // the first link's timer fires now
        append(1);
        stream.drain();
        assertEquals(before, second.data().size(), "still paused: the second link's own pause has not ended");
        timers.advanceMs(139);
        assertEquals(before + 1, second.data().size(), "resumed by its own timer");
    }

    @Test
    void heartbeatsOnAnIdleLinkOnly() {
        final RecordingLink link = connectAt(0);
        final int probes = link.sent.size();
        clock.advance(40_000_000L);
        stream.tick();
        assertEquals(probes, link.sent.size(), "sent something 40 ms ago: no heartbeat yet");
        clock.advance(10_000_000L);
        stream.tick();
        assertEquals(probes + 1, link.sent.size());
        assertEquals(0, link.last().count(), "a heartbeat is an empty REPLICATE");
    }

    @Test
    void aRequestUnansweredForTheReplicationTimeoutDropsTheLink() {
        append(1);
        final RecordingLink link = connectAt(0);
        for (int i = 0; i < 10; i++) {
            clock.advance(100_000_000L);
            stream.ack(link.last().requestId() < 0 ? link.last().requestId() : -999, 0, 0); // heartbeats answered
            stream.tick();
        }
        assertFalse(link.closed, "exactly the timeout: not yet");
        clock.advance(1_000_000L);
        stream.tick();
        assertTrue(link.closed, "the data request went unanswered for more than 1 s");
    }

    @Test
    void aLinkThatNeverAnswersAnythingIsHalfOpenAfterTheTimeout() {
        final RecordingLink link = connect();
        for (int i = 0; i < 10; i++) {
            clock.advance(100_000_000L);
            stream.tick();
        }
        assertFalse(link.closed);
        clock.advance(1_000_000L);
        stream.tick();
        assertTrue(link.closed, "connected, never answered: dropped and made again");
    }

    @Test
    void refusingTheLogMakesItDivergedWithNoCopiesCountedUntilItAcceptsTheLog() {
        append(3);
        RecordingLink link = connectAt(3);
        assertEquals(List.of(3L), positions);
        stream.error(-5, ErrorCode.LOG_MISMATCH, "holds 7 messages of another log (beef)");
        assertTrue(link.closed);
        assertEquals(0, stream.ackedId(), "it holds none of this log");
        assertEquals(List.of(3L, 0L), positions);
        assertEquals(SecondaryHealth.Diverged, health.status());
        final long delay = stream.disconnected("closed");
        assertTrue(delay >= 500 && delay < 1_000, "a diverged secondary is retried at the cap: " + delay);
        link = connectAt(0); // restarted empty: it takes the log again
        assertEquals(SecondaryHealth.Healthy, health.status());
        assertEquals(3, link.data().get(0).count());
    }

    @Test
    void aSecondaryRefusingEveryFrameIsFailingAndNotHammered() {
        append(1);
        final List<Long> delays = new ArrayList<>();
        for (int attempt = 0; attempt < 12; attempt++) {
            final RecordingLink link = connectAt(0);
            stream.error(0, ErrorCode.FRAME_TOO_LARGE, "frame of 5000 bytes exceeds the limit of 4096 bytes");
            assertTrue(link.closed, "a framing error closes the link");
            final long delay = stream.disconnected("closed");
            delays.add(delay);
            clock.advance(delay * 1_000_000L);
        }
        assertEquals(SecondaryHealth.Failing, health.status());
        assertTrue(health.reason(SecondaryHealth.Failing).contains("FRAME_TOO_LARGE"));
        assertEquals(999, delays.get(delays.size() - 1), "retried at the cap once it is Failing: " + delays);
        assertTrue(delays.get(1) > delays.get(0), "backoff grows from the first refusal on: " + delays);
    }

    @Test
    void repeatedFailuresAreLoggedOnTheFirstAndEveryTenthAttempt() {
        final Logger logger = (Logger) LoggerFactory.getLogger(ReplicationStream.class);
        final ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try {
            for (int i = 0; i < 25; i++) {
                stream.connectFailed("Connection refused");
            }
            final List<String> logged = lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
            assertEquals(3, logged.size(), String.join("\n", logged));
            assertTrue(logged.get(0).contains("attempt 1,"), logged.get(0));
            assertTrue(logged.get(1).contains("attempt 10,"), logged.get(1));
            assertTrue(logged.get(2).contains("attempt 20,"), logged.get(2));
        } finally {
            logger.detachAppender(lines);
        }
    }

    @Test
    void aDeliveryEndsTheRunOfFailuresSoTheBackoffStartsOver() {
        append(1);
        stream.connectFailed("refused");
        stream.connectFailed("refused");
        final RecordingLink link = connectAt(0);
        stream.ack(link.data().get(0).requestId(), 1, 0);
        // the loss of this link is the first failure again: d = 50 ms (the secondary is up, so not at the cap)
        assertEquals(49, stream.disconnected("cut"));
        assertEquals(99, stream.connectFailed("refused"));
    }
}
