package io.roamtun.server;

import io.roamtun.protocol.ErrorCode;
import java.util.EnumMap;
import java.util.Map;

/**
 * What the session registry counts since start, for status and metrics: sessions opened, RESUMEs accepted,
 * handshakes refused by the GOAWAY code they got, links ended by an error. Loop thread.
 */
final class RegistryCounts {
    private long sessionsOpened;
    private long resumes;
    private final Map<ErrorCode, Long> refused = new EnumMap<>(ErrorCode.class);
    /** Links ended by an error (not a refusal, a move or a goodbye), by code. */
    private final Map<ErrorCode, Long> linkErrors = new EnumMap<>(ErrorCode.class);

    void sessionOpened() {
        sessionsOpened++;
    }

    void resumed() {
        resumes++;
    }

    void refused(ErrorCode code) {
        refused.merge(code, 1L, Long::sum);
    }

    /** A link closed with {@code code}: counted when that is an error, not a refusal, a move or a goodbye. */
    void linkClosed(ErrorCode code) {
        if (code != ErrorCode.NO_ERROR && code != ErrorCode.SESSION_TAKEN_OVER && !code.isRefusal()) {
            linkErrors.merge(code, 1L, Long::sum);
        }
    }

    long sessionsOpened() {
        return sessionsOpened;
    }

    long resumes() {
        return resumes;
    }

    /** RESUMEs refused as stale or replayed: a used attempt number, or a connection older than the carrier. */
    long staleResumesRefused() {
        return refused.getOrDefault(ErrorCode.SESSION_TAKEN_OVER, 0L);
    }

    Map<ErrorCode, Long> refusals() {
        return new EnumMap<>(refused);
    }

    Map<ErrorCode, Long> linkErrors() {
        return new EnumMap<>(linkErrors);
    }
}
