package io.roamtun.e2e;

import java.io.File;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds third-party programs the tests drive. Where a program is missing the test is skipped, and
 * reported as skipped, on a developer's machine; under CI ({@code -Droamtun.requireTools=true}, which
 * .ci/run sets after installing them) a missing program fails the test instead.
 */
final class ExternalTools {
    private ExternalTools() {}

    static String require(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            File candidate = new File(dir, program);
            if (candidate.canExecute()) {
                return candidate.getAbsolutePath();
            }
        }
        for (String dir : new String[] {"/usr/sbin", "/sbin", "/usr/local/bin"}) {
            File candidate = new File(dir, program);
            if (candidate.canExecute()) {
                return candidate.getAbsolutePath();
            }
        }
        if (Boolean.getBoolean("roamtun.requireTools")) {
            throw new AssertionError(program + " is not installed, and this run requires it (.ci/run installs it)");
        }
        Assumptions.abort(program + " is not installed; skipping (CI installs it and runs this test)");
        return null;
    }
}
