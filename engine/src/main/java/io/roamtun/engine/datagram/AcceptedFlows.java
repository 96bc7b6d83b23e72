package io.roamtun.engine.datagram;

import io.roamtun.engine.loop.EventLoop;
import io.roamtun.engine.loop.IoHandler;
import io.roamtun.engine.session.ServiceDirectory;
import io.roamtun.engine.text.HostPort;
import io.roamtun.engine.text.IoErrors;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The acceptor's side of UDP flows: the peer's flows, each a UDP socket connected to its service's address
 * (a server's {@code --udp-service}, or the target of a client's reverse UDP port), opened by the flow's
 * first datagram and closed after it has been idle for the idle timeout. Answers the service sends go back
 * on the same flow. At most {@link #MAX_FLOWS} at once per session. Loop thread.
 */
final class AcceptedFlows {
    private static final Logger log = LoggerFactory.getLogger(AcceptedFlows.class);
    static final int MAX_FLOWS = 1024;
    private static final int READS_PER_EVENT = 64;

    interface Answers {
        void answer(int flowId, String service, ByteBuffer data);
    }

    private final class Flow implements IoHandler {
        final int id;
        final String service;
        final DatagramChannel channel;
        SelectionKey key;
        long lastUsedNanos = System.nanoTime();

        Flow(int id, String service, DatagramChannel channel) {
            this.id = id;
            this.service = service;
            this.channel = channel;
        }

        @Override
        public void onReady(SelectionKey ready) {
            for (int i = 0; i < READS_PER_EVENT; i++) {
                scratch.clear();
                int n;
                try {
                    n = channel.read(scratch);
                } catch (IOException e) { // ICMP port unreachable from the service, most often: UDP's own loss
                    counters.serviceErrors++;
                    log.debug("UDP flow {} to {}: {}", id, service, IoErrors.reason(e));
                    return;
                }
                if (n <= 0) {
                    return;
                }
                lastUsedNanos = System.nanoTime();
                answers.answer(id, service, scratch.flip());
            }
        }

        void close() {
            if (channel.isOpen()) {
                releaseQuota.run(); // once: a closed flow's channel stays closed
            }
            if (key != null) {
                key.cancel();
            }
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing
            }
        }

        @Override
        public void onFailure(Throwable bug) {
            log.error("UDP flow {} to {} failed; closed", id, service, bug);
            flows.remove(id);
            close();
        }
    }

    private final EventLoop loop;
    private final Answers answers;
    private final DatagramCounters counters;
    /** Made with the first flow: most sessions carry no UDP. */
    private ByteBuffer scratch;
    /** In the order of last use: when full, the flow idle longest makes room for a new one. */
    private final Map<Integer, Flow> flows = new java.util.LinkedHashMap<>(16, 0.75f, true);
    private ServiceDirectory services = ServiceDirectory.empty();
    /** The agent's descriptor quota (the server's), or none. */
    private java.util.function.Supplier<String> takeQuota = () -> null;
    private Runnable releaseQuota = () -> { };

    AcceptedFlows(EventLoop loop, Answers answers, DatagramCounters counters) {
        this.loop = loop;
        this.answers = answers;
        this.counters = counters;
    }

    void useQuota(java.util.function.Supplier<String> take, Runnable release) {
        this.takeQuota = take;
        this.releaseQuota = release;
    }

    void useServices(ServiceDirectory services) {
        this.services = services;
    }

    /** A datagram of the peer's flow {@code id} for {@code service}: sent on, its flow opened first if need be. */
    void deliver(int id, String service, ByteBuffer data) {
        Flow flow = flows.get(id);
        if (flow != null && !flow.service.equals(service)) { // the peer reused the id for another service
            flows.remove(id).close();
            flow = null;
        }
        if (flow == null) {
            flow = open(id, service);
            if (flow == null) {
                return;
            }
        }
        flow.lastUsedNanos = System.nanoTime();
        try {
            if (flow.channel.write(data) == 0) {
                counters.droppedLocal++; // the socket's send buffer is full: dropped, as the network would
            }
        } catch (IOException e) {
            counters.serviceErrors++;
            log.debug("UDP flow {} to {}: {}", id, service, IoErrors.reason(e));
        }
    }

    private Flow open(int id, String service) {
        InetSocketAddress target = services.resolve(service);
        if (target == null) {
            if (counters.unknownService++ == 0) {
                log.warn("UDP datagrams for {} dropped: {}", service, services.whyNot(service));
            }
            return null;
        }
        if (flows.size() >= MAX_FLOWS) {
            if (counters.flowsEvicted++ == 0) {
                log.warn("UDP flows of a session at their limit ({}): the one idle longest makes room", MAX_FLOWS);
            }
            Flow oldest = flows.values().iterator().next();
            flows.remove(oldest.id);
            oldest.close();
        }
        String overQuota = takeQuota.get();
        if (overQuota != null) {
            if (counters.overQuota++ == 0) {
                log.warn("UDP flow for {} dropped: {}", service, overQuota);
            }
            return null;
        }
        if (scratch == null) {
            scratch = ByteBuffer.allocateDirect(65_536);
        }
        DatagramChannel channel = null;
        try {
            channel = DatagramChannel.open(target.getAddress() instanceof java.net.Inet6Address
                    ? java.net.StandardProtocolFamily.INET6 : java.net.StandardProtocolFamily.INET);
            channel.configureBlocking(false);
            channel.connect(target);
            Flow flow = new Flow(id, service, channel);
            flow.key = loop.register(channel, SelectionKey.OP_READ, flow);
            flows.put(id, flow);
            log.debug("UDP flow {} opened to {} ({})", id, service, HostPort.format(target));
            return flow;
        } catch (IOException e) {
            counters.serviceErrors++;
            releaseQuota.run();
            log.warn("UDP flow for {}: cannot open a socket to {}: {}", service, HostPort.format(target), IoErrors.reason(e));
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
            return null;
        }
    }

    /** Closes the flows idle since before {@code idleSinceNanos}. */
    void closeIdle(long idleSinceNanos) {
        for (Flow flow : new ArrayList<>(flows.values())) {
            if (flow.lastUsedNanos - idleSinceNanos < 0) {
                flows.remove(flow.id);
                flow.close();
            }
        }
    }

    int size() {
        return flows.size();
    }

    void closeAll() {
        flows.values().forEach(Flow::close);
        flows.clear();
    }
}
