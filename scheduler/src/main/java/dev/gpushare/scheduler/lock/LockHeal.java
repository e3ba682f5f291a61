package dev.gpushare.scheduler.lock;

import java.util.Locale;

/** What kind of stale lock was broken before taking it (a metric label). */
enum LockHeal {
    /** Older than {@code hami.node-lock.expire}. */
    EXPIRED,
    /** Its owner pod is gone, finished or bound to another node. */
    DANGLING,
    /** Its value cannot be read. */
    MALFORMED;

    String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
