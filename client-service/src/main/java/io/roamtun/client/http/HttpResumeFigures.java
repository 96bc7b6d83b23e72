package io.roamtun.client.http;

/** What the --http-resume forwards did since start: downloads taken up after a lost session, and those that could not be. Loop thread. */
public final class HttpResumeFigures {
    private long takenUp;
    private long refused;

    void takenUp() {
        takenUp++;
    }

    void refused() {
        refused++;
    }

    public long takenUpCount() {
        return takenUp;
    }

    public long refusedCount() {
        return refused;
    }

    @Override
    public String toString() {
        return "http downloads taken up after a lost session: " + takenUp + " (" + refused + " could not be: reset)";
    }
}
