package io.roamtun.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The paths the benchmark compares. Each external program is used only when installed. */
final class Paths {
    private Paths() {}

    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    static List<BenchPath> all(Path work) {
        return List.of(new Direct(), new Socat(work), new Ssh(work, null), new Ssh(work, "aes128-gcm@openssh.com"),
                new Stunnel(work), new Roamtun(work, false),
                new Roamtun(work, true));
    }

    /** The backend itself. */
    static final class Direct implements BenchPath {
        private InetSocketAddress udp;
        public String name() { return "direct"; }
        public String unavailableReason() { return null; }
        public InetSocketAddress start(InetSocketAddress backend) { return backend; }
        public void udpBackend(InetSocketAddress echo) { udp = echo; }
        public InetSocketAddress udpAddress() { return udp; }
        public List<Long> pids() { return List.of(); }
        public void close() {}
    }

    /** socat with its default buffer, forking a relay per connection: what people reach for first. */
    static final class Socat implements BenchPath {
        private final Path work;
        private Process process;
        /** The UDP relay: socat's UDP-LISTEN with fork, a child per peer (its usual UDP forwarding). */
        private Process udpProcess;
        private InetSocketAddress udpBackend;
        private InetSocketAddress udp;

        Socat(Path work) { this.work = work; }
        public String name() { return "socat"; }
        public String unavailableReason() { return Processes.find("socat") == null ? "socat not installed" : null; }

        public InetSocketAddress start(InetSocketAddress backend) throws IOException, InterruptedException {
            int port = Processes.freePort();
            process = Processes.start(work.resolve("socat.log"), Processes.find("socat"),
                    "TCP-LISTEN:" + port + ",bind=127.0.0.1,reuseaddr,fork,backlog=4096",
                    "TCP:127.0.0.1:" + backend.getPort() + ",nodelay");
            Processes.awaitPort(port, 10);
            if (udpBackend != null) {
                int udpPort = Processes.freePort();
                udpProcess = Processes.start(work.resolve("socat-udp.log"), Processes.find("socat"),
                        "UDP4-LISTEN:" + udpPort + ",bind=127.0.0.1,reuseaddr,fork", "UDP4:127.0.0.1:" + udpBackend.getPort());
                Thread.sleep(300); // nothing to connect to: give it the moment it takes to bind
                udp = new InetSocketAddress(LOOPBACK, udpPort);
            }
            return new InetSocketAddress(LOOPBACK, port);
        }

        public void udpBackend(InetSocketAddress echo) { udpBackend = echo; }
        public InetSocketAddress udpAddress() { return udp; }
        public List<Long> pids() { return List.of(process.pid()); }
        /** Its per-connection children are gone (and not added to its own times) before they can be read. */
        public boolean cpuMeasurable() { return false; }
        public void close() {
            Processes.stop(process);
            if (udpProcess != null) {
                Processes.stop(udpProcess);
            }
        }
    }

    /**
     * ssh -N -L against a private sshd on loopback (same three TCP hops as roamtun): with OpenSSH's default
     * cipher (chacha20-poly1305, what {@code ssh -L} gets as typed), or with the one named (its fastest here,
     * AES-128-GCM, which OpenSSL runs with the CPU's VAES).
     */
    static final class Ssh implements BenchPath {
        private final Path work;
        private final String cipher;
        private Process sshd;
        private Process ssh;

        Ssh(Path work, String cipher) {
            this.work = work;
            this.cipher = cipher;
        }

        public String name() { return cipher == null ? "ssh -L" : "ssh -L " + cipher.replace("@openssh.com", ""); }

        private String label() { return cipher == null ? "ssh" : "ssh-" + cipher.replace("@openssh.com", ""); }

        public String unavailableReason() {
            if (Processes.find("sshd") == null || Processes.find("ssh") == null || Processes.find("ssh-keygen") == null) {
                return "openssh-server / openssh-client not installed";
            }
            return null;
        }

        public InetSocketAddress start(InetSocketAddress backend) throws IOException, InterruptedException {
            Path dir = Files.createDirectories(work.resolve(label()));
            Files.createDirectories(Path.of("/run/sshd"));
            keygen(dir.resolve("host_key"));
            keygen(dir.resolve("user_key"));
            Files.copy(dir.resolve("user_key.pub"), dir.resolve("authorized_keys"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            int sshdPort = Processes.freePort();
            Path config = dir.resolve("sshd_config");
            Files.writeString(config, String.join("\n",
                    "Port " + sshdPort, "ListenAddress 127.0.0.1", "HostKey " + dir.resolve("host_key"),
                    "AuthorizedKeysFile " + dir.resolve("authorized_keys"), "PidFile " + dir.resolve("sshd.pid"),
                    "StrictModes no", "UsePAM no", "PasswordAuthentication no", "KbdInteractiveAuthentication no",
                    "PermitRootLogin prohibit-password", "AllowTcpForwarding yes", "MaxStartups 100", "MaxSessions 100", ""));
            sshd = Processes.start(work.resolve(label() + "-sshd.log"), Processes.find("sshd"), "-D", "-e", "-f", config.toString());
            Processes.awaitPort(sshdPort, 10);
            int local = Processes.freePort();
            List<String> command = new ArrayList<>(List.of(Processes.find("ssh"), "-N",
                    "-L", "127.0.0.1:" + local + ":127.0.0.1:" + backend.getPort(),
                    "-p", String.valueOf(sshdPort), "-i", dir.resolve("user_key").toString(),
                    "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                    "-o", "ExitOnForwardFailure=yes", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR",
                    "-l", System.getProperty("user.name"), "127.0.0.1"));
            if (cipher != null) {
                command.addAll(2, List.of("-c", cipher));
            }
            ssh = Processes.start(work.resolve(label() + ".log"), command.toArray(String[]::new));
            Processes.awaitPort(local, 15);
            return new InetSocketAddress(LOOPBACK, local);
        }

        private static void keygen(Path key) throws IOException, InterruptedException {
            Files.deleteIfExists(key);
            Files.deleteIfExists(Path.of(key + ".pub"));
            Process p = new ProcessBuilder(Processes.find("ssh-keygen"), "-q", "-t", "ed25519", "-N", "", "-f", key.toString())
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor() != 0) {
                throw new IOException("ssh-keygen failed");
            }
        }

        public List<Long> pids() { return List.of(ssh.pid(), sshd.pid()); }

        public void close() {
            Processes.stop(ssh);
            Processes.stop(sshd);
        }
    }

    /** A stunnel client and server pair speaking TLS 1.3 (plaintext in, TLS between, plaintext out). */
    static final class Stunnel implements BenchPath {
        private final Path work;
        private Process server;
        private Process client;

        Stunnel(Path work) { this.work = work; }
        public String name() { return "stunnel"; }

        public String unavailableReason() {
            return Processes.find("stunnel4") == null && Processes.find("stunnel") == null ? "stunnel4 not installed"
                    : Processes.find("openssl") == null ? "openssl not installed" : null;
        }

        public InetSocketAddress start(InetSocketAddress backend) throws IOException, InterruptedException {
            Path dir = Files.createDirectories(work.resolve("stunnel"));
            Path key = dir.resolve("key.pem");
            Path cert = dir.resolve("cert.pem");
            Process gen = new ProcessBuilder(Processes.find("openssl"), "req", "-x509", "-newkey", "ec",
                    "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.toString(), "-out", cert.toString(),
                    "-days", "2", "-subj", "/CN=127.0.0.1").redirectErrorStream(true).start();
            gen.getInputStream().readAllBytes();
            if (gen.waitFor() != 0) {
                throw new IOException("openssl could not make a certificate");
            }
            String stunnel = Processes.find("stunnel4") != null ? Processes.find("stunnel4") : Processes.find("stunnel");
            int tlsPort = Processes.freePort();
            int local = Processes.freePort();
            Path serverConf = dir.resolve("server.conf");
            Files.writeString(serverConf, String.join("\n", "foreground = yes", "pid =", "debug = 3",
                    "[server]", "accept = 127.0.0.1:" + tlsPort, "connect = 127.0.0.1:" + backend.getPort(),
                    "cert = " + cert, "key = " + key, "sslVersionMin = TLSv1.3", "socket = l:TCP_NODELAY=1",
                    "socket = r:TCP_NODELAY=1", ""));
            Path clientConf = dir.resolve("client.conf");
            Files.writeString(clientConf, String.join("\n", "foreground = yes", "pid =", "debug = 3",
                    "[client]", "client = yes", "accept = 127.0.0.1:" + local, "connect = 127.0.0.1:" + tlsPort,
                    "sslVersionMin = TLSv1.3", "socket = l:TCP_NODELAY=1", "socket = r:TCP_NODELAY=1", ""));
            server = Processes.start(work.resolve("stunnel-server.log"), stunnel, serverConf.toString());
            client = Processes.start(work.resolve("stunnel-client.log"), stunnel, clientConf.toString());
            Processes.awaitPort(tlsPort, 10);
            Processes.awaitPort(local, 10);
            return new InetSocketAddress(LOOPBACK, local);
        }

        public List<Long> pids() { return List.of(client.pid(), server.pid()); }

        public void close() {
            Processes.stop(client);
            Processes.stop(server);
        }
    }

    /** roamtun's two agents as their own processes, with the launchers' JVM options: plaintext, or TLS as users run it. */
    static final class Roamtun implements BenchPath {
        static final List<String> AGENT_JVM = List.of("-Xms32m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError");
        private final Path work;
        private final boolean tls;
        private Process server;
        private Process client;
        int serverPort;
        private InetSocketAddress udpBackend;
        private InetSocketAddress udp;
        String fingerprint;
        io.roamtun.engine.tls.KeyMaterial serverKey;

        Roamtun(Path work, boolean tls) {
            this.work = work;
            this.tls = tls;
        }

        public String name() { return tls ? "roamtun TLS" : "roamtun"; }
        public String unavailableReason() { return null; }

        public InetSocketAddress start(InetSocketAddress backend) throws IOException, InterruptedException {
            String tag = tls ? "-tls" : "";
            Path serverLog = work.resolve("server-service" + tag + ".log");
            serverPort = Processes.freePort();
            List<String> security = new java.util.ArrayList<>();
            List<String> clientSecurity = new java.util.ArrayList<>();
            if (tls) {
                io.roamtun.server.ServerDirectory dir = new io.roamtun.server.ServerDirectory(work.resolve("server-dir"));
                try {
                    dir.create(0, 30);
                    Path credential = work.resolve("credential");
                    java.nio.file.Files.writeString(credential,
                            io.roamtun.server.ClientCredentials.add(dir.clients().file(), "bench", List.of()));
                    fingerprint = dir.fingerprint();
                    serverKey = dir.keyMaterial();
                    security.addAll(List.of("--dir", dir.dir().toString()));
                    clientSecurity.addAll(List.of("--server-fingerprint", fingerprint, "--credential-file", credential.toString()));
                } catch (java.security.GeneralSecurityException e) {
                    throw new IOException(e);
                }
            } else {
                security.add("--insecure-plaintext");
                clientSecurity.add("--insecure-plaintext");
            }
            List<String> serverArgs = new java.util.ArrayList<>(security);
            serverArgs.addAll(List.of("--listen", "127.0.0.1:" + serverPort, "--service", "bench=127.0.0.1:" + backend.getPort()));
            if (udpBackend != null) {
                serverArgs.addAll(List.of("--udp-service", "benchudp=127.0.0.1:" + udpBackend.getPort()));
            }
            server = Processes.startJava(serverLog, AGENT_JVM, "io.roamtun.server.ServerServiceMain", serverArgs.toArray(String[]::new));
            Processes.awaitLine(serverLog, server, "listening on", 30);
            Path clientLog = work.resolve("client-service" + tag + ".log");
            int local = Processes.freePort();
            List<String> clientArgs = new java.util.ArrayList<>(clientSecurity);
            clientArgs.addAll(List.of("--server", "127.0.0.1:" + serverPort, "--forward", "127.0.0.1:" + local + "=bench",
                    "--admin-socket", work.resolve("admin" + tag + ".sock").toString()));
            if (udpBackend != null) {
                int udpPort = Processes.freePort();
                clientArgs.addAll(List.of("--forward-udp", "127.0.0.1:" + udpPort + "=benchudp"));
                udp = new InetSocketAddress(LOOPBACK, udpPort);
            }
            client = Processes.startJava(clientLog, AGENT_JVM, "io.roamtun.client.ClientServiceMain", clientArgs.toArray(String[]::new));
            Processes.awaitLine(clientLog, client, "session \\w+ established", 30);
            return new InetSocketAddress(LOOPBACK, local);
        }

        public void udpBackend(InetSocketAddress echo) { udpBackend = echo; }
        public InetSocketAddress udpAddress() { return udp; }
        public List<Long> pids() { return List.of(client.pid(), server.pid()); }
        long serverPid() { return server.pid(); }
        InetSocketAddress serverAddress() { return new InetSocketAddress(LOOPBACK, serverPort); }
        public boolean javaHeap() { return true; }

        public void close() {
            Processes.stop(client);
            Processes.stop(server);
        }
    }

}
