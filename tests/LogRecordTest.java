// The structured log record: one JSON line on stderr and one OpenTelemetry log record, same trace.

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.logs.Severity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogRecordTest {
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

    private JsonNode onlyJsonLine(Harness h) throws Exception {
        var lines = h.stderrLines();
        assertEquals(1, lines.size(), "one line per turn: " + lines);
        return JSON.readTree(lines.get(0));
    }

    private static List<String> keys(JsonNode node) {
        var keys = new ArrayList<String>();
        node.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    @Test
    void completedTurnLineHasExactlyTheContractKeys() throws Exception {
        harness.turn("Hello!");
        assertEquals(List.of("timestamp", "level", "message", "trace_id", "span_id", "service", "model", "tokens", "duration_ms"),
                keys(onlyJsonLine(harness)));
    }

    @Test
    void completedTurnLineSaysWhatHappened() throws Exception {
        harness.turn("Hello!");
        var line = onlyJsonLine(harness);
        var served = harness.lastServed();
        assertEquals("INFO", line.get("level").asText());
        assertEquals("LLM request completed", line.get("message").asText());
        assertEquals("llm-chatbot-otel", line.get("service").asText());
        assertEquals("llama3.1:8b", line.get("model").asText());
        assertEquals(served.promptTokens() + served.outputTokens(), line.get("tokens").asLong());
        // One clock per turn: exactly the span's llm.duration_ms (they used to differ by the log span's own time).
        assertEquals((long) Harness.attr(harness.span("generate_response"), chatbot_otel.Keys.LLM_DURATION_MS),
                line.get("duration_ms").asLong());
        assertTrue(line.get("timestamp").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"),
                line.get("timestamp").asText());
    }

    @Test
    void lineCarriesTheTraceAndTheLogInteractionSpan() throws Exception {
        harness.turn("Hello!");
        var line = onlyJsonLine(harness);
        assertEquals(harness.span("chat_interaction").getTraceId(), line.get("trace_id").asText());
        assertEquals(harness.span("log_interaction").getSpanId(), line.get("span_id").asText());
    }

    @Test
    void otelLogRecordMirrorsTheJsonLine() throws Exception {
        harness.turn("Hello!");
        var line = onlyJsonLine(harness);
        var records = harness.logRecords();
        assertEquals(1, records.size());
        var record = records.get(0);
        assertEquals(Severity.INFO, record.getSeverity());
        assertEquals("LLM request completed", record.getBodyValue().asString());
        assertEquals(line.get("trace_id").asText(), record.getSpanContext().getTraceId());
        assertEquals(line.get("span_id").asText(), record.getSpanContext().getSpanId());
        // The same facts under the conventions' names, so a backend can join the record to the trace and metrics.
        assertEquals("llm.interaction", record.getEventName());
        assertEquals(line.get("model").asText(), record.getAttributes().get(AttributeKey.stringKey("gen_ai.request.model")));
        assertEquals(line.get("tokens").asLong(), record.getAttributes().get(AttributeKey.longKey("llm.tokens.total")));
        assertEquals(line.get("duration_ms").asLong(), record.getAttributes().get(AttributeKey.longKey("llm.duration_ms")));
    }

    @Test
    void logLevelErrorKeepsCompletedRecordsOutOfBothOutputs() {
        try (var h = Harness.start(Map.of("LOG_LEVEL", "ERROR"))) {
            h.turn("Hello!");
            assertEquals(List.of(), h.stderrLines());
            assertEquals(0, h.logRecords().size());
        }
    }

    @Test
    void contentCaptureOffKeepsContentOutOfLogs() {
        try (var h = Harness.start(Map.of("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "false"))) {
            h.turn("my secret prompt");
            String all = String.join("\n", h.stderrLines()) + h.logRecords();
            assertTrue(!all.contains("my secret prompt") && !all.contains(h.lastServed().content()));
        }
    }
}
