package io.partita.common.metrics;

import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Writes a registry for a {@code GET /metrics}: the Prometheus text format, or OpenMetrics when the scraper asks for
 * it in its {@code Accept} header (as Prometheus does). The scheduler and the worker serve their registries with it.
 */
public final class MetricsExposition {
    private static final ExpositionFormatWriter TEXT = PrometheusTextFormatWriter.create();
    private static final ExpositionFormatWriter OPEN_METRICS = OpenMetricsTextFormatWriter.create();

    private MetricsExposition() {}

    /** A scrape's body and its content type. */
    public record Scrape(byte[] body, String contentType) {}

    /** Collects every metric of {@code registry} now (callbacks run on the calling thread) and writes them. */
    public static Scrape scrape(PrometheusRegistry registry, String acceptHeader) {
        ExpositionFormatWriter writer = acceptHeader != null && OPEN_METRICS.accepts(acceptHeader) ? OPEN_METRICS : TEXT;
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 << 10);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not throw
        }
        return new Scrape(out.toByteArray(), writer.getContentType());
    }
}
