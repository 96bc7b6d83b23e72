package io.roamtun.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Starting, watching and measuring the benchmark's (and tests') helper processes. Linux only (reads /proc). */
public final class Processes {
    private Processes() {}

    static String find(String program) {
        for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin").split(":")) {
            File f = new File(dir, program);
            if (!dir.isEmpty() && f.canExecute()) {
                return f.getAbsolutePath();
            }
        }
        return null;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Programs started and not stopped yet: stopped by a shutdown hook too, when the benchmark is interrupted. */
    private static final java.util.Set<Process> RUNNING = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(p -> {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }), "bench-cleanup"));
    }

    static Process start(Path log, String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        RUNNING.add(p);
        p.onExit().thenRun(() -> RUNNING.remove(p));
        return p;
    }

    static Process startJava(Path log, String mainClass, String... args) throws IOException {
        return startJava(log, List.of("-Xms32m", "-Xmx512m", "-XX:+UseSerialGC"), mainClass, args);
    }

    static Process startJava(Path log, List<String> jvmOptions, String mainClass, String... args) throws IOException {
        return start(log, javaCommand(jvmOptions, mainClass, args).toArray(String[]::new));
    }

    /** The command that runs {@code mainClass} in a JVM of this one's kind, with this one's class path. */
    static List<String> javaCommand(List<String> jvmOptions, String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + "/bin/java");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(List.of(args));
        return command;
    }

    /** Waits until {@code log} has a line matching {@code regex}; returns group 1. */
    static String awaitLine(Path log, Process owner, String regex, long seconds) throws IOException, InterruptedException {
        Pattern pattern = Pattern.compile(regex);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log)) {
                for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                    Matcher m = pattern.matcher(line);
                    if (m.find()) {
                        return m.groupCount() > 0 ? m.group(1) : line;
                    }
                }
            }
            if (!owner.isAlive()) {
                throw new IOException("process exited (" + owner.exitValue() + ") before printing /" + regex + "/: "
                        + Files.readString(log));
            }
            Thread.sleep(20);
        }
        throw new IOException("no /" + regex + "/ within " + seconds + " s: " + Files.readString(log));
    }

    static void awaitPort(int port, long seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
        throw new IOException("nothing listens on port " + port + " after " + seconds + " s");
    }

    static void stop(Process p) {
        if (p == null) {
            return;
        }
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Resident memory of a process and all its descendants, in bytes (socat and sshd fork per connection). */
    static long treeRss(long pid) {
        long total = rss(pid);
        for (ProcessHandle child : ProcessHandle.of(pid).map(h -> h.descendants().toList()).orElse(List.of())) {
            total += rss(child.pid());
        }
        return total;
    }

    static long rss(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException gone) {
            // process ended
        }
        return 0;
    }

    /** CPU time (user + system) a process has used so far, in nanoseconds; -1 when it cannot be read. */
    static long cpuNanos(long pid) {
        return cpuNanos(pid, false);
    }

    private static long cpuNanos(long pid, boolean withReapedChildren) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14, 15)
            if (withReapedChildren) {
                ticks += Long.parseLong(fields[13]) + Long.parseLong(fields[14]); // cutime, cstime (16, 17)
            }
            return ticks * 10_000_000L; // USER_HZ is 100 on Linux
        } catch (IOException | RuntimeException gone) {
            return -1;
        }
    }

    /**
     * CPU time of a process and everything under it: each live process's own time plus that of the children
     * it has reaped (a relay that forks per connection, like socat or sshd, counts its finished children
     * too); -1 when the process is gone. A child that ends between the two reads is counted in the next
     * call rather than this one; paths that fork a child per connection are not measured this way.
     */
    static long treeCpuNanos(long pid) {
        long total = cpuNanos(pid, true);
        if (total < 0) {
            return -1;
        }
        for (ProcessHandle child : ProcessHandle.of(pid).map(h -> h.descendants().toList()).orElse(List.of())) {
            total += Math.max(0, cpuNanos(child.pid(), true));
        }
        return total;
    }

    /** Java heap in use after a full GC, via jcmd; -1 when it cannot be read. */
    public static long heapUsedAfterGc(long pid) {
        String jcmd = System.getProperty("java.home") + "/bin/jcmd";
        try {
            run(jcmd, String.valueOf(pid), "GC.run");
            String info = run(jcmd, String.valueOf(pid), "GC.heap_info");
            long used = 0;
            boolean found = false;
            Matcher m = Pattern.compile("^\\s*(def new generation|tenured generation|garbage-first heap|PSYoungGen|ParOldGen)\\s.*?used (\\d+)K",
                    Pattern.MULTILINE).matcher(info);
            while (m.find()) {
                used += Long.parseLong(m.group(2)) * 1024;
                found = true;
            }
            return found ? used : -1;
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                out.append(line).append('\n');
            }
        }
        p.waitFor(30, TimeUnit.SECONDS);
        return out.toString();
    }
}
