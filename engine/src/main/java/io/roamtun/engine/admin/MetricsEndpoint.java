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
 * through the Prometheus Java client. Each metric's callback takes the figures from the agent's loop when
 * scraped: nothing on the data path changes for metrics.
 */
public final class MetricsEndpoint implements AutoCloseable {
    private final HTTPServer server;

    private MetricsEndpoint(HTTPServer server) {
        this.server = server;
    }

    /** Serves {@code figures} (called once per scrape, from the HTTP thread) on {@code at}, labelled with {@code agent}. */
    public static MetricsEndpoint start(InetSocketAddress at, String agent, Supplier<AgentFigures> figures) throws IOException {
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

    /** The port it listens on (the one given, or the one the system chose for 0). */
    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.close();
    }
}
