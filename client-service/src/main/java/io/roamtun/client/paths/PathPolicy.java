package io.roamtun.client.paths;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which interface the uplink should use: the user's order of preference ({@code --prefer}, names or
 * globs), minus exclusions ({@code --exclude}, plus loopback and the usual virtual interfaces unless the
 * user names them in --prefer), among the interfaces that are up and hold an address of the server's
 * family. A manual switch pins one interface until it stops being usable.
 */
public final class PathPolicy {
    /** Bridges, container and VM links, VPN tunnels: not a way out for roaming, unless preferred by name. */
    public static final List<String> DEFAULT_EXCLUDES = List.of("docker*", "br-*", "virbr*", "veth*", "vboxnet*",
            "vmnet*", "tun*", "tap*", "wg*", "lxc*", "lxd*", "cni*", "flannel*", "kube*", "dummy*");

    private final List<String> prefer;
    private final List<Pattern> preferPatterns = new ArrayList<>();
    private final List<Pattern> excludePatterns = new ArrayList<>();
    private final List<Pattern> defaultExcludes = new ArrayList<>();
    private final List<String> exclude;
    private final List<String> metered;
    private final List<Pattern> meteredPatterns = new ArrayList<>();
    private final Multipath multipath;

    public PathPolicy(List<String> prefer, List<String> exclude) {
        this(prefer, exclude, List.of(), Multipath.DEFAULT);
    }

    /**
     * @param metered   interfaces (names or globs) whose traffic costs: ranked after every other usable one, and
     *                  carrying bulk beside another link only when nothing else works
     * @param multipath how a session uses a second interface
     */
    public PathPolicy(List<String> prefer, List<String> exclude, List<String> metered, Multipath multipath) {
        this.prefer = List.copyOf(prefer);
        this.exclude = List.copyOf(exclude);
        this.metered = List.copyOf(metered);
        this.multipath = multipath;
        for (String p : metered) {
            meteredPatterns.add(glob(p));
        }
        for (String p : prefer) {
            preferPatterns.add(glob(p));
        }
        for (String p : exclude) {
            excludePatterns.add(glob(p));
        }
        for (String p : DEFAULT_EXCLUDES) {
            defaultExcludes.add(glob(p));
        }
    }

    public static PathPolicy any() {
        return new PathPolicy(List.of(), List.of());
    }

    /** Turns a glob with {@code *} and {@code ?} into a whole-name pattern. */
    static Pattern glob(String glob) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }

    public List<String> prefer() {
        return prefer;
    }

    /**
     * Index of the first --prefer pattern the name matches; unlisted names rank after all of them, and
     * metered interfaces after every one that is not.
     */
    public int rank(String name) {
        int rank = preferPatterns.size();
        for (int i = 0; i < preferPatterns.size(); i++) {
            if (preferPatterns.get(i).matcher(name).matches()) {
                rank = i;
                break;
            }
        }
        return metered(name) ? rank + preferPatterns.size() + 1 : rank;
    }

    /** Whether {@code name} is a metered interface ({@code --metered}). */
    public boolean metered(String name) {
        return matchesAny(meteredPatterns, name);
    }

    public Multipath multipath() {
        return multipath;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PathPolicy p && p.prefer.equals(prefer) && p.exclude.equals(exclude) && p.metered.equals(metered)
                && p.multipath.equals(multipath);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(prefer, exclude, metered, multipath);
    }

    @Override
    public String toString() {
        return "prefer " + prefer + ", exclude " + exclude + ", metered " + metered + ", multipath " + multipath;
    }

    public boolean excluded(InterfaceSnapshot nif) {
        if (matchesAny(excludePatterns, nif.name())) {
            return true;
        }
        boolean namedByUser = matchesAny(preferPatterns, nif.name());
        return !namedByUser && (nif.loopback() || matchesAny(defaultExcludes, nif.name()));
    }

    private static boolean matchesAny(List<Pattern> patterns, String name) {
        for (Pattern p : patterns) {
            if (p.matcher(name).matches()) {
                return true;
            }
        }
        return false;
    }

    /** The path through {@code nif} for a server of {@code family}, or null when it is not usable. */
    public PathChoice usable(InterfaceSnapshot nif, Class<? extends InetAddress> family) {
        if (nif == null || !nif.up() || excluded(nif)) {
            return null;
        }
        InetAddress local = nif.usableAddress(family);
        return local == null ? null : new PathChoice(nif.name(), local);
    }

    /**
     * The best usable path: the pinned interface if it is usable, else the best-ranked one (ties broken by
     * interface index, so the choice is stable); null when no interface is usable.
     */
    public PathChoice best(Collection<InterfaceSnapshot> table, Class<? extends InetAddress> family, String pinned) {
        if (pinned != null) {
            for (InterfaceSnapshot nif : table) {
                if (nif.name().equals(pinned)) {
                    PathChoice choice = usable(nif, family);
                    if (choice != null) {
                        return choice;
                    }
                }
            }
        }
        PathChoice best = null;
        int bestRank = Integer.MAX_VALUE;
        int bestIndex = Integer.MAX_VALUE;
        for (InterfaceSnapshot nif : table) {
            PathChoice choice = usable(nif, family);
            if (choice == null) {
                continue;
            }
            int rank = rank(nif.name());
            if (rank < bestRank || (rank == bestRank && nif.index() < bestIndex)) {
                best = choice;
                bestRank = rank;
                bestIndex = nif.index();
            }
        }
        return best;
    }
}
