package io.roamtun.engine.session;

import io.roamtun.engine.transport.SegmentSizes;
import io.roamtun.protocol.Capabilities;
import io.roamtun.protocol.Wire;

/**
 * What the handshake settled with the peer: the capability bits both sides support, the window the peer
 * gives each new stream, the largest DATA payload this side sends it, and the largest payload the peer
 * accepts (a DATAGRAM may use all of it: a datagram is not cut to fit a segment).
 */
record PeerSettings(int capabilities, int initialWindow, int maxPayload, int announcedMaxPayload) {
    static final PeerSettings BEFORE_HANDSHAKE = new PeerSettings(0, 0, SegmentSizes.DATA_PAYLOAD, Wire.MAX_PAYLOAD);

    /** From the peer's HELLO or WELCOME; {@code canBindChannel}: whether this side's link can bind resumes. */
    static PeerSettings negotiate(int peerCapabilities, int initialWindow, int maxPayload, boolean canBindChannel) {
        return new PeerSettings(Capabilities.negotiate(peerCapabilities, Capabilities.offered(canBindChannel)), initialWindow,
                Math.min(maxPayload, SegmentSizes.DATA_PAYLOAD), maxPayload); // (a larger DATA would split a loopback segment)
    }

    boolean bindsResumes() {
        return Capabilities.has(capabilities, Capabilities.RESUME_CHANNEL_BINDING);
    }
}
