package io.roamtun.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.roamtun.engine.buffer.BufferPool;
import io.roamtun.engine.loop.EventLoop;
import io.roamtun.protocol.ErrorCode;
import io.roamtun.protocol.FrameType;
import io.roamtun.protocol.ProtocolException;
import io.roamtun.protocol.Role;
import org.junit.jupiter.api.Test;

/** The sequence and resume arithmetic, without sockets. */
class SessionSequenceTest {

    @Test
    void framesAreTakenInOrderDuplicatesSkippedGapsRefused() throws Exception {
        try (EventLoop loop = new EventLoop("test-loop").start()) {
            loop.call(() -> {
                Session session = new Session(loop, Role.SERVER, SessionSettings.defaults(), new BufferPool(256 * 1024, 4),
                        new BufferPool(16 * 1024, 4), null, ServiceDirectory.empty(), (s, r) -> { }, "test");
                try {
                    assertTrue(session.frames().admitSequenced(FrameType.DATA, 0, 100));
                    assertTrue(session.frames().admitSequenced(FrameType.FIN, 100, 20));
                    assertEquals(120, session.receivedOffset());
                    assertFalse(session.frames().admitSequenced(FrameType.DATA, 0, 100), "replayed after a resume: skipped");
                    assertFalse(session.frames().admitSequenced(FrameType.FIN, 100, 20), "replayed: skipped");
                    assertEquals(120, session.receivedOffset());
                } catch (ProtocolException e) {
                    throw new AssertionError(e);
                }
                ProtocolException gap = assertThrows(ProtocolException.class, () -> session.frames().admitSequenced(FrameType.DATA, 500, 30));
                assertEquals(ErrorCode.SEQUENCE_ERROR, gap.code());
                ProtocolException straddle = assertThrows(ProtocolException.class,
                        () -> session.frames().admitSequenced(FrameType.DATA, 110, 30));
                assertEquals(ErrorCode.SEQUENCE_ERROR, straddle.code(), "a frame straddling the received offset is a lie");
                return null;
            });
        }
    }
}
