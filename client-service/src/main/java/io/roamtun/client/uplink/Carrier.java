package io.roamtun.client.uplink;

import io.roamtun.engine.link.Link;

/** The link carrying the session, with the route it took: changed together, never one without the others. */
record Carrier(Link link, Route route) {
    @Override
    public String toString() {
        return route.path() != null ? route.path().toString() : link.name();
    }
}
