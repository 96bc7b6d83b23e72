package io.roamtun.protocol;

/** Every frame in one handler: for tests and tools that look at a whole stream of frames. */
public interface FrameHandler extends LinkFrameHandler, SessionFrameHandler {
}
