package io.roamtun.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The agents' command lines, run as real processes: help, bad input and exit codes, config files. */
class CommandLineTest {

    @Test
    void helpListsTheFlagsAndExitsZero() throws Exception {
        try (AgentProcess server = AgentProcess.server("--help")) {
            assertEquals(0, server.waitFor(30));
            for (String flag : new String[] {"--listen", "--service", "--insecure-plaintext", "--config", "--log-level"}) {
                assertTrue(server.output().contains(flag), flag + " in help:\n" + server.output());
            }
        }
        try (AgentProcess client = AgentProcess.client("--help")) {
            assertEquals(0, client.waitFor(30));
            for (String flag : new String[] {"--server", "--forward", "--insecure-plaintext", "--config", "--log-level"}) {
                assertTrue(client.output().contains(flag), flag + " in help:\n" + client.output());
            }
        }
    }

    @ParameterizedTest(name = "server {0}")
    @CsvSource(delimiter = '|', value = {
            "--listen 127.0.0.1:0 --service a=127.0.0.1:1                         | TLS needs the server's key",
            "--dir /nonexistent/roamtun --listen 127.0.0.1:0 --service a=127.0.0.1:1 | has no server key",
            "--listen 127.0.0.1:0 --service a=127.0.0.1:1 --insecure-plaintext --tls-provider openssl | not one of auto",
            "--insecure-plaintext --service a=127.0.0.1:1                         | --listen is required",
            "--insecure-plaintext --listen 127.0.0.1:99999 --service a=127.0.0.1:1 | not a port number",
            "--insecure-plaintext --listen 127.0.0.1:0                            | no --service given",
            "--insecure-plaintext --listen 127.0.0.1:0 --service a                | not NAME=HOST:PORT",
            "--insecure-plaintext --listen 127.0.0.1:0 --service a!=127.0.0.1:1   | not a valid name",
            "--insecure-plaintext --listen 127.0.0.1:0 --service a=x.invalid:1    | cannot resolve host",
            "--insecure-plaintext --listen 127.0.0.1:0 --service a=127.0.0.1:1 --dead-after 3  | not a duration",
            "--insecure-plaintext --listen 127.0.0.1:0 --service a=127.0.0.1:1 --log-level loud | not one of",
            "--insecure-plaintext --listen 127.0.0.1:0 --service a=127.0.0.1:1 --max-buffer-memory 1MiB | between 4MiB and 1TiB",
            "--insecure-plaintext --listen 127.0.0.1:0 --service a=127.0.0.1:1 --max-buffer-memory much | not a size",
            "--insecure-plaintext --bogus                                         | Unrecognized option",
            "--insecure-plaintext --config /nonexistent/roamtun.properties         | cannot read",
    })
    void serverRefusesBadInputWithOneLineAndExitTwo(String args, String expected) throws Exception {
        try (AgentProcess server = AgentProcess.server(args.trim().split("\\s+"))) {
            assertEquals(2, server.waitFor(30), server.output());
            assertTrue(server.output().contains(expected), "expected '" + expected + "' in:\n" + server.output());
            assertEquals(1, server.output().lines().count(), "one line:\n" + server.output());
        }
    }

    @ParameterizedTest(name = "client {0}")
    @CsvSource(delimiter = '|', value = {
            "--server 127.0.0.1:1 --forward 8080=web                 | say how to trust the server",
            "--server 127.0.0.1:1 --forward 8080=web --server-fingerprint md5:00 | a fingerprint starts with sha256:",
            "--server 127.0.0.1:1 --forward 8080=web --server-fingerprint sha256:abc | 64 hex digits",
            "--insecure-plaintext --server 127.0.0.1:1 --forward 8080=web --credential nocolon | must be NAME:SECRET",
            "--insecure-plaintext --server 127.0.0.1:1 --forward 8080=web --credential-file /nonexistent | cannot read",
            "--insecure-plaintext --forward 8080=web                 | --server is required",
            "--insecure-plaintext --server 127.0.0.1:1               | no --forward given",
            "--insecure-plaintext --server 127.0.0.1:1 --forward web | not [BIND_ADDR:]PORT=NAME",
            "--insecure-plaintext --server 127.0.0.1:1 --forward 70000=web | not a port number",
            "--insecure-plaintext --server 127.0.0.1:1 --forward 8080=web --forward 8080=db | given twice",
            "--insecure-plaintext --server 127.0.0.1:1 --forward 8080=web --replay-buffer lots | not a size",
            "--insecure-plaintext --server localhost --forward 8080=web | not HOST:PORT",
    })
    void clientRefusesBadInputWithOneLineAndExitTwo(String args, String expected) throws Exception {
        try (AgentProcess client = AgentProcess.client(args.trim().split("\\s+"))) {
            assertEquals(2, client.waitFor(30), client.output());
            assertTrue(client.output().contains(expected), "expected '" + expected + "' in:\n" + client.output());
            assertEquals(1, client.output().lines().count(), "one line:\n" + client.output());
        }
    }

    @Test
    void configFileSuppliesOptionsAndFlagsWin(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("server.properties");
        Files.writeString(config, "insecure-plaintext=true\nlisten=127.0.0.1:1\nservice=a=127.0.0.1:1,b=127.0.0.1:2\n");
        try (AgentProcess server = AgentProcess.server("--config", config.toString(), "--listen", "127.0.0.1:0")) {
            String port = server.await("listening on 127\\.0\\.0\\.1:(\\d+) .*services: \\[a, b\\]", 30);
            assertTrue(Integer.parseInt(port) > 1, "the flag's port 0 won over the file's 1");
        }
    }

    @Test
    void configFileWithAnUnknownKeyIsRefused(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("client.properties");
        Files.writeString(config, "insecure-plaintext=true\nserver=127.0.0.1:1\nforwards=8080=web\n");
        try (AgentProcess client = AgentProcess.client("--config", config.toString())) {
            assertEquals(2, client.waitFor(30));
            assertTrue(client.output().contains("unknown keys [forwards]"), client.output());
        }
    }

    @Test
    void portAlreadyInUseIsAClearErrorNotAStackTrace() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
             AgentProcess server = AgentProcess.server("--insecure-plaintext", "--listen", "127.0.0.1:" + taken.getLocalPort(),
                     "--service", "a=127.0.0.1:1")) {
            assertEquals(1, server.waitFor(30));
            assertTrue(server.output().contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()), server.output());
            assertTrue(!server.output().contains("\tat "), "no stack trace:\n" + server.output());
        }
    }
}
