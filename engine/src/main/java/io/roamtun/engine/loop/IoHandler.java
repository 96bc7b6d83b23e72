package io.roamtun.engine.loop;

import java.nio.channels.SelectionKey;

/** What a registered channel does when the selector reports it ready. Runs on the loop thread only. */
public interface IoHandler {

    /** Called with the key's ready ops. Expected network errors are handled inside; never thrown. */
    void onReady(SelectionKey key);

    /** Called when {@link #onReady} threw: a bug. The handler must release what it holds. */
    void onFailure(Throwable bug);
}
