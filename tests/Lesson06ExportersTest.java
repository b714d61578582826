// Lesson 6: exporters point where they say, batch waits for a flush, no collector fails cleanly,
// autoconfigure builds a working SDK from properties.

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.trace.ReadableSpan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    void stepFourBuildsOneSdkThreeWaysAndSaysHowEachCameOut() {
        var ways = Lesson06Exporters.threeWays(Harness.ROOT.resolve("lessons/06_sdk.yaml"));
        assertEquals(List.of(
                "by hand        service.name=lesson-06-by-hand, batch every 5000 ms to LoggingSpanExporter",
                "autoconfigure  service.name=lesson-06-autoconfigured, simple (on end) to LoggingSpanExporter",
                "config file    service.name=lesson-06-from-file, batch every 5000 ms to LoggingSpanExporter"), ways);
    }

    @Test
    void theConfigFileIsWhatTheSdkIsBuiltFrom(@TempDir Path dir) throws Exception {
        String yaml = Files.readString(Harness.ROOT.resolve("lessons/06_sdk.yaml"))
                .replace("schedule_delay: 5000", "schedule_delay: 1234").replace("lesson-06-from-file", "edited");
        Path file = Files.writeString(dir.resolve("sdk.yaml"), yaml);
        String described = LessonKit.describeAndClose("edited", Lesson06Exporters.fromFile(file), "probe");
        assertTrue(described.endsWith("service.name=edited, batch every 1234 ms to LoggingSpanExporter"), described);
    }

    @Test
    void solutionTwoAutoconfigureBatchesOtlpOnTheScheduleItWasGiven() {
        String described = LessonKit.describeAndClose("autoconfigure", Lesson06Exporters.autoconfigured(Map.of(
                "otel.traces.exporter", "otlp", "otel.bsp.schedule.delay", "1000",
                "otel.exporter.otlp.endpoint", "http://127.0.0.1:" + Harness.closedPort())), "probe");
        assertTrue(described.contains("batch every 1000 ms to Otlp"), described);
        assertTrue(Files.exists(Lesson06ExportersSolution.fileTakingTheVariable()));
    }

    @Test
    void solutionOverGrpcReportsANonListeningCollector() {
        assertFalse(Lesson06ExportersSolution.overGrpc("http://127.0.0.1:" + Harness.closedPort()));
    }
}
