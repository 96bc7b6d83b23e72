package io.roamtun.engine.loop;

import java.time.Duration;

/** An agent that can stop taking new work and say when what it carries has finished (SIGTERM drains). */
public interface Drainable extends AutoCloseable {

    /**
     * Stops taking new sessions and streams and lets the open streams finish; runs {@code drained} (on the
     * loop) once none is open, or once {@code timeout} has passed; what is left then is reset by
     * {@link #close()}. Any thread; a second call does nothing.
     */
    void drain(Duration timeout, Runnable drained);

    @Override
    void close();
}
