package io.roamtun.client;

import io.roamtun.client.uplink.Uplink;
import io.roamtun.engine.datagram.SessionDatagrams;
import io.roamtun.engine.loop.IoHandler;
import io.roamtun.engine.session.Session;
import io.roamtun.engine.text.IoErrors;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UDP socket of one {@code --forward-udp}: each source that sends to it is a flow of the session
 * (opened by its first datagram, forgotten after the idle timeout), whose answers are sent back to that
 * source from this socket, as the real service would answer. At most {@link #MAX_SOURCES} flows at once.
 * Loop thread.
 */
final class UdpForwardSocket implements IoHandler {
    private static final Logger log = LoggerFactory.getLogger(UdpForwardSocket.class);
    static final int MAX_SOURCES = 4096;
    private static final int READS_PER_EVENT = 64;

    private record Flow(int id, Session session) {}

    private final UdpForward forward;
    private final DatagramChannel channel;
    private final Uplink uplink;
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(65_536);
    private final Map<SocketAddress, Flow> flows = new HashMap<>();
    private long droppedSources;
    private long droppedAnswers;

    UdpForwardSocket(UdpForward forward, DatagramChannel channel, Uplink uplink) {
        this.forward = forward;
        this.channel = channel;
        this.uplink = uplink;
    }

    @Override
    public void onReady(SelectionKey key) {
        for (int i = 0; i < READS_PER_EVENT; i++) {
            scratch.clear();
            SocketAddress source;
            try {
                source = channel.receive(scratch);
            } catch (IOException e) {
                log.debug("{}: {}", forward, IoErrors.reason(e));
                return;
            }
            if (source == null) {
                return;
            }
            Session session = uplink.session();
            Flow flow = flows.get(source);
            if (flow == null || flow.session() != session) {
                if (flow == null && flows.size() >= MAX_SOURCES) {
                    if (droppedSources++ == 0) {
                        log.warn("{}: {} sources at once, the limit: datagrams of new ones are dropped", forward, MAX_SOURCES);
                    }
                    continue;
                }
                Answers answers = new Answers(source);
                flow = new Flow(session.datagrams().openFlow(answers), session);
                answers.flow = flow;
                flows.put(source, flow);
            }
            session.datagrams().send(flow.id(), forward.service(), scratch.flip());
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
                log.debug("{}: answer to {} dropped: {}", forward, source, IoErrors.reason(e));
            }
        }

        @Override
        public void forgotten() {
            flows.remove(source, flow);
        }
    }

    String describe() {
        String where;
        try {
            where = "udp " + io.roamtun.engine.text.HostPort.format(address()) + "=" + forward.service();
        } catch (IOException closed) {
            where = forward.toString();
        }
        return where + ": " + flows.size() + " flows" + (droppedSources + droppedAnswers == 0 ? ""
                : ", dropped " + droppedSources + " from sources over the limit, " + droppedAnswers + " answers");
    }

    InetSocketAddress address() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    @Override
    public void onFailure(Throwable bug) {
        log.error("{} failed; still receiving", forward, bug);
    }
}
