package dev.gpushare.common.lock;

import dev.gpushare.common.annotation.Excerpt;
import dev.gpushare.common.annotation.GoTime;
import dev.gpushare.common.annotation.HamiKeys;
import dev.gpushare.common.annotation.MalformedAnnotationException;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The value of the node lock {@link HamiKeys#NODE_LOCK} (spec section 6.2): {@code <RFC3339>,<ns>,<name>}, e.g.
 * {@code 2026-05-19T08:33:25Z,default,train-0}, or the legacy timestamp-only {@code <RFC3339>}.
 *
 * <p>Parsing follows HAMi: no comma means timestamp only; otherwise exactly three comma-separated parts, else
 * "malformed lock annotation: expected 3 parts, got N"; the timestamp must be RFC 3339. Deliberately stricter:
 * an empty namespace or pod name is malformed too (HAMi would look up a pod named "" and keep the node blocked),
 * so the binder heals such a lock like any other malformed one. Formatting writes UTC to the second ({@code Z}),
 * as Go renders {@code time.Now().UTC()}.
 *
 * @param time  when the lock was taken
 * @param owner the pod holding it; empty for a legacy timestamp-only lock
 */
public record NodeLockValue(Instant time, Optional<Owner> owner) {

    /** The pod that holds the lock. */
    public record Owner(String namespace, String name) {
        public Owner {
            if (namespace.isEmpty() || name.isEmpty()) {
                throw new IllegalArgumentException("lock owner needs a namespace and a name");
            }
            if (namespace.indexOf(',') >= 0 || name.indexOf(',') >= 0) {
                throw new IllegalArgumentException("lock owner must not contain ','");
            }
        }
    }

    public NodeLockValue {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(owner, "owner");
    }

    /** A lock held by pod {@code namespace/name} since {@code time}. */
    public static NodeLockValue heldBy(Instant time, String namespace, String name) {
        return new NodeLockValue(time, Optional.of(new Owner(namespace, name)));
    }

    public static NodeLockValue parse(String value) throws MalformedAnnotationException {
        String[] parts = value.split(",", -1);
        if (parts.length == 1) {
            return new NodeLockValue(time(value, value), Optional.empty());
        }
        if (parts.length != 3) {
            throw new MalformedAnnotationException("malformed lock annotation: expected 3 parts, got "
                    + parts.length + " from " + Excerpt.of(value));
        }
        if (parts[1].isEmpty() || parts[2].isEmpty()) {
            throw new MalformedAnnotationException("malformed lock annotation: empty pod namespace or name in "
                    + Excerpt.of(value));
        }
        return heldBy(time(parts[0], value), parts[1], parts[2]);
    }

    /** The annotation value. */
    public String format() {
        String stamp = GoTime.formatRfc3339(time);
        return owner.map(o -> stamp + "," + o.namespace() + "," + o.name()).orElse(stamp);
    }

    /** Whether pod {@code namespace/name} holds this lock (a timestamp-only lock is held by nobody known). */
    public boolean isHeldBy(String namespace, String name) {
        return owner.map(o -> o.namespace().equals(namespace) && o.name().equals(name)).orElse(false);
    }

    private static Instant time(String text, String value) throws MalformedAnnotationException {
        return GoTime.parseRfc3339(text).orElseThrow(() -> new MalformedAnnotationException(
                "malformed lock annotation: timestamp is not RFC 3339 in " + Excerpt.of(value)));
    }
}
