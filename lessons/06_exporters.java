///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS io.opentelemetry:opentelemetry-bom:1.65.0@pom
//DEPS io.opentelemetry:opentelemetry-api
//DEPS io.opentelemetry:opentelemetry-sdk
//DEPS io.opentelemetry:opentelemetry-exporter-logging
//DEPS io.opentelemetry:opentelemetry-exporter-otlp
//DEPS io.opentelemetry:opentelemetry-sdk-extension-autoconfigure
//DEPS io.opentelemetry:opentelemetry-sdk-testing
//SOURCES LessonKit.java
//DESCRIPTION Lesson 6, exporters: console vs OTLP http/gRPC, simple vs batch, bounded flush, no collector, autoconfigure.

// LESSON 6: EXPORTERS                                                                about 15 minutes
//
// Goal      Choose where telemetry goes (console, OTLP over HTTP or gRPC) and when (simple or batch
//           processor); flush and shut down with bounded waits; see what happens when no collector
//           listens; compare the hand-built SDK with the one autoconfigure builds from OTEL_* settings.
// Needs     Lesson 1. Java 17+ and JBang; no collector (step 3 is about not having one).
// Run       jbang lessons/06_exporters.java      (--step, --otlp as in every lesson)
// You should see
//   == Step 1: Three exporters, one span
//   console       LoggingSpanExporter{}
//   OTLP/HTTP     OtlpHttpSpanExporter{endpoint=http://localhost:4318/v1/traces, timeout=10s, ...}
//   OTLP/gRPC     OtlpGrpcSpanExporter{endpoint=http://localhost:4317, ...}
//   == Step 2: Simple or batch processor
//   simple: exported right after end(): 1
//   batch:  exported right after end(): 0, after forceFlush(): 1
//   == Step 3: Nobody listening
//   export to http://127.0.0.1:<port>: failed after 25 ms (connection refused), nothing hung
//   == Step 4: The autoconfigure alternative
//      -> 'built from properties' : <trace-id> <span-id> INTERNAL [tracer: lesson-06:] {}
//   service.name=lesson-06-autoconfigured, configured only by otel.* properties / OTEL_* variables
//
// Try it yourself
//   1. At the TRY marker in step 1, export through the OTLP/gRPC exporter instead of the console
//      (with the stack up: docker compose up -d). What changes in the code? What in Jaeger?
//   2. Run step 4 with OTEL_TRACES_EXPORTER=none in the environment: the environment wins over the
//      built-in properties. Which other OTEL_* variables would you set for production?
//   Solution: lessons/solutions/06_exporters.java
// Next      Lesson 7, semantic conventions: the names every backend understands.

import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

class Lesson06Exporters {
    static final String SCOPE = "lesson-06";

    record ExportAttempt(boolean success, long millis) {}

    public static void main(String[] args) {
        var options = LessonKit.options(args);
        LessonKit.step(options, 1, "Three exporters, one span", () -> threeExporters(options.otlp()));
        LessonKit.step(options, 2, "Simple or batch processor", Lesson06Exporters::simpleVersusBatch);
        LessonKit.step(options, 3, "Nobody listening", () -> exportToNobody(LessonKit.freePortForLessons()));
        LessonKit.step(options, 4, "The autoconfigure alternative", () -> LessonKit.close(autoconfigured(Map.of())));
    }

    /** STEP 1. An exporter only knows "where": the same span can go to any of them. */
    static List<SpanExporter> threeExporters(boolean sendOverOtlp) {
        SpanExporter console = LessonKit.consoleSpans();
        SpanExporter http = OtlpHttpSpanExporter.builder().setEndpoint(LessonKit.otlpEndpoint() + "/v1/traces").build(); // path per signal
        SpanExporter grpc = OtlpGrpcSpanExporter.builder().setEndpoint("http://localhost:4317").build();          // no path: gRPC service
        System.out.println("console       " + console);
        System.out.println("OTLP/HTTP     " + http);
        System.out.println("OTLP/gRPC     " + grpc);
        SpanExporter chosen = sendOverOtlp ? http : console; // TRY: use grpc here (Try it yourself 1)
        try (var provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(chosen)).build()) {
            provider.get(SCOPE).spanBuilder("one span, one exporter").startSpan().end();
        }
        return List.of(console, http, grpc);
    }

    /** STEP 2. Simple exports on end() (one call per span: fine for a lesson, slow for a server); batch queues and exports in the background. */
    static int[] simpleVersusBatch() {
        var simpleOut = InMemorySpanExporter.create();
        var batchOut = InMemorySpanExporter.create();
        try (var simple = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(simpleOut)).build();
             var batch = SdkTracerProvider.builder().addSpanProcessor(BatchSpanProcessor.builder(batchOut)
                     .setScheduleDelay(Duration.ofSeconds(30)).build()).build()) {
            simple.get(SCOPE).spanBuilder("simple").startSpan().end();
            batch.get(SCOPE).spanBuilder("batched").startSpan().end();
            int simpleNow = simpleOut.getFinishedSpanItems().size();
            int batchNow = batchOut.getFinishedSpanItems().size();
            batch.forceFlush().join(2, TimeUnit.SECONDS); // what shutdown() does too: never skip it on exit
            int batchFlushed = batchOut.getFinishedSpanItems().size();
            System.out.println("simple: exported right after end(): " + simpleNow);
            System.out.println("batch:  exported right after end(): " + batchNow + ", after forceFlush(): " + batchFlushed);
            return new int[] {simpleNow, batchNow, batchFlushed};
        }
    }

    /** STEP 3. Export results are asynchronous: wait for them with a bound, and don't retry a refused connection forever. */
    static ExportAttempt exportToNobody(int closedPort) {
        String endpoint = "http://127.0.0.1:" + closedPort;
        var exporter = OtlpHttpSpanExporter.builder().setEndpoint(endpoint + "/v1/traces")
                .setTimeout(Duration.ofSeconds(1)).setRetryPolicy(null).build(); // null: no retries
        var memory = InMemorySpanExporter.create();
        try (var provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(memory)).build()) {
            provider.get(SCOPE).spanBuilder("never delivered").startSpan().end();
        }
        long start = System.nanoTime();
        CompletableResultCode result = exporter.export(memory.getFinishedSpanItems()).join(3, TimeUnit.SECONDS);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        exporter.shutdown().join(1, TimeUnit.SECONDS);
        System.out.println("export to " + endpoint + ": " + (result.isSuccess() ? "succeeded?!" : "failed") + " after " + millis
                + " ms (connection refused), nothing hung");
        return new ExportAttempt(result.isSuccess(), millis);
    }

    /** STEP 4. Autoconfigure builds the same SDK from otel.* properties and OTEL_* variables: no wiring code, less to see. */
    static OpenTelemetrySdk autoconfigured(Map<String, String> overrides) {
        var properties = new java.util.HashMap<>(Map.of(
                "otel.service.name", "lesson-06-autoconfigured",
                "otel.traces.exporter", "console",
                "otel.metrics.exporter", "none",
                "otel.logs.exporter", "none"));
        properties.putAll(overrides);
        LessonKit.consoleSpans(); // route the console exporter's lines to stdout, as in every lesson
        OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> properties) // lowest priority: system properties and OTEL_* variables win
                .build().getOpenTelemetrySdk();
        sdk.getTracer(SCOPE).spanBuilder("built from properties").startSpan().end();
        System.out.println("service.name=" + properties.get("otel.service.name") + ", configured only by otel.* properties / OTEL_* variables");
        return sdk;
    }
}
