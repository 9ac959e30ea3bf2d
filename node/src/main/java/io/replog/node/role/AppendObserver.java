package io.replog.node.role;

/** Told how each append ended, for metrics. Called on whichever thread answers it: must not block or allocate. */
public interface AppendObserver {
    /** Answered with success, {@code nanos} after it arrived. */
    void succeeded(AppendRequest request, long nanos);

    /** Refused or answered with an error. */
    void failed(short code);
}
