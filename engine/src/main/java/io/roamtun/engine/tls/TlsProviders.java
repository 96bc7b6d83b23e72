package io.roamtun.engine.tls;

import io.roamtun.engine.text.UsageException;
import java.security.Provider;
import javax.net.ssl.SSLContext;
import org.conscrypt.Conscrypt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the TLS implementation: Conscrypt (BoringSSL, several times faster handshakes, keying-material
 * export for resume channel binding) where its native library loads (x86-64 only in 2.5.2), the JDK's
 * otherwise. The provider object is passed explicitly to every SSLContext; it is
 * never installed JVM-wide.
 */
public final class TlsProviders {
    private static final Logger log = LoggerFactory.getLogger(TlsProviders.class);

    public enum Mode { AUTO, CONSCRYPT, JDK }

    private TlsProviders() {}

    public static Mode parse(String option, String value) throws UsageException {
        if (value == null) {
            return Mode.AUTO;
        }
        return switch (value.toLowerCase()) {
            case "auto" -> Mode.AUTO;
            case "conscrypt" -> Mode.CONSCRYPT;
            case "jdk" -> Mode.JDK;
            default -> throw new UsageException(option + ": '" + value + "' is not one of auto, conscrypt, jdk");
        };
    }

    /** The provider for {@code mode}, or null for the JDK's default. */
    public static Provider provider(Mode mode) throws UsageException {
        if (mode == Mode.JDK) {
            return null;
        }
        boolean available;
        Throwable why = null;
        try {
            available = Conscrypt.isAvailable();
        } catch (Throwable t) { // UnsatisfiedLinkError and friends on platforms without its native code
            available = false;
            why = t;
        }
        if (!available) {
            if (mode == Mode.CONSCRYPT) {
                throw new UsageException("--tls-provider conscrypt: Conscrypt does not load on this platform ("
                        + System.getProperty("os.name") + " " + System.getProperty("os.arch") + (why != null ? ": " + why : "")
                        + "); use --tls-provider jdk or auto");
            }
            // Conscrypt 2.5.2 carries native code for x86-64 (Linux, macOS, Windows) and 32-bit Windows only:
            // aarch64 (Apple Silicon, ARM servers) lands here.
            log.info("Conscrypt is not available on {} {} (its native code is for x86-64 only); using the JDK's TLS: "
                    + "slower handshakes, and resumes not bound to the TLS connection",
                    System.getProperty("os.name"), System.getProperty("os.arch"));
            return null;
        }
        return Conscrypt.newProvider();
    }

    public static SSLContext context(Provider provider) throws java.security.GeneralSecurityException {
        return provider == null ? SSLContext.getInstance("TLSv1.3") : SSLContext.getInstance("TLSv1.3", provider);
    }

    public static String name(Provider provider) {
        return provider == null ? "JDK" : provider.getName();
    }
}
