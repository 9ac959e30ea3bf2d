package io.replog.node.master;

import io.replog.node.role.AppendRequest;
import io.replog.node.replication.SecondarySender;
import io.replog.node.replication.QuorumMonitor;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.replog.node.config.NodeConfig;
import io.replog.node.log.LogStore;
import io.replog.node.log.MemoryLogStore;
import io.replog.node.role.NodeRole;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.ErrorFrame;
import io.replog.protocol.FrameHeader;
import io.replog.protocol.Replicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The master's role: the sequencer that orders appends and one sender per secondary. */
public final class Master implements NodeRole, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Master.class);

    private final LogStore log;
    private final Sequencer sequencer;
    private final List<SecondarySender> senders = new ArrayList<>();
    private final int maxW;
    private final int maxPayload;
    private final QuorumMonitor quorum;
    private final EventLoopGroup loops;
    private final long heartbeatMs;

    public Master(final NodeConfig config, final EventLoopGroup loops) {
        this.log = new MemoryLogStore(MemoryLogStore.DEFAULT_SEGMENT_BYTES, config.maxLogBytes());
        this.loops = loops;
        this.maxW = 1 + config.secondaries().size();
        this.maxPayload = FrameHeader.maxPayload(config.maxFrameLength());
        this.heartbeatMs = config.heartbeatMs();
        // the tracker reads the senders' positions; the list is complete before anything starts
        final WriteConcernTracker writeConcern = new WriteConcernTracker(senders, maxW);
        this.sequencer = new Sequencer(log, writeConcern);
        for (final InetSocketAddress address : config.secondaries()) {
            senders.add(new SecondarySender(address, log, loops.next(), config, writeConcern::onAck));
        }
        sequencer.attach(senders);
        this.quorum = new QuorumMonitor(senders, config.quorum());
    }

    public void start() {
        sequencer.start(new DefaultThreadFactory("replog-sequencer", true));
        senders.forEach(SecondarySender::start);
        // health is evaluated twice per heartbeat so a state change is seen within half an interval
        quorum.start(loops.next(), Math.max(10, heartbeatMs / 2));
        LOG.info("master: {} secondaries {}, write concern w=1..{}, quorum {} of {} nodes", senders.size(),
            senders.stream().map(SecondarySender::name).toList(), maxW, quorum.quorum(), maxW);
    }

    public QuorumMonitor quorumMonitor() {
        return quorum;
    }

    @Override
    public String name() {
        return "master";
    }

    @Override
    public LogStore log() {
        return log;
    }

    public List<SecondarySender> senders() {
        return senders;
    }

    @Override
    public ErrorFrame checkAppend(final long requestId, final int w, final int payloadLength) {
        if (w < 1 || w > maxW) {
            return new ErrorFrame(requestId, ErrorCode.INVALID_REQUEST,
                "w must be between 1 and " + maxW + " (master + " + senders.size() + " secondaries), got " + w);
        }
        if (quorum.readOnly()) {
            return new ErrorFrame(requestId, ErrorCode.READ_ONLY, "read-only: no quorum (" + quorum.describe() + ")");
        }
        if (payloadLength > maxPayload) {
            return new ErrorFrame(requestId, ErrorCode.PAYLOAD_TOO_LARGE,
                "message of " + payloadLength + " bytes exceeds the limit of " + maxPayload);
        }
        return null;
    }

    @Override
    public void append(final AppendRequest request) {
        sequencer.submit(request);
    }

    @Override
    public void replicate(final ChannelHandlerContext ctx, final Replicate frame) {
        frame.release();
        ctx.write(new ErrorFrame(frame.requestId(), ErrorCode.UNEXPECTED_FRAME,
            "this node is the master; it does not accept replication"), ctx.voidPromise());
    }

    @Override
    public Map<String, Object> health() {
        final Map<String, Object> health = new LinkedHashMap<>();
        health.put("role", "master");
        health.put("read_only", quorum.readOnly());
        health.put("quorum", quorum.quorum());
        final long last = log.lastId();
        health.put("last_msg_id", last);
        health.put("log_id", Long.toHexString(log.logId()));
        health.put("max_w", maxW);
        health.put("max_message_bytes", maxPayload);
        health.put("pending_appends", sequencer.pendingCount());
        final List<Map<String, Object>> secondaries = new ArrayList<>();
        for (final SecondarySender sender : senders) {
            final Map<String, Object> s = new LinkedHashMap<>();
            s.put("address", sender.name());
            s.put("status", sender.health().name());
            s.put("acked", sender.ackedId());
            s.put("lag", Math.max(0, last - sender.ackedId()));
            s.put("connection", sender.state().name());
            s.put("last_answer_ms_ago", sender.silentMs());
            secondaries.add(s);
        }
        health.put("secondaries", secondaries);
        return health;
    }

    @Override
    public void close() {
        quorum.stop();
        senders.forEach(SecondarySender::close);
        sequencer.close();
        log.close();
    }
}
