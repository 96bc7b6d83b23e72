package io.roamtun.engine.session;

import io.roamtun.engine.buffer.MemoryBudget;
import io.roamtun.engine.resend.ReplayBuffer;
import java.util.LinkedHashSet;

/**
 * The streams that wait for room in the session's replay buffer, in two queues named for what they wait to
 * do: write the frames they owe the peer (OPEN, OPEN_OK, FIN, WINDOW_UPDATE...), in the order they came,
 * and read their local socket again (DATA). Room comes from the peer's acknowledgements, or, when it is the
 * agent's budget that said no, from another session giving memory back.
 */
final class SendQueue {
    private final ReplayBuffer replay;
    /** Null when the agent has no memory cap (unit tests). */
    private final MemoryBudget budget;
    private final Runnable requestFlush;
    /** Has the link write within the ACK delay, with whatever it writes next. */
    private final Runnable writeSoon;
    /** Streams whose owed frames did not fit; each writes only after those before it (stream ids stay in order). */
    private final LinkedHashSet<Stream> owingFrames = new LinkedHashSet<>();
    /** Streams that stopped reading their local socket for lack of room. */
    private final LinkedHashSet<Stream> waitingToRead = new LinkedHashSet<>();
    /** Registered with the budget for one wake-up once memory is given back. */
    private boolean waitingForMemory;
    private boolean closed;

    SendQueue(ReplayBuffer replay, MemoryBudget budget, Runnable requestFlush, Runnable writeSoon) {
        this.replay = replay;
        this.budget = budget;
        this.requestFlush = requestFlush;
        this.writeSoon = writeSoon;
    }

    /**
     * Writes the frames a stream owes the peer, or queues the stream until the replay buffer has room.
     * Behind streams already waiting, never past them: a short OPEN that fits must not overtake a longer
     * one that did not, since the peer requires each side's stream ids to arrive in increasing order.
     */
    void sendOwedFrames(Stream stream) {
        if (queueOwedFrames(stream)) {
            requestFlush.run();
        }
    }

    /** As {@link #sendOwedFrames}, for frames that can wait for the link's next write (at most the ACK delay). */
    void sendOwedFramesSoon(Stream stream) {
        if (queueOwedFrames(stream)) {
            writeSoon.run();
        }
    }

    private boolean queueOwedFrames(Stream stream) {
        if (closed) {
            return false;
        }
        if (owingFrames.isEmpty() ? !stream.writeOwedFrames(replay) : !owingFrames.contains(stream)) {
            owingFrames.add(stream);
        }
        return true;
    }

    /** A stream found no room for DATA; it reads again once there is. */
    void waitToRead(Stream stream) {
        waitingToRead.add(stream);
        waitForMemoryIfBudgetBound();
    }

    boolean isWaitingToRead(Stream stream) {
        return waitingToRead.contains(stream);
    }

    /** Acknowledgements or the budget made room: owed frames first, in order, then the readers. */
    void roomFreed() {
        if (closed) {
            return;
        }
        boolean wrote = false;
        while (!owingFrames.isEmpty()) { // (a fresh iterator each time: a stream's writing may queue another)
            Stream first = owingFrames.iterator().next();
            if (!first.writeOwedFrames(replay)) {
                break;
            }
            owingFrames.remove(first);
            wrote = true;
        }
        if (wrote) {
            requestFlush.run(); // frames that waited for room (a FIN, an OPEN) leave now, not with some later write
        }
        while (!waitingToRead.isEmpty() && replay.canTakeData()) {
            Stream first = waitingToRead.iterator().next();
            waitingToRead.remove(first);
            first.updateInterest();
        }
        if (!waitingToRead.isEmpty()) {
            waitForMemoryIfBudgetBound();
        }
    }

    /** Asks the budget for one wake-up when it is the agent's memory, not this session's ACKs, that holds data back. */
    private void waitForMemoryIfBudgetBound() {
        if (!waitingForMemory && replay.waitsForBudget()) {
            waitingForMemory = true;
            budget.whenRoom(() -> {
                waitingForMemory = false;
                roomFreed();
            });
        }
    }

    /** The session is over: nobody waits any more. */
    void close() {
        closed = true;
        owingFrames.clear();
        waitingToRead.clear();
    }
}
