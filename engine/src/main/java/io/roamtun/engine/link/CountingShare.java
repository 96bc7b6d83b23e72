package io.roamtun.engine.link;

/** A {@link ReplayShare} that counts the bytes of the session's frames its link wrote. */
final class CountingShare implements ReplayShare {
    private final ReplayShare share;
    private long bytes;

    CountingShare(ReplayShare share) {
        this.share = share;
    }

    long bytes() {
        return bytes;
    }

    @Override
    public long from(long cursor) {
        return share.from(cursor);
    }

    @Override
    public long until(long from) {
        return share.until(from);
    }

    @Override
    public void wrote(long written) {
        bytes += written;
        share.wrote(written);
    }
}
