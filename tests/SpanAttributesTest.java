// Every span attribute of the contract, with its value; token counts equal what the simulator streamed.

import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpanAttributesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private Harness harness;

    @BeforeEach
    void start() {
        harness = Harness.start();
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    private static <T> T attr(String span, AttributeKey<T> key, Harness h) {
        return Harness.attr(h.span(span), key);
    }

    @Test
    void chatInteractionCarriesSessionTurnAndConversation() {
        harness.turn("one");
        harness.turn("two");
        var roots = harness.spans().stream().filter(s -> s.getName().equals("chat_interaction")).toList();
        assertEquals(List.of(1L, 2L), roots.stream().map(s -> Harness.attr(s, chatbot_otel.Keys.APP_TURN)).toList());
        for (var root : roots) {
            assertEquals(harness.chat.sessionId(), Harness.attr(root, chatbot_otel.Keys.APP_SESSION_ID));
            assertTrue(Harness.attr(root, io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_CONVERSATION_ID).matches("[0-9a-f-]{36}"));
        }
        // Harness turns are one-turn conversations, each with its own id (the REPL keeps one until /reset).
        assertEquals(2, roots.stream().map(r -> Harness.attr(r, io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_CONVERSATION_ID)).distinct().count());
    }

    @Test
    void generateResponseCarriesTheSeedAttributes() {
        harness.turn("Hello! How are you?");
        var served = harness.lastServed();
        var span = harness.span("generate_response");
        assertEquals("llama3.1:8b", Harness.attr(span, chatbot_otel.Keys.LLM_MODEL));
        assertEquals("Hello! How are you?", Harness.attr(span, chatbot_otel.Keys.LLM_PROMPT));
        assertEquals(served.content(), Harness.attr(span, chatbot_otel.Keys.LLM_RESPONSE));
        assertEquals((long) served.promptTokens(), Harness.attr(span, chatbot_otel.Keys.LLM_TOKENS_INPUT));
        assertEquals((long) served.outputTokens(), Harness.attr(span, chatbot_otel.Keys.LLM_TOKENS_OUTPUT));
        assertEquals((long) served.promptTokens() + served.outputTokens(), Harness.attr(span, chatbot_otel.Keys.LLM_TOKENS_TOTAL));
        assertEquals(0.7, Harness.attr(span, chatbot_otel.Keys.LLM_TEMPERATURE));
        long durationMs = Harness.attr(span, chatbot_otel.Keys.LLM_DURATION_MS);
        assertTrue(durationMs >= 0 && durationMs <= (span.getEndEpochNanos() - span.getStartEpochNanos()) / 1_000_000 + 1);
        assertNull(Harness.attr(span, chatbot_otel.Keys.LLM_TOKENS_ESTIMATED), "Ollama sent counts: nothing estimated");
    }

    @Test
    void generateResponseCarriesTheGenAiConventions() {
        harness.turn("Hello!");
        var served = harness.lastServed();
        var span = harness.span("generate_response");
        assertEquals("chat", Harness.attr(span, io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_OPERATION_NAME));
        assertEquals("ollama", Harness.attr(span, io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_PROVIDER_NAME));
        assertEquals("ollama", Harness.attr(span, chatbot_otel.Keys.GEN_AI_SYSTEM));
        assertEquals("llama3.1:8b", Harness.attr(span, io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_REQUEST_MODEL));
        assertEquals(served.model(), Harness.attr(span, io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_RESPONSE_MODEL));
        assertEquals(0.7, Harness.attr(span, io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_REQUEST_TEMPERATURE));
        assertEquals(List.of("stop"), Harness.attr(span, io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_RESPONSE_FINISH_REASONS));
        assertEquals((long) served.promptTokens(), Harness.attr(span, io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_USAGE_INPUT_TOKENS));
        assertEquals((long) served.outputTokens(), Harness.attr(span, io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_USAGE_OUTPUT_TOKENS));
        assertEquals("127.0.0.1", Harness.attr(span, io.opentelemetry.semconv.ServerAttributes.SERVER_ADDRESS));
        assertEquals((long) harness.simulator.port(), Harness.attr(span, io.opentelemetry.semconv.ServerAttributes.SERVER_PORT));
        assertEquals(true, Harness.attr(span, io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_REQUEST_STREAM));
        assertNull(Harness.attr(span, io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_REQUEST_MAX_TOKENS), "no cap was asked for");
        double ttfc = Harness.attr(span, io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK);
        assertTrue(ttfc > 0 && ttfc * 1e9 <= span.getEndEpochNanos() - span.getStartEpochNanos());
    }

    @Test
    void messagesAreRecordedInTheGenAiShape() throws Exception {
        harness.turn("Hello!");
        var served = harness.lastServed();
        var input = JSON.readTree(attr("generate_response", chatbot_otel.Keys.GEN_AI_INPUT_MESSAGES, harness));
        assertEquals("user", input.get(0).get("role").asText());
        assertEquals("text", input.get(0).get("parts").get(0).get("type").asText());
        assertEquals("Hello!", input.get(0).get("parts").get(0).get("content").asText());
        var output = JSON.readTree(attr("generate_response", chatbot_otel.Keys.GEN_AI_OUTPUT_MESSAGES, harness));
        assertEquals("assistant", output.get(0).get("role").asText());
        assertEquals(served.content(), output.get(0).get("parts").get(0).get("content").asText());
        assertEquals("stop", output.get(0).get("finish_reason").asText());
    }

    @Test
    void maxTokensIsRecordedWhenSet() {
        try (var h = Harness.start()) {
            var request = new ChatRequest("llama3.1:8b",
                    List.of(new ChatMessage("user", "hi")), 0.2, 64);
            h.chat.turn(1, request, token -> { });
            assertEquals(64L, attr("generate_response", io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_REQUEST_MAX_TOKENS, h));
            assertEquals(0.2, attr("generate_response", io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_REQUEST_TEMPERATURE, h));
        }
    }

    @Test
    void ollamaTimingsAreConvertedFromNanosecondsToMilliseconds() {
        harness.turn("Hello!");
        var span = harness.span("generate_response");
        double total = Harness.attr(span, chatbot_otel.Keys.OLLAMA_TOTAL_DURATION_MS);
        double eval = Harness.attr(span, chatbot_otel.Keys.OLLAMA_EVAL_DURATION_MS);
        double promptEval = Harness.attr(span, chatbot_otel.Keys.OLLAMA_PROMPT_EVAL_DURATION_MS);
        // The simulator reports a 5 ms cold load on a model's first request (5,000,000 ns), plus its
        // scheduling wait, as Ollama does: at least 5 ms, and not 5,000,000 or 0.005.
        double load = Harness.attr(span, chatbot_otel.Keys.OLLAMA_LOAD_DURATION_MS);
        assertTrue(load >= 5.0 && load < 5_000, "load " + load + " ms");
        assertTrue(total >= eval + promptEval && total < 60_000, "total " + total + " ms");
    }

    @Test
    void ollamaRequestCarriesStableAndSeedHttpAttributes() {
        harness.turn("Hello!");
        var span = harness.span("ollama_request");
        String url = harness.simulator.baseUrl() + "/api/chat";
        assertEquals("POST", Harness.attr(span, io.opentelemetry.semconv.HttpAttributes.HTTP_REQUEST_METHOD));
        assertEquals(url, Harness.attr(span, io.opentelemetry.semconv.UrlAttributes.URL_FULL));
        assertEquals("127.0.0.1", Harness.attr(span, io.opentelemetry.semconv.ServerAttributes.SERVER_ADDRESS));
        assertEquals((long) harness.simulator.port(), Harness.attr(span, io.opentelemetry.semconv.ServerAttributes.SERVER_PORT));
        assertEquals(200L, Harness.attr(span, io.opentelemetry.semconv.HttpAttributes.HTTP_RESPONSE_STATUS_CODE));
        assertEquals("POST", Harness.attr(span, chatbot_otel.Keys.HTTP_METHOD));
        assertEquals(url, Harness.attr(span, chatbot_otel.Keys.HTTP_URL));
        assertEquals(200L, Harness.attr(span, chatbot_otel.Keys.HTTP_STATUS_CODE));
    }

    @Test
    void traceparentReceivedByOllamaIsTheOllamaRequestSpan() {
        harness.turn("Hello!");
        var span = harness.span("ollama_request");
        String flags = span.getSpanContext().getTraceFlags().asHex();
        assertEquals("00-" + span.getTraceId() + "-" + span.getSpanId() + "-" + flags, harness.lastServed().traceparent());
    }

    @Test
    void streamingSpanCountsChunksAndTokenRate() {
        harness.turn("Hello!");
        var span = harness.span("process_streaming_response");
        // One chunk per streamed token, plus the final `done` chunk.
        assertEquals(harness.lastServed().outputTokens() + 1L, Harness.attr(span, chatbot_otel.Keys.LLM_STREAM_CHUNKS));
        double rate = Harness.attr(span, chatbot_otel.Keys.LLM_TOKENS_PER_SECOND);
        double seconds = (span.getEndEpochNanos() - span.getStartEpochNanos()) / 1e9;
        assertTrue(rate >= harness.lastServed().outputTokens() / seconds * 0.5, "rate " + rate);
    }

    @Test
    void requestAttributesAreThereWhenTheSamplerDecides() {
        var seen = new ConcurrentHashMap<String, Attributes>();
        Sampler recording = new Sampler() {
            @Override
            public SamplingResult shouldSample(Context parent, String traceId, String name, SpanKind kind,
                                               Attributes attributes, List<LinkData> links) {
                seen.put(name, attributes);
                return SamplingResult.recordAndSample();
            }

            @Override
            public String getDescription() {
                return "recording";
            }
        };
        try (var h = Harness.start(Map.of(), recording)) {
            h.turn("Hello!");
            var atStart = seen.get("generate_response");
            assertNotNull(atStart);
            assertEquals("ollama", atStart.get(io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_PROVIDER_NAME));
            assertEquals("llama3.1:8b", atStart.get(io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_REQUEST_MODEL));
            assertEquals("127.0.0.1", atStart.get(io.opentelemetry.semconv.ServerAttributes.SERVER_ADDRESS));
            assertEquals((long) h.simulator.port(), atStart.get(io.opentelemetry.semconv.ServerAttributes.SERVER_PORT));
        }
    }

    @Test
    void contentCaptureOffKeepsPromptAndAnswerOutOfSpans() {
        try (var h = Harness.start(Map.of("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "false"))) {
            h.turn("my secret prompt");
            String answer = h.lastServed().content();
            for (var span : h.spans()) {
                span.getAttributes().forEach((key, value) -> {
                    String text = String.valueOf(value);
                    assertTrue(!text.contains("my secret prompt") && !text.contains(answer),
                            span.getName() + " " + key + " leaks content");
                });
            }
            assertNull(attr("generate_response", chatbot_otel.Keys.LLM_PROMPT, h));
            assertNull(attr("generate_response", chatbot_otel.Keys.GEN_AI_OUTPUT_MESSAGES, h));
            assertEquals((long) h.lastServed().outputTokens(), attr("generate_response", chatbot_otel.Keys.LLM_TOKENS_OUTPUT, h),
                    "counts stay when content goes");
        }
    }
}
