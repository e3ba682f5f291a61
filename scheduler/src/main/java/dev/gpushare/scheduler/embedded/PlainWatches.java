package dev.gpushare.scheduler.embedded;

import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.function.Consumer;

/** A dispatcher that streams plain-HTTP watches ({@link EmbeddedApiServer} calls it for them). */
interface PlainWatches {

    /** Starts the watch {@code request} asks for ({@code GET ...?watch=true}); its event lines go to {@code sink}. */
    WatchStream.Started watch(RecordedRequest request, Consumer<String> sink);
}
