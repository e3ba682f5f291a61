package dev.gpushare.scheduler.leader;

import dev.gpushare.testkit.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** {@link Timers} that fire when the test moves the clock past their time, on the test's thread. */
final class ManualTimers implements Timers {

    private record Entry(Instant due, Runnable task) {
    }

    private final ManualClock clock;
    private final List<Entry> entries = new ArrayList<>();

    ManualTimers(ManualClock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized Scheduled schedule(Runnable task, Duration delay) {
        Entry entry = new Entry(clock.instant().plus(delay), task);
        entries.add(entry);
        return () -> {
            synchronized (this) {
                entries.remove(entry);
            }
        };
    }

    /** When the tasks not yet run are due: a test waits here for another thread to have scheduled its work. */
    synchronized List<Instant> pending() {
        return entries.stream().map(Entry::due).toList();
    }

    /** Moves the clock, then runs every task now due, earliest first. */
    void advance(Duration by) {
        clock.advance(by);
        List<Entry> due;
        synchronized (this) {
            due = entries.stream().filter(e -> !e.due().isAfter(clock.instant()))
                    .sorted((a, b) -> a.due().compareTo(b.due())).toList();
            entries.removeAll(due);
        }
        due.forEach(e -> e.task().run());
    }
}
