// Lesson 8: log records carry their span's ids, a threshold drops what is below it, the JSON line is
// built from the record, and a Logback event reaches OpenTelemetry through the appender.

import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Lesson08LogsTest {
    private final OpenTelemetrySdk otel = LessonKit.sdk(new LessonKit.Options(false, false), "lesson-08-test");

    @AfterEach
    void close() {
        LessonKit.close(otel);
    }

    @Test
    void aRecordEmittedInASpanCarriesItsIds() {
        var record = Lesson08Logs.recordInSpan(otel);
        assertTrue(record.getSpanContext().isValid());
        assertEquals(Severity.INFO, record.getSeverity());
    }

    @Test
    void theThresholdDropsWhatIsBelowIt() {
        assertEquals(List.of(Severity.INFO, Severity.WARN, Severity.ERROR), Lesson08Logs.threshold(otel, Severity.INFO));
        assertEquals(List.of(Severity.ERROR), Lesson08Logs.threshold(otel, Severity.ERROR));
    }

    @Test
    void theJsonLineHasTheReferenceChatbotsKeysAndTheRecordsTraceId() {
        String json = Lesson08Logs.jsonLine(otel);
        var record = Lesson08Logs.last();
        for (String key : List.of("timestamp", "level", "message", "trace_id", "span_id", "service", "tokens", "duration_ms")) {
            assertTrue(json.contains("\"" + key + "\":"), key + " in " + json);
        }
        assertTrue(json.contains("\"trace_id\":\"" + record.getSpanContext().getTraceId() + "\""), json);
    }

    @Test
    void aLogbackEventBecomesARecordInTheSpansTrace() {
        var record = Lesson08Logs.bridged(otel);
        assertEquals(Severity.WARN, record.getSeverity());
        assertEquals("Ollama is slow: 3 s to the first token", record.getBodyValue().asString());
        assertTrue(record.getSpanContext().isValid());
    }
}
