package io.roamtun.server;

import io.roamtun.engine.text.IoErrors;
import io.roamtun.engine.text.UsageException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The server's set-up commands, run instead of the agent:
 * <pre>
 *   server-service init --dir DIR [--client NAME] [--services a,b] [--tls-cert FILE --tls-key FILE]
 *   server-service client add NAME --dir DIR [--services a,b] [--expose PORTS] [--expose-address ADDR] [--replace]
 *   server-service client remove NAME --dir DIR
 *   server-service client list --dir DIR
 * </pre>
 */
final class ServerAdminCommands {
    private ServerAdminCommands() {}

    static final String USAGE = String.join("\n",
            "usage:",
            "  server-service init --dir DIR [--client NAME] [--services a,b] [--tls-cert FILE --tls-key FILE]",
            "                      [--validity-days N] [--start-days-ago N]",
            "      makes DIR (0700): the server's ECDSA P-256 key and self-signed certificate, or imports yours,",
            "      and a first client credential (NAME, default client1; an existing client keeps its secret).",
            "      The last line printed is the flags for the client-service.",
            "  server-service client add NAME --dir DIR [--services a,b] [--expose PORTS] [--expose-address ADDR] [--replace]",
            "      a new client credential, printed once; --replace issues a new secret for an existing client",
            "      (its old one stops working at once). --expose PORTS (8080,20000-20100): ports this client may",
            "      have the server listen on for it (client-service --expose), beyond the server's --allow-expose;",
            "      --expose-address ADDR (e.g. 127.77.0.11): the address its exposed ports listen on.",
            "  server-service client remove NAME --dir DIR",
            "      revokes a client: refused from then on, and its open sessions end within a second.",
            "  server-service client list --dir DIR",
            "      the clients, the services each may open (* for all) and the ports each may expose.");

    static int run(String[] args) {
        try {
            List<String> words = Arrays.asList(args);
            if (words.contains("--help") || words.contains("-h")) {
                System.out.println(USAGE);
                return 0;
            }
            return args[0].equals("init") ? init(args) : client(args);
        } catch (UsageException e) {
            System.err.println("server-service: " + e.getMessage());
            return UsageException.EXIT_CODE;
        } catch (IOException e) {
            System.err.println("server-service: " + IoErrors.describe(e));
            return 1;
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
        /** Null when not given: a --replace keeps the client's expose lines. */
        PortRanges expose;
        java.net.InetAddress exposeAddress;
        String cert;
        String key;
        int startDaysAgo;
        int validityDays = 3650;
        boolean replace;
        final List<String> words = new ArrayList<>();
        private final Set<String> seen = new HashSet<>();

        /** The set-up commands' options, parsed like the agents' (no abbreviations; --dir=/x and --dir /x alike). */
        private static org.apache.commons.cli.Options options() {
            org.apache.commons.cli.Options o = new org.apache.commons.cli.Options();
            for (String name : List.of("dir", "client", "services", "expose", "expose-address", "tls-cert", "tls-key", "start-days-ago", "validity-days")) {
                o.addOption(org.apache.commons.cli.Option.builder().longOpt(name).hasArg().build());
            }
            o.addOption(org.apache.commons.cli.Option.builder().longOpt("replace").build());
            return o;
        }

        Flags(String[] args, int from) throws UsageException {
            org.apache.commons.cli.CommandLine cli;
            try {
                cli = org.apache.commons.cli.DefaultParser.builder().setAllowPartialMatching(false).build()
                        .parse(options(), Arrays.copyOfRange(args, from, args.length));
            } catch (org.apache.commons.cli.ParseException e) {
                throw new UsageException(e.getMessage() + " (--help lists the options)");
            }
            for (org.apache.commons.cli.Option given : cli.getOptions()) {
                if (!seen.add(given.getLongOpt())) {
                    throw new UsageException("--" + given.getLongOpt() + " given twice");
                }
            }
            dir = cli.getOptionValue("dir");
            client = cli.getOptionValue("client");
            services = cli.getOptionValue("services");
            expose = cli.hasOption("expose") ? PortRanges.parse("--expose", cli.getOptionValue("expose")) : null;
            exposeAddress = cli.hasOption("expose-address")
                    ? ClientCredentials.exposeAddress("--expose-address", cli.getOptionValue("expose-address")) : null;
            cert = cli.getOptionValue("tls-cert");
            key = cli.getOptionValue("tls-key");
            if (cli.hasOption("start-days-ago")) {
                startDaysAgo = days("--start-days-ago", cli.getOptionValue("start-days-ago"), 0);
            }
            if (cli.hasOption("validity-days")) {
                validityDays = days("--validity-days", cli.getOptionValue("validity-days"), 1);
            }
            replace = cli.hasOption("replace");
            words.addAll(cli.getArgList());
            if (dir == null) {
                throw new UsageException("--dir DIR is required");
            }
        }

        private static int days(String flag, String value, int min) throws UsageException {
            try {
                int n = Integer.parseInt(value);
                if (n >= min && n <= 36_500) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // said below
            }
            throw new UsageException(flag + ": '" + value + "' is not a number of days from " + min + " to 36500");
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
        String name = f.client != null ? f.client : "client1";
        if (!ClientCredentials.validName(name)) { // checked before anything is made
            throw new UsageException("--client: client names are 1-64 letters, digits, '.', '_' or '-': '" + name + "'");
        }
        if (f.replace || !f.words.isEmpty()) {
            throw new UsageException("init takes no " + (f.replace ? "--replace" : "'" + f.words.get(0) + "'") + " (--help)");
        }
        boolean existed = dir.initialized();
        if (f.cert != null) {
            dir.importPem(Path.of(f.cert), Path.of(f.key));
            System.out.println("imported the key and certificate into " + dir.dir());
        } else {
            dir.create(f.startDaysAgo, f.validityDays);
            System.out.println(existed ? "kept the existing key in " + dir.dir() : "made an ECDSA P-256 key and certificate in " + dir.dir());
        }
        System.out.println("run the server with: server-service --dir " + dir.dir() + " --listen HOST:PORT --service NAME=HOST:PORT");
        if (ClientCredentials.exists(dir.clients().file(), name)) {
            // Running init again must not lock out a device that uses this client's secret.
            System.out.println("client '" + name + "' exists and keeps its secret (only its hash is stored, so it is not "
                    + "shown again; 'client add " + name + " --replace' issues a new one)");
            System.out.println("flags for the laptop, with the credential file it already has:");
            System.out.println("--server-fingerprint " + dir.fingerprint());
            return 0;
        }
        String credential = ClientCredentials.add(dir.clients().file(), name, f.serviceList(), f.expose, f.exposeAddress);
        System.out.println("client '" + name + "' may open " + (f.services == null ? "every service" : f.services));
        System.out.println("flags for the laptop (keep the secret out of shell history: put it in a file for --credential-file):");
        System.out.println("--server-fingerprint " + dir.fingerprint() + " --credential " + credential);
        return 0;
    }

    private static int client(String[] args) throws Exception {
        if (args.length < 2) {
            throw new UsageException("usage: server-service client add|remove|list ... --dir DIR");
        }
        Flags f = new Flags(args, 2);
        ServerDirectory dir = new ServerDirectory(Path.of(f.dir));
        if (!dir.initialized()) {
            throw new UsageException(f.dir + " is not a server directory (make it with: server-service init --dir " + f.dir + ")");
        }
        Path file = dir.clients().file();
        switch (args[1]) {
            case "add" -> {
                String name = one(f, "client add NAME");
                if (!ClientCredentials.validName(name)) {
                    throw new UsageException("client names are 1-64 letters, digits, '.', '_' or '-'");
                }
                if (ClientCredentials.exists(file, name) && !f.replace) {
                    throw new UsageException("client '" + name + "' exists; add --replace to issue it a new secret "
                            + "(the one its devices use stops working at once)");
                }
                System.out.println("--credential " + ClientCredentials.add(file, name, f.serviceList(), f.expose, f.exposeAddress));
                if (f.expose != null && !f.expose.isEmpty()) {
                    System.out.println("client '" + name + "' may expose ports " + f.expose + " (reverse tunnels), beyond --allow-expose");
                }
                if (f.exposeAddress != null) {
                    System.out.println("client '" + name + "' exposes its ports on " + f.exposeAddress.getHostAddress());
                }
                return 0;
            }
            case "remove" -> {
                String name = one(f, "client remove NAME");
                if (!ClientCredentials.remove(file, name)) {
                    System.err.println("server-service: no client '" + name + "'");
                    return 1;
                }
                System.out.println("removed client '" + name + "': refused from now on; its open sessions end within a second");
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
