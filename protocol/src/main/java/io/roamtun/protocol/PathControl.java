package io.roamtun.protocol;

/**
 * A PATH frame (MULTIPATH, client to server): what the link it travels on is for, and how the session
 * uses its links. The client sends one on each link of the session whenever either changes; the server
 * follows it (PROTOCOL.md, "Multipath").
 *
 * @param mode              how the session uses its links
 * @param primary           this link carries the session (ACKs, and all data in STANDBY and REDUNDANT); else a secondary
 * @param metered           this link's interface is metered: it carries bulk only when no other link can
 * @param redundantMax      REDUNDANT: bytes per second a secondary link may carry as copies, 0..2^32-1
 * @param receivedOffset    the client's {@code received} when it sent this: a promoted link is resent from here
 */
public record PathControl(Mode mode, boolean primary, boolean metered, long redundantMax, long receivedOffset) {
    /** Flag bit: the link's interface is metered. */
    static final int FLAG_METERED = 0x01;

    /** How a session uses its links. */
    public enum Mode {
        /** Secondary links carry only PING / PONG: a warm link to move to without a handshake. */
        STANDBY(1),
        /** Secondary links carry a copy of every sequenced frame, up to {@code redundantMax} bytes a second. */
        REDUNDANT(2),
        /** Sequenced frames are spread over the links; the receiver puts them back in order. */
        AGGREGATE(3);

        private final int code;

        Mode(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }

        /** The mode of a wire code, or null. */
        public static Mode fromCode(int code) {
            for (Mode mode : values()) {
                if (mode.code == code) {
                    return mode;
                }
            }
            return null;
        }
    }

    public PathControl {
        if (mode == null) {
            throw new IllegalArgumentException("mode is required");
        }
        if (redundantMax < 0 || redundantMax > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("redundantMax " + redundantMax + " is not a u32");
        }
        if (receivedOffset < 0) {
            throw new IllegalArgumentException("receivedOffset " + receivedOffset);
        }
    }
}
