package io.roamtun.server;

import io.roamtun.engine.config.UsageException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The server's set-up commands, run instead of the agent:
 * <pre>
 *   server-service init --dir DIR [--client NAME] [--services a,b] [--tls-cert FILE --tls-key FILE]
 *   server-service client add NAME --dir DIR [--services a,b]
 *   server-service client remove NAME --dir DIR
 *   server-service client list --dir DIR
 * </pre>
 */
final class ServerAdminCommands {
    private ServerAdminCommands() {}

    static int run(String[] args) {
        try {
            return args[0].equals("init") ? init(args) : client(args);
        } catch (UsageException e) {
            System.err.println("server-service: " + e.getMessage());
            return UsageException.EXIT_CODE;
        } catch (Exception e) {
            System.err.println("server-service: " + e.getMessage());
            return 1;
        }
    }

    /** --flag VALUE pairs after the positional words. */
    private static final class Flags {
        String dir;
        String client;
        String services;
        String cert;
        String key;
        int startDaysAgo;
        int validityDays = 3650;
        final List<String> words = new ArrayList<>();

        Flags(String[] args, int from) throws UsageException {
            for (int i = from; i < args.length; i++) {
                String a = args[i];
                if (a.startsWith("--")) {
                    if (i + 1 >= args.length) {
                        throw new UsageException(a + " needs a value");
                    }
                    String v = args[++i];
                    switch (a) {
                        case "--dir" -> dir = v;
                        case "--client" -> client = v;
                        case "--services" -> services = v;
                        case "--tls-cert" -> cert = v;
                        case "--tls-key" -> key = v;
                        case "--start-days-ago" -> startDaysAgo = Integer.parseInt(v);
                        case "--validity-days" -> validityDays = Integer.parseInt(v);
                        default -> throw new UsageException("unknown option " + a);
                    }
                } else {
                    words.add(a);
                }
            }
            if (dir == null) {
                throw new UsageException("--dir DIR is required");
            }
        }

        List<String> serviceList() {
            List<String> list = new ArrayList<>();
            if (services != null) {
                for (String s : services.split(",")) {
                    if (!s.isBlank()) {
                        list.add(s.trim());
                    }
                }
            }
            return list;
        }
    }

    private static int init(String[] args) throws Exception {
        Flags f = new Flags(args, 1);
        ServerDirectory dir = new ServerDirectory(Path.of(f.dir));
        if ((f.cert == null) != (f.key == null)) {
            throw new UsageException("--tls-cert and --tls-key go together");
        }
        boolean existed = dir.initialized();
        if (f.cert != null) {
            dir.importPem(Path.of(f.cert), Path.of(f.key));
            System.out.println("imported the key and certificate into " + dir.dir());
        } else {
            dir.create(f.startDaysAgo, f.validityDays);
            System.out.println(existed ? "kept the existing key in " + dir.dir() : "made an ECDSA P-256 key and certificate in " + dir.dir());
        }
        String name = f.client != null ? f.client : "client1";
        String credential = ClientCredentials.add(dir.clients().file(), name, f.serviceList());
        System.out.println("client '" + name + "' may open " + (f.services == null ? "every service" : f.services));
        System.out.println("run the server with: server-service --dir " + dir.dir() + " --listen HOST:PORT --service NAME=HOST:PORT");
        System.out.println("flags for the laptop (keep the secret out of shell history: put it in a file for --credential-file):");
        System.out.println("--server-fingerprint " + dir.fingerprint() + " --credential " + credential);
        return 0;
    }

    private static int client(String[] args) throws Exception {
        if (args.length < 2) {
            throw new UsageException("usage: server-service client add|remove|list ... --dir DIR");
        }
        Flags f = new Flags(args, 2);
        Path file = new ServerDirectory(Path.of(f.dir)).clients().file();
        switch (args[1]) {
            case "add" -> {
                String name = one(f, "client add NAME");
                if (!ClientCredentials.validName(name)) {
                    throw new UsageException("client names are 1-64 letters, digits, '.', '_' or '-'");
                }
                System.out.println("--credential " + ClientCredentials.add(file, name, f.serviceList()));
                return 0;
            }
            case "remove" -> {
                String name = one(f, "client remove NAME");
                if (!ClientCredentials.remove(file, name)) {
                    System.err.println("server-service: no client '" + name + "'");
                    return 1;
                }
                System.out.println("removed client '" + name + "': refused from its next connection or resume on");
                return 0;
            }
            case "list" -> {
                for (String line : ClientCredentials.list(file)) {
                    System.out.println(line);
                }
                return 0;
            }
            default -> throw new UsageException("unknown 'client " + args[1] + "'; use add, remove or list");
        }
    }

    private static String one(Flags f, String usage) throws UsageException {
        if (f.words.size() != 1) {
            throw new UsageException("usage: server-service " + usage + " --dir DIR");
        }
        return f.words.get(0);
    }
}
