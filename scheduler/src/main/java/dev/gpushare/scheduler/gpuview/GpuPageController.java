package dev.gpushare.scheduler.gpuview;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Map;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The GPU page on the management listener, read-only: {@code /ui/} (HTML, CSS and JavaScript from the jar, no
 * external resource), {@code /ui/api/state} (the picture as JSON) and {@code /ui/api/events} (server-sent events).
 * The page renders every value as text, never as markup; the content security policy allows nothing but this
 * origin's own files.
 */
@RestController
public final class GpuPageController {

    private static final Map<String, MediaType> FILES = Map.of(
            "index.html", MediaType.TEXT_HTML,
            "app.js", MediaType.valueOf("text/javascript"),
            "style.css", MediaType.valueOf("text/css"));
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self';"
            + " img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final GpuPageService pages;
    private final GpuPageStream stream;
    private final Map<String, byte[]> content;

    public GpuPageController(GpuPageService pages, GpuPageStream stream) {
        this.pages = pages;
        this.stream = stream;
        this.content = Map.of("index.html", file("index.html"), "app.js", file("app.js"), "style.css",
                file("style.css"));
    }

    private static byte[] file(String name) {
        try (InputStream in = GpuPageController.class.getResourceAsStream("/gpushare-ui/" + name)) {
            if (in == null) {
                throw new IllegalStateException("gpushare-ui/" + name + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @GetMapping("/ui")
    ResponseEntity<Void> redirect() {
        return ResponseEntity.status(HttpStatus.FOUND).location(URI.create("/ui/")).build();
    }

    @GetMapping("/ui/")
    ResponseEntity<byte[]> index() {
        return file("index.html", MediaType.TEXT_HTML);
    }

    @GetMapping("/ui/{name:app\\.js|style\\.css}")
    ResponseEntity<byte[]> asset(@PathVariable String name) {
        return file(name, FILES.get(name));
    }

    @GetMapping(path = "/ui/api/state", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<String> state() {
        return ResponseEntity.ok().cacheControl(CacheControl.noStore()).header("X-Content-Type-Options", "nosniff")
                .body(GpuPageService.json(pages.read()));
    }

    @GetMapping(path = "/ui/api/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter events() {
        return stream.subscribe();
    }

    private ResponseEntity<byte[]> file(String name, MediaType type) {
        return ResponseEntity.ok().contentType(type).cacheControl(CacheControl.noCache())
                .header("Content-Security-Policy", CSP).header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "no-referrer").body(content.get(name));
    }
}
