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
//   OTLP/HTTP     OtlpHttpSpanExporter{endpoint=.../v1/traces, ...}
//   OTLP/gRPC     OtlpGrpcSpanExporter{endpoint=http://localhost:4317, ...}
//   -> 'one span, one exporter' : <trace-id> <span-id> INTERNAL [tracer: lesson-06:] {}
//   LoggingSpanExporter: accepted
//   == Step 2: Simple or batch processor
//   simple: exported right after end(): 1
//   batch:  exported right after end(): 0, after forceFlush(): 1
//   == Step 3: Nobody listening
//   export to http://127.0.0.1:<n>: failed after <n> ms (...)
//   == Step 4: The autoconfigure alternative
//   -> 'built from properties' : <trace-id> <span-id> INTERNAL [tracer: lesson-06:] {}
//   the span's service.name: lesson-06-autoconfigured (set by otel.service.name; OTEL_SERVICE_NAME wins over it)
// In the chatbot   Telemetry.tracerProvider picks the exporter; Telemetry.close flushes on exit. It does not use
//                  autoconfigure: wiring by hand is what this kit teaches (Telemetry.setup).
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
        LessonKit.step(options, 1, "Three exporters, one span", "An exporter only knows where.", () -> threeExporters(options.otlp()));
        LessonKit.step(options, 2, "Simple or batch processor", "When: on end(), or queued and sent in the background.",
                Lesson06Exporters::simpleVersusBatch);
        LessonKit.step(options, 3, "Nobody listening", "Bounded waits, no endless retries.",
                () -> exportToNobody(LessonKit.freePortForLessons()));
        LessonKit.step(options, 4, "The autoconfigure alternative", "The same SDK from OTEL_* settings, no wiring code.",
                () -> LessonKit.close(autoconfigured(Map.of())));
    }

    /** STEP 1. An exporter only knows "where": the same span can go to any of them. */
    static List<SpanExporter> threeExporters(boolean sendOverOtlp) {
        SpanExporter console = LessonKit.consoleSpans();
        // Timeouts of 2 s: with nobody listening, the end of this step waits at most that long.
        SpanExporter http = OtlpHttpSpanExporter.builder().setEndpoint(LessonKit.otlpEndpoint() + "/v1/traces") // path per signal
                .setTimeout(Duration.ofSeconds(2)).build();
        SpanExporter grpc = OtlpGrpcSpanExporter.builder().setEndpoint("http://localhost:4317")                // no path: gRPC service
                .setTimeout(Duration.ofSeconds(2)).build();
        System.out.println("console       " + console);
        System.out.println("OTLP/HTTP     " + http);
        System.out.println("OTLP/gRPC     " + grpc);
        SpanExporter chosen = sendOverOtlp ? http : console; // TRY: use grpc here (Try it yourself 1)
        var memory = InMemorySpanExporter.create(); // holds the span so we can hand it to the chosen exporter ourselves
        List<io.opentelemetry.sdk.trace.data.SpanData> spans;
        try (var provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(memory)).build()) {
            provider.get(SCOPE).spanBuilder("one span, one exporter").startSpan().end();
            spans = memory.getFinishedSpanItems(); // before close: shutting the provider down empties the memory
        }
        var result = chosen.export(spans).join(3, TimeUnit.SECONDS); // bounded, even with nobody listening
        Throwable cause = result.getFailureThrowable();
        System.out.println(chosen.getClass().getSimpleName() + ": " + (result.isSuccess() ? "accepted"
                : "failed (" + (cause == null ? "no answer within 3 s" : cause.getMessage()) + ")"));
        List.of(console, http, grpc).forEach(e -> e.shutdown().join(1, TimeUnit.SECONDS));
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
        Throwable cause = result.getFailureThrowable();
        while (cause != null && cause.getCause() != null) cause = cause.getCause();
        System.out.println("export to " + endpoint + ": " + (result.isSuccess() ? "succeeded" : "failed") + " after " + millis
                + " ms (" + (cause == null ? "no reason given" : cause.getMessage()) + ")");
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
        var span = sdk.getTracer(SCOPE).spanBuilder("built from properties").startSpan();
        span.end();
        if (span instanceof io.opentelemetry.sdk.trace.ReadableSpan readable) { // what the SDK built, not what we asked for
            System.out.println("the span's service.name: " + readable.toSpanData().getResource().getAttribute(
                    io.opentelemetry.api.common.AttributeKey.stringKey("service.name"))
                    + " (set by otel.service.name; OTEL_SERVICE_NAME wins over it)");
        }
        return sdk;
    }
}
