package io.roamtun.engine.loop;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One selector thread. Only this thread touches its selector, keys, timers and everything registered
 * with it; other threads hand it work through {@link #execute}, which wakes the selector. Each turn:
 * select until the next timer, handle ready keys, run handed-over tasks, fire due timers, then run the
 * end-of-turn actions (link flushes), so many small writes made in one turn leave in one syscall.
 */
public final class EventLoop implements Executor, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventLoop.class);

    /** Tasks from other threads are rare (admin commands, shutdown); a full queue is a bug upstream. */
    private static final int MAX_PENDING_TASKS = 4096;

    private final Selector selector;
    private final Thread thread;
    private final ArrayBlockingQueue<Runnable> tasks = new ArrayBlockingQueue<>(MAX_PENDING_TASKS);
    private final Timers timers = new Timers();
    private final ArrayDeque<Runnable> endOfTurn = new ArrayDeque<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    /** Guarded by this: a loop closed before it started has no thread to wait for. */
    private boolean started;

    public EventLoop(String name) throws IOException {
        this.selector = Selector.open();
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(false);
    }

    public synchronized EventLoop start() {
        if (running) {
            thread.start();
            started = true;
        }
        return this;
    }

    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Runs the task on the loop thread: now when called from it, else at its next turn. */
    @Override
    public void execute(Runnable task) {
        if (inLoop()) {
            task.run();
            return;
        }
        if (!running) {
            throw new RejectedExecutionException("event loop " + thread.getName() + " is stopped");
        }
        if (!tasks.offer(task)) {
            throw new RejectedExecutionException("event loop " + thread.getName() + " has " + MAX_PENDING_TASKS + " tasks waiting");
        }
        selector.wakeup();
    }

    /** Runs {@code query} on the loop and waits for its answer: for status and tests, not the data path. */
    public <T> T call(java.util.function.Supplier<T> query) {
        if (inLoop()) {
            return query.get();
        }
        java.util.concurrent.CompletableFuture<T> answer = new java.util.concurrent.CompletableFuture<>();
        execute(() -> {
            try {
                answer.complete(query.get());
            } catch (RuntimeException e) {
                answer.completeExceptionally(e);
            }
        });
        try {
            return answer.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for " + thread.getName(), e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("event loop " + thread.getName() + " did not answer", e);
        }
    }

    public SelectionKey register(SelectableChannel channel, int ops, IoHandler handler) throws ClosedChannelException {
        assertInLoop();
        return channel.register(selector, ops, handler);
    }

    public Timer schedule(long delayNanos, Runnable task) {
        assertInLoop();
        return timers.schedule(System.nanoTime() + delayNanos, task);
    }

    /** Runs the action once at the end of this turn, after every ready key was handled. */
    public void atEndOfTurn(Runnable action) {
        assertInLoop();
        endOfTurn.add(action);
    }

    private void run() {
        try {
            while (running) {
                turn();
            }
        } catch (IOException | RuntimeException fatal) {
            log.error("event loop {} stopped by an unexpected error", thread.getName(), fatal);
        } finally {
            closeEverything();
            stopped.countDown();
        }
    }

    /**
     * One turn of the loop. A method of its own so the JIT compiles it like any hot method: a loop body left
     * in {@link #run}, entered once, would wait for on-stack replacement and run interpreted meanwhile (1-2%
     * of a busy agent's CPU, perf found, for most of a benchmark).
     */
    private void turn() throws IOException {
        long timeout = timers.millisUntilNext(System.nanoTime());
        if (!endOfTurn.isEmpty() || !tasks.isEmpty() || timeout == 0) {
            selector.selectNow();
        } else {
            selector.select(timeout < 0 ? 0 : timeout);
        }
        handleReadyKeys();
        runTasks();
        timers.runDue(System.nanoTime(), this::reportBug);
        runEndOfTurn();
    }

    private void handleReadyKeys() {
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
            SelectionKey key = it.next();
            it.remove();
            IoHandler handler = (IoHandler) key.attachment();
            if (!key.isValid()) {
                continue;
            }
            try {
                handler.onReady(key);
            } catch (RuntimeException | Error bug) {
                log.error("bug in {}; closing it, everything else carries on", handler, bug);
                try {
                    handler.onFailure(bug);
                } catch (RuntimeException second) {
                    log.error("cleanup after the bug failed too", second);
                    key.cancel();
                }
            }
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            try {
                task.run();
            } catch (RuntimeException | Error bug) {
                reportBug(bug);
            }
        }
    }

    private void runEndOfTurn() {
        int n = endOfTurn.size();
        for (int i = 0; i < n; i++) {
            Runnable action = endOfTurn.poll();
            try {
                action.run();
            } catch (RuntimeException | Error bug) {
                reportBug(bug);
            }
        }
    }

    private void reportBug(Throwable bug) {
        log.error("bug in a task on {}; the loop carries on", thread.getName(), bug);
    }

    private void closeEverything() {
        for (SelectionKey key : selector.keys()) {
            try {
                key.channel().close();
            } catch (IOException ignored) {
                // closing on the way out: nothing left to tell anyone
            }
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // as above
        }
    }

    /** Stops the loop and closes every channel registered with it. Safe from any thread. */
    @Override
    public void close() {
        synchronized (this) {
            running = false;
            if (!started) { // (e.g. the listen address was in use): close the selector here, no waiting
                closeEverything();
                stopped.countDown();
                return;
            }
        }
        selector.wakeup();
        if (!inLoop()) {
            try {
                if (!stopped.await(10, TimeUnit.SECONDS)) {
                    log.warn("event loop {} did not stop within 10 s", thread.getName());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public String name() {
        return thread.getName();
    }

    private void assertInLoop() {
        if (!inLoop()) {
            throw new IllegalStateException("called outside event loop " + thread.getName());
        }
    }
}
