package dev.gpushare.ops.preflight;

import dev.gpushare.certgen.SecretCertificates;
import java.time.Duration;

/**
 * Thresholds of the checks.
 *
 * @param nodeLockExpire   a lock older than this is stale, a pod {@code allocating} longer than this is stuck
 *                         (the scheduler's {@code hami.node-lock.expire})
 * @param handshakeMaxAge  a {@code Requesting_} handshake older than this was not answered by the device plugin
 * @param certificateRenew a serving certificate expiring sooner than this is a warning (certgen renews it then)
 */
public record PreflightSettings(Duration nodeLockExpire, Duration handshakeMaxAge, Duration certificateRenew) {

    public static final Duration DEFAULT_NODE_LOCK_EXPIRE = Duration.ofMinutes(5);
    public static final Duration HANDSHAKE_MAX_AGE = Duration.ofMinutes(5);
    public static final Duration CERTIFICATE_RENEW = SecretCertificates.RENEW_BEFORE;
}
