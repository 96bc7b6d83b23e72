package io.roamtun.client.paths;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InterfaceTableTest {

    static InterfaceSnapshot nif(String name, int index, boolean up, String... addresses) throws Exception {
        List<InetAddress> list = new ArrayList<>();
        for (String a : addresses) {
            list.add(InetAddress.getByName(a));
        }
        return new InterfaceSnapshot(name, index, up, name.equals("lo"), false, 1500, list);
    }

    private static List<String> strings(List<InterfaceEvent> events) {
        return events.stream().map(InterfaceEvent::toString).toList();
    }

    @Test
    void firstPollReportsEveryInterfaceAdded() throws Exception {
        InterfaceTable table = new InterfaceTable();
        assertEquals(List.of("lo added", "wlan0 added"),
                strings(table.update(List.of(nif("lo", 1, true, "127.0.0.1"), nif("wlan0", 2, true, "192.0.2.2")))));
        assertTrue(table.update(List.of(nif("lo", 1, true, "127.0.0.1"), nif("wlan0", 2, true, "192.0.2.2"))).isEmpty(),
                "an unchanged poll says nothing");
    }

    @Test
    void everyKindOfChangeIsReported() throws Exception {
        InterfaceTable table = new InterfaceTable();
        table.update(List.of(nif("wlan0", 2, true, "192.0.2.2"), nif("eth0", 3, true, "198.51.100.2")));
        List<InterfaceEvent> events = table.update(List.of(
                nif("wlan0", 2, false, "192.0.2.2"),                 // went down
                nif("wwan0", 4, true, "203.0.113.9")));               // eth0 removed, wwan0 added
        assertEquals(List.of("eth0 removed", "wlan0 went down", "wwan0 added"), strings(events));
        events = table.update(List.of(nif("wlan0", 2, true, "192.0.2.7"), nif("wwan0", 4, true, "203.0.113.9")));
        assertEquals(List.of("wlan0 went up", "wlan0 address removed 192.0.2.2", "wlan0 address added 192.0.2.7"), strings(events));
    }

    @Test
    void holdsAnswersForTheCurrentPoll() throws Exception {
        InterfaceTable table = new InterfaceTable();
        InetAddress a = InetAddress.getByName("192.0.2.2");
        table.update(List.of(nif("wlan0", 2, true, "192.0.2.2")));
        assertTrue(table.holds("wlan0", a));
        table.update(List.of(nif("wlan0", 2, false, "192.0.2.2")));
        assertFalse(table.holds("wlan0", a), "down interfaces hold nothing usable");
        table.update(List.of());
        assertFalse(table.holds("wlan0", a));
    }
}
