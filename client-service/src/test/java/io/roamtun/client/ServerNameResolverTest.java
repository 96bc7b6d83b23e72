package io.roamtun.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A name with several addresses: each failed attempt moves on to the next, and answers in another order keep the one in use. */
class ServerNameResolverTest {

    private static InetAddress named(String name, String address) throws Exception {
        return InetAddress.getByAddress(name, InetAddress.getByName(address).getAddress());
    }

    private static InetSocketAddress awaitDelivery(List<InetSocketAddress> delivered, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (delivered.size() < count) {
            assertTrue(System.nanoTime() < deadline, "answer " + count + " delivered; got " + delivered);
            Thread.sleep(5);
        }
        return delivered.get(count - 1);
    }

    @Test
    void eachFailureMovesOnToTheNamesNextAddress() throws Exception {
        InetAddress dead = named("server.test", "127.0.0.9");
        InetAddress alive = named("server.test", "127.0.0.1");
        AtomicReference<InetAddress[]> answer = new AtomicReference<>(new InetAddress[] {dead, alive});
        List<InetSocketAddress> delivered = new CopyOnWriteArrayList<>();
        try (ServerNameResolver resolver = new ServerNameResolver("server.test", 4000, Runnable::run, delivered::add,
                host -> answer.get().clone())) {
            resolver.refresh();
            assertEquals(dead, awaitDelivery(delivered, 1).getAddress(), "the first address first");
            assertEquals("server.test", delivered.get(0).getHostString(), "the name is kept, for TLS");
            resolver.failed(); // within a second of the lookup: the next address of the same answer
            assertEquals(alive, awaitDelivery(delivered, 2).getAddress());
            resolver.failed();
            assertEquals(dead, awaitDelivery(delivered, 3).getAddress(), "round and round");

            Thread.sleep(1100); // a real lookup again, the answer now in the other order
            answer.set(new InetAddress[] {alive, dead});
            resolver.refresh();
            assertEquals(dead, awaitDelivery(delivered, 4).getAddress(), "a new order does not move the client off the address in use");
            Thread.sleep(1100);
            resolver.failed();
            assertEquals(alive, awaitDelivery(delivered, 5).getAddress(), "a failure after a real lookup moves on too");
            assertEquals(4000, delivered.get(4).getPort());
        }
    }
}
