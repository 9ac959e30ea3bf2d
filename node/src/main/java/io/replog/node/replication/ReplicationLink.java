package io.replog.node.replication;

import io.replog.protocol.Replicate;
import io.replog.protocol.Truncate;

/**
 * One connection to a secondary as the replication logic sees it: frames out, close. The Netty channel in
 * production; a recording fake in unit tests.
 */
public interface ReplicationLink {
    /** Queues {@code frame} (ownership passes); nothing leaves before {@link #flush()}. */
    void send(Replicate frame);

    /** Queues a TRUNCATE; nothing leaves before {@link #flush()}. */
    void send(Truncate frame);

    void flush();

    /** False while the connection's outbound buffer is above its high water mark. */
    boolean isWritable();

    /** Closes the connection; the owner reports the disconnect once it is closed. */
    void close();
}
