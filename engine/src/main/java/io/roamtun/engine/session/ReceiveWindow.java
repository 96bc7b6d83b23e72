package io.roamtun.engine.session;

/**
 * The receiving half of one stream's flow control: how much the peer may still send, how much has been
 * written to the local socket and not yet granted back, and how large the window is now.
 *
 * <p>Credit goes back (WINDOW_UPDATE) once half the window has been consumed. The window starts at the
 * configured size and doubles, up to {@code max}, each time credit goes back while the local socket keeps
 * up (nothing queued for it) and the agent's memory is not under pressure: a bulk stream to a fast app
 * gets a window large enough to keep the link busy while the other agent waits for a core, a stream to
 * a slow app keeps the small window and can never queue more than it. An app that stops reading after a
 * fast start can have the grown window queued once (credit already given cannot be taken back); each
 * credit given while the app is half a window or more behind, or memory is short, halves the window
 * back towards the configured size. Growth and shrinking are only ever a larger or smaller increment, which the protocol allows; the
 * sender needs to know nothing about them.
 */
final class ReceiveWindow {
    private final int initial;
    private final int max;
    /** Bytes the peer may still send before it needs more credit. */
    private long remaining;
    /** Bytes consumed (written to the local socket) and not yet granted back. */
    private long ungranted;
    private int size;

    ReceiveWindow(int initial, int max) {
        if (initial <= 0 || max < initial) {
            throw new IllegalArgumentException("window " + initial + ", at most " + max);
        }
        this.initial = initial;
        this.size = initial;
        this.max = max;
        this.remaining = initial;
    }

    /**
     * The peer sent {@code length} bytes.
     *
     * @return false when that is beyond what it was granted (a flow-control error)
     */
    boolean take(int length) {
        if (length > remaining) {
            return false;
        }
        remaining -= length;
        return true;
    }

    /** Bytes the peer sent beyond the window, for the error message after {@link #take} said no. */
    long excess(int length) {
        return length - remaining;
    }

    /** {@code n} bytes were written to the local socket. */
    void consumed(int n) {
        ungranted += n;
    }

    /** True when enough has been consumed to give credit back. */
    boolean owesUpdate() {
        return ungranted > 0 && ungranted >= size / 2;
    }

    /**
     * The increment of the WINDOW_UPDATE to send now: what was consumed, plus the growth when nothing is
     * queued for the local socket and memory allows, minus the shrinking when the local app is half a
     * window or more behind or memory is short; 0 means send none (a WINDOW_UPDATE of 0 is an error).
     * Call only when {@link #owesUpdate()}.
     *
     * @param queued bytes taken from the peer and still waiting for the local socket
     */
    int grant(long queued, boolean memoryUnderPressure) {
        long increment = ungranted;
        if (queued == 0 && !memoryUnderPressure && size < max) {
            int extra = Math.min(size, max - size);
            size += extra;
            increment += extra;
        } else if ((memoryUnderPressure || queued >= size / 2) && size > initial) {
            // Halve a grown window back towards the configured one by giving back less than was consumed
            // (possibly nothing: then no update). A few bytes queued for a fast app's full socket do not count.
            long withheld = Math.min(size - Math.max(initial, size / 2), ungranted);
            size -= (int) withheld;
            increment -= withheld;
        }
        ungranted = 0;
        remaining += increment;
        return (int) increment;
    }

    /** The stream is over on our side: nothing more will be granted. */
    void forget() {
        ungranted = 0;
    }

    int size() {
        return size;
    }

    long remaining() {
        return remaining;
    }
}
