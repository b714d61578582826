// Lesson 1 does what its "You should see" promises: ids, parents, one trace, export on end.

import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Lesson01SpansTest {
    private final Harness.Memory memory = Harness.Memory.create();

    @AfterEach
    void close() {
        memory.close();
    }

    @Test
    void handWiredProviderExportsWithItsResource() {
        var exporter = InMemorySpanExporter.create();
        io.opentelemetry.sdk.trace.data.SpanData span;
        try (var otel = Lesson01Spans.wireTracerProvider(exporter, new LessonKit.Options(false, false))) {
            Lesson01Spans.oneSpan(otel);
            span = exporter.getFinishedSpanItems().get(0); // read before close(): shutdown empties the in-memory exporter
        }
        assertEquals("chat_interaction", span.getName());
        assertEquals("lesson-01-spans", span.getResource().getAttribute(io.opentelemetry.api.common.AttributeKey.stringKey("service.name")));
    }

    @Test
    void oneSpanHasTheIdsItIsExportedWith() {
        SpanContext ids = Lesson01Spans.oneSpan(memory.otel());
        var exported = memory.span("chat_interaction");
        assertTrue(ids.getTraceId().matches("[0-9a-f]{32}") && ids.getSpanId().matches("[0-9a-f]{16}"));
        assertEquals(ids.getTraceId(), exported.getTraceId());
        assertEquals(ids.getSpanId(), exported.getSpanId());
        assertFalse(exported.getParentSpanContext().isValid(), "a span started with nothing current is a root");
        assertTrue(exported.getEndEpochNanos() >= exported.getStartEpochNanos());
    }

    @Test
    void nestedSpansShareOneTraceAndPointToTheirParents() {
        Lesson01Spans.nestedSpans(memory.otel());
        var turn = memory.span("chat_interaction");
        var generate = memory.span("generate_response");
        var request = memory.span("ollama_request");
        assertEquals(turn.getSpanId(), generate.getParentSpanId());
        assertEquals(generate.getSpanId(), request.getParentSpanId());
        assertEquals(turn.getTraceId(), request.getTraceId());
    }

    @Test
    void aSpanIsExportedOnlyWhenItEnds() {
        assertEquals(1, Lesson01Spans.exportedOnEnd());
    }

    @Test
    void solutionPutsLogInteractionUnderChatInteraction() {
        Lesson01SpansSolution.turnWithLogInteraction(memory.otel());
        assertEquals(memory.span("chat_interaction").getSpanId(), memory.span("log_interaction").getParentSpanId());
        assertEquals(memory.span("chat_interaction").getSpanId(), memory.span("generate_response").getParentSpanId());
    }
}
