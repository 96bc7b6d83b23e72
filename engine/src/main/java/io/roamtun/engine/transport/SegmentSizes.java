package io.roamtun.engine.transport;

/**
 * Sizes chosen so that what an agent writes to a loopback socket fills whole TCP segments. On loopback (MTU
 * 65,536) a segment holds 65,483 bytes over IPv4 with timestamps and 65,464 over IPv6; a write one byte
 * longer leaves a second segment of a byte or so, and a segment costs the kernel about the same whatever
 * it holds: writing 65,536-byte chunks to a loopback peer takes twice the CPU of 65,483-byte ones (measured
 * 2026-12, see the TLS issue's note). Both hops next to the apps are loopback in the usual set-up (app to
 * client-service, server-service to a backend on its host), and so is the link when both agents share a host.
 * On an Ethernet path (segments of ~1,448 bytes, cut by the NIC) these sizes cost nothing.
 */
public final class SegmentSizes {
    /** The IPv6 loopback segment: also within the IPv4 one and those without timestamps. */
    public static final int LOOPBACK_SEGMENT = 65_464;
    /** Bytes a TLS 1.3 record adds to its plaintext: header (5), content type (1), AEAD tag (16). */
    public static final int TLS_RECORD_OVERHEAD = 22;
    /** The plaintext of one TLS record: four records fill one segment. */
    public static final int TLS_RECORD_PLAINTEXT = LOOPBACK_SEGMENT / 4 - TLS_RECORD_OVERHEAD;
    /**
     * The most a DATA frame carries: the frame fits a segment as it is on a plaintext link, its payload
     * written alone fits one, and with Conscrypt it is four records' plaintext (the JDK's records carry 16
     * bytes less: {@link TlsRecordCutter}), so a TLS link's stream of full frames stays on records' ends.
     */
    public static final int DATA_PAYLOAD = 4 * TLS_RECORD_PLAINTEXT - io.roamtun.protocol.Wire.HEADER_BYTES;
    /** Records per write: a multiple of four, so a write of a full batch ends on a segment's end. */
    public static final int TLS_RECORDS_PER_WRITE = 16;

    private SegmentSizes() {}
}
