package io.roamtun.engine.datagram;

/** What happened to a session's datagrams, for status. Loop thread. */
public final class DatagramCounters {
    long sent;
    long received;
    /** Larger than a DATAGRAM frame can carry: refused at the sender. */
    long tooLarge;
    long unknownService;
    /** Answers for a flow this side no longer knows (it was idle too long). */
    long unknownFlow;
    /** Flows closed early to make room for new ones, the session's flows being at their limit. */
    long flowsEvicted;
    /** New flows refused by the agent's descriptor quota. */
    long overQuota;
    /** A service's socket said no (ICMP port unreachable, most often). */
    long serviceErrors;
    /** A local UDP socket's send buffer was full: dropped here, as the network would. */
    long droppedLocal;
    /** Sent to a peer that does not speak datagrams (an older version). */
    long notNegotiated;

    public long sent() { return sent; }

    public long received() { return received; }

    /** "N too large, ..." for status. */
    String describeDrops() {
        return tooLarge + " too large, " + unknownService + " unknown service, " + droppedLocal + " local buffer full, "
                + unknownFlow + " for forgotten flows, " + serviceErrors + " refused by the service, " + overQuota
                + " over the descriptor quota, " + notNegotiated + " not supported by the peer; " + flowsEvicted
                + " idle flows closed to make room";
    }
}
