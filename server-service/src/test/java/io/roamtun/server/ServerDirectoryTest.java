package io.roamtun.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerDirectoryTest {

    /**
     * The keystore password never appears on keytool's command line (any user sees that in {@code ps}): it
     * is read from the 0600 password file, and the key made that way opens with it.
     */
    @Test
    void keytoolReadsTheKeystorePasswordFromItsFile(@TempDir Path tmp) throws Exception {
        Path passwordFile = tmp.resolve("pw");
        Files.writeString(passwordFile, "s3cret-not-on-the-command-line\n");
        List<String> command = ServerDirectory.keytoolCommand(tmp.resolve("ks.p12"), passwordFile, 30, 0);
        assertFalse(command.stream().anyMatch(arg -> arg.contains("s3cret")), "no password in " + command);
        assertTrue(command.contains("-storepass:file") && command.contains("-keypass:file"), command.toString());

        ServerDirectory dir = new ServerDirectory(tmp.resolve("server"));
        dir.create(0, 30);
        assertTrue(dir.fingerprint().startsWith("sha256:"), "the key made with the password file loads: " + dir.fingerprint());
    }
}
