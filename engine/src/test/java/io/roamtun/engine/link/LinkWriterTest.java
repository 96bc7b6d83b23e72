package io.roamtun.engine.link;

import io.roamtun.engine.transport.ChunkingTransport;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.engine.buffer.BufferPool;
import io.roamtun.engine.resend.ReplayBuffer;
import io.roamtun.protocol.AnyFrame;
import io.roamtun.protocol.FrameDecoder;
import io.roamtun.protocol.FrameEncoder;
import io.roamtun.protocol.FrameType;
import io.roamtun.protocol.Role;
import io.roamtun.protocol.Wire;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Control frames queued while a replay frame is half written must wait for that frame's end: whatever
 * the write sizes, the byte stream decodes into whole frames with every DATA byte in order.
 */
class LinkWriterTest {

    private static final class Collect extends AnyFrame {
        final List<String> frames = new ArrayList<>();
        long expectedSeq;

        @Override
        public boolean admitSequenced(FrameType type, long seq, int frameBytes) {
            assertEquals(expectedSeq, seq, "sequenced frames arrive in order, none missing");
            expectedSeq += frameBytes;
            return true;
        }

        @Override public void onData(int streamId, ByteBuffer payload) {
            byte first = payload.get(payload.position());
            for (int i = payload.position(); i < payload.limit(); i++) {
                assertEquals(first, payload.get(i), "payload intact");
            }
            frames.add("DATA" + first);
        }
        @Override public void onPing(long opaque) { frames.add("PING" + opaque); }
        @Override public void onFin(int streamId) { frames.add("FIN"); }
    }

    @Test
    void controlFramesLandOnlyBetweenWholeFramesAtEveryWriteSize() throws Exception {
        for (int chunk : new int[] {1, 3, 19, 20, 21, 100, 4096, 70_000, 1 << 20}) {
            BufferPool pool = new BufferPool(256 * 1024, 4);
            ReplayBuffer replay = new ReplayBuffer(pool, 2 << 20);
            ChunkingTransport transport = new ChunkingTransport(chunk);
            LinkWriter writer = new LinkWriter(transport, "test");
            writer.sendReplayFrom(replay, 0);
            int frames = 12;
            for (int i = 1; i <= frames; i++) {
                ByteBuffer slot = replay.reserveData(1000 * i);
                int n = slot.remaining();
                for (int k = 0; k < n; k++) {
                    slot.put((byte) i);
                }
                replay.commitData(1, n);
            }
            int pings = 0;
            int rounds = 0;
            while (writer.hasPending(true)) {
                ByteBuffer slot = rounds++ % 64 == 0 ? writer.controlSlot(FrameEncoder.LONG_FRAME_BYTES) : null;
                if (slot != null) { // (slower than the link drains; a full control queue refuses more)
                    FrameEncoder.ping(slot, ++pings);
                }
                writer.flush(true);
                assertTrue(rounds < 10_000_000, "progress");
            }
            Collect collected = new Collect();
            ByteBuffer all = ByteBuffer.wrap(transport.written.toByteArray());
            new FrameDecoder(Role.SERVER, Wire.MAX_PAYLOAD).decode(all, collected);
            assertEquals(0, all.remaining(), "whole frames only, chunk " + chunk);
            assertEquals(replay.head(), writer.sentOffset());
            List<String> data = collected.frames.stream().filter(f -> f.startsWith("DATA")).toList();
            assertEquals(frames, data.size());
            for (int i = 1; i <= frames; i++) {
                assertEquals("DATA" + i, data.get(i - 1));
            }
            assertEquals(pings, collected.frames.stream().filter(f -> f.startsWith("PING")).count(), "every PING went out");
        }
    }

    private static ReplayBuffer replayWithFrames(long[] starts) {
        ReplayBuffer replay = new ReplayBuffer(new BufferPool(256 * 1024, 4), 2 << 20);
        for (int i = 0; i < starts.length; i++) {
            starts[i] = replay.head();
            ByteBuffer slot = replay.reserveData(1000);
            int n = slot.remaining();
            for (int k = 0; k < n; k++) {
                slot.put((byte) (i + 1));
            }
            replay.commitData(1, n);
        }
        return replay;
    }

    /** After a make-before-break move the peer may acknowledge frames this link never (re)sent. */
    @Test
    void anAckBeyondTheCursorSkipsResendingButNeverFreesAHalfWrittenFrame() throws Exception {
        long[] starts = new long[4];
        ReplayBuffer replay = replayWithFrames(starts);
        // At a frame boundary: the cursor jumps to the ACK, nothing before it is resent.
        ChunkingTransport transport = new ChunkingTransport(1 << 20);
        LinkWriter writer = new LinkWriter(transport, "test");
        writer.sendReplayFrom(replay, 0);
        replay.acknowledge(starts[2]);
        writer.flush(true);
        assertEquals(replay.head() - starts[2], transport.written.size(), "only the frames the peer lacks");
        assertEquals(replay.head(), writer.sentOffset());
        // Halfway through a frame: only what lies before that frame may be freed.
        long[] again = new long[4];
        ReplayBuffer second = replayWithFrames(again);
        LinkWriter halfway = new LinkWriter(new ChunkingTransport(50), "test");
        halfway.sendReplayFrom(second, 0);
        halfway.flush(true); // 50 bytes of the first frame
        second.acknowledge(again[3]);
        assertEquals(again[0], second.acked(), "the half-written frame is pinned");
        assertEquals(again[3], second.highestAck(), "the ACK is remembered, not forgotten");
    }

    /**
     * Right after a move the new link may be halfway through a resent frame when the peer acknowledges more
     * (it got those frames on the old link). The part beyond the frame waits for the frame, not forgotten:
     * once the frame is out the cursor skips what the peer has and the whole ACK frees the buffer.
     * (Forgetting it left the buffer full with no ACK ever coming again: a stalled session.)
     */
    @Test
    void anAckBeyondAHalfWrittenFrameIsHeldUntilTheFrameIsOut() throws Exception {
        long[] starts = new long[5];
        ReplayBuffer replay = replayWithFrames(starts);
        ChunkingTransport transport = new ChunkingTransport(50);
        LinkWriter writer = new LinkWriter(transport, "test");
        writer.sendReplayFrom(replay, 0);
        assertEquals(LinkWriter.Result.BLOCKED, writer.flush(true)); // 50 bytes into the first frame
        replay.acknowledge(starts[3]);
        assertEquals(starts[0], replay.acked(), "the half-written frame stays");
        while (writer.sentOffset() < starts[1]) {
            writer.flush(true);
        }
        assertEquals(starts[3], replay.acked(), "the frame is out: the whole ACK frees the buffer");
        transport.chunk = 1 << 20;
        writer.flush(true);
        List<Long> seqs = new ArrayList<>();
        new FrameDecoder(Role.SERVER, Wire.MAX_PAYLOAD).decode(ByteBuffer.wrap(transport.written.toByteArray()), new AnyFrame() {
            @Override
            public boolean admitSequenced(FrameType type, long seq, int frameBytes) {
                seqs.add(seq);
                return true;
            }
        });
        assertEquals(List.of(starts[0], starts[3], starts[4]), seqs, "what the peer acknowledged is not resent");
    }

    /**
     * A closing link halfway through a frame whose bytes the peer acknowledged through the new link (so the
     * buffer freed them) stops with an I/O error, which closes it, instead of reading freed memory.
     */
    @Test
    void aClosingLinkStopsWhenItsHalfWrittenFrameWasAcknowledgedElsewhere() throws Exception {
        BufferPool pool = new BufferPool(256 * 1024, 4);
        ReplayBuffer replay = new ReplayBuffer(pool, 2 << 20);
        for (int i = 0; i < 2; i++) {
            ByteBuffer slot = replay.reserveData(200_000);
            int n = slot.remaining();
            slot.position(slot.limit());
            replay.commitData(1, n);
        }
        ChunkingTransport transport = new ChunkingTransport(50);
        LinkWriter old = new LinkWriter(transport, "test");
        old.sendReplayFrom(replay, 0);
        old.flush(true);
        old.stopCarrying(); // the session moved to a new link and this one is closing: it holds its frame no longer ...
        replay.acknowledge(replay.head()); // ... and the peer acknowledged everything through it
        assertThrows(IOException.class, () -> old.flush(false));
    }

    @Test
    void controlFramesJumpAheadOfQueuedData() throws Exception {
        BufferPool pool = new BufferPool(256 * 1024, 4);
        ReplayBuffer replay = new ReplayBuffer(pool, 2 << 20);
        ChunkingTransport transport = new ChunkingTransport(1 << 20);
        LinkWriter writer = new LinkWriter(transport, "test");
        writer.sendReplayFrom(replay, 0);
        for (int i = 0; i < 10; i++) {
            ByteBuffer slot = replay.reserveData(60_000);
            int n = slot.remaining();
            slot.position(slot.limit());
            replay.commitData(1, n);
        }
        FrameEncoder.ping(writer.controlSlot(FrameEncoder.LONG_FRAME_BYTES), 42);
        writer.flush(true);
        Collect collected = new Collect();
        ByteBuffer all = ByteBuffer.wrap(transport.written.toByteArray());
        new FrameDecoder(Role.SERVER, Wire.MAX_PAYLOAD).decode(all, collected);
        assertEquals("PING42", collected.frames.get(0));
    }
}
