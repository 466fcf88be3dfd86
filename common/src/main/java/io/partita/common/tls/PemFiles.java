package io.partita.common.tls;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM files with the JDK alone: certificate chains, and unencrypted private keys in the three forms tools write
 * ({@code PRIVATE KEY}: PKCS#8; {@code RSA PRIVATE KEY}: PKCS#1, cert-manager's default for RSA; {@code EC PRIVATE KEY}:
 * SEC1, openssl's for EC). The last two are wrapped as PKCS#8 for {@link KeyFactory}. Errors name the file and say
 * what was expected.
 */
final class PemFiles {
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    private static final byte[] RSA_ENCRYPTION = {0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01};
    private static final byte[] EC_PUBLIC_KEY = {0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

    private PemFiles() {}

    /** The certificates of a PEM file, in file order (a chain: leaf first; a CA bundle: any order). */
    static List<X509Certificate> certificates(Path file, String what) throws IOException {
        List<X509Certificate> out = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (Block b : blocks(file)) {
                if (b.type.equals("CERTIFICATE")) {
                    out.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(b.der)));
                }
            }
        } catch (CertificateException | IllegalArgumentException e) {
            throw new IOException(what + " " + file + ": not a valid PEM certificate (" + e.getMessage() + ")", e);
        }
        if (out.isEmpty()) {
            throw new IOException(what + " " + file + ": no '-----BEGIN CERTIFICATE-----' block in it");
        }
        return out;
    }

    /** The private key of a PEM file. */
    static PrivateKey privateKey(Path file, String what) throws IOException {
        for (Block b : blocks(file)) {
            switch (b.type) {
                case "PRIVATE KEY" -> {
                    return pkcs8(b.der, file, what);
                }
                case "RSA PRIVATE KEY" -> {
                    return pkcs8(wrap(RSA_ENCRYPTION, null, b.der), file, what);
                }
                case "EC PRIVATE KEY" -> {
                    return pkcs8(wrap(EC_PUBLIC_KEY, sec1Curve(b.der, file, what), b.der), file, what);
                }
                case "ENCRYPTED PRIVATE KEY" -> throw new IOException(what + " " + file + ": the key is encrypted; give it "
                        + "unencrypted (as cert-manager writes it), readable only by the user Partita runs as");
                default -> { } // EC PARAMETERS and the like: skip
            }
        }
        throw new IOException(what + " " + file + ": no '-----BEGIN PRIVATE KEY-----' (or RSA / EC PRIVATE KEY) block in it");
    }

    /** Whether {@code key} is the private key of {@code cert}: it signs, the certificate's public key verifies. */
    static boolean matches(PrivateKey key, X509Certificate cert) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            default -> null;
        };
        if (algorithm == null) {
            return true; // RSASSA-PSS and others: no cheap check; the handshake will tell
        }
        try {
            byte[] probe = "partita-tls-key-check".getBytes(StandardCharsets.US_ASCII);
            Signature sign = Signature.getInstance(algorithm);
            sign.initSign(key);
            sign.update(probe);
            byte[] signature = sign.sign();
            Signature verify = Signature.getInstance(algorithm);
            verify.initVerify(cert.getPublicKey());
            verify.update(probe);
            return verify.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static PrivateKey pkcs8(byte[] der, Path file, String what) throws IOException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // not this algorithm: try the next
            }
        }
        throw new IOException(what + " " + file + ": a private key of an algorithm TLS here cannot use (RSA, EC and Ed25519 are)");
    }

    private record Block(String type, byte[] der) {}

    private static List<Block> blocks(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such file", e);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new IOException(file + ": not a PEM file (binary content; DER is not read, convert it with openssl)", e);
        }
        List<Block> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
        }
        return out;
    }

    /** PKCS#8 PrivateKeyInfo: SEQUENCE { INTEGER 0, SEQUENCE { OID algorithm, parameters }, OCTET STRING key }. */
    private static byte[] wrap(byte[] algorithmOid, byte[] curveOid, byte[] key) {
        byte[] parameters = curveOid != null ? tlv(0x06, curveOid) : new byte[] {0x05, 0x00};
        byte[] algorithm = tlv(0x30, concat(tlv(0x06, algorithmOid), parameters));
        return tlv(0x30, concat(new byte[] {0x02, 0x01, 0x00}, algorithm, tlv(0x04, key)));
    }

    /** The named curve of a SEC1 ECPrivateKey: SEQUENCE { INTEGER 1, OCTET STRING, [0] OID curve, [1] public key }. */
    private static byte[] sec1Curve(byte[] der, Path file, String what) throws IOException {
        try {
            Der sequence = Der.read(der, 0);
            int at = sequence.contentStart;
            while (at < sequence.end) {
                Der field = Der.read(der, at);
                if (field.tag == 0xa0) {
                    Der oid = Der.read(der, field.contentStart);
                    if (oid.tag == 0x06) {
                        return java.util.Arrays.copyOfRange(der, oid.contentStart, oid.end);
                    }
                }
                at = field.end;
            }
        } catch (RuntimeException e) {
            throw new IOException(what + " " + file + ": a damaged EC PRIVATE KEY (" + e + ")", e);
        }
        throw new IOException(what + " " + file + ": the EC PRIVATE KEY names no curve; write it as PKCS#8 "
                + "(openssl pkcs8 -topk8 -nocrypt)");
    }

    /** One DER element: its tag and where its content starts and ends. */
    private record Der(int tag, int contentStart, int end) {
        static Der read(byte[] der, int at) {
            int tag = der[at] & 0xff;
            int first = der[at + 1] & 0xff;
            int length;
            int start;
            if (first < 0x80) {
                length = first;
                start = at + 2;
            } else {
                int n = first & 0x7f;
                if (n < 1 || n > 3) {
                    throw new IllegalArgumentException("bad DER length");
                }
                length = 0;
                for (int i = 0; i < n; i++) {
                    length = (length << 8) | (der[at + 2 + i] & 0xff);
                }
                start = at + 2 + n;
            }
            if (start + length > der.length) {
                throw new IllegalArgumentException("DER element runs past the end");
            }
            return new Der(tag, start, start + length);
        }
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else if (n < 0x10000) {
            out.write(0x82);
            out.write(n >> 8);
            out.write(n);
        } else {
            out.write(0x83);
            out.write(n >> 16);
            out.write(n >> 8);
            out.write(n);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
