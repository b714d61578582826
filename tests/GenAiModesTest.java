// Thinking models and the two convention modes, read off the wire (OTLP decoded with the official
// protobuf classes): thinking is timed apart from the answer and kept out of it, and
// OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental sends the GenAI conventions' development
// line (span `chat {model}`, token counters by modality, content as an event) instead of v1.41.

import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GenAiModesTest {
    private static final String THINKER = "qwen3:0.6b";
    private ollama_sim.Server sim;
    private OtlpReceiver collector;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws Exception {
        // Slow enough that thinking takes measurable time before the first answer token.
        sim = ollama_sim.Server.start(new ollama_sim.Options(0, ollama_sim.Options.defaults().models(), 0, 500));
        collector = OtlpReceiver.start(0);
    }

    @AfterEach
    void stop() {
        collector.close();
        sim.close();
    }

    private int chat(Map<String, String> extraEnv, String input, String... args) {
        var env = new HashMap<>(Map.of("OLLAMA_ENDPOINT", sim.baseUrl(), "OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint()));
        env.putAll(extraEnv);
        return chatbot_otel.run(args, env, new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private List<OtlpReceiver.ReceivedSpan> spans(String name) {
        return collector.spans().stream().filter(s -> s.span().getName().equals(name)).toList();
    }

    private static List<NumberDataPoint> sumPoints(List<Metric> metrics, String name) {
        return metrics.stream().filter(m -> m.getName().equals(name)).flatMap(m -> m.getSum().getDataPointsList().stream()).toList();
    }

    private static boolean has(List<Metric> metrics, String name) {
        return metrics.stream().anyMatch(m -> m.getName().equals(name));
    }

    @Test
    void thinkingIsTimedApartAndNeverEntersTheAnswerOrTheHistory() throws Exception {
        chat(Map.of(), "Hello there\nAnd again\nexit\n", "--model", THINKER);
        String thinking = ollama_sim.thinkingFor("Hello there");
        var first = spans("generate_response").get(0);
        long thoughts = ollama_sim.tokenize(thinking).size();
        assertEquals(String.valueOf(thoughts), spans("process_streaming_response").get(0).attribute("llm.thinking.chunks"));
        double firstChunk = Double.parseDouble(first.attribute("gen_ai.response.time_to_first_chunk"));
        double firstAnswer = Double.parseDouble(first.attribute("llm.time_to_first_token"));
        // At 500 chunks a second, the thinking chunks take about 2 ms each before the answer starts.
        assertTrue(firstAnswer - firstChunk >= (thoughts - 1) * 0.0015, firstChunk + " then " + firstAnswer);
        // Ollama counts thinking as output: the span and the GenAI metric say what Ollama said.
        assertEquals(String.valueOf(sim.served().get(0).outputTokens()), first.attribute("gen_ai.usage.output_tokens"));
        // The answer on screen and the history sent with the next prompt hold no thinking.
        String printed = out.toString(StandardCharsets.UTF_8);
        assertFalse(printed.contains(thinking), printed);
        assertTrue(printed.contains("(thinking... " + thoughts + " chunks)\nBot: You said \"Hello there\"."), printed);
        var secondInput = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(spans("generate_response").get(1).attribute("gen_ai.input.messages"));
        assertEquals(ollama_sim.answerFor("Hello there"), secondInput.get(1).path("parts").get(0).path("content").asText());
        assertEquals(1, secondInput.get(1).path("parts").size(), "the remembered answer has no reasoning part");
        assertTrue(first.attribute("gen_ai.output.messages").contains("\"type\":\"reasoning\""), "capture shows the reasoning part");
        var metrics = collector.lastMetrics();
        assertTrue(has(metrics, "llm.time_to_first_token"), "the answer's first token has its own histogram");
    }

    @Test
    void thinkCanBeSwitchedOffAndAModelThatCannotThinkSaysSoInOneLine() {
        int status = chat(Map.of(), "one\n/think on\n/model llama3.1:8b\ntwo\nexit\n", "--model", THINKER, "--no-think");
        assertEquals(0, status);
        assertEquals("", sim.served().get(0).thinking(), "--no-think sends think:false");
        assertEquals("false", spans("generate_response").get(0).attribute("llm.think"));
        assertTrue(err.toString().contains("error: Ollama answered HTTP 400: \"llama3.1:8b\" does not support thinking. Turn thinking off"),
                err.toString());
        assertEquals("http_error", spans("generate_response").get(1).attribute("error.type"));
        assertNull(spans("generate_response").get(0).attribute("llm.thinking.chunks"));
    }

    @Test
    void anAnswerCutByMaxTokensEndsWithLengthNotAnError() {
        int status = chat(Map.of(), "", "--prompt", "hello", "--max-tokens", "3");
        assertEquals(0, status, err.toString());
        var span = spans("generate_response").get(0);
        assertTrue(span.attribute("gen_ai.response.finish_reasons").contains("length"), span.attribute("gen_ai.response.finish_reasons"));
        assertNull(span.attribute("error.type"));
        assertEquals("3", span.attribute("gen_ai.usage.output_tokens"));
        assertEquals(String.join("", ollama_sim.tokenize(ollama_sim.answerFor("hello")).subList(0, 3)).strip(),
                out.toString(StandardCharsets.UTF_8).strip());
    }

    @Test
    void aThinkingModelThatSpendsItsLimitThinkingIsToldApartFromAnError() {
        int status = chat(Map.of(), "", "--prompt", "hello", "--model", "qwen3:0.6b", "--max-tokens", "2");
        assertEquals(0, status, err.toString());
        var span = spans("generate_response").get(0);
        assertTrue(span.attribute("gen_ai.response.finish_reasons").contains("length"));
        assertNull(span.attribute("error.type"));
        assertEquals("", out.toString(StandardCharsets.UTF_8).strip(), "no answer text, and no thinking on stdout");
        assertTrue(err.toString().contains("note: no answer: the model reached its output limit before answering"), err.toString());
    }

    @Test
    void theDefaultModeIsV141WithTheSeedsNames() {
        chat(Map.of(), "hello\nexit\n");
        var span = spans("generate_response").get(0);
        assertEquals("ollama", span.attribute("gen_ai.system"));
        assertNotNull(span.attribute("gen_ai.input.messages"));
        var metrics = collector.lastMetrics();
        assertTrue(has(metrics, "gen_ai.client.token.usage"));
        assertFalse(has(metrics, "gen_ai.client.inference.usage.input_tokens"));
        assertTrue(collector.logRecords().stream().noneMatch(r -> r.getEventName().startsWith("gen_ai.")));
        assertEquals("POST", spans("ollama_request").get(0).attribute("http.method"), "the seed's http.* beside the stable names");
    }

    @Test
    void theLatestConventionsOnRequest() {
        chat(Map.of("OTEL_SEMCONV_STABILITY_OPT_IN", "gen_ai_latest_experimental"), "hello\n/model nope:1b\nagain\nexit\n");
        var span = spans("chat llama3.1:8b").get(0);
        assertNull(span.attribute("gen_ai.system"), "no deprecated gen_ai.system");
        assertNull(span.attribute("gen_ai.input.messages"), "content moves to the event");
        assertEquals("chat", span.attribute("gen_ai.operation.name"));
        assertEquals(1, spans("chat nope:1b").size());
        var metrics = collector.lastMetrics();
        assertFalse(has(metrics, "gen_ai.client.token.usage"));
        var input = sumPoints(metrics, "gen_ai.client.inference.usage.input_tokens");
        var text = input.stream().filter(p -> "text".equals(OtlpReceiver.stringValue(p.getAttributesList(), "gen_ai.token.modality"))).toList();
        assertEquals(1, text.size());
        assertEquals(sim.served().get(0).promptTokens(), text.get(0).getAsInt());
        var unknown = input.stream().filter(p -> "unknown".equals(OtlpReceiver.stringValue(p.getAttributesList(), "gen_ai.token.modality"))).toList();
        assertEquals(1, unknown.size(), "the failed turn records 0 with modality unknown");
        assertEquals(0, unknown.get(0).getAsInt());
        assertTrue(metrics.stream().filter(m -> m.getName().equals("gen_ai.client.inference.operation.output_tokens"))
                .flatMap(m -> m.getHistogram().getDataPointsList().stream())
                .anyMatch(p -> "model_not_found".equals(OtlpReceiver.stringValue(p.getAttributesList(), "error.type"))));
        var events = collector.logRecords().stream().filter(r -> r.getEventName().equals("gen_ai.client.inference.operation.details")).toList();
        assertEquals(2, events.size(), "one event per operation, with capture on");
        var details = events.get(0);
        assertEquals(5, details.getSeverityNumberValue(), "DEBUG, as the conventions advise");
        assertTrue(OtlpReceiver.stringValue(details.getAttributesList(), "gen_ai.input.messages").contains("hello"));
        assertEquals(span.span().getTraceId(), details.getTraceId(), "the event sits in the operation's trace");
        assertEquals(span.span().getSpanId(), details.getSpanId(), "and in its span");
    }

    @Test
    void noContentEventWithCaptureOff() {
        chat(Map.of("OTEL_SEMCONV_STABILITY_OPT_IN", "gen_ai_latest_experimental",
                "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "false"), "my secret\nexit\n");
        assertEquals(1, spans("chat llama3.1:8b").size());
        assertTrue(collector.logRecords().stream().noneMatch(r -> r.getEventName().startsWith("gen_ai.")));
        assertTrue(collector.logRecords().stream().noneMatch(r -> r.toString().contains("my secret")));
    }

    @Test
    void httpStableOnlyDropsTheOldNamesAndOtherValuesOnlyWarn() {
        int status = chat(Map.of("OTEL_SEMCONV_STABILITY_OPT_IN", "http, database"), "hello\nexit\n");
        assertEquals(0, status);
        var request = spans("ollama_request").get(0);
        assertEquals("POST", request.attribute("http.request.method"));
        assertNull(request.attribute("http.method"));
        assertNull(request.attribute("http.status_code"));
        assertEquals(1, err.toString().lines().filter(l -> l.startsWith("chatbot: warning: OTEL_SEMCONV_STABILITY_OPT_IN")
                && l.contains("database has no effect")).count(), err.toString());
    }
}
