package io.replog.node.master;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.replog.node.config.NodeConfig;
import io.replog.node.log.CutDamage;
import io.replog.node.log.LogStore;
import io.replog.node.replication.QuorumMonitor;
import io.replog.node.replication.SecondaryHealth;
import io.replog.node.replication.SecondarySender;
import io.replog.node.role.AppendObserver;
import io.replog.node.role.AppendRequest;
import io.replog.node.role.NodeRole;
import io.replog.node.replication.SenderState;
import io.replog.protocol.HostPort;
import io.replog.node.status.Faults;
import io.replog.node.status.NodeStatus;
import io.replog.node.status.PeerState;
import io.replog.node.status.PeerStatus;
import io.replog.protocol.ErrorCode;
import io.replog.protocol.client.ClientOptions;
import io.replog.protocol.ErrorFrame;
import io.replog.protocol.FrameHeader;
import io.replog.protocol.Replicate;
import io.replog.protocol.Truncate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/** The master's role: the sequencer that orders appends, the write concern, and one sender per secondary. */
public final class Master implements NodeRole, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Master.class);

    private final LogStore log;
    private final Sequencer sequencer;
    private final WriteConcernTracker writeConcern;
    private final List<SecondarySender> senders = new ArrayList<>();
    private final AppendAdmission admission;
    private final int maxW;
    private final int maxPayload;
    private final QuorumMonitor quorum;
    private final EventLoopGroup loops;
    private final long heartbeatMs;
    private final NodeConfig config;
    /** Told how every append ends (metrics). */
    private final AppendObserver observer;
    /** Told each new durable position: what the master serves (waiting READs). */
    private final LongConsumer readableAdvanced;
    /** Until the master took back what its secondaries hold past its log: appends are refused meanwhile. */
    private volatile boolean recovering = true;
    /** Why the log refuses writes for good (its disk failed), or null: the master is read-only until restarted. */
    private volatile String storageFailure;

    /** A master over {@code log} (which it keeps appending to), replicating to the configured secondaries. */
    public Master(final NodeConfig config, final LogStore log, final EventLoopGroup loops,
                  final AppendObserver observer, final LongConsumer readableAdvanced) {
        this.log = log;
        this.readableAdvanced = readableAdvanced;
        this.observer = observer;
        this.config = config;
        this.loops = loops;
        this.maxW = 1 + config.secondaries().size();
        this.maxPayload = FrameHeader.maxPayload(config.maxFrameLength());
        this.heartbeatMs = config.heartbeatMs();
        this.admission = new AppendAdmission(config.maxPendingAppends());
        this.writeConcern = new WriteConcernTracker(config.secondaries().size());
        this.sequencer = new Sequencer(log, writeConcern, config.clock());
        for (final InetSocketAddress address : config.secondaries()) {
            final int index = senders.size();
            senders.add(new SecondarySender(address, log, loops.next(), config,
                position -> writeConcern.onAck(index, position)));
        }
        this.quorum = new QuorumMonitor(senders, config.quorum());
    }

    public void start() {
        final boolean hadAMaster = Math.max(log.epoch(), log.epochAt(log.lastId())) > 0;
        if (config.dataDir() != null && hadAMaster && !config.secondaries().isEmpty()) {
            // a log that survives restarts may have lost an unflushed tail a secondary still holds: take it back
            // before this master writes anything at those msg_ids (a secondary that is down meanwhile has its
            // conflicting tail cut, and kept in a rollback file, when it returns)
            TakeBack.run(log, config.secondaries(), config.unhealthyAfterMs(), ClientOptions.defaults()
                .withMaxFrameLength(config.maxFrameLength()).withTls(config.tls() == null ? null : config.tls().client()),
                config.clusterKey());
        }
        final CutDamage damage = log.damage();
        if (damage != null && log.lastId() < damage.formerEnd()) {
            throw new IllegalStateException("the log was damaged at " + damage.where() + " and held msg_ids up to "
                + damage.formerEnd() + " at least, but the secondaries gave back only up to msg_id " + log.lastId()
                + ": refusing to start, so nothing acknowledged is dropped. What was cut is kept in "
                + damage.setAside() + ". To repair: start the secondaries that hold the rest and restart this master; "
                + "or, to accept losing msg_ids " + (log.lastId() + 1) + ".." + damage.formerEnd() + ", delete the "
                + "file damage-to-take-back in the data directory and start it again");
        }
        if (damage != null) {
            LOG.warn("master: the log was damaged at {}; msg_ids {}..{} were taken back from the secondaries (the "
                + "damaged files are kept in {})", damage.where(), damage.keptId() + 1, log.lastId(),
                damage.setAside());
            log.damageRepaired();
        }
        recovering = false;
        // a new epoch for everything this master writes: its entries are told apart from those of every earlier
        // master of the log, also at the same msg_ids (after a crash took back an unflushed tail)
        log.startEpoch(Math.max(log.epoch(), log.epochAt(log.lastId())) + 1);
        log.durabilityListener(this::durable);
        log.failureListener(this::storageFailed);
        writeConcern.onDurable(log.durableId());
        sequencer.start(new DefaultThreadFactory("replog-sequencer", true));
        senders.forEach(SecondarySender::start);
        // health is evaluated twice per heartbeat so a state change is seen within half an interval
        quorum.start(loops.next(), Math.max(10, heartbeatMs / 2));
        LOG.info("master: {} secondaries {}, write concern w=1..{}, quorum {} of {} nodes, log {} at msg_id {}, "
            + "epoch {}", senders.size(), senders.stream().map(SecondarySender::name).toList(), maxW, quorum.quorum(),
            maxW, Long.toHexString(log.logId()), log.lastId(), log.epoch());
    }

    /** The log holds everything up to {@code position} durably: it counts, and the senders may send it. */
    private void durable(final long position) {
        writeConcern.onDurable(position);
        for (final SecondarySender sender : senders) {
            sender.logAdvanced();
        }
        readableAdvanced.accept(position);
    }

    /** The log's disk failed: nothing more can be made durable here, so the master stops taking appends. */
    private void storageFailed(final String why) {
        storageFailure = why;
        LOG.error("master: read-only until restarted: {}", why);
        writeConcern.storageFailed(log.durableId(), why);
    }

    /** Appends stored with write concern {@code w} (metrics). */
    public long storedWithW(final int w) {
        return sequencer.storedWithW(w);
    }

    /** The highest msg_id held durably by at least {@code w} nodes now (metrics). */
    public long committed(final int w) {
        return writeConcern.committed(w);
    }

    /** Appends waiting for their write concern now. */
    public int pendingAppends() {
        return writeConcern.waiting();
    }

    /** Whether appends are refused now: starting, no quorum, or the disk failed. */
    public boolean readOnly() {
        return readOnlyReason() != null;
    }

    @Override
    public String readOnlyReason() {
        if (recovering) {
            return "the master is starting (taking back what its secondaries hold past its log)";
        }
        final String failure = storageFailure;
        if (failure != null) {
            return "the master's log on disk failed (" + failure + "); restart the master";
        }
        final String stopped = sequencer.failure();
        if (stopped != null) {
            return "the master's sequencer failed (" + stopped + "); restart the master";
        }
        return quorum.readOnly() ? "no quorum (" + quorum.describe() + ")" : null;
    }

    /** 1 + the number of secondaries. */
    public int maxW() {
        return maxW;
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

    @Override
    public long readableId() {
        return log.durableId();
    }

    public List<SecondarySender> senders() {
        return senders;
    }

    @Override
    public ErrorFrame checkAppend(final long requestId, final int w, final int payloadLength) {
        final ErrorFrame refused = refusal(requestId, w, payloadLength);
        if (refused != null) {
            observer.failed(refused.code());
        }
        return refused;
    }

    private ErrorFrame refusal(final long requestId, final int w, final int payloadLength) {
        if (w < 1 || w > maxW) {
            return new ErrorFrame(requestId, ErrorCode.INVALID_REQUEST,
                "w must be between 1 and " + maxW + " (master + " + senders.size() + " secondaries), got " + w);
        }
        final String readOnly = readOnlyReason();
        if (readOnly != null) {
            return new ErrorFrame(requestId, ErrorCode.READ_ONLY, "read-only: " + readOnly);
        }
        if (payloadLength > maxPayload) {
            return new ErrorFrame(requestId, ErrorCode.PAYLOAD_TOO_LARGE,
                "message of " + payloadLength + " bytes exceeds the limit of " + maxPayload);
        }
        return null;
    }

    @Override
    public void append(final AppendRequest request) {
        request.observedBy(observer);
        // only appends that can wait count: w=1 is answered as soon as it is stored, so appends stuck on a dead
        // secondary never make the master refuse the clients that do not wait for it
        if (request.w() > 1) {
            if (!admission.tryAdmit()) {
                request.takePayload().release();
                request.fail(ErrorCode.OVERLOADED, "too many appends waiting for their write concern ("
                    + admission.max() + ", --max-pending-appends); retry later or use timeout_ms");
                return;
            }
            request.onAnswer(admission.release);
        }
        sequencer.submit(request);
    }

    @Override
    public void replicate(final ChannelHandlerContext ctx, final Replicate frame) {
        frame.release();
        ctx.write(new ErrorFrame(frame.requestId(), ErrorCode.UNEXPECTED_FRAME,
            "this node is the master; it does not accept replication"), ctx.voidPromise());
    }

    @Override
    public void truncate(final ChannelHandlerContext ctx, final Truncate frame) {
        ctx.write(new ErrorFrame(frame.requestId(), ErrorCode.UNEXPECTED_FRAME,
            "this node is the master; nobody truncates its log"), ctx.voidPromise());
    }

    @Override
    public NodeStatus status() {
        final long durable = log.durableId(); // what it serves and sends
        final List<Long> committed = new ArrayList<>(maxW);
        final List<Long> stored = new ArrayList<>(maxW);
        for (int w = 1; w <= maxW; w++) {
            committed.add(writeConcern.committed(w));
            stored.add(sequencer.storedWithW(w));
        }
        final List<PeerStatus> peers = new ArrayList<>(senders.size());
        for (final SecondarySender sender : senders) {
            final SecondaryHealth health = sender.health();
            final long acked = sender.ackedId();
            final SenderState connection = sender.state();
            peers.add(new PeerStatus(0, sender.name(), sender.name(), null, "secondary",
                PeerState.valueOf(health.name()), sender.reason(health), acked, Math.max(0, durable - acked),
                sender.silentMs(), connection == SenderState.STREAMING || connection == SenderState.PROBING,
                connection.name(), sender.batchesSent()));
        }
        final Map<String, Object> details = new LinkedHashMap<>();
        final String stopped = sequencer.failure();
        if (stopped != null) {
            details.put("sequencer_error", stopped);
        }
        final String self = config.port() == 0 ? null : HostPort.format(new InetSocketAddress(config.bindHost(), config.port()));
        final String selfHttp = config.httpPort() == 0 ? null : HostPort.format(new InetSocketAddress(config.bindHost(), config.httpPort()));
        return NodeStatus.builder(NodeStatus.Mode.FIXED)
            .node(0, "master", self, selfHttp)
            .role("master", "master", log.epoch())
            .master(new NodeStatus.MasterRef(0, self, selfHttp, true))
            .log(Long.toHexString(log.logId()), log.lastId(), durable, durable)
            .readOnly(readOnlyReason(), storageFailure)
            .appends(writeConcern.waiting(), admission.max(), maxPayload)
            .cluster(maxW, quorum.quorum())
            .byW(committed, stored)
            .settings(config.flush(), new Faults(config.delayMs(), config.failRate(), config.dropRate(), 0, 0))
            .peers(peers)
            .details(details)
            .build();
    }

    /**
     * Stops being the master: no new appends; queued ones are refused with SHUTTING_DOWN, waiting ones answered
     * with {@code code} (SHUTTING_DOWN when the node stops, NOT_MASTER when it changes role). The log stays open.
     */
    public void stop(final short code, final String text) {
        quorum.stop();
        sequencer.close(code, text);
        senders.forEach(SecondarySender::close);
    }

    @Override
    public void close() {
        stop(ErrorCode.SHUTTING_DOWN, "the master is shutting down");
    }
}
