// The span tree of TELEMETRY.md: names, parents and kinds, one trace per chat turn.

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpanTreeTest {
    private Harness harness;

    @BeforeEach
    void start() {
        harness = Harness.start();
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    @Test
    void oneTurnMakesTheFiveSpansOfTheContract() {
        harness.turn("Hello! How are you?");
        var names = harness.spans().stream().map(SpanData::getName).sorted().toList();
        assertEquals(List.of("chat_interaction", "generate_response", "log_interaction", "ollama_request",
                "process_streaming_response"), names);
    }

    @Test
    void allSpansOfATurnShareOneTrace() {
        harness.turn("Hello!");
        var traceIds = harness.spans().stream().map(SpanData::getTraceId).collect(Collectors.toSet());
        assertEquals(1, traceIds.size());
    }

    @Test
    void spansNestAsTheContractDraws() {
        harness.turn("Hello!");
        var root = harness.span("chat_interaction");
        var generate = harness.span("generate_response");
        assertFalse(root.getParentSpanContext().isValid(), "chat_interaction is the root");
        assertEquals(root.getSpanId(), generate.getParentSpanId());
        assertEquals(generate.getSpanId(), harness.span("ollama_request").getParentSpanId());
        assertEquals(generate.getSpanId(), harness.span("process_streaming_response").getParentSpanId());
        assertEquals(root.getSpanId(), harness.span("log_interaction").getParentSpanId());
    }

    @Test
    void spanKindsFollowTheContract() {
        harness.turn("Hello!");
        var kinds = harness.spans().stream().collect(Collectors.toMap(SpanData::getName, SpanData::getKind));
        assertEquals(Map.of(
                "chat_interaction", SpanKind.INTERNAL,
                "generate_response", SpanKind.CLIENT,
                "ollama_request", SpanKind.CLIENT,
                "process_streaming_response", SpanKind.INTERNAL,
                "log_interaction", SpanKind.INTERNAL), kinds);
    }

    @Test
    void requestEndsAtTheHeadersAndTheStreamSpanCoversTheRest() {
        harness.turn("Hello!");
        var request = harness.span("ollama_request");
        var stream = harness.span("process_streaming_response");
        var generate = harness.span("generate_response");
        assertTrue(request.getEndEpochNanos() <= stream.getStartEpochNanos(), "ollama_request ends before streaming starts");
        assertTrue(stream.getEndEpochNanos() <= generate.getEndEpochNanos(), "generate_response ends after the last chunk");
        assertTrue(generate.getEndEpochNanos() <= harness.span("log_interaction").getStartEpochNanos());
    }

    @Test
    void everyTurnIsATraceOfItsOwn() {
        harness.turn("first");
        harness.turn("second");
        var roots = harness.spans().stream().filter(s -> s.getName().equals("chat_interaction")).toList();
        assertEquals(2, roots.size());
        assertNotEquals(roots.get(0).getTraceId(), roots.get(1).getTraceId());
    }

    @Test
    void turnResultNamesTheTraceOfTheTurn() {
        var result = harness.turn("Hello!");
        assertEquals(harness.span("chat_interaction").getTraceId(), result.traceId());
    }
}
