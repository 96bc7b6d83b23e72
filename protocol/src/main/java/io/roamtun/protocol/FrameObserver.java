package io.roamtun.protocol;

/** Sees each frame a decoder reads, before it is handled: the hook for a TRACE frame log. */
@FunctionalInterface
public interface FrameObserver {
    /** @param type null for an ignorable extension frame that is skipped */
    void onFrame(FrameType type, int streamId, int length, long seq);
}
