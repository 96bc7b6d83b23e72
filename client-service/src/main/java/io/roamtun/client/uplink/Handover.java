package io.roamtun.client.uplink;

/**
 * One change of the link carrying the session, as logged and as {@code status} shows it.
 *
 * @param from             the path before, or "none" when the session was suspended without one
 * @param to               the path now
 * @param cause            why: interface went down, link quiet, better interface appeared, switch requested...
 * @param planned          make-before-break (the old link carried traffic until the new one took over)
 * @param pauseMillis      how long the session was suspended (0 for a planned move)
 * @param resentToServer   bytes this side resends
 * @param resentByServer   bytes the server resends
 * @param atEpochMillis    when it completed
 */
public record Handover(String from, String to, String cause, boolean planned, long pauseMillis, long resentToServer,
                       long resentByServer, long atEpochMillis) {
    public String describe() {
        return "handover " + from + " -> " + to + ", cause: " + cause + (planned ? " (make-before-break)" : "")
                + ", pause " + pauseMillis + " ms, resent " + resentToServer + " bytes to the server, "
                + resentByServer + " bytes from it";
    }
}
