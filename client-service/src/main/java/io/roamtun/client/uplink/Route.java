package io.roamtun.client.uplink;

import io.roamtun.client.paths.PathChoice;
import java.net.InetSocketAddress;

/**
 * A way to the server-service: the interface path to send from (null when not roaming: the host's default
 * route) and the server's address to reach through it.
 */
record Route(PathChoice path, InetSocketAddress target) {
    String pathName() {
        return path != null ? path.toString() : "default route";
    }
}
