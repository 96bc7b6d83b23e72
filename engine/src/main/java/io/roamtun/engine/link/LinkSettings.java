package io.roamtun.engine.link;

import java.time.Duration;

/**
 * Timing of one link.
 *
 * @param pingInterval      a PING goes out when nothing was received for this long
 * @param deadAfter         the link is declared dead when nothing was received for this long
 * @param handshakeTimeout  a link not established within this is closed
 */
public record LinkSettings(Duration pingInterval, Duration deadAfter, Duration handshakeTimeout) {
    public LinkSettings {
        if (pingInterval.isNegative() || pingInterval.isZero() || deadAfter.compareTo(pingInterval) <= 0) {
            throw new IllegalArgumentException("need 0 < ping interval (" + pingInterval + ") < dead-after (" + deadAfter + ")");
        }
    }

    /** PING at a third of the dead-after time, so two PINGs are lost before the link is given up. */
    public static LinkSettings forDeadAfter(Duration deadAfter, Duration handshakeTimeout) {
        return new LinkSettings(deadAfter.dividedBy(3), deadAfter, handshakeTimeout);
    }
}
