package dev.gpushare.bench.load;

import java.util.concurrent.TimeUnit;

/**
 * client-go's token-bucket rate limiter ({@code flowcontrol.NewTokenBucketRateLimiter}): {@code burst} tokens at
 * start, refilled at {@code qps} per second; every request of the client takes one and waits when none is left.
 */
final class TokenBucket {

    private final double qps;
    private final double burst;
    private double tokens;
    private long last = System.nanoTime();

    TokenBucket(double qps, int burst) {
        this.qps = qps;
        this.burst = burst;
        this.tokens = burst;
    }

    void acquire() throws InterruptedException {
        long waitNanos;
        synchronized (this) {
            long now = System.nanoTime();
            tokens = Math.min(burst, tokens + (now - last) / 1e9 * qps);
            last = now;
            tokens -= 1;
            waitNanos = tokens >= 0 ? 0 : (long) (-tokens / qps * 1e9);
        }
        if (waitNanos > 0) {
            TimeUnit.NANOSECONDS.sleep(waitNanos);
        }
    }
}
