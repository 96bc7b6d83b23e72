package io.roamtun.engine.datagram;

import io.roamtun.engine.loop.IoHandler;
import io.roamtun.engine.session.Session;
import io.roamtun.engine.text.IoErrors;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bound UDP socket whose sources are flows of a session: a client's {@code --forward-udp} port, or a port
 * a server listens on for a client's {@code --expose-udp}. Each source that sends to it is a flow (opened by
 * its first datagram, forgotten after the idle timeout), whose answers are sent back to that source from
 * this socket, as the real service would answer. The session is asked for at each datagram (a new one
 * after a lost session gets new flows). At most {@link #MAX_SOURCES} flows at once. Loop thread.
 */
public final class DatagramPort implements IoHandler {
    private static final Logger log = LoggerFactory.getLogger(DatagramPort.class);
    static final int MAX_SOURCES = 4096;
    private static final int READS_PER_EVENT = 64;

    private record Flow(int id, Session session) {}

    private final String name;
    private final String service;
    private final DatagramChannel channel;
    private final Supplier<Session> sessions;
    /** Which sources may send (a gateway's --allow-from); the others' datagrams are dropped and counted. */
    private final java.util.function.Predicate<java.net.InetAddress> admit;
    private long refusedSources;
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(65_536);
    /** In the order of last use: when full, the source heard from longest ago makes room for a new one. */
    private final Map<SocketAddress, Flow> flows = new java.util.LinkedHashMap<>(16, 0.75f, true);
    private long droppedSources;
    private long droppedAnswers;

    /** {@code name}: for logs; {@code service}: what the flows' DATAGRAMs name; {@code sessions}: the session now (null: none). */
    public DatagramPort(String name, String service, DatagramChannel channel, Supplier<Session> sessions,
                        java.util.function.Predicate<java.net.InetAddress> admit) {
        this.name = name;
        this.service = service;
        this.channel = channel;
        this.sessions = sessions;
        this.admit = admit;
    }

    @Override
    public void onReady(SelectionKey key) {
        for (int i = 0; i < READS_PER_EVENT; i++) {
            scratch.clear();
            SocketAddress source;
            try {
                source = channel.receive(scratch);
            } catch (IOException e) {
                log.debug("{}: {}", name, IoErrors.reason(e));
                return;
            }
            if (source == null) {
                return;
            }
            if (!admit.test(((InetSocketAddress) source).getAddress())) {
                if (refusedSources++ == 0) {
                    log.info("{}: datagrams from {} dropped: not in --allow-from (counted from now on)", name, source);
                }
                continue;
            }
            Session session = sessions.get();
            if (session == null || session.isClosed()) {
                continue; // no session to carry it: dropped, as the network would
            }
            Flow flow = flows.get(source);
            if (flow == null || flow.session() != session) {
                if (flow == null && flows.size() >= MAX_SOURCES) {
                    if (droppedSources++ == 0) {
                        log.warn("{}: {} sources at once, the limit: the one heard from longest ago makes room", name, MAX_SOURCES);
                    }
                    flows.remove(flows.keySet().iterator().next());
                }
                Answers answers = new Answers(source);
                int id = session.datagrams().openFlow(answers);
                if (id < 0) {
                    continue;
                }
                flow = new Flow(id, session);
                answers.flow = flow;
                flows.put(source, flow);
            }
            session.datagrams().send(flow.id(), service, scratch.flip());
        }
    }

    /** Where one source's answers go. */
    private final class Answers implements SessionDatagrams.Reply {
        private final SocketAddress source;
        /** The flow these answers belong to; a newer one of the same source (a new session) is not this one's to drop. */
        Flow flow;

        Answers(SocketAddress source) {
            this.source = source;
        }

        @Override
        public void deliver(ByteBuffer data) {
            try {
                if (channel.send(data, source) == 0) {
                    droppedAnswers++; // the socket's buffer is full: dropped, as the network would
                }
            } catch (IOException e) {
                droppedAnswers++;
                log.debug("{}: answer to {} dropped: {}", name, source, IoErrors.reason(e));
            }
        }

        @Override
        public void forgotten() {
            flows.remove(source, flow);
        }
    }

    /** "NAME: N flows[, dropped ...]", for status. */
    public String describe() {
        return name + ": " + traffic();
    }

    /** "N flows[, dropped ...]". */
    public String traffic() {
        return flows.size() + " flows"
                + (refusedSources == 0 ? "" : ", " + refusedSources + " datagrams refused (not in --allow-from)")
                + (droppedSources + droppedAnswers == 0 ? ""
                        : ", dropped " + droppedSources + " from sources over the limit, " + droppedAnswers + " answers");
    }

    @Override
    public void onFailure(Throwable bug) {
        log.error("{} failed; still receiving", name, bug);
    }
}
