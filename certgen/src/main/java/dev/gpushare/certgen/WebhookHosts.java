package dev.gpushare.certgen;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.util.IPAddress;

/**
 * The names a server certificate must be valid for: every host that is an IP literal becomes an IP SAN, any other
 * a DNS SAN (as kube-webhook-certgen does). Never resolves a name.
 */
public record WebhookHosts(List<String> hosts) {

    private static final int SAN_DNS = 2;
    private static final int SAN_IP = 7;

    public WebhookHosts {
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("at least one host is required");
        }
        for (String host : hosts) {
            String problem = problemWith(host);
            if (problem != null) {
                throw new IllegalArgumentException("invalid host '" + host + "': " + problem);
            }
        }
        hosts = List.copyOf(new LinkedHashSet<>(hosts));
    }

    public GeneralNames subjectAlternativeNames() {
        return new GeneralNames(hosts.stream()
                .map(host -> new GeneralName(IPAddress.isValid(host) ? GeneralName.iPAddress : GeneralName.dNSName,
                        host))
                .toArray(GeneralName[]::new));
    }

    /** Hosts that {@code certificate}'s SANs do not name (DNS names compared case-insensitively, IPs by value). */
    public List<String> missingFrom(X509Certificate certificate) {
        Set<String> dnsNames = new LinkedHashSet<>();
        Set<InetAddress> ips = new LinkedHashSet<>();
        Collection<List<?>> sans;
        try {
            sans = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return hosts;
        }
        if (sans != null) {
            for (List<?> san : sans) {
                int type = (Integer) san.get(0);
                String value = String.valueOf(san.get(1));
                if (type == SAN_DNS) {
                    dnsNames.add(value.toLowerCase(Locale.ROOT));
                } else if (type == SAN_IP && IPAddress.isValid(value)) {
                    ips.add(ipLiteral(value));
                }
            }
        }
        return hosts.stream()
                .filter(host -> IPAddress.isValid(host)
                        ? !ips.contains(ipLiteral(host))
                        : !dnsNames.contains(host.toLowerCase(Locale.ROOT)))
                .toList();
    }

    private static String problemWith(String host) {
        if (host == null || host.isBlank()) {
            return "empty";
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == ',') {
                return "only printable ASCII without blanks or commas is allowed in a DNS name";
            }
        }
        return null;
    }

    /** Only ever called on IP literals (checked with {@link IPAddress#isValid}), so no name lookup happens. */
    private static InetAddress ipLiteral(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("IP literal rejected after validation: " + literal, e);
        }
    }
}
