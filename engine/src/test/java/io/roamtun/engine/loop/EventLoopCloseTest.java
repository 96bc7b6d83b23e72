package io.roamtun.engine.loop;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

class EventLoopCloseTest {

    /**
     * An agent whose listen address is in use closes its loop before starting it. That close waited 10 s
     * for a thread that never ran, so "address in use" came after ten silent seconds and a spurious
     * warning. (The bound is only against that hang; it is not a speed measure.)
     */
    @Test
    void aLoopClosedBeforeItStartedClosesAtOnceAndStaysClosed() throws Exception {
        EventLoop loop = new EventLoop("never-started");
        assertTimeoutPreemptively(Duration.ofSeconds(5), loop::close);
        loop.start();
        assertThrows(RejectedExecutionException.class, () -> loop.execute(() -> { }), "closed for good");
    }
}
