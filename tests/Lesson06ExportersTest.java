// Lesson 6: exporters point where they say, batch waits for a flush, no collector fails cleanly,
// autoconfigure builds a working SDK from properties.

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.trace.ReadableSpan;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Lesson06ExportersTest {
    @Test
    void exportersPointWhereTheySay() {
        var exporters = Lesson06Exporters.threeExporters(false);
        assertTrue(exporters.get(1).toString().contains("endpoint=" + LessonKit.otlpEndpoint() + "/v1/traces"), exporters.get(1).toString());
        assertTrue(exporters.get(2).toString().contains("endpoint=http://localhost:4317"), exporters.get(2).toString());
    }

    @Test
    void simpleExportsAtOnceAndBatchOnFlush() {
        assertArrayEquals(new int[] {1, 0, 1}, Lesson06Exporters.simpleVersusBatch());
    }

    @Test
    void exportToNobodyReportsFailureInsteadOfHanging() {
        assertFalse(Lesson06Exporters.exportToNobody(Harness.closedPort()).success());
    }

    @Test
    void autoconfigureBuildsAWorkingSdkFromProperties() {
        try (var sdk = Lesson06Exporters.autoconfigured(Map.of("otel.traces.exporter", "none"))) {
            var span = sdk.getTracer("test").spanBuilder("probe").startSpan();
            assertTrue(span.isRecording());
            span.end();
            String serviceName = ((ReadableSpan) span).toSpanData().getResource().getAttribute(AttributeKey.stringKey("service.name"));
            assertEquals("lesson-06-autoconfigured", serviceName);
        }
    }

    @Test
    void solutionOverGrpcReportsANonListeningCollector() {
        assertFalse(Lesson06ExportersSolution.overGrpc("http://127.0.0.1:" + Harness.closedPort()));
    }
}
