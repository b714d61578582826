// Lesson 7: the convention keys and names, and the mapping the chatbot relies on.

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.semconv.HttpAttributes;
import io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Lesson07SemconvTest {
    private final Harness.Memory memory = Harness.Memory.create();

    @AfterEach
    void close() {
        memory.close();
    }

    @Test
    void httpSpanIsNamedByMethodWithStableKeys() {
        Lesson07Semconv.httpSpan(memory.otel());
        var span = memory.span("POST");
        assertEquals(SpanKind.CLIENT, span.getKind());
        assertEquals("POST", span.getAttributes().get(HttpAttributes.HTTP_REQUEST_METHOD));
        assertEquals(200L, span.getAttributes().get(HttpAttributes.HTTP_RESPONSE_STATUS_CODE));
    }

    @Test
    void chatSpanIsNamedChatAndModel() {
        Lesson07Semconv.chatSpan(memory.otel());
        var span = memory.span("chat llama3.1:8b");
        assertEquals(SpanKind.CLIENT, span.getKind());
        assertEquals("chat", span.getAttributes().get(GenAiIncubatingAttributes.GEN_AI_OPERATION_NAME));
        assertEquals(87L, span.getAttributes().get(GenAiIncubatingAttributes.GEN_AI_USAGE_OUTPUT_TOKENS));
    }

    @Test
    void mappingAgreesWithTheChatbotsKeys() {
        var map = Lesson07Semconv.referenceToSemconv();
        assertEquals(io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_REQUEST_MODEL.getKey(), map.get(chatbot_otel.Keys.LLM_MODEL.getKey()));
        assertEquals(io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_USAGE_INPUT_TOKENS.getKey(), map.get(chatbot_otel.Keys.LLM_TOKENS_INPUT.getKey()));
        assertEquals(io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_USAGE_OUTPUT_TOKENS.getKey(), map.get(chatbot_otel.Keys.LLM_TOKENS_OUTPUT.getKey()));
        assertEquals(io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_REQUEST_TEMPERATURE.getKey(), map.get(chatbot_otel.Keys.LLM_TEMPERATURE.getKey()));
        assertEquals(io.opentelemetry.semconv.UrlAttributes.URL_FULL.getKey(), map.get(chatbot_otel.Keys.HTTP_URL.getKey()));
        assertEquals(io.opentelemetry.semconv.HttpAttributes.HTTP_RESPONSE_STATUS_CODE.getKey(), map.get(chatbot_otel.Keys.HTTP_STATUS_CODE.getKey()));
    }

    @Test
    void genAiMetricsHaveTheConventionsUnitsAndBuckets() {
        Lesson07Semconv.genAiMetrics(memory.otel(), 12, 87, 1.4);
        var duration = memory.metric("gen_ai.client.operation.duration");
        var usage = memory.metric("gen_ai.client.token.usage");
        assertEquals("s", duration.getUnit());
        assertEquals("{token}", usage.getUnit());
        assertEquals(chatbot_otel.Instruments.DURATION_BUCKETS, duration.getHistogramData().getPoints().iterator().next().getBoundaries());
        var types = usage.getHistogramData().getPoints().stream()
                .map(p -> p.getAttributes().get(GenAiIncubatingAttributes.GEN_AI_TOKEN_TYPE)).sorted().toList();
        assertEquals(List.of("input", "output"), types);
    }

    @Test
    void solutionAddsFinishReasonsAndMaxTokens() {
        Lesson07SemconvSolution.chatSpanWithFinishReasons(memory.otel());
        var span = memory.span("chat llama3.1:8b");
        assertEquals(List.of("stop"), span.getAttributes().get(GenAiIncubatingAttributes.GEN_AI_RESPONSE_FINISH_REASONS));
        assertEquals(256L, span.getAttributes().get(GenAiIncubatingAttributes.GEN_AI_REQUEST_MAX_TOKENS));
        assertTrue(span.getAttributes().size() >= 3);
    }
}
