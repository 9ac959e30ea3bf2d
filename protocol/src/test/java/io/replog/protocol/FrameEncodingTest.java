package io.replog.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * How {@link FrameCodec#encode} lays frames into buffers: each allocated at its final size (a buffer that grows
 * while being written is copied), small payloads copied behind their header, payloads from
 * {@link FrameCodec#ZERO_COPY_THRESHOLD} bytes on sent as a second buffer that shares the caller's memory.
 */
class FrameEncodingTest {
    private static List<ByteBuf> encode(final Frame frame) {
        final List<Object> out = new ArrayList<>();
        FrameCodec.encode(frame, UnpooledByteBufAllocator.DEFAULT, out);
        final List<ByteBuf> buffers = new ArrayList<>();
        for (final Object o : out) {
            buffers.add((ByteBuf) o);
        }
        return buffers;
    }

    private static void releaseAll(final List<ByteBuf> buffers) {
        buffers.forEach(ReferenceCountUtil::release);
    }

    @Test
    void everyFixedSizeFrameIsOneBufferAllocatedAtItsFinalSize() {
        final byte[] nonce = new byte[AuthHello.NONCE_BYTES];
        final List<Frame> frames = List.of(new AppendOk(1, 2), new Read(1, 2, 3), new Read(1, 2, 3, 400),
            new AuthHello(1, 2, nonce), new AuthChallenge(1, nonce, nonce),
            new AuthProof(1, nonce), new AuthOk(1), new VoteRequest(1, 2, 3, 2, 1, true), new VoteReply(1, 2, 3, true),
            new AppendEntriesReply(1, 2, 3, true, 4, 4, 0, 0), new TailRequest(1, 2, 3, 4, 3, 5, true),
            new TailReply(1, 2, 3, 3, 5, 4, true, List.of(PeerEntry.message(3, new byte[] {7}))), new Ping(1), new Pong(1),
            new Health(1));
        for (final Frame frame : frames) {
            final List<ByteBuf> out = encode(frame);
            assertEquals(1, out.size(), frame.toString());
            final ByteBuf buf = out.get(0);
            assertEquals(buf.readableBytes(), buf.capacity(), "allocated at its final size: " + frame);
            assertEquals(buf.readableBytes() - FrameHeader.LENGTH_FIELD_LENGTH, buf.getInt(0), "Frame Length");
            releaseAll(out);
        }
    }

    private static ByteBuf run(final int payloadBytes) {
        final ByteBuf run = Unpooled.buffer();
        EntryRun.writeEntry(run, new byte[payloadBytes - EntryRun.ENTRY_OVERHEAD]);
        return run;
    }

    @Test
    void aRunBelowTheThresholdIsCopiedBehindItsHeaderIntoOneBuffer() {
        final ByteBuf run = run(FrameCodec.ZERO_COPY_THRESHOLD - 1);
        for (final Frame frame : List.<Frame>of(new ReadOk(1, 1, 1, 1, run.retain()))) {
            final int references = run.refCnt();
            final List<ByteBuf> out = encode(frame);
            assertEquals(1, out.size(), frame.toString());
            final ByteBuf buf = out.get(0);
            assertEquals(buf.readableBytes(), buf.capacity(), "allocated at its final size: " + frame);
            assertEquals(ByteBufUtil.hexDump(run), ByteBufUtil.hexDump(buf, buf.writerIndex() - run.readableBytes(),
                run.readableBytes()));
            assertEquals(references, run.refCnt(), "nothing was shared");
            releaseAll(out);
            ReferenceCountUtil.release(frame);
        }
        run.release();
    }

    @Test
    void aRunFromTheThresholdOnIsSentAsItsOwnBufferAfterAHeaderOfExactlyTheFixedFields() {
        final ByteBuf run = run(FrameCodec.ZERO_COPY_THRESHOLD);
        final int[] fixed = {ReadOk.FIXED_BODY_LENGTH};
        final List<Frame> frames = List.of(new ReadOk(1, 1, 1, 1, run.retain()));
        for (int i = 0; i < frames.size(); i++) {
            final int references = run.refCnt();
            final List<ByteBuf> out = encode(frames.get(i));
            assertEquals(2, out.size(), frames.get(i).toString());
            final ByteBuf head = out.get(0);
            assertEquals(FrameHeader.HEADER_LENGTH + fixed[i], head.readableBytes());
            assertEquals(head.readableBytes(), head.capacity(), "nothing allocated for the payload");
            assertEquals(FrameHeader.HEADER_LENGTH_AFTER_LENGTH_FIELD + fixed[i] + run.readableBytes(), head.getInt(0));
            assertSame(run, out.get(1).unwrap(), "the caller's memory, shared");
            assertEquals(references + 1, run.refCnt(), "the shared buffer holds a reference of its own");
            releaseAll(out);
            ReferenceCountUtil.release(frames.get(i));
        }
        run.release();
    }

    @Test
    void aTaggedAppendCopiesAPayloadJustBelowTheThresholdAndSharesOneAtIt() {
        final byte[] below = new byte[FrameCodec.ZERO_COPY_THRESHOLD - 1];
        final List<ByteBuf> copied = encode(new Append(1, 1, 0, 5, 1, Unpooled.wrappedBuffer(below)));
        assertEquals(1, copied.size());
        assertEquals(FrameHeader.HEADER_LENGTH + Append.FIXED_BODY_LENGTH + Append.TAG_LENGTH + below.length,
            copied.get(0).capacity());
        releaseAll(copied);
        final ByteBuf at = Unpooled.wrappedBuffer(new byte[FrameCodec.ZERO_COPY_THRESHOLD]);
        final List<ByteBuf> shared = encode(new Append(1, 1, 0, 5, 1, at));
        assertEquals(2, shared.size());
        assertEquals(FrameHeader.HEADER_LENGTH + Append.FIXED_BODY_LENGTH + Append.TAG_LENGTH,
            shared.get(0).capacity());
        assertNotSame(at, shared.get(1));
        releaseAll(shared);
        at.release();
    }

    @Test
    void theUntaggedAppendHeaderIsTheTaggedOneWithoutATag() {
        final ByteBuf untagged = Unpooled.buffer();
        FrameCodec.writeAppendHeader(untagged, 9, 2, 300, 5);
        final ByteBuf viaEncode = Unpooled.buffer();
        for (final ByteBuf b : encode(new Append(9, 2, 300, Unpooled.wrappedBuffer(new byte[5])))) {
            viaEncode.writeBytes(b);
            b.release();
        }
        assertEquals(FrameHeader.HEADER_LENGTH + Append.FIXED_BODY_LENGTH, untagged.readableBytes());
        assertEquals(ByteBufUtil.hexDump(viaEncode, 0, untagged.readableBytes()), ByteBufUtil.hexDump(untagged));
        untagged.release();
        viaEncode.release();
    }

    @Test
    void aPayloadFramesDuplicateKeepsItsFields() {
        final Append append = new Append(3, 2, 100, 7, 8, Unpooled.wrappedBuffer(new byte[] {1, 2}));
        final Append appendCopy = (Append) append.retainedDuplicate();
        assertEquals(List.of(3L, 2L, 100L, 7L, 8L), List.of(appendCopy.requestId(), (long) appendCopy.w(),
            appendCopy.timeoutMs(), appendCopy.clientId(), appendCopy.seq()));
        assertArrayEquals(new byte[] {1, 2}, ByteBufUtil.getBytes(appendCopy.payload()));
        appendCopy.release();
        append.release();

        final ReadOk readOk = new ReadOk(4, 10, 1, 12, run(6));
        final ReadOk readOkCopy = (ReadOk) readOk.retainedDuplicate();
        assertEquals(List.of(4L, 10L, 1L, 12L), List.of(readOkCopy.requestId(), readOkCopy.firstId(),
            (long) readOkCopy.count(), readOkCopy.lastId()));
        readOkCopy.release();
        readOk.release();
    }
}
