package io.replog.node.security;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A CA and certificates it signs, written as the PEM files a node is started with: made by the tests themselves
 * (Bouncy Castle), valid for 127.0.0.1 and localhost.
 */
public final class TestCertificates {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final KeyPair caKeys;
    private final X509Certificate ca;
    private final Path dir;
    private final String name;

    private TestCertificates(final Path dir, final String name) throws GeneralSecurityException, IOException {
        this.dir = dir;
        this.name = name;
        this.caKeys = keys();
        final X500Name subject = new X500Name("CN=" + name);
        final X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(), notBefore(),
            notAfter(), subject, caKeys.getPublic())
            .addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        this.ca = sign(builder, caKeys);
        pem(dir.resolve(name + ".pem"), "CERTIFICATE", ca.getEncoded());
    }

    /** A new CA named {@code name}; its certificate is {@code dir/name.pem}. */
    public static TestCertificates authority(final Path dir, final String name) {
        try {
            Files.createDirectories(dir);
            return new TestCertificates(dir, name);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public Path caFile() {
        return dir.resolve(name + ".pem");
    }

    /** A certificate for 127.0.0.1 and localhost signed by this CA: {@code dir/name.crt.pem}, {@code name.key.pem}. */
    public Path[] issue(final String host) {
        try {
            final KeyPair keys = keys();
            final X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                new X500Name(ca.getSubjectX500Principal().getName()), serial(), notBefore(), notAfter(),
                new X500Name("CN=" + host), keys.getPublic())
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                    new GeneralName(GeneralName.dNSName, "localhost")}));
            final X509Certificate cert = sign(builder, caKeys);
            final Path certFile = dir.resolve(host + ".crt.pem");
            final Path keyFile = dir.resolve(host + ".key.pem");
            pem(certFile, "CERTIFICATE", cert.getEncoded());
            pem(keyFile, "PRIVATE KEY", keys.getPrivate().getEncoded()); // PKCS#8
            return new Path[] {certFile, keyFile};
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair keys() throws GeneralSecurityException {
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(final X509v3CertificateBuilder builder, final KeyPair signer)
        throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(builder.build(
                new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIAL.incrementAndGet());
    }

    private static Date notBefore() {
        return Date.from(Instant.now().minus(1, ChronoUnit.DAYS));
    }

    private static Date notAfter() {
        return Date.from(Instant.now().plus(30, ChronoUnit.DAYS));
    }

    private static void pem(final Path file, final String type, final byte[] der) throws IOException {
        Files.writeString(file, "-----BEGIN " + type + "-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der) + "\n-----END " + type + "-----\n");
    }
}
