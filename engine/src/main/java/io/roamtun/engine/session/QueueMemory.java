package io.roamtun.engine.session;

import io.roamtun.engine.buffer.BufferPool;
import io.roamtun.engine.buffer.MemoryBudget;
import io.roamtun.engine.text.Sizes;
import io.roamtun.protocol.ErrorCode;
import java.util.Collection;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The memory a session's streams hold for slow local sockets (their queues of the peer's bytes), and the
 * policy that keeps all sessions' queues within the agent's budget: windows the peer was given cannot be
 * taken back, so a stream that would push the agent past --max-buffer-memory is reset instead.
 */
final class QueueMemory implements MemoryBudget.QueueHolder {
    private static final Logger log = LoggerFactory.getLogger(QueueMemory.class);

    /** Null when the agent has no memory cap (unit tests). */
    private final MemoryBudget budget;
    private final BufferPool chunkPool;
    private final Supplier<String> label;
    private final Supplier<Collection<Stream>> streams;
    private long queued;

    QueueMemory(MemoryBudget budget, BufferPool chunkPool, Supplier<String> label, Supplier<Collection<Stream>> streams) {
        this.budget = budget;
        this.chunkPool = chunkPool;
        this.label = label;
        this.streams = streams;
    }

    /**
     * Whether a stream may queue {@code bytes} more that the peer sent. Yes while the agent's buffer memory
     * has room. At the limit: no for a session queueing more than its fair share; for one within it, the
     * sessions above theirs shed their largest queues to make room, and no when even that does not.
     */
    boolean mayQueue(Stream stream, int bytes) {
        long needed = bytes + chunkPool.bufferSize(); // taken in whole chunks
        if (budget == null || budget.queueFits(needed)) {
            return true;
        }
        if (queued + needed <= budget.fairShare() && budget.makeRoomForQueue(needed, this)) {
            return true;
        }
        log.info("session {}: stream {} reset: its peer's bytes would take the queues for slow local sockets past "
                + "--max-buffer-memory {} (this session queues {}; its share is {})", label.get(), stream.id(),
                Sizes.format(budget.limit()), Sizes.format(queued), Sizes.format(budget.fairShare()));
        return false;
    }

    /** A stream's queue took or gave back {@code delta} bytes of memory (whole chunks). */
    void changed(long delta) {
        queued += delta;
        if (budget != null) {
            budget.queuedChanged(delta);
        }
    }

    @Override
    public long queuedBytes() {
        return queued;
    }

    /** The budget needs room for another session: the stream with the largest queue is reset. */
    @Override
    public void shedLargestQueue(String why) {
        Stream largest = null;
        for (Stream s : streams.get()) {
            if (largest == null || s.queuedBytes() > largest.queuedBytes()) {
                largest = s;
            }
        }
        if (largest == null || largest.queuedBytes() == 0) {
            return;
        }
        log.info("session {}: stream {} reset, its {} queued for a slow local socket dropped: {}", label.get(), largest.id(),
                Sizes.format(largest.queuedBytes()), why);
        largest.reset(ErrorCode.STREAM_LIMIT);
    }
}
