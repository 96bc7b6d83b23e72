package io.roamtun.e2e;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/** Deterministic pseudo-random bytes, produced in blocks, with a running SHA-256. */
final class Payload {
    private final SplittableRandom random;
    private final MessageDigest digest = sha256();
    private long remaining;

    Payload(long seed, long length) {
        this.random = new SplittableRandom(seed);
        this.remaining = length;
    }

    /** Fills up to {@code buf.length} next bytes; returns the count, 0 when done. */
    int next(byte[] buf) {
        int n = (int) Math.min(buf.length, remaining);
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            long v = random.nextLong();
            buf[i] = (byte) v;
            buf[i + 1] = (byte) (v >>> 8);
            buf[i + 2] = (byte) (v >>> 16);
            buf[i + 3] = (byte) (v >>> 24);
            buf[i + 4] = (byte) (v >>> 32);
            buf[i + 5] = (byte) (v >>> 40);
            buf[i + 6] = (byte) (v >>> 48);
            buf[i + 7] = (byte) (v >>> 56);
        }
        for (; i < n; i++) {
            buf[i] = (byte) random.nextInt();
        }
        digest.update(buf, 0, n);
        remaining -= n;
        return n;
    }

    String sha256Hex() {
        return HexFormat.of().formatHex(digest.digest());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
