package io.roamtun.client.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Following an HTTP/1.1 connection well enough to take a download up again at its offset, and refusing what it cannot map. */
class HttpDownloadsTest {
    private static final String GET = "GET /big.bin HTTP/1.1\r\nHost: backend\r\nUser-Agent: curl\r\nAccept: */*\r\n\r\n";

    private static ByteBuffer ascii(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Feeds {@code text} to the app side a few bytes at a time: heads split across reads. */
    private static void toApp(HttpDownloads d, String text, int step) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        for (int at = 0; at < bytes.length; at += step) {
            d.toApp(ByteBuffer.wrap(bytes, at, Math.min(step, bytes.length - at)));
        }
    }

    private static HttpHead head(String text) {
        HttpHead head = new HttpHead();
        head.feed(ascii(text));
        return head;
    }

    @Test
    void aGetWithAStrongEtagIsResumedWithRangeAndIfRange() {
        HttpDownloads d = new HttpDownloads();
        d.fromApp(ascii(GET.substring(0, 10)));
        d.fromApp(ascii(GET.substring(10)));
        toApp(d, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nETag: \"5f-abc\"\r\nLast-Modified: Mon, 07 Dec 2026 10:00:00 GMT\r\n\r\n"
                + "x".repeat(400), 7);
        assertTrue(d.resumable(), d.whyNotResumable());
        assertEquals(400, d.bodyReceived());
        String again = new String(d.resumeRequest(), StandardCharsets.ISO_8859_1);
        assertEquals("GET /big.bin HTTP/1.1\r\nHost: backend\r\nUser-Agent: curl\r\nAccept: */*\r\nRange: bytes=400-\r\n"
                + "If-Range: \"5f-abc\"\r\n\r\n", again);
        assertNull(d.acceptsResumed(head("HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 400-999/1000\r\nContent-Length: 600\r\n\r\n")));
        assertTrue(d.acceptsResumed(head("HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-999/1000\r\nContent-Length: 1000\r\n\r\n"))
                .contains("not 'bytes 400-999/1000'"), "a range that does not start where the app is");
        assertTrue(d.acceptsResumed(head("HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 400-1999/2000\r\nContent-Length: 1600\r\n\r\n"))
                .contains("Content-Range"), "another length: another entity");
        assertTrue(d.acceptsResumed(head("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")).contains("answered 200"),
                "If-Range failed: the file changed");
    }

    @Test
    void keepAliveFollowsEachResponseToItsRequest() {
        HttpDownloads d = new HttpDownloads();
        d.fromApp(ascii("GET /small HTTP/1.1\r\nHost: b\r\n\r\n" + GET));
        toApp(d, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nETag: \"s\"\r\n\r\nhello"
                + "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nLast-Modified: Mon, 07 Dec 2026 10:00:00 GMT\r\nETag: W/\"weak\"\r\n\r\n"
                + "y".repeat(30), 13);
        assertTrue(d.resumable(), d.whyNotResumable());
        assertEquals(30, d.bodyReceived());
        String again = new String(d.resumeRequest(), StandardCharsets.ISO_8859_1);
        assertTrue(again.startsWith("GET /big.bin HTTP/1.1\r\n") && again.endsWith("Range: bytes=30-\r\n"
                + "If-Range: Mon, 07 Dec 2026 10:00:00 GMT\r\n\r\n"), "the second request, with Last-Modified (the ETag is weak): " + again);
        toApp(d, "y".repeat(70), 64);
        assertEquals("no download under way", d.whyNotResumable(), "between responses there is nothing to take up");
    }

    @Test
    void whatCannotBeMappedIsNotResumed() {
        HttpDownloads chunked = new HttpDownloads();
        chunked.fromApp(ascii(GET));
        toApp(chunked, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nETag: \"c\"\r\n\r\n10\r\n", 100);
        assertTrue(chunked.whyNotResumable().contains("chunked"), chunked.whyNotResumable());

        HttpDownloads gzip = new HttpDownloads();
        gzip.fromApp(ascii(GET));
        toApp(gzip, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nContent-Encoding: gzip\r\nETag: \"g\"\r\n\r\nzz", 100);
        assertTrue(gzip.whyNotResumable().contains("gzip"), gzip.whyNotResumable());

        HttpDownloads noValidator = new HttpDownloads();
        noValidator.fromApp(ascii(GET));
        toApp(noValidator, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nETag: W/\"weak\"\r\n\r\nzz", 100);
        assertTrue(noValidator.whyNotResumable().contains("no validator"), noValidator.whyNotResumable());

        HttpDownloads post = new HttpDownloads();
        post.fromApp(ascii("POST /upload HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"));
        assertTrue(post.whyNotResumable().contains("a request with a body"));

        HttpDownloads ranged = new HttpDownloads();
        ranged.fromApp(ascii("GET /big.bin HTTP/1.1\r\nRange: bytes=10-\r\n\r\n"));
        toApp(ranged, "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 10-99/100\r\nContent-Length: 90\r\nETag: \"r\"\r\n\r\nzz", 100);
        assertFalse(ranged.resumable(), "the app's own range request is left alone");

        HttpDownloads notHttp = new HttpDownloads();
        notHttp.fromApp(ascii("\u0016\u0003\u0001 a TLS client hello\r\n\r\n"));
        assertTrue(notHttp.whyNotResumable().contains("not HTTP/1.x"), notHttp.whyNotResumable());

        HttpDownloads huge = new HttpDownloads();
        huge.fromApp(ascii("GET / HTTP/1.1\r\nX-Long: " + "a".repeat(HttpHead.MAX_BYTES)));
        assertTrue(huge.whyNotResumable().contains("over " + HttpHead.MAX_BYTES), huge.whyNotResumable());
    }
}
