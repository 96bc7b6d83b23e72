package io.roamtun.client;

/**
 * The client's side of getting a session to the server.
 *
 * <pre>
 *   CONNECTING --(TCP up, HELLO sent)--> HANDSHAKING --(WELCOME)--> ACTIVE
 *       ^  |                                  |                        |
 *       |  +--(failed)--> WAITING <-----------+ (failed)               | (link lost: session over,
 *       +-----(backoff over)---+                                       |  a new one starts at once)
 *       +--------------------------------------------------------------+
 *   any --(stop)--> STOPPED
 * </pre>
 */
enum UplinkState {
    CONNECTING,
    HANDSHAKING,
    ACTIVE,
    WAITING,
    STOPPED
}
