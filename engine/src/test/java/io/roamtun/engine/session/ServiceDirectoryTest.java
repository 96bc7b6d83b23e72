package io.roamtun.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetSocketAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceDirectoryTest {

    /** A client limited to some services is told which one it may not open, not that it does not exist. */
    @Test
    void aRefusalSaysWhetherTheServiceIsMissingOrWithheld() {
        ServiceDirectory all = new ServiceDirectory(Map.of(
                "web", InetSocketAddress.createUnresolved("web.internal", 80),
                "db", InetSocketAddress.createUnresolved("db.internal", 5432)));
        ServiceDirectory phone = all.restrictedTo("web"::equals, "phone");
        assertNotNull(phone.resolve("web"));
        assertNull(phone.resolve("db"));
        assertEquals("client 'phone' may not open service db", phone.whyNot("db"));
        assertEquals("no service named mail", phone.whyNot("mail"));
        assertEquals("no service named mail", all.whyNot("mail"));
    }
}
