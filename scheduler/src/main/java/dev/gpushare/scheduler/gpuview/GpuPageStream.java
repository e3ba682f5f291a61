package dev.gpushare.scheduler.gpuview;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Server-sent events of the GPU page: every open page gets the picture at once and then whenever it changes
 * (looked at every {@code period}, only while a page is open), plus a comment line now and then so that proxies
 * keep the connection. The browser's {@code EventSource} reconnects by itself.
 */
public final class GpuPageStream implements AutoCloseable {

    private static final long KEEPALIVE_TICKS = 15;
    private static final long EMITTER_TIMEOUT_MS = Duration.ofMinutes(30).toMillis();

    private final GpuPageService pages;
    private final List<SseEmitter> emitters = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "gpu-page-stream");
        thread.setDaemon(true);
        return thread;
    });
    private String last = "";
    private long quietTicks;

    public GpuPageStream(GpuPageService pages, Duration period) {
        this.pages = pages;
        timer.scheduleWithFixedDelay(this::tick, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A new subscriber: it gets the current picture first. */
    public SseEmitter subscribe() {
        SseEmitter emitter = new SseEmitter(EMITTER_TIMEOUT_MS);
        emitter.onCompletion(() -> emitters.remove(emitter));
        emitter.onTimeout(() -> emitters.remove(emitter));
        emitter.onError(e -> emitters.remove(emitter));
        if (send(emitter, GpuPageService.json(pages.read()))) {
            emitters.add(emitter);
        }
        return emitter;
    }

    private synchronized void tick() {
        if (emitters.isEmpty()) {
            last = "";
            return;
        }
        try {
            GpuPage page = pages.read();
            // The time of the picture changes every time; only the content decides whether to send.
            String content = GpuPageService.json(page.atTime(Instant.EPOCH));
            if (!content.equals(last)) {
                last = content;
                quietTicks = 0;
                String json = GpuPageService.json(page);
                emitters.forEach(emitter -> send(emitter, json));
            } else if (++quietTicks >= KEEPALIVE_TICKS) {
                quietTicks = 0;
                emitters.forEach(this::keepAlive);
            }
        } catch (RuntimeException e) {
            // A picture that cannot be made now is tried again at the next tick.
        }
    }

    private boolean send(SseEmitter emitter, String json) {
        try {
            emitter.send(SseEmitter.event().name("gpus").data(json, org.springframework.http.MediaType.APPLICATION_JSON));
            return true;
        } catch (IOException | IllegalStateException e) {
            emitters.remove(emitter);
            emitter.completeWithError(e);
            return false;
        }
    }

    private void keepAlive(SseEmitter emitter) {
        try {
            emitter.send(SseEmitter.event().comment("keep-alive"));
        } catch (IOException | IllegalStateException e) {
            emitters.remove(emitter);
        }
    }

    int subscribers() {
        return emitters.size();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        emitters.forEach(SseEmitter::complete);
        emitters.clear();
    }
}
