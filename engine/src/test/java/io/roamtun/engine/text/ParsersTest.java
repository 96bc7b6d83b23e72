package io.roamtun.engine.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ParsersTest {

    @Test
    void durationsNeedAUnit() throws Exception {
        assertEquals(Duration.ofMillis(250), Durations.parse("--x", "250ms"));
        assertEquals(Duration.ofSeconds(3), Durations.parse("--x", "3s"));
        assertEquals(Duration.ofMinutes(10), Durations.parse("--x", "10m"));
        assertEquals(Duration.ofHours(1), Durations.parse("--x", "1h"));
        assertThrows(UsageException.class, () -> Durations.parse("--x", "3"));
        assertThrows(UsageException.class, () -> Durations.parse("--x", "0s"));
        assertThrows(UsageException.class, () -> Durations.parse("--x", "-1s"));
        assertThrows(UsageException.class, () -> Durations.parse("--x", "1.5s"));
        assertEquals("1500ms", Durations.format(Duration.ofMillis(1500)));
        assertEquals("10m", Durations.format(Duration.ofMinutes(10)));
    }

    @Test
    void sizesInPowersOf1024() throws Exception {
        assertEquals(65536, Sizes.parse("--x", "65536"));
        assertEquals(512 * 1024, Sizes.parse("--x", "512KiB"));
        assertEquals(8L << 20, Sizes.parse("--x", "8MiB"));
        assertEquals(8L << 20, Sizes.parse("--x", "8m"));
        assertEquals(1L << 30, Sizes.parse("--x", "1GB"));
        assertThrows(UsageException.class, () -> Sizes.parse("--x", "lots"));
        assertThrows(UsageException.class, () -> Sizes.parse("--x", "-5"));
    }

    @Test
    void hostPorts() throws Exception {
        assertEquals(7000, HostPort.parse("--x", "127.0.0.1:7000").getPort());
        assertEquals("0:0:0:0:0:0:0:1", HostPort.parse("--x", "[::1]:7000").getAddress().getHostAddress());
        assertEquals("[0:0:0:0:0:0:0:1]:7000", HostPort.format(HostPort.parse("--x", "[::1]:7000")));
        assertThrows(UsageException.class, () -> HostPort.parse("--x", "::1:7000"));
        assertThrows(UsageException.class, () -> HostPort.parse("--x", "host"));
        assertThrows(UsageException.class, () -> HostPort.parse("--x", "host:port"));
        assertThrows(UsageException.class, () -> HostPort.parse("--x", ":80"));
        assertThrows(UsageException.class, () -> HostPort.parse("--x", "127.0.0.1:65536"));
    }
}
