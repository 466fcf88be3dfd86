package io.partita.testnet;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made at test time, and certificates it signs, written as PEM files: nothing private is
 * ever committed. Certificates name {@code 127.0.0.1} and {@code localhost}, the only addresses tests use.
 */
public final class TestCa {
    private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());
    private final KeyPair keys;
    private final X509Certificate certificate;
    private final String name;

    /** How a private key is written: PKCS#8 ({@code PRIVATE KEY}), or the algorithm's own form (PKCS#1 / SEC1). */
    public enum KeyFormat { PKCS8, TRADITIONAL }

    /** Key algorithms tests may ask for. */
    public enum KeyType { EC, RSA }

    /** A certificate and key written to files. */
    public record Issued(Path cert, Path key, BigInteger serial, X509Certificate certificate) {}

    private TestCa(String name, KeyPair keys, X509Certificate certificate) {
        this.name = name;
        this.keys = keys;
        this.certificate = certificate;
    }

    /** A new self-signed CA named {@code CN=name}, valid for a day. */
    public static TestCa create(String name) {
        try {
            KeyPair keys = generate(KeyType.EC);
            X500Name subject = new X500Name("CN=" + name);
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, serial(), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(1))), subject, keys.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
            return new TestCa(name, keys, sign(b, keys));
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make a test CA", e);
        }
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** Writes the CA's certificate (PEM) to {@code file} and returns it. */
    public Path writeCertificate(Path file) {
        writeAtomically(file, pem(certificate));
        return file;
    }

    /** base64(SHA-256(SubjectPublicKeyInfo)) of the CA: Chromium's {@code --ignore-certificate-errors-spki-list}. */
    public String spkiSha256() {
        return spkiSha256(certificate);
    }

    /** base64(SHA-256(SubjectPublicKeyInfo)) of {@code cert}. */
    public static String spkiSha256(X509Certificate cert) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(cert.getPublicKey().getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A server-and-client certificate for 127.0.0.1 and localhost, EC key in PKCS#8, in {@code dir/base.{crt,key}}. */
    public Issued issue(String commonName, Path dir, String base) {
        return issue(commonName, dir.resolve(base + ".crt"), dir.resolve(base + ".key"), KeyType.EC, KeyFormat.PKCS8);
    }

    /**
     * Signs a new certificate for {@code commonName} (valid from an hour ago for a day, for 127.0.0.1 and localhost,
     * server and client use) and writes it and its key; each file is replaced in one rename, as cert-manager does.
     */
    public Issued issue(String commonName, Path certFile, Path keyFile, KeyType type, KeyFormat format) {
        return issue(commonName, certFile, keyFile, type, format, List.of("localhost"), List.of("127.0.0.1"));
    }

    /** As cert-manager issues a Certificate: for exactly {@code dnsNames} (wildcards too) and {@code ipAddresses}. */
    public Issued issue(String commonName, Path certFile, Path keyFile, KeyType type, KeyFormat format,
                        List<String> dnsNames, List<String> ipAddresses) {
        try {
            KeyPair leaf = generate(type);
            Instant now = Instant.now();
            BigInteger serial = serial();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(certificate, serial,
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))),
                    new X500Name("CN=" + commonName), leaf.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            b.addExtension(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            List<GeneralName> names = new ArrayList<>();
            ipAddresses.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
            dnsNames.forEach(dns -> names.add(new GeneralName(GeneralName.dNSName, dns)));
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(leaf.getPublic()));
            X509Certificate cert = sign(b, keys);
            Files.createDirectories(certFile.toAbsolutePath().getParent());
            writeAtomically(keyFile, format == KeyFormat.PKCS8 ? pem(new JcaPKCS8Generator(leaf.getPrivate(), null)) : traditional(leaf));
            writeAtomically(certFile, pem(cert));
            return new Issued(certFile, keyFile, serial, cert);
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot issue a test certificate", e);
        }
    }

    @Override
    public String toString() {
        return "TestCa[" + name + "]";
    }

    private static KeyPair generate(KeyType type) throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance(type.name());
        if (type == KeyType.EC) {
            g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
        } else {
            g.initialize(2048, new SecureRandom());
        }
        return g.generateKeyPair();
    }

    /** PKCS#1 for RSA; SEC1 with its named curve for EC, as openssl writes it (the JDK's own encoding leaves it out). */
    private static String traditional(KeyPair pair) throws IOException {
        if (!(pair.getPrivate() instanceof java.security.interfaces.ECPrivateKey ec)) {
            return pem(pair.getPrivate());
        }
        org.bouncycastle.asn1.x509.SubjectPublicKeyInfo spki =
                org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(pair.getPublic().getEncoded());
        org.bouncycastle.asn1.ASN1Encodable curve = spki.getAlgorithm().getParameters();
        byte[] sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256, ec.getS(), spki.getPublicKeyData(), curve).getEncoded();
        return pem(new org.bouncycastle.util.io.pem.PemObject("EC PRIVATE KEY", sec1));
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIALS.incrementAndGet());
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair signer) throws GeneralSecurityException, OperatorCreationException {
        String algorithm = signer.getPrivate().getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(algorithm).build(signer.getPrivate())));
    }

    private static String pem(Object o) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void writeAtomically(Path file, String text) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".tmp-", ".pem");
            Files.writeString(tmp, text, StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
