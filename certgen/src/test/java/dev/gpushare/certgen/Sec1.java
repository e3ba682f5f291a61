package dev.gpushare.certgen;

import java.io.IOException;
import java.io.StringWriter;
import java.security.interfaces.ECPrivateKey;

import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/** Writes a key as Go's {@code x509.MarshalECPrivateKey} does (kube-webhook-certgen): SEC1 with curve and point. */
final class Sec1 {

    private Sec1() {
    }

    static String pem(ServerCertificate certificate) throws IOException {
        ECPrivateKey key = (ECPrivateKey) certificate.key();
        SubjectPublicKeyInfo publicKey =
                SubjectPublicKeyInfo.getInstance(certificate.certificate().getPublicKey().getEncoded());
        org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256, key.getS(),
                new DERBitString(publicKey.getPublicKeyData().getBytes()), SECObjectIdentifiers.secp256r1);
        StringWriter text = new StringWriter();
        try (PemWriter writer = new PemWriter(text)) {
            writer.writeObject(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
        }
        return text.toString();
    }
}
