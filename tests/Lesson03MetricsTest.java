// Lesson 3: the four instruments, the View's buckets, cardinality and the Prometheus names.

import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Lesson03MetricsTest {
    private final InMemoryMetricReader reader = InMemoryMetricReader.create();
    private final OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
            .setMeterProvider(Lesson03Metrics.withDurationView(SdkMeterProvider.builder().registerMetricReader(reader)).build()).build();

    @AfterEach
    void close() {
        otel.close();
    }

    private io.opentelemetry.sdk.metrics.data.MetricData metric(String name) {
        return reader.collectAllMetrics().stream().filter(m -> m.getName().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void counterSplitsByModelAndStatus() {
        Lesson03Metrics.counter(otel);
        var requests = metric("llm.requests");
        assertEquals(3, MetricsTest.sum(requests, Harness.attrs("model", "llama3.1:8b", "status", "success")));
        assertEquals(1, MetricsTest.sum(requests, Harness.attrs("model", "llama3.1:8b", "status", "error")));
    }

    @Test
    void viewSetsTheHistogramBuckets() {
        Lesson03Metrics.histogram(otel);
        var point = MetricsTest.histogram(metric("llm.request.duration"), Harness.attrs("model", "llama3.1:8b", "status", "success"));
        assertEquals(Lesson03Metrics.BUCKETS, point.getBoundaries());
        assertEquals(6, point.getCount());
        assertEquals(2, point.getCounts().get(2), "0.3 and 0.45 fall in (0.25, 0.5]");
    }

    @Test
    void upDownCounterEndsAtOneAndTheGaugeHoldsTheLastValue() {
        Lesson03Metrics.gaugeAndUpDownCounter(otel);
        assertEquals(1, MetricsTest.sum(metric("llm.queue_size"), Harness.attrs("model", "llama3.1:8b")));
        assertEquals(4_920_753_328L, metric("llm.model.memory").getLongGaugeData().getPoints().iterator().next().getValue());
    }

    @Test
    void freeTextAttributesMultiplySeries() {
        assertArrayEquals(new int[] {1, 5}, Lesson03Metrics.cardinality());
    }

    @Test
    void prometheusSeriesGetUnitAndTotalSuffixes() {
        var lines = Lesson03Metrics.prometheusSeries();
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("llm_requests_total{")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("llm_request_duration_seconds_bucket{")), lines.toString());
    }

    @Test
    void solutionCountsTokensByType() {
        Lesson03MetricsSolution.tokens(otel, 12, 87);
        var tokens = metric("llm.tokens");
        assertEquals("{token}", tokens.getUnit());
        assertEquals(12, MetricsTest.sum(tokens, Harness.attrs("model", "llama3.1:8b", "type", "input")));
        assertEquals(87, MetricsTest.sum(tokens, Harness.attrs("model", "llama3.1:8b", "type", "output")));
    }
}
