package io.roamtun.protocol;

/**
 * Which end of a session this is. Each side opens streams from its own id space so both can open
 * streams without coordination: the client uses odd ids, the server even ids (0 is the session itself).
 */
public enum Role {
    CLIENT(1),
    SERVER(2);

    private final int firstStreamId;

    Role(int firstStreamId) {
        this.firstStreamId = firstStreamId;
    }

    public int firstStreamId() {
        return firstStreamId;
    }

    public Role peer() {
        return this == CLIENT ? SERVER : CLIENT;
    }

    /** True when streams with this id are opened by this role. */
    public boolean opens(int streamId) {
        return streamId != 0 && (streamId & 1) == (firstStreamId & 1);
    }
}
