package io.roamtun.engine.admin;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/**
 * {@code --metrics HOST:PORT}: the agent's {@link AgentFigures} as Prometheus text on {@code /metrics},
 * through the Prometheus Java client. A scrape takes the figures from the agent's loop once, for all its
 * metrics: nothing on the data path changes for metrics.
 */
public final class MetricsEndpoint implements AutoCloseable {
    private final HTTPServer server;

    private MetricsEndpoint(HTTPServer server) {
        this.server = server;
    }

    /** Serves {@code fromLoop}'s figures (taken once per scrape, from the HTTP thread) on {@code at}, labelled with {@code agent}. */
    public static MetricsEndpoint start(InetSocketAddress at, String agent, Supplier<AgentFigures> fromLoop) throws IOException {
        Supplier<AgentFigures> figures = new OncePerScrape(fromLoop);
        PrometheusRegistry registry = new PrometheusRegistry();
        CounterWithCallback.builder().name("roamtun_data_bytes").help("DATA bytes carried, by direction (out: to the peer agent)")
                .labelNames("agent", "direction").callback(cb -> {
                    AgentFigures f = figures.get();
                    cb.call(f.dataBytesOut(), agent, "out");
                    cb.call(f.dataBytesIn(), agent, "in");
                }).register(registry);
        CounterWithCallback.builder().name("roamtun_streams").help("streams since start").labelNames("agent")
                .callback(cb -> cb.call(figures.get().streams(), agent)).register(registry);
        CounterWithCallback.builder().name("roamtun_resumes").help("sessions resumed or moved to another link since start")
                .labelNames("agent").callback(cb -> cb.call(figures.get().resumes(), agent)).register(registry);
        CounterWithCallback.builder().name("roamtun_refusals").help("handshakes refused since start, by kind")
                .labelNames("agent", "kind").callback(cb -> figures.get().refusals()
                        .forEach((kind, count) -> cb.call(count, agent, kind))).register(registry);
        CounterWithCallback.builder().name("roamtun_link_errors").help("links ended by an error since start, by code")
                .labelNames("agent", "kind").callback(cb -> figures.get().errors()
                        .forEach((kind, count) -> cb.call(count, agent, kind))).register(registry);
        GaugeWithCallback.builder().name("roamtun_streams_open").help("streams open now").labelNames("agent")
                .callback(cb -> cb.call(figures.get().streamsOpen(), agent)).register(registry);
        GaugeWithCallback.builder().name("roamtun_sessions_open").help("sessions held now").labelNames("agent")
                .callback(cb -> cb.call(figures.get().sessionsOpen(), agent)).register(registry);
        GaugeWithCallback.builder().name("roamtun_sessions_suspended").help("sessions held without a link now")
                .labelNames("agent").callback(cb -> cb.call(figures.get().sessionsSuspended(), agent)).register(registry);
        HTTPServer server;
        try {
            server = HTTPServer.builder().hostname(at.getHostString()).port(at.getPort()).registry(registry).buildAndStart();
        } catch (IOException e) {
            throw new IOException("--metrics " + at.getHostString() + ":" + at.getPort() + ": " + e.getMessage(), e);
        }
        LoggerFactory.getLogger(MetricsEndpoint.class).info("metrics on http://{}:{}/metrics", at.getHostString(), server.getPort());
        return new MetricsEndpoint(server);
    }

    @Override
    public void close() {
        server.close();
    }

    /**
     * One scrape calls every metric's callback in a row: they share one reading of the figures (one trip to
     * the loop, one sweep of the sessions, numbers that agree), taken again for a scrape 100 ms later.
     */
    private static final class OncePerScrape implements Supplier<AgentFigures> {
        private static final long FRESH_NANOS = 100_000_000L;
        private final Supplier<AgentFigures> source;
        private AgentFigures last;
        private long takenAt;

        OncePerScrape(Supplier<AgentFigures> source) {
            this.source = source;
        }

        @Override
        public synchronized AgentFigures get() {
            long now = System.nanoTime();
            if (last == null || now - takenAt > FRESH_NANOS) {
                last = source.get();
                takenAt = now;
            }
            return last;
        }
    }
}
