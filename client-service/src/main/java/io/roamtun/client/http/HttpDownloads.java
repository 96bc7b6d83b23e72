package io.roamtun.client.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What one HTTP/1.1 connection is doing, watched from both sides: the requests the app sent (in order, for
 * keep-alive) and how far into each response's body the app has got. A download can be taken up again on a
 * new connection when its request was a plain GET (no body, no Range of its own) and its response a 200
 * with a Content-Length, no content coding, no chunking, and a validator (a strong ETag, else
 * Last-Modified): {@link #resumeRequest} is the same request with {@code Range} and {@code If-Range}, and
 * {@link #acceptsResumed} checks the answer. Anything it cannot follow (a malformed or oversized head, a
 * chunked body, a request body, pipelined requests beyond {@link #MAX_PENDING}) turns watching off for the
 * connection: its bytes still pass untouched, it is just not resumable.
 */
public final class HttpDownloads {
    static final int MAX_PENDING = 16;

    private final Deque<HttpHead> requests = new ArrayDeque<>();
    private HttpHead request = new HttpHead();
    private HttpHead response = new HttpHead();
    /** The request the response being read answers, once its head is in. */
    private HttpHead answering;
    private long bodyLength = -1;
    private long bodyReceived;
    private boolean off;
    private String offReason;

    /** Bytes the app sent towards the server. */
    public void fromApp(ByteBuffer bytes) {
        ByteBuffer in = bytes.duplicate();
        while (!off && in.hasRemaining()) {
            request.feed(in);
            if (request.state() == HttpHead.State.MALFORMED) {
                turnOff("a request head that is not HTTP/1.x or over " + HttpHead.MAX_BYTES + " bytes");
            } else if (request.state() == HttpHead.State.COMPLETE) {
                if (request.contentLength() > 0 || request.field("transfer-encoding") != null) {
                    turnOff("a request with a body");
                } else if (requests.size() == MAX_PENDING) {
                    turnOff("more than " + MAX_PENDING + " requests waiting for their responses");
                } else {
                    requests.add(request);
                    request = new HttpHead();
                }
            }
        }
    }

    /** Bytes the server sent towards the app (only those the app is given). */
    public void toApp(ByteBuffer bytes) {
        ByteBuffer in = bytes.duplicate();
        while (!off && in.hasRemaining()) {
            if (answering == null) {
                response.feed(in);
                if (response.state() == HttpHead.State.MALFORMED) {
                    turnOff("a response head that is not HTTP/1.x or over " + HttpHead.MAX_BYTES + " bytes");
                } else if (response.state() == HttpHead.State.COMPLETE) {
                    startBody();
                }
            } else {
                int n = (int) Math.min(in.remaining(), bodyLength - bodyReceived);
                in.position(in.position() + n);
                bodyReceived += n;
                if (bodyReceived == bodyLength) {
                    endResponse();
                }
            }
        }
    }

    private void startBody() {
        int status = response.status();
        if (status == 101) {
            turnOff("a switch to another protocol");
            return;
        }
        if (status >= 100 && status < 200) { // an interim response: the real one follows
            response = new HttpHead();
            return;
        }
        if (requests.isEmpty()) {
            turnOff("a response to no request");
            return;
        }
        answering = requests.peek();
        boolean noBody = "HEAD".equals(answering.method()) || status == 204 || status == 304;
        if (response.field("transfer-encoding") != null) {
            turnOff("a chunked (or otherwise transfer-coded) body");
            return;
        }
        bodyLength = noBody ? 0 : response.contentLength();
        if (bodyLength < 0) {
            turnOff("a body without Content-Length");
            return;
        }
        bodyReceived = 0;
        if (bodyLength == 0) {
            endResponse();
        }
    }

    private void endResponse() {
        requests.poll();
        answering = null;
        response = new HttpHead();
        bodyLength = -1;
    }

    private void turnOff(String why) {
        off = true;
        offReason = why;
    }

    /** Whether a download is under way that a new connection could take up at {@link #bodyReceived()}. */
    public boolean resumable() {
        return whyNotResumable() == null;
    }

    /** Why the connection, cut now, could not be taken up again; null when it could. */
    public String whyNotResumable() {
        if (off) {
            return offReason;
        }
        if (answering == null) {
            return requests.isEmpty() ? "no download under way" : "the response's head has not come yet";
        }
        if (!"GET".equals(answering.method()) || answering.field("range") != null) {
            return "not a plain GET";
        }
        if (response.status() != 200) {
            return "a " + response.status() + " response";
        }
        String coding = codedBody(response);
        if (coding != null) {
            return coding;
        }
        if (validator() == null) {
            return "no validator (no strong ETag, no Last-Modified)";
        }
        if (requests.size() > 1 || request.length() > 0) {
            return "requests pipelined behind it";
        }
        return null;
    }

    /** Whether a response to the connection's requests has begun: its head, or its body, partly read. */
    public boolean responseStarted() {
        return answering != null || response.length() > 0;
    }

    public boolean off() {
        return off;
    }

    /** Whether a body is being read (and watched) and is not complete. */
    public boolean midBody() {
        return !off && answering != null && bodyReceived < bodyLength;
    }

    /** "a gzip-coded body" when {@code head}'s body has a content coding other than identity, else null. */
    private static String codedBody(HttpHead head) {
        String coding = head.field("content-encoding");
        return coding == null || coding.equalsIgnoreCase("identity") ? null : "a " + coding + "-coded body";
    }

    /** A strong ETag, else Last-Modified, else null. */
    private String validator() {
        String etag = response.field("etag");
        if (etag != null && etag.startsWith("\"")) {
            return etag;
        }
        return response.field("last-modified");
    }

    public long bodyReceived() {
        return bodyReceived;
    }

    public long bodyLength() {
        return bodyLength;
    }

    /** The download's request again, asking for the rest of the body only if the entity is unchanged. */
    public byte[] resumeRequest() {
        String head = new String(answering.raw(), StandardCharsets.ISO_8859_1);
        String withoutEnd = head.substring(0, head.length() - 2); // the head's last CRLF ends the empty line
        return (withoutEnd + "Range: bytes=" + bodyReceived + "-\r\nIf-Range: " + validator() + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * Whether {@code head}, the answer to {@link #resumeRequest}, carries the rest of this very body: a 206
     * whose Content-Range starts where the app is and covers the rest of the same length. Null when it
     * does; else why not (a 200: the entity changed, or the server ignores ranges).
     */
    public String acceptsResumed(HttpHead head) {
        if (head.status() != 206) {
            return "the server answered " + head.status() + " (206 expected: the file changed, or ranges are not served)";
        }
        String expected = "bytes " + bodyReceived + "-" + (bodyLength - 1) + "/" + bodyLength;
        String range = head.field("content-range");
        if (!expected.equals(range)) {
            return "Content-Range '" + range + "', not '" + expected + "'";
        }
        if (head.field("transfer-encoding") != null || head.contentLength() != bodyLength - bodyReceived) {
            return "a body of another length (or chunked)";
        }
        String coding = codedBody(head);
        if (coding != null) {
            return coding;
        }
        // A server that ignores If-Range but serves ranges: its validators still tell another entity.
        for (String validator : new String[] {"etag", "last-modified"}) {
            String was = response.field(validator);
            String now = head.field(validator);
            if (was != null && now != null && !was.equals(now)) {
                return validator + " " + now + ", not " + was + ": another version of the file";
            }
        }
        return null;
    }
}
