// What GenAI backends join on, read off the wire (OTLP decoded with the official protobuf classes):
// one clock per turn, a conversation id per conversation, no estimate passed off as a count, a log
// record with an event name and the conventions' attribute names, an instance id on the resource,
// and a version and schema URL on every scope.

import io.opentelemetry.proto.metrics.v1.Metric;
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
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TurnTelemetryTest {
    private ollama_sim.Server sim;
    private OtlpReceiver collector;
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws Exception {
        sim = ollama_sim.Server.start(ollama_sim.Options.instant());
        collector = OtlpReceiver.start(0);
    }

    @AfterEach
    void stop() {
        collector.close();
        sim.close();
    }

    private void chat(String input, String... args) {
        var env = new HashMap<>(Map.of("OLLAMA_ENDPOINT", sim.baseUrl(), "OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint()));
        chatbot_otel.run(args, env, new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(new ByteArrayOutputStream(), true), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private List<OtlpReceiver.ReceivedSpan> spans(String name) {
        return collector.spans().stream().filter(s -> s.span().getName().equals(name)).toList();
    }

    private static double histogramSum(List<Metric> metrics, String name) {
        return metrics.stream().filter(m -> m.getName().equals(name))
                .flatMap(m -> m.getHistogram().getDataPointsList().stream()).mapToDouble(p -> p.getSum()).sum();
    }

    @Test
    void oneTurnHasOneDurationEverywhere() throws Exception {
        chat("hello\nexit\n");
        var span = spans("generate_response").get(0).span();
        long spanNanos = span.getEndTimeUnixNano() - span.getStartTimeUnixNano();
        long attributeMs = Long.parseLong(spans("generate_response").get(0).attribute("llm.duration_ms"));
        var metrics = collector.lastMetrics();
        double seedSeconds = histogramSum(metrics, "llm.request.duration");
        double genAiSeconds = histogramSum(metrics, "gen_ai.client.operation.duration");
        long logMs = new com.fasterxml.jackson.databind.ObjectMapper().readTree(err.toString().lines()
                .filter(l -> l.startsWith("{")).findFirst().orElseThrow()).get("duration_ms").asLong();
        assertEquals(spanNanos / 1_000_000, attributeMs);
        assertEquals(spanNanos / 1e9, seedSeconds, 1e-9);
        assertEquals(spanNanos / 1e9, genAiSeconds, 1e-9);
        assertEquals(spanNanos / 1_000_000, logMs);
    }

    @Test
    void resetStartsANewConversationIdAndTheSessionStays() {
        chat("one\ntwo\n/reset\nthree\nexit\n");
        var roots = spans("chat_interaction");
        var conversations = roots.stream().map(s -> s.attribute("gen_ai.conversation.id")).toList();
        assertEquals(conversations.get(0), conversations.get(1), "one conversation until /reset");
        assertNotEquals(conversations.get(1), conversations.get(2), "a new one after");
        assertEquals(1, roots.stream().map(s -> s.attribute("app.session_id")).distinct().count(), "one session for the process");
        var logged = collector.logRecords().stream().map(l -> OtlpReceiver.stringValue(l.getAttributesList(), "gen_ai.conversation.id")).toList();
        assertEquals(conversations, logged, "the log records carry the same ids");
    }

    @Test
    void everyLoadRequestIsAConversationOfItsOwn() {
        chat("", "--load", "4", "--concurrency", "2");
        assertEquals(4, spans("chat_interaction").stream().map(s -> s.attribute("gen_ai.conversation.id")).distinct().count());
    }

    @Test
    void theLogRecordHasAnEventNameAndTheConventionsNames() {
        chat("hello\nexit\n");
        var record = collector.logRecords().get(0);
        assertEquals("llm.interaction", record.getEventName());
        var attributes = record.getAttributesList();
        assertEquals("llama3.1:8b", OtlpReceiver.stringValue(attributes, "gen_ai.request.model"));
        assertTrue(attributes.stream().anyMatch(a -> a.getKey().equals("gen_ai.usage.output_tokens")));
        assertTrue(attributes.stream().noneMatch(a -> a.getKey().equals("model") || a.getKey().equals("error_type")));
        String line = err.toString().lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow();
        assertTrue(line.contains("\"model\":\"llama3.1:8b\"") && !line.contains("gen_ai"), "the JSON line keeps its own keys: " + line);
    }

    @Test
    void theResourceHasAnInstanceIdAndEveryScopeAVersionAndSchemaUrl() {
        chat("hello\nexit\n");
        var resource = collector.spans().get(0).resource().getAttributesList();
        assertTrue(OtlpReceiver.stringValue(resource, "service.instance.id").matches("[0-9a-f-]{36}"));
        var scopes = collector.scopes();
        assertFalse(scopes.isEmpty());
        for (var scope : scopes) {
            assertEquals(chatbot_otel.VERSION, scope.version(), scope.toString());
            assertEquals("https://opentelemetry.io/schemas/1.41.0", scope.schemaUrl(), scope.toString());
        }
    }

    @Test
    void anEstimateIsMarkedAndNeverPassedOffAsAGenAiCount() throws Exception {
        try (var server = HostileServer.start(new HostileServer.Script().head(200, "application/x-ndjson")
                .send("{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"Hi there\"},\"done\":false}\n")
                .send("{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true}\n"))) {
            var env = new HashMap<>(Map.of("OLLAMA_ENDPOINT", server.baseUrl(), "OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint()));
            chatbot_otel.run(new String[] {"--prompt", "hello"}, env, new ByteArrayInputStream(new byte[0]),
                    new PrintStream(new ByteArrayOutputStream(), true), new PrintStream(err, true, StandardCharsets.UTF_8));
        }
        var generate = spans("generate_response").get(0);
        assertEquals("true", generate.attribute("llm.tokens.estimated"));
        assertNull(generate.attribute("gen_ai.usage.input_tokens"));
        assertNull(generate.attribute("gen_ai.usage.output_tokens"));
        var metrics = collector.lastMetrics();
        assertTrue(metrics.stream().noneMatch(m -> m.getName().equals("gen_ai.client.token.usage")), "no GenAI token metric from a guess");
        var tokenPoints = metrics.stream().filter(m -> m.getName().equals("llm.tokens")).flatMap(m -> m.getSum().getDataPointsList().stream()).toList();
        assertEquals(2, tokenPoints.size());
        assertTrue(tokenPoints.stream().allMatch(p -> "true".equals(OtlpReceiver.stringValue(p.getAttributesList(), "estimated"))));
        assertTrue(err.toString().contains("\"tokens_estimated\":true"), err.toString());
    }
}
