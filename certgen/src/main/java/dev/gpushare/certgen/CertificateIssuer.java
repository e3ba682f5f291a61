package dev.gpushare.certgen;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Issues the webhook's self-signed CA and its server certificates: ECDSA P-256 keys, SHA256withECDSA signatures.
 *
 * <ul>
 *   <li>CA: {@code CN=gpushare-webhook-ca}, valid {@link #CA_VALIDITY} (10 years), basicConstraints CA (critical),
 *       keyCertSign + cRLSign.</li>
 *   <li>Server: {@code CN=gpushare-webhook}, valid {@link #SERVER_VALIDITY} (1 year, renewed by {@code certgen
 *       create} within {@link SecretCertificates#RENEW_BEFORE} of expiry), digitalSignature + keyEncipherment
 *       (critical), serverAuth, SANs from {@link WebhookHosts}.</li>
 * </ul>
 * Both start {@link #BACKDATE} before now so that API servers with a clock slightly behind accept them at once.
 * Uses the JDK's providers (no global security provider is registered).
 */
public final class CertificateIssuer {

    public static final Duration CA_VALIDITY = Duration.ofDays(3650);
    public static final Duration SERVER_VALIDITY = Duration.ofDays(365);
    public static final Duration BACKDATE = Duration.ofMinutes(5);

    private static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
    private static final X500Name CA_SUBJECT = new X500Name("CN=gpushare-webhook-ca");
    private static final X500Name SERVER_SUBJECT = new X500Name("CN=gpushare-webhook");

    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public CertificateIssuer(Clock clock) {
        this.clock = clock;
    }

    /** A new CA and a server certificate for {@code hosts} signed by it. */
    public ServerCertificate issue(WebhookHosts hosts) {
        return issue(newCertificateAuthority(), hosts);
    }

    /** A server certificate for {@code hosts} signed by an existing {@code ca}. */
    public ServerCertificate issue(CertificateAuthority ca, WebhookHosts hosts) {
        try {
            KeyPair keyPair = newKeyPair();
            Instant now = clock.instant();
            // Never outlive the signing CA: a chain is only as valid as its shortest-lived certificate.
            Date notAfter = Date.from(now.plus(SERVER_VALIDITY));
            if (notAfter.after(ca.certificate().getNotAfter())) {
                notAfter = ca.certificate().getNotAfter();
            }
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca.certificate(), serialNumber(),
                    Date.from(now.minus(BACKDATE)), notAfter, SERVER_SUBJECT, keyPair.getPublic());
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true,
                            new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                    .addExtension(Extension.extendedKeyUsage, false,
                            new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false, hosts.subjectAlternativeNames())
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            extensions.createSubjectKeyIdentifier(keyPair.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            extensions.createAuthorityKeyIdentifier(ca.certificate()));
            X509Certificate certificate = sign(builder, ca.key());
            return new ServerCertificate(ca, certificate, keyPair.getPrivate());
        } catch (GeneralSecurityException | CertIOException | OperatorCreationException e) {
            throw new IllegalStateException("issuing the server certificate failed", e);
        }
    }

    public CertificateAuthority newCertificateAuthority() {
        try {
            KeyPair keyPair = newKeyPair();
            Instant now = clock.instant();
            PublicKey publicKey = keyPair.getPublic();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(CA_SUBJECT, serialNumber(),
                    Date.from(now.minus(BACKDATE)), Date.from(now.plus(CA_VALIDITY)), CA_SUBJECT, publicKey);
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            new JcaX509ExtensionUtils().createSubjectKeyIdentifier(publicKey));
            return new CertificateAuthority(sign(builder, keyPair.getPrivate()), keyPair.getPrivate());
        } catch (GeneralSecurityException | CertIOException | OperatorCreationException e) {
            throw new IllegalStateException("issuing the CA certificate failed", e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signerKey)
            throws OperatorCreationException, GeneralSecurityException {
        ContentSigner contentSigner = new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(signerKey);
        return new JcaX509CertificateConverter().getCertificate(builder.build(contentSigner));
    }

    private KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), random);
        return generator.generateKeyPair();
    }

    /** Positive, at most 20 octets (RFC 5280 4.1.2.2), random so that re-issued certificates never collide. */
    private BigInteger serialNumber() {
        return new BigInteger(127, random).add(BigInteger.ONE);
    }
}
