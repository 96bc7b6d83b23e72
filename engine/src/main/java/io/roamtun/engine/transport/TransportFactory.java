package io.roamtun.engine.transport;

import io.roamtun.engine.transport.LinkTransport;
import io.roamtun.engine.transport.PlainTransport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;

/** Makes the transport for each new link: TLS (the default) or plaintext (only when asked for). */
public interface TransportFactory {

    /** Wraps a connected socket; {@code peer} is the address the client dialed (for its TLS name checks). */
    LinkTransport wrap(SocketChannel channel, InetSocketAddress peer) throws IOException;

    /** For logs: "TLS 1.3 (Conscrypt)" or "plaintext". */
    String describe();

    static TransportFactory plaintext() {
        return new TransportFactory() {
            @Override
            public LinkTransport wrap(SocketChannel channel, InetSocketAddress peer) {
                return new PlainTransport(channel);
            }

            @Override
            public String describe() {
                return "plaintext";
            }
        };
    }
}
