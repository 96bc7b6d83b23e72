package io.roamtun.client;

import io.roamtun.engine.text.IoErrors;
import io.roamtun.engine.text.UsageException;
import io.roamtun.engine.tls.CaTrust;
import io.roamtun.engine.tls.PinnedCertificateTrust;
import io.roamtun.engine.tls.TlsProviders;
import io.roamtun.engine.transport.TlsTransportFactory;
import io.roamtun.engine.transport.TransportFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Provider;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/** The client's TLS: trust one pinned server certificate, or a CA (with the server's name checked). */
public final class ClientTls {
    private ClientTls() {}

    public static TransportFactory pinned(String fingerprint, TlsProviders.Mode mode) throws UsageException {
        byte[] sha256;
        try {
            sha256 = PinnedCertificateTrust.parse(fingerprint);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--server-fingerprint: " + e.getMessage() + " (server-service init prints it)");
        }
        return build(new TrustManager[] {new PinnedCertificateTrust(sha256)}, mode, false);
    }

    public static TransportFactory ca(Path caFile, TlsProviders.Mode mode) throws UsageException {
        try (InputStream in = Files.newInputStream(caFile)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ks.setCertificateEntry("ca" + i++, c);
            }
            if (i == 0) {
                throw new UsageException("--server-ca: " + caFile + " holds no certificate");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager pkix) {
                    return build(new TrustManager[] {new CaTrust(pkix)}, mode, true);
                }
            }
            throw new UsageException("--server-ca: this Java has no X.509 trust manager");
        } catch (IOException e) {
            throw new UsageException("--server-ca: cannot read " + caFile + ": " + IoErrors.reason(e));
        } catch (GeneralSecurityException e) {
            throw new UsageException("--server-ca: " + caFile + " is not a PEM certificate: " + e.getMessage());
        }
    }

    private static TransportFactory build(TrustManager[] trust, TlsProviders.Mode mode, boolean verifyHostname)
            throws UsageException {
        try {
            Provider provider = TlsProviders.provider(mode);
            SSLContext context = TlsProviders.context(provider);
            context.init(null, trust, null);
            return new TlsTransportFactory(context, provider, true, verifyHostname);
        } catch (GeneralSecurityException e) {
            throw new UsageException("TLS set-up failed: " + e.getMessage());
        }
    }
}
