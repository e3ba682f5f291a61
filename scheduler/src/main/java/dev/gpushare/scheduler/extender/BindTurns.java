package dev.gpushare.scheduler.extender;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One bind at a time per pod: a duplicated or retried {@code /bind} of a pod whose first bind is still running
 * waits for it (and then finds the pod bound) instead of re-entering the node lock beside it. Binds of different
 * pods never wait for each other here.
 */
final class BindTurns {

    /** A pod's turn, held until {@link #close()}. */
    final class Turn implements AutoCloseable {
        private final String uid;
        private final ReentrantLock lock = new ReentrantLock(true);
        private int users;

        private Turn(String uid) {
            this.uid = uid;
        }

        @Override
        public void close() {
            lock.unlock();
            leave(this);
        }
    }

    private final Map<String, Turn> turns = new HashMap<>();

    /** The pod's turn, once an earlier bind of it is done; {@code null} if that takes longer than {@code wait}. */
    Turn enter(String uid, Duration wait) throws InterruptedException {
        Turn turn;
        synchronized (this) {
            turn = turns.computeIfAbsent(uid, Turn::new);
            turn.users++;
        }
        boolean entered = false;
        try {
            entered = turn.lock.tryLock(wait.toNanos(), TimeUnit.NANOSECONDS);
        } finally {
            if (!entered) {
                leave(turn);
            }
        }
        return entered ? turn : null;
    }

    private synchronized void leave(Turn turn) {
        if (--turn.users == 0) {
            turns.remove(turn.uid);
        }
    }
}
