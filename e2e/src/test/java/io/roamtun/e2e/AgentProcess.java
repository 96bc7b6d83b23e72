package io.roamtun.e2e;

import io.roamtun.testing.Await;
import java.time.Duration;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An agent (or any main class of this build) run as its own JVM, the way the launchers run it, with
 * its log lines collected so a test can wait for "listening on ..." and learn the port it got.
 */
final class AgentProcess implements AutoCloseable {
    private final Process process;
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    private final BlockingQueue<String> fresh = new LinkedBlockingQueue<>();
    /** Reads the process's output until it closes. */
    private final Thread reader;

    AgentProcess(Process process) {
        this.process = process;
        reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                    fresh.add(line);
                }
            } catch (IOException ignored) {
                // process gone
            }
        }, "agent-output");
        reader.setDaemon(true);
        reader.start();
    }

    static AgentProcess start(String mainClass, String... args) throws IOException {
        return startWith(List.of("-Xmx256m"), mainClass, args);
    }

    static AgentProcess startWith(List<String> jvmOptions, String mainClass, String... args) throws IOException {
        return startWith(java.util.Map.of(), jvmOptions, mainClass, args);
    }

    /** With {@code environment} added to this JVM's (XDG_RUNTIME_DIR, say). */
    static AgentProcess startWith(java.util.Map<String, String> environment, List<String> jvmOptions, String mainClass,
                                  String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + "/bin/java");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        Collections.addAll(command, args);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(environment);
        return new AgentProcess(pb.start());
    }

    static AgentProcess server(String... args) throws IOException {
        return start("io.roamtun.server.ServerServiceMain", args);
    }

    static AgentProcess client(String... args) throws IOException {
        return start("io.roamtun.client.ClientServiceMain", args);
    }

    /** Waits for a line matching {@code regex}; returns its first group (or the whole line). */
    String await(String regex, long seconds) throws Exception {
        Pattern pattern = Pattern.compile(regex);
        synchronized (lines) {
            for (String line : lines) {
                Matcher m = pattern.matcher(line);
                if (m.find()) {
                    return m.groupCount() > 0 ? m.group(1) : line;
                }
            }
        }
        String[] found = new String[1];
        Await.until(Duration.ofSeconds(seconds), () -> {
            for (String line = fresh.poll(); line != null; line = fresh.poll()) {
                Matcher m = pattern.matcher(line);
                if (m.find()) {
                    found[0] = m.groupCount() > 0 ? m.group(1) : line;
                    return true;
                }
            }
            if (!process.isAlive() && fresh.isEmpty()) {
                throw new AssertionError("the process exited (code " + process.exitValue() + ") without a line matching "
                        + regex + "; output:\n" + output());
            }
            return false;
        }, () -> "no line matching " + regex + "; output so far:\n" + output());
        return found[0];
    }

    boolean isAlive() {
        return process.isAlive();
    }

    int waitFor(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("process still running after " + seconds + " s; output:\n" + output());
        }
        reader.join(TimeUnit.SECONDS.toMillis(5)); // the output ends with the process: the reader has taken every line
        return process.exitValue();
    }

    String output() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    long pid() {
        return process.pid();
    }

    /**
     * Sends SIGTERM (what systemd's stop and a plain kill send) through kill(1): Process.destroy() sends it
     * too but also closes the pipes, and every line the agent logs while it drains would be lost.
     */
    void terminate() throws IOException, InterruptedException {
        signal("TERM");
    }

    /** Sends the signal named (TERM, HUP, ...) through kill(1). */
    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).redirectErrorStream(true).start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed: " + new String(kill.getInputStream().readAllBytes()));
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
