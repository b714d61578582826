// The metrics of TELEMETRY.md: names, units, attributes, buckets, and values that match the simulator.

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.MetricDataType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsTest {
    private Harness harness;

    @BeforeEach
    void start() {
        harness = Harness.start();
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    static long sum(MetricData metric, Attributes attributes) {
        return metric.getLongSumData().getPoints().stream().filter(p -> p.getAttributes().equals(attributes))
                .mapToLong(LongPointData::getValue).sum();
    }

    static HistogramPointData histogram(MetricData metric, Attributes attributes) {
        return metric.getHistogramData().getPoints().stream().filter(p -> p.getAttributes().equals(attributes))
                .findFirst().orElseThrow(() -> new AssertionError(metric.getName() + " has no point " + attributes
                        + "; it has " + metric.getHistogramData().getPoints().stream().map(HistogramPointData::getAttributes).toList()));
    }

    private Attributes genAi() {
        return Harness.attrs("gen_ai.operation.name", "chat", "gen_ai.provider.name", "ollama",
                "gen_ai.request.model", "llama3.1:8b", "gen_ai.response.model", "llama3.1:8b",
                "server.address", "127.0.0.1", "server.port", harness.simulator.port());
    }

    @Test
    void requestsAreCountedByModelAndStatus() {
        harness.turn("one");
        harness.turn("two");
        var requests = harness.metric("llm.requests");
        assertEquals("{request}", requests.getUnit());
        assertTrue(requests.getLongSumData().isMonotonic());
        assertEquals(2, sum(requests, Harness.attrs("model", "llama3.1:8b", "status", "success")));
    }

    @Test
    void tokensCounterEqualsWhatTheSimulatorStreamed() {
        harness.turn("one");
        harness.turn("a longer second prompt");
        var served = harness.simulator.served();
        long input = served.stream().mapToLong(ollama_sim.ServedReply::promptTokens).sum();
        long output = served.stream().mapToLong(ollama_sim.ServedReply::outputTokens).sum();
        var tokens = harness.metric("llm.tokens");
        assertEquals("{token}", tokens.getUnit());
        assertEquals(input, sum(tokens, Harness.attrs("model", "llama3.1:8b", "type", "input")));
        assertEquals(output, sum(tokens, Harness.attrs("model", "llama3.1:8b", "type", "output")));
    }

    @Test
    void requestDurationIsInSecondsWithGenAiBuckets() {
        harness.turn("one");
        var duration = harness.metric("llm.request.duration");
        assertEquals("s", duration.getUnit());
        var point = histogram(duration, Harness.attrs("model", "llama3.1:8b", "status", "success"));
        assertEquals(1, point.getCount());
        assertEquals(List.of(0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92),
                point.getBoundaries());
        var span = harness.span("generate_response");
        assertTrue(point.getSum() <= (span.getEndEpochNanos() - span.getStartEpochNanos()) / 1e9 + 0.001);
    }

    @Test
    void genAiOperationDurationCarriesTheGenAiAttributeSet() {
        harness.turn("one");
        var duration = harness.metric("gen_ai.client.operation.duration");
        assertEquals("s", duration.getUnit());
        assertEquals(1, histogram(duration, genAi()).getCount());
    }

    @Test
    void genAiTokenUsageRecordsInputAndOutputWithPowersOfFourBuckets() {
        harness.turn("one");
        var served = harness.lastServed();
        var usage = harness.metric("gen_ai.client.token.usage");
        assertEquals("{token}", usage.getUnit());
        var input = histogram(usage, genAi().toBuilder().put("gen_ai.token.type", "input").build());
        var output = histogram(usage, genAi().toBuilder().put("gen_ai.token.type", "output").build());
        assertEquals(served.promptTokens(), input.getSum());
        assertEquals(served.outputTokens(), output.getSum());
        assertEquals(List.of(1.0, 4.0, 16.0, 64.0, 256.0, 1024.0, 4096.0, 16384.0, 65536.0, 262144.0,
                1048576.0, 4194304.0, 16777216.0, 67108864.0), input.getBoundaries());
    }

    @Test
    void timeToFirstChunkIsRecordedOncePerTurn() {
        harness.turn("one");
        harness.turn("two");
        var ttfc = harness.metric("gen_ai.client.operation.time_to_first_chunk");
        assertEquals("s", ttfc.getUnit());
        assertEquals(2, histogram(ttfc, genAi()).getCount());
    }

    @Test
    void timePerOutputChunkHasOneValuePerChunkAfterTheFirst() {
        harness.turn("one");
        long chunks = Harness.attr(harness.span("process_streaming_response"), chatbot_otel.Keys.LLM_STREAM_CHUNKS);
        var perChunk = harness.metric("gen_ai.client.operation.time_per_output_chunk");
        assertEquals("s", perChunk.getUnit());
        assertEquals(chunks - 1, histogram(perChunk, genAi()).getCount());
    }

    @Test
    void queueSizeCountsRequestsInFlightAndReturnsToZero() {
        harness.turn("one");
        var queue = harness.metric("llm.queue_size");
        assertEquals(MetricDataType.LONG_SUM, queue.getType());
        assertFalse(queue.getLongSumData().isMonotonic(), "an up-down counter, exported as a gauge");
        assertEquals("{request}", queue.getUnit());
        assertEquals(0, sum(queue, Harness.attrs("model", "llama3.1:8b")));
    }

    @Test
    void noErrorIsCountedForASuccessfulTurn() {
        harness.turn("one");
        assertTrue(harness.metrics.collectAllMetrics().stream().noneMatch(m -> m.getName().equals("llm.errors")));
    }
}
