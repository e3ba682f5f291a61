package dev.gpushare.certgen;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.util.io.pem.PemGenerationException;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * PEM encoding and decoding of certificates and private keys. Keys are written as PKCS#8 ({@code PRIVATE KEY},
 * read by Java, Go and OpenSSL alike); SEC1 {@code EC PRIVATE KEY}, which kube-webhook-certgen (HAMi's job) writes,
 * is read too.
 */
public final class Pem {

    private Pem() {
    }

    public static String encode(X509Certificate certificate) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(certificate);
        } catch (IOException e) {
            throw new UncheckedIOException("writing PEM to memory failed", e);
        }
        return text.toString();
    }

    public static String encode(PrivateKey key) {
        StringWriter text = new StringWriter();
        try (PemWriter writer = new PemWriter(text)) {
            writer.writeObject(new JcaPKCS8Generator(key, null));
        } catch (PemGenerationException e) {
            throw new IllegalArgumentException("cannot encode private key as PKCS#8", e);
        } catch (IOException e) {
            throw new UncheckedIOException("writing PEM to memory failed", e);
        }
        return text.toString();
    }

    /** The first certificate of {@code pem} (a chain's further certificates are ignored). */
    public static X509Certificate readCertificate(String pem) throws PemException {
        Object first = readFirstObject(pem, "certificate");
        if (!(first instanceof X509CertificateHolder holder)) {
            throw new PemException("expected a CERTIFICATE block, found " + describe(first));
        }
        try {
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (CertificateException e) {
            throw new PemException("undecodable certificate: " + e.getMessage(), e);
        }
    }

    public static PrivateKey readPrivateKey(String pem) throws PemException {
        Object first = readFirstObject(pem, "private key");
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try {
            if (first instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            if (first instanceof PEMKeyPair pair) {
                return converter.getPrivateKey(pair.getPrivateKeyInfo());
            }
        } catch (IOException e) {
            throw new PemException("undecodable private key: " + e.getMessage(), e);
        }
        throw new PemException("expected a PRIVATE KEY or EC PRIVATE KEY block, found " + describe(first));
    }

    private static Object readFirstObject(String pem, String what) throws PemException {
        if (pem == null || pem.isBlank()) {
            throw new PemException("no " + what + ": empty value");
        }
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object first = parser.readObject();
            if (first == null) {
                throw new PemException("no " + what + ": no PEM block found");
            }
            return first;
        } catch (IOException | RuntimeException e) {
            // PEMParser reports malformed base64 or ASN.1 with runtime exceptions as well as IOExceptions.
            throw new PemException("undecodable " + what + " PEM: " + e.getMessage(), e);
        }
    }

    private static String describe(Object pemObject) {
        return pemObject.getClass().getSimpleName();
    }
}
