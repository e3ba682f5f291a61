package dev.gpushare.certgen;

import static dev.gpushare.certgen.CertificateAssertions.assertEcP256;
import static dev.gpushare.certgen.CertificateAssertions.assertSignedBy;
import static dev.gpushare.certgen.CertificateAssertions.sans;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateFilesTest {

    @TempDir
    Path directory;

    @Test
    void writesParsablePemFilesWithAPrivateKeyFile() throws Exception {
        Path tls = directory.resolve("tls");
        ServerCertificate issued = CertificateFiles.writeNew(tls, List.of("localhost", "127.0.0.1"), Clock.systemUTC());

        X509Certificate certificate = Pem.readCertificate(Files.readString(tls.resolve("tls.crt")));
        X509Certificate ca = Pem.readCertificate(Files.readString(tls.resolve("ca.crt")));
        assertThat(sans(certificate)).containsExactly(List.of(2, "localhost"), List.of(7, "127.0.0.1"));
        assertEcP256(certificate.getPublicKey());
        assertSignedBy(certificate, ca);
        assertThat(Pem.readPrivateKey(Files.readString(tls.resolve("tls.key")))).isEqualTo(issued.key());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tls.resolve("tls.key"))))
                .isEqualTo("rw-------");
        try (var files = Files.list(tls)) {
            assertThat(files.map(file -> file.getFileName().toString()))
                    .containsExactlyInAnyOrder("tls.crt", "tls.key", "ca.crt");
        }
    }

    @Test
    void replacesExistingFiles() throws Exception {
        ServerCertificate first = CertificateFiles.writeNew(directory, List.of("localhost"), Clock.systemUTC());
        ServerCertificate second = CertificateFiles.writeNew(directory, List.of("localhost"), Clock.systemUTC());

        assertThat(Files.readString(directory.resolve("tls.crt"))).isEqualTo(second.certificatePem())
                .isNotEqualTo(first.certificatePem());
        assertThat(Files.readString(directory.resolve("tls.key"))).isEqualTo(second.keyPem());
    }
}
