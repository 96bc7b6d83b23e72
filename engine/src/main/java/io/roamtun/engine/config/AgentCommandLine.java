package io.roamtun.engine.config;

import io.roamtun.engine.text.IoErrors;
import io.roamtun.engine.text.UsageException;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.slf4j.LoggerFactory;

/**
 * The command line both agents share: their own options plus {@code --help}, {@code --config FILE} (a
 * .properties file with the options' long names as keys; repeatable options take comma-separated values;
 * flags win over the file; an agent may allow groups of keys, {@link #allowGroups}) and {@code --log-level}. Every mistake becomes a one-line {@link UsageException}.
 */
public final class AgentCommandLine {
    private final String command;
    private final Options options;
    private CommandLine flags;
    private Properties file = new Properties();
    /** Printed under the options by --help: the agent's other commands. */
    private String helpFooter;

    /** Options that may be given more than once (their values add up); any other given twice is a mistake. */
    private final Set<String> repeatable;
    /**
     * Groups the config file may hold, by prefix: {@code PREFIX.NAME = VALUE} and {@code PREFIX.NAME.KEY = VALUE}
     * for the keys allowed (a client's {@code server.home = HOST:PORT}, {@code server.home.fingerprint = ...}).
     */
    private final java.util.Map<String, Set<String>> groups = new java.util.HashMap<>();

    public AgentCommandLine(String command, Options agentOptions, Set<String> repeatable) {
        this.command = command;
        this.options = agentOptions;
        this.repeatable = Set.copyOf(repeatable);
        options.addOption(Option.builder("h").longOpt("help").desc("print this help and exit").build());
        options.addOption(Option.builder("V").longOpt("version").desc("print the version and exit").build());
        options.addOption(Option.builder().longOpt("config").hasArg().argName("FILE")
                .desc("read options from a .properties file (keys are the long option names; flags win)").build());
        options.addOption(Option.builder().longOpt("log-level").hasArg().argName("LEVEL")
                .desc("error, warn, info (default), debug or trace").build());
        options.addOption(Option.builder().longOpt("log-file").hasArg().argName("PATH")
                .desc("write the log to PATH instead of stderr, rotated at " + LogOutput.MAX_FILE_SIZE + " (PATH.1 .. PATH."
                        + LogOutput.FILES_KEPT + " keep the older)").build());
    }

    /** Lets the config file hold groups {@code prefix.NAME} with the sub-keys {@code keys} ({@link #group}). */
    public AgentCommandLine allowGroups(String prefix, Set<String> keys) {
        groups.put(prefix, Set.copyOf(keys));
        return this;
    }

    /**
     * The config file's groups of {@code prefix}: {@code key} null gives each {@code prefix.NAME}'s value by
     * NAME, else each {@code prefix.NAME.key}'s. Sorted by NAME.
     */
    public java.util.SortedMap<String, String> group(String prefix, String key) {
        java.util.SortedMap<String, String> values = new java.util.TreeMap<>();
        for (String name : file.stringPropertyNames()) {
            String[] parts = groupKey(name);
            if (parts != null && parts[0].equals(prefix) && java.util.Objects.equals(parts[2], key)) {
                values.put(parts[1], file.getProperty(name).trim());
            }
        }
        return values;
    }

    /** {prefix, NAME, sub-key or null} of a group's key in the config file, or null when it is not one. */
    private String[] groupKey(String key) {
        for (java.util.Map.Entry<String, Set<String>> g : groups.entrySet()) {
            if (!key.startsWith(g.getKey() + ".")) {
                continue;
            }
            String rest = key.substring(g.getKey().length() + 1);
            for (String sub : g.getValue()) {
                if (rest.endsWith("." + sub) && rest.length() > sub.length() + 1) {
                    return new String[] {g.getKey(), rest.substring(0, rest.length() - sub.length() - 1), sub};
                }
            }
            return rest.isEmpty() || rest.contains(".") ? null : new String[] {g.getKey(), rest, null}; // (a name has no dot: a sub-key mistyped is unknown)
        }
        return null;
    }

    /** Text for --help to print under the options (the agent's other commands). */
    public AgentCommandLine helpFooter(String text) {
        this.helpFooter = text;
        return this;
    }

    /** Parses; returns false when --help or --version was asked for (and printed). */
    public boolean parse(String[] args) throws UsageException {
        try {
            // No partial matching: '--insec' must not be taken for --insecure-plaintext (a typo turning TLS off).
            flags = DefaultParser.builder().setAllowPartialMatching(false).build().parse(options, args);
        } catch (ParseException e) {
            throw new UsageException(oneLine(e.getMessage()) + " (see " + command + " --help)");
        }
        if (!flags.getArgList().isEmpty()) {
            throw new UsageException("unexpected argument '" + flags.getArgList().get(0) + "' (see " + command + " --help)");
        }
        if (flags.hasOption("help")) {
            printHelp();
            return false;
        }
        if (flags.hasOption("version")) {
            System.out.println(command + " " + version());
            return false;
        }
        for (Option given : flags.getOptions()) {
            String name = given.getLongOpt();
            if (!repeatable.contains(name) && flags.getOptionValues(name) != null && flags.getOptionValues(name).length > 1) {
                throw new UsageException("--" + name + " given twice (see " + command + " --help)");
            }
        }
        if (flags.hasOption("config")) {
            file = load(Path.of(flags.getOptionValue("config")));
        }
        applyLogLevel(value("log-level"));
        if (value("log-file") != null) {
            LogOutput.toFile(Path.of(value("log-file")));
        }
        return true;
    }

    /** The {@code --config} file given, or null. */
    public Path configFile() {
        return flags != null && flags.hasOption("config") ? Path.of(flags.getOptionValue("config")) : null;
    }

    /** roamtun's version, as the build wrote it. */
    public static String version() {
        try (InputStream in = AgentCommandLine.class.getResourceAsStream("/io/roamtun/engine/version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private Properties load(Path path) throws UsageException {
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(path)) {
            props.load(in);
        } catch (IOException e) {
            throw new UsageException("--config: cannot read " + path + ": " + IoErrors.reason(e));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--config: " + path + " is not a valid .properties file: " + e.getMessage());
        }
        Set<String> unknown = new TreeSet<>();
        for (String key : props.stringPropertyNames()) {
            if (groupKey(key) != null) {
                continue;
            }
            if (!options.hasLongOption(key) || key.equals("config") || key.equals("help") || key.equals("version")) {
                unknown.add(key);
            } else if (isSwitch(key) && !props.getProperty(key).trim().matches("(?i)true|false")) {
                // An empty value must not switch anything on (insecure-plaintext= turned TLS off).
                throw new UsageException("--config: " + path + ": " + key + "=" + props.getProperty(key).trim()
                        + ": a switch takes true or false");
            }
        }
        if (!unknown.isEmpty()) {
            throw new UsageException("--config: " + path + " has unknown keys " + unknown);
        }
        return props;
    }

    public boolean has(String longName) {
        if (flags.hasOption(longName)) {
            return true;
        }
        String v = file.getProperty(longName);
        return v != null && (isSwitch(longName) ? Boolean.parseBoolean(v.trim()) : !v.isBlank());
    }

    private boolean isSwitch(String longName) {
        Option option = options.getOption(longName);
        return option != null && !option.hasArg();
    }

    /** The option's value: the flag's if given, else the config file's, else null. */
    public String value(String longName) {
        String v = flags.getOptionValue(longName);
        if (v == null) {
            v = file.getProperty(longName);
        }
        return v == null ? null : v.trim();
    }

    /** The values the command line gave the option (none: empty), without the config file's. */
    public List<String> flagValues(String longName) {
        String[] given = flags.getOptionValues(longName);
        return given == null ? List.of() : Arrays.asList(given);
    }

    /** The config file's value of the option, whole (not split at commas), or null. */
    public String fileValue(String longName) {
        String v = file.getProperty(longName);
        return v == null || v.isBlank() ? null : v.trim();
    }

    /** Every value of a repeatable option: the flags' if any were given, else the config file's (comma-separated). */
    public List<String> values(String longName) {
        String[] given = flags.getOptionValues(longName);
        if (given != null) {
            return Arrays.asList(given);
        }
        List<String> fromFile = new ArrayList<>();
        String v = file.getProperty(longName);
        if (v != null) {
            for (String part : v.split(",")) {
                if (!part.isBlank()) {
                    fromFile.add(part.trim());
                }
            }
        }
        return fromFile;
    }

    public String require(String longName) throws UsageException {
        String v = value(longName);
        if (v == null || v.isEmpty()) {
            throw new UsageException("--" + longName + " is required (see " + command + " --help)");
        }
        return v;
    }

    private void printHelp() {
        HelpFormatter help = new HelpFormatter();
        help.setWidth(100);
        PrintWriter out = new PrintWriter(System.out, true);
        help.printHelp(out, 100, command + " [options]", null, options, 2, 2, helpFooter == null ? null : "\n" + helpFooter);
        out.flush();
    }

    static void applyLogLevel(String level) throws UsageException {
        if (level == null) {
            return;
        }
        Level parsed = switch (level.toLowerCase()) {
            case "error" -> Level.ERROR;
            case "warn" -> Level.WARN;
            case "info" -> Level.INFO;
            case "debug" -> Level.DEBUG;
            case "trace" -> Level.TRACE;
            default -> throw new UsageException("--log-level: '" + level + "' is not one of error, warn, info, debug, trace");
        };
        Object root = LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (root instanceof Logger logback) {
            logback.setLevel(parsed);
        }
    }

    private static String oneLine(String s) {
        return s == null ? "bad arguments" : s.replace('\n', ' ').trim();
    }
}
