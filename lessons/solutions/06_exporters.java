///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../06_exporters.java
//MAIN Lesson06ExportersSolution
//DESCRIPTION Lesson 6 solution: the same span over OTLP/gRPC, and autoconfigure overridden from outside.

// Solution to lesson 6, "Try it yourself".
// Run       jbang lessons/solutions/06_exporters.java     (with `docker compose up -d` to see the span in Jaeger)
// 1. Only the exporter changes: the span, the processor and the provider stay as they are. In Jaeger
//    the span looks the same whichever protocol carried it.
// 2. OTEL_TRACES_EXPORTER=none beats the built-in "console": autoconfigure reads system properties and
//    environment variables over the supplier. For production: OTEL_SERVICE_NAME,
//    OTEL_RESOURCE_ATTRIBUTES (deployment.environment.name), OTEL_EXPORTER_OTLP_ENDPOINT and _HEADERS,
//    OTEL_TRACES_SAMPLER=parentbased_traceidratio with OTEL_TRACES_SAMPLER_ARG.

import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

class Lesson06ExportersSolution {
    public static void main(String[] args) {
        var options = LessonKit.options(args);
        LessonKit.step(options, 1, "Solution 1: the same span over OTLP/gRPC", () -> overGrpc("http://localhost:4317"));
        LessonKit.step(options, 2, "Solution 2: settings from outside win", () -> LessonKit.close(
                Lesson06Exporters.autoconfigured(Map.of("otel.service.name", "lesson-06-solution"))));
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
