package io.roamtun.engine.datagram;

/** What happened to a session's datagrams, for status and tests. Loop thread. */
public final class DatagramCounters {
    long sent;
    long received;
    long tooLarge;
    long unknownService;
    long unknownFlow;
    long flowLimit;
    long serviceErrors;
    long droppedLocal;
    long notNegotiated;
    long flowsOpened;

    public long sent() { return sent; }

    public long received() { return received; }

    /** Larger than a DATAGRAM frame can carry: refused at the sender. */
    public long tooLarge() { return tooLarge; }

    public long unknownService() { return unknownService; }

    /** Answers for a flow this side no longer knows (it was idle too long). */
    public long unknownFlow() { return unknownFlow; }

    /** Flows closed early to make room for new ones, the session's flows being at their limit. */
    public long flowLimit() { return flowLimit; }

    public long serviceErrors() { return serviceErrors; }

    /** A local UDP socket's send buffer was full: dropped here, as the network would. */
    public long droppedLocal() { return droppedLocal; }

    /** Sent to a peer that does not speak datagrams (an older version). */
    public long notNegotiated() { return notNegotiated; }

    public long flowsOpened() { return flowsOpened; }
}
