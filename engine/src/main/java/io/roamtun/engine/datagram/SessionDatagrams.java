package io.roamtun.engine.datagram;

import io.roamtun.engine.loop.EventLoop;
import io.roamtun.engine.session.ServiceDirectory;
import io.roamtun.protocol.DatagramPayload;
import io.roamtun.protocol.ProtocolException;
import io.roamtun.protocol.Role;
import io.roamtun.protocol.Wire;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import java.util.function.IntSupplier;

/**
 * A session's UDP: the flows this side opened (an app's datagrams to a forwarded or exposed UDP port, each
 * source a flow, answers delivered back through its {@link Reply}), the flows the peer opened
 * ({@link AcceptedFlows}), and the {@link DatagramQueue} of DATAGRAM frames waiting for the link. Flow ids
 * follow the stream ids' rule: the client's odd, the server's even. A flow idle for the idle timeout is
 * forgotten on both sides (each on its own clock); a later datagram opens it again. Loop thread.
 */
public final class SessionDatagrams {
    /** Flows idle this long are forgotten, by default. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);

    /** Where the answers to a flow this side opened go: the app that sent its datagrams. */
    public interface Reply {
        void deliver(ByteBuffer data);

        /** The flow was idle for the idle timeout and is forgotten: its next datagram opens a new one. */
        void forgotten();
    }

    private static final class Opened {
        final Reply reply;
        long lastUsedNanos = System.nanoTime();

        Opened(Reply reply) {
            this.reply = reply;
        }
    }

    private final Role role;
    private final Runnable requestFlush;
    private final BooleanSupplier linkUp;
    private final IntSupplier peerMaxPayload;
    private final DatagramQueue queue = new DatagramQueue();
    private final DatagramCounters counters = new DatagramCounters();
    private final AcceptedFlows accepted;
    private final Map<Integer, Opened> opened = new HashMap<>();
    private final long idleNanos;
    private int nextFlowId;
    private boolean negotiated = true;
    private boolean closed;

    /** {@code peerMaxPayload}: the largest DATA / DATAGRAM payload the peer accepts (known after the handshake). */
    public SessionDatagrams(EventLoop loop, Role role, Runnable requestFlush, BooleanSupplier linkUp, IntSupplier peerMaxPayload,
                            Duration idleTimeout) {
        this.role = role;
        this.requestFlush = requestFlush;
        this.linkUp = linkUp;
        this.peerMaxPayload = peerMaxPayload;
        this.accepted = new AcceptedFlows(loop, this::send, counters);
        this.idleNanos = idleTimeout.toNanos();
        this.nextFlowId = role == Role.CLIENT ? 1 : 2;
        loop.schedule(Math.max(idleNanos / 4, 1_000_000L), new Runnable() {
            @Override
            public void run() {
                if (!closed) {
                    forgetIdle();
                    loop.schedule(Math.max(idleNanos / 4, 1_000_000L), this);
                }
            }
        });
    }

    /** The handshake said whether the peer speaks datagrams; until then they are queued. */
    public void negotiated(boolean both) {
        this.negotiated = both;
        if (!both) {
            queue.clear();
        }
    }

    /**
     * The peer's flows hold a UDP socket each: they take a place in the agent's descriptor quota with
     * {@code take} (null: granted, else why not) and give it back with {@code release}.
     */
    public void useQuota(java.util.function.Supplier<String> take, Runnable release) {
        accepted.useQuota(take, release);
    }

    /** The services the peer's flows may reach. */
    public void useServices(ServiceDirectory services) {
        accepted.useServices(services);
    }

    /** A new flow of this side, its answers to {@code reply}; its id, or -1 when the session has used up its ids. */
    public int openFlow(Reply reply) {
        if (nextFlowId < 0) {
            return -1; // 2^30 flows in one session: its next session starts the count again
        }
        int id = nextFlowId;
        nextFlowId += 2;
        opened.put(id, new Opened(reply));
        return id;
    }

    /** Sends one datagram of flow {@code flowId} to {@code service}; false when it was dropped (counted). */
    public boolean send(int flowId, String service, ByteBuffer data) {
        if (closed) {
            return false;
        }
        if (!negotiated) {
            counters.notNegotiated++;
            return false;
        }
        if (DatagramPayload.overhead(service) + data.remaining() > Wire.MAX_PAYLOAD) {
            counters.tooLarge++;
            return false;
        }
        Opened mine = opened.get(flowId);
        if (mine != null) {
            mine.lastUsedNanos = System.nanoTime();
        }
        byte[] frame = new byte[DatagramPayload.frameBytes(service, data.remaining())];
        DatagramPayload.encode(ByteBuffer.wrap(frame), flowId, service, data);
        boolean up = linkUp.getAsBoolean();
        if (!queue.offer(frame, up)) {
            return false;
        }
        counters.sent++;
        if (up) {
            requestFlush.run();
        }
        return true;
    }

    /** A DATAGRAM from the peer. */
    public void received(int flowId, ByteBuffer payload) throws ProtocolException {
        DatagramPayload d = DatagramPayload.decode(payload);
        counters.received++;
        boolean mine = (flowId & 1) == (role == Role.CLIENT ? 1 : 0);
        if (!mine) {
            accepted.deliver(flowId, d.service(), d.data());
            return;
        }
        Opened flow = opened.get(flowId);
        if (flow == null) {
            counters.unknownFlow++;
            return;
        }
        flow.lastUsedNanos = System.nanoTime();
        flow.reply.deliver(d.data());
    }

    /**
     * The link writes: moves the queued frames that fit into its control run (a frame too large for the peer
     * is dropped); true when some are left waiting for room.
     */
    public boolean drainInto(IntFunction<ByteBuffer> slot) {
        int max = peerMaxPayload.getAsInt();
        queue.drainInto(bytes -> {
            if (bytes - Wire.HEADER_BYTES > max) {
                counters.tooLarge++;
                return ByteBuffer.allocate(bytes); // taken and thrown away: the peer would refuse it
            }
            return slot.apply(bytes);
        });
        return queue.size() > 0;
    }

    public void linkLost() {
        queue.linkLost();
    }

    private void forgetIdle() {
        long since = System.nanoTime() - idleNanos;
        accepted.closeIdle(since);
        List<Integer> idle = new ArrayList<>();
        opened.forEach((id, flow) -> {
            if (flow.lastUsedNanos - since < 0) {
                idle.add(id);
            }
        });
        for (int id : idle) {
            opened.remove(id).reply.forgotten();
        }
    }

    /** The agent drains: the peer's flows end now (UDP has nothing to finish), new ones are refused by the quota. */
    public void endFlows() {
        accepted.closeAll();
    }

    /** The session ended: the flows' sockets close, queued datagrams are dropped. */
    public void close() {
        closed = true;
        accepted.closeAll();
        opened.values().forEach(o -> o.reply.forgotten());
        opened.clear();
        queue.clear();
    }

    public DatagramCounters counters() {
        return counters;
    }

    public DatagramQueue queue() {
        return queue;
    }

    /** One line for status; empty when the session never carried a datagram. */
    public String describe() {
        if (counters.sent + counters.received == 0) {
            return "";
        }
        return "datagrams: " + counters.sent + " sent, " + counters.received + " received, " + (opened.size() + accepted.size())
                + " flows; dropped: " + queue.droppedFull() + " queue full, " + queue.droppedWhileAway() + " while away, "
                + counters.describeDrops();
    }
}
