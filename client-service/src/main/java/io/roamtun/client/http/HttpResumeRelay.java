package io.roamtun.client.http;

import io.roamtun.engine.loop.EventLoop;
import io.roamtun.engine.loop.IoHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One app connection of an {@code --http-resume} forward: its bytes go to and come from a connection to the
 * forward's tunnel port ({@code tunnel}: a stream of the session), watched by {@link HttpDownloads}. When
 * that connection breaks in the middle of a download that can be taken up (the session was lost for good,
 * say, with its node), the app's connection stays open: a new tunnel connection (a stream of the next
 * session) asks for the rest of the body with {@code Range} and {@code If-Range}, the answer's head is
 * checked and dropped, and the rest of the body follows on the app's connection as if nothing happened.
 * Anything else resets the app's connection, as a plain forward does. Two bounded buffers, backpressure
 * both ways. Loop thread.
 */
public final class HttpResumeRelay {
    private static final Logger log = LoggerFactory.getLogger(HttpResumeRelay.class);
    static final int BUFFER_BYTES = 64 * 1024;
    /** Takes-up of one download; beyond it the app's connection is reset. */
    static final int MAX_RESUMES = 5;

    private enum State { PASSING, CONNECTING, RESUMING, CLOSED }

    private final EventLoop loop;
    private final String name;
    private final InetSocketAddress tunnel;
    private final HttpResumeFigures figures;
    private final SocketChannel app;
    private final SelectionKey appKey;
    private SocketChannel upstream;
    private SelectionKey upKey;
    private State state = State.CONNECTING;
    /** App to tunnel, and tunnel to app: both in fill mode. */
    private final ByteBuffer toUp = ByteBuffer.allocate(BUFFER_BYTES);
    private final ByteBuffer toApp = ByteBuffer.allocate(BUFFER_BYTES);
    private final HttpDownloads downloads = new HttpDownloads();
    private ByteBuffer resumeRequest;
    private HttpHead resumedHead;
    private int resumes;
    private boolean appDone;
    private boolean upDone;
    /** The app's end has been passed on to the tunnel connection. */
    private boolean upShut;

    private HttpResumeRelay(EventLoop loop, String name, InetSocketAddress tunnel, HttpResumeFigures figures, SocketChannel app)
            throws IOException {
        this.loop = loop;
        this.name = name;
        this.tunnel = tunnel;
        this.figures = figures;
        this.app = app;
        app.configureBlocking(false);
        app.setOption(StandardSocketOptions.TCP_NODELAY, true);
        this.appKey = loop.register(app, 0, new Side(true));
    }

    /** Starts relaying {@code app}'s connection through a new connection to {@code tunnel}. */
    public static void start(EventLoop loop, String name, InetSocketAddress tunnel, HttpResumeFigures figures, SocketChannel app)
            throws IOException {
        HttpResumeRelay relay = new HttpResumeRelay(loop, name, tunnel, figures, app);
        try {
            relay.connect(null);
        } catch (IOException e) {
            relay.close();
            throw e;
        }
    }

    /** Opens a tunnel connection; with {@code resume}, its first bytes are that request. */
    private void connect(byte[] resume) throws IOException {
        upstream = SocketChannel.open();
        upstream.configureBlocking(false);
        upstream.setOption(StandardSocketOptions.TCP_NODELAY, true);
        resumeRequest = resume == null ? null : ByteBuffer.wrap(resume);
        upShut = false;
        resumedHead = resume == null ? null : new HttpHead();
        state = State.CONNECTING;
        upKey = loop.register(upstream, 0, new Side(false));
        if (upstream.connect(tunnel)) {
            connected();
        }
        interest();
    }

    private void connected() {
        state = resumeRequest != null ? State.RESUMING : State.PASSING;
    }

    /** Selector readiness of the app's socket ({@code app}) or of the tunnel connection. */
    private final class Side implements IoHandler {
        private final boolean appSide;

        Side(boolean appSide) {
            this.appSide = appSide;
        }

        @Override
        public void onReady(SelectionKey key) {
            if (state == State.CLOSED) {
                return;
            }
            if (appSide) {
                appReady(key);
            } else if (key == upKey) {
                upReady(key);
            }
            if (state != State.CLOSED) {
                interest();
            }
        }

        @Override
        public void onFailure(Throwable bug) {
            log.error("{}: relay failed; connection reset", name, bug);
            resetApp();
        }
    }

    private void appReady(SelectionKey key) {
        try {
            if (key.isReadable() && toUp.hasRemaining() && !appDone) {
                int start = toUp.position();
                int n = app.read(toUp);
                if (n < 0) {
                    appDone = true;
                    if ((state != State.PASSING && resumeRequest != null) || (upDone && toApp.position() == 0)) { // nothing to take up, or to give
                        close();
                        return;
                    }
                } else if (n > 0) {
                    if (upDone) { // the server has ended the connection: nothing will answer this
                        resetApp();
                        return;
                    }
                    downloads.fromApp(toUp.duplicate().flip().position(start));
                }
            }
            if (key.isValid() && key.isWritable()) {
                flushToApp();
            }
        } catch (IOException appGone) { // the app reset its connection: so does the tunnel's
            log.debug("{}: the app's connection broke: {}", name, appGone.getMessage());
            close();
        }
    }

    private void upReady(SelectionKey key) {
        try {
            if (key.isConnectable() && upstream.finishConnect()) {
                connected();
            }
            if (state == State.CONNECTING) {
                return;
            }
            if (key.isWritable() || (resumeRequest != null && resumeRequest.hasRemaining())) {
                flushToUp();
            }
            if (key.isReadable() && toApp.hasRemaining()) {
                int start = toApp.position();
                int n = upstream.read(toApp);
                if (n < 0) {
                    upstreamEnded("the tunnel connection ended", true);
                } else if (n > 0) {
                    fromTunnel(start);
                }
            }
        } catch (IOException broken) {
            upstreamEnded("the tunnel connection broke: " + broken.getMessage(), false);
        }
        flushToAppQuietly();
    }

    /** Bytes from the tunnel at {@code start}..position of {@code toApp}: the resumed head is dropped, the rest watched. */
    private void fromTunnel(int start) {
        while (state == State.RESUMING) {
            ByteBuffer fresh = toApp.duplicate().flip().position(start);
            resumedHead.feed(fresh);
            int headBytes = fresh.position() - start;
            toApp.position(start); // the head never reaches the app ...
            toApp.put(fresh); // ... the body after it does
            if (resumedHead.state() == HttpHead.State.READING) {
                return;
            }
            int status = resumedHead.status();
            if (status >= 100 && status < 200 && status != 101) { // an interim answer (100, 103): the real one follows
                resumedHead = new HttpHead();
                continue;
            }
            String refused = resumedHead.state() == HttpHead.State.MALFORMED ? "a malformed answer" : downloads.acceptsResumed(resumedHead);
            if (refused != null) {
                log.warn("{}: the download could not be taken up at byte {}: {}; the app's connection is reset", name,
                        downloads.bodyReceived(), refused);
                figures.refused();
                resetApp();
                return;
            }
            log.info("{}: download taken up at byte {} of {} ({} head bytes dropped)", name, downloads.bodyReceived(),
                    downloads.bodyLength(), headBytes);
            figures.takenUp();
            state = State.PASSING;
        }
        downloads.toApp(toApp.duplicate().flip().position(start));
        if (!downloads.midBody()) {
            resumes = 0; // the limit is per download
        }
    }

    /**
     * The tunnel connection is over ({@code clean}: an end, else a break). Mid-download, where it can be
     * taken up, a new one asks for the rest; otherwise an end is passed on once the app has every byte, and
     * a break resets the app's connection.
     */
    private void upstreamEnded(String why, boolean clean) {
        closeUpstream();
        String notResumable = downloads.whyNotResumable();
        if (notResumable == null && resumes < MAX_RESUMES && !appDone) {
            resumes++;
            log.info("{}: {} {} bytes into a {}-byte download; asking for the rest on a new tunnel connection (take-up {})",
                    name, why, downloads.bodyReceived(), downloads.bodyLength(), resumes);
            try {
                connect(downloads.resumeRequest());
            } catch (IOException e) {
                log.warn("{}: cannot reach the tunnel port: {}; the app's connection is reset", name, e.getMessage());
                resetApp();
            }
            return;
        }
        // An end after a whole message, or a break before any response began: what the app was given is whole,
        // so it gets it all and then the end. A cut in the middle of a response is a reset, as on a plain forward.
        if (clean ? !downloads.midBody() : !downloads.off() && !downloads.responseStarted()) {
            upDone = true;
            return;
        }
        log.info("{}: {}; not taken up ({}): the app's connection is reset", name, why,
                notResumable != null ? notResumable : "taken up " + MAX_RESUMES + " times already");
        resetApp();
    }

    private void flushToUp() throws IOException {
        if (resumeRequest != null && resumeRequest.hasRemaining()) {
            upstream.write(resumeRequest);
            if (resumeRequest.hasRemaining()) {
                return;
            }
        }
        if (state != State.PASSING) { // nothing of the app's goes before the resumed answer's head is checked
            return;
        }
        toUp.flip();
        try {
            upstream.write(toUp);
        } finally {
            toUp.compact();
        }
        if (appDone && toUp.position() == 0 && !upShut) {
            upstream.shutdownOutput();
            upShut = true;
        }
    }

    private void flushToApp() throws IOException {
        toApp.flip();
        app.write(toApp);
        toApp.compact();
        if (upDone && toApp.position() == 0) {
            app.shutdownOutput();
            if (appDone) {
                close();
            }
        }
    }

    private void flushToAppQuietly() {
        if (state == State.CLOSED) {
            return;
        }
        try {
            flushToApp();
        } catch (IOException appGone) {
            close();
        }
    }

    /** Reads only what the other side has room for; writes only what is waiting. */
    private void interest() {
        if (state == State.CLOSED) {
            return;
        }
        int appOps = (!appDone && toUp.hasRemaining() ? SelectionKey.OP_READ : 0) | (toApp.position() > 0 ? SelectionKey.OP_WRITE : 0);
        appKey.interestOps(appOps);
        if (upKey != null && upKey.isValid()) {
            int upOps;
            if (state == State.CONNECTING) {
                upOps = SelectionKey.OP_CONNECT;
            } else {
                boolean writing = (resumeRequest != null && resumeRequest.hasRemaining())
                        || (state == State.PASSING && (toUp.position() > 0 || (appDone && !upShut)));
                upOps = (!upDone && toApp.hasRemaining() ? SelectionKey.OP_READ : 0) | (writing ? SelectionKey.OP_WRITE : 0);
            }
            upKey.interestOps(upOps);
        }
    }

    private void resetApp() {
        try {
            app.setOption(StandardSocketOptions.SO_LINGER, 0); // a reset: no app takes a cut-off download for a whole one
        } catch (IOException ignored) {
            // closing anyway
        }
        close();
    }

    private void closeUpstream() {
        if (upKey != null) {
            upKey.cancel();
        }
        if (upstream != null) {
            try {
                upstream.close();
            } catch (IOException ignored) {
                // closing
            }
        }
        upKey = null;
    }

    private void close() {
        state = State.CLOSED;
        closeUpstream();
        appKey.cancel();
        try {
            app.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
