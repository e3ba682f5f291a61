package dev.gpushare.certgen;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;

/**
 * Writes webhook TLS material as PEM files, for the embedded mode and for tests: {@value #CERT_FILE} and
 * {@value #KEY_FILE} (what {@code hami.webhook.tls.cert-file} / {@code key-file} point at) and {@value #CA_FILE} (to
 * trust the server in a client). Each file is replaced atomically where the file system allows it, the key first,
 * so that a watcher reloading on change never reads half a file; the key file is readable by its owner only.
 */
public final class CertificateFiles {

    public static final String CERT_FILE = "tls.crt";
    public static final String KEY_FILE = "tls.key";
    public static final String CA_FILE = "ca.crt";

    private CertificateFiles() {
    }

    /** Issues a new CA and a server certificate for {@code hosts} and writes them to {@code directory}. */
    public static ServerCertificate writeNew(Path directory, List<String> hosts, Clock clock) throws IOException {
        ServerCertificate certificate = new CertificateIssuer(clock).issue(new WebhookHosts(hosts));
        write(directory, certificate);
        return certificate;
    }

    public static void write(Path directory, ServerCertificate certificate) throws IOException {
        Files.createDirectories(directory);
        replace(directory.resolve(KEY_FILE), certificate.keyPem(), true);
        replace(directory.resolve(CERT_FILE), certificate.certificatePem(), false);
        replace(directory.resolve(CA_FILE), certificate.caPem(), false);
    }

    private static void replace(Path target, String content, boolean ownerOnly) throws IOException {
        Path temporary = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
        try {
            if (ownerOnly) {
                restrictToOwner(temporary);
            }
            Files.writeString(temporary, content, StandardCharsets.US_ASCII);
            try {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static void restrictToOwner(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system (Windows): the temp file is created with the user's default ACL.
        }
    }
}
