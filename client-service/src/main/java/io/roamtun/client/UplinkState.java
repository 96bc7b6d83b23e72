package io.roamtun.client;

/**
 * The client's side of keeping its session carried by a link.
 *
 * <pre>
 *   CONNECTING --(WELCOME / RESUMED)--> ACTIVE --(link lost)--> CONNECTING (session suspended)
 *       |  ^                              |  ^
 *       |  +------(backoff over, or an    |  +-- a new link resumes the session while the old one
 *       v         interface appeared)     |      still carries it (make-before-break): stays ACTIVE
 *     WAITING <---(attempt failed)--------+
 *   any --(stop)--> STOPPED
 * </pre>
 */
public enum UplinkState {
    /** No link carries the session; an attempt (connect, HELLO or RESUME) is under way. */
    CONNECTING,
    /** A link carries the session (another attempt may be under way to move it). */
    ACTIVE,
    /** No link and no attempt: backing off, or no interface is usable. */
    WAITING,
    STOPPED
}
