package io.roamtun.engine.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Batch buffers are large while few are out and small beyond that, so busy links hold a bounded amount. */
class TlsBuffersTest {

    @Test
    void batchesAreLargeUpToTheCapThenSmallAndALargeOneIsLentAgainOnceGivenBack() {
        TlsBuffers buffers = new TlsBuffers();
        List<ByteBuffer> lent = new ArrayList<>();
        for (int i = 0; i < TlsBuffers.MAX_LARGE_LENT; i++) {
            ByteBuffer b = buffers.acquireBatch();
            assertEquals(TlsBuffers.LARGE_BATCH, b.capacity(), "batch " + i);
            lent.add(b);
        }
        ByteBuffer small = buffers.acquireBatch();
        assertEquals(TlsBuffers.SMALL_BATCH, small.capacity(), "beyond the cap");
        assertEquals(TlsBuffers.MAX_LARGE_LENT, buffers.largeLent());

        buffers.releaseBatch(lent.remove(0));
        assertEquals(TlsBuffers.MAX_LARGE_LENT - 1, buffers.largeLent());
        ByteBuffer again = buffers.acquireBatch();
        assertEquals(TlsBuffers.LARGE_BATCH, again.capacity(), "a large one is free again");
        assertEquals(0, again.position(), "lent cleared");

        buffers.releaseBatch(small);
        buffers.releaseBatch(again);
        lent.forEach(buffers::releaseBatch);
        assertEquals(0, buffers.largeLent(), "all given back");
        assertEquals(TlsBuffers.LARGE_BATCH, buffers.acquireBatch().capacity(), "with none out, the next is large again");
    }
}
