package dev.gpushare.scheduler.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import java.util.Map;

/**
 * HELP texts for the meters Spring registers without a description (the HTTP server observations), so that every
 * family on {@code /metrics} says what it is. A meter that has a description keeps it.
 */
final class MeterDescriptions implements MeterFilter {

    private static final Map<String, String> DESCRIPTIONS = Map.of(
            "http.server.requests", "HTTP requests served by the listeners (extender, webhook, management), by"
                    + " method, uri, status and outcome",
            "http.server.requests.active", "HTTP requests being served now by the listeners");

    @Override
    public Meter.Id map(Meter.Id id) {
        String description = DESCRIPTIONS.get(id.getName());
        if (description == null || id.getDescription() != null) {
            return id;
        }
        return new Meter.Id(id.getName(), Tags.of(id.getTagsAsIterable()), id.getBaseUnit(), description,
                id.getType());
    }
}
