///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../06_exporters.java
//MAIN Lesson06ExportersSolution
//DESCRIPTION Lesson 6 solution: the same span over OTLP/gRPC, and which SDK a setting from outside reaches.

// Solution to lesson 6, "Try it yourself".
// Run       jbang lessons/solutions/06_exporters.java     (with `docker compose up -d` to see the span in Jaeger)
// 1. Only the exporter changes: the span, the processor and the provider stay as they are. In Jaeger
//    the span looks the same whichever protocol carried it.
// 2. None of the three changes. By hand reads no environment (the chatbot reads it itself, in
//    chatbot_otel_settings.java); the file says schedule_delay: 5000; and autoconfigure gives the console
//    exporter a simple processor, which has no schedule. Autoconfigure honours otel.bsp.schedule.delay
//    (OTEL_BSP_SCHEDULE_DELAY) for exporters it batches, such as otlp; a file takes the variable when it
//    says so: schedule_delay: ${OTEL_BSP_SCHEDULE_DELAY:-5000}. Both are shown below.

import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

class Lesson06ExportersSolution {
    public static void main(String[] args) {
        var options = LessonKit.options(args);
        LessonKit.step(options, 1, "Solution 1: the same span over OTLP/gRPC", () -> overGrpc("http://localhost:4317"));
        LessonKit.step(options, 2, "Solution 2: where a setting from outside reaches", () -> List.of(
                LessonKit.describeAndClose("autoconfigure", Lesson06Exporters.autoconfigured(Map.of("otel.traces.exporter", "otlp",
                        "otel.bsp.schedule.delay", "1000", "otel.exporter.otlp.endpoint", "http://127.0.0.1:" + LessonKit.freePort())), "probe"),
                LessonKit.describeAndClose("config file", Lesson06Exporters.fromFile(fileTakingTheVariable()), "probe")));
    }

    /** The lesson's file, with the schedule taken from OTEL_BSP_SCHEDULE_DELAY when it is set. */
    static Path fileTakingTheVariable() {
        try {
            String yaml = Files.readString(Path.of("lessons/06_sdk.yaml"))
                    .replace("schedule_delay: 5000", "schedule_delay: ${OTEL_BSP_SCHEDULE_DELAY:-5000}");
            Path file = Files.createTempFile("06_sdk", ".yaml");
            file.toFile().deleteOnExit();
            return Files.writeString(file, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Returns whether the collector took the span: false (after at most ~2 s) when none is running. */
    static boolean overGrpc(String endpoint) {
        var exporter = OtlpGrpcSpanExporter.builder().setEndpoint(endpoint).setTimeout(Duration.ofSeconds(2)).setRetryPolicy(null).build();
        var processor = SimpleSpanProcessor.create(exporter);
        try (var provider = SdkTracerProvider.builder().addSpanProcessor(processor).build()) {
            provider.get(Lesson06Exporters.SCOPE).spanBuilder("one span, over gRPC").startSpan().end();
            CompletableResultCode flushed = provider.forceFlush().join(3, TimeUnit.SECONDS);
            System.out.println("sent to " + endpoint + " over gRPC: " + (flushed.isSuccess() ? "accepted" : "not accepted (is the collector up?)"));
            return flushed.isSuccess();
        }
    }
}
