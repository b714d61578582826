///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS io.opentelemetry:opentelemetry-bom:1.65.0@pom
//DEPS io.opentelemetry:opentelemetry-api
//DEPS io.opentelemetry:opentelemetry-sdk
//DEPS io.opentelemetry:opentelemetry-exporter-logging
//DEPS io.opentelemetry:opentelemetry-exporter-otlp
//DEPS io.opentelemetry:opentelemetry-sdk-extension-autoconfigure
//DEPS io.opentelemetry:opentelemetry-sdk-extension-declarative-config:1.65.0-alpha
//DEPS io.opentelemetry:opentelemetry-sdk-testing
//SOURCES LessonKit.java
//DESCRIPTION Lesson 6, exporters: console vs OTLP http/gRPC, simple vs batch, bounded flush, no collector, three ways to wire an SDK.

// LESSON 6: EXPORTERS                                                                about 15 minutes
//
// Goal      Choose where telemetry goes (console, OTLP over HTTP or gRPC) and when (simple or batch
//           processor); flush with bounded waits; see what happens when no collector listens; build one
//           SDK three ways: by hand, with autoconfigure, and from a configuration file (OTEL_CONFIG_FILE).
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
//   == Step 4: Three ways to one SDK
//   by hand        service.name=lesson-06-by-hand, batch every 5000 ms to LoggingSpanExporter
//   -> 'built by hand' : <trace-id> <span-id> INTERNAL [tracer: lesson-06:] {}
//   -> 'built from properties' : <trace-id> <span-id> INTERNAL [tracer: lesson-06:] {}
//   autoconfigure  service.name=lesson-06-autoconfigured, simple (on end) to LoggingSpanExporter
//   config file    service.name=lesson-06-from-file, batch every 5000 ms to LoggingSpanExporter
//   -> 'built from a file' : <trace-id> <span-id> INTERNAL [tracer: lesson-06:] {}
// In the chatbot   Telemetry.setup wires by hand from the OTEL_* variables (chatbot_otel_settings.java): every
//                  exporter, processor and limit is a line to read and change. Autoconfigure and a file hide that.
//
// Try it yourself
//   1. At the TRY marker in step 1, export through the OTLP/gRPC exporter instead of the console
//      (with the stack up: docker compose up -d). What changes in the code? What in Jaeger?
//   2. Run step 4 with OTEL_BSP_SCHEDULE_DELAY=1000 in the environment: which of the three SDKs
//      changes, and why? Then change schedule_delay in lessons/06_sdk.yaml and rerun.
//   Solution: lessons/solutions/06_exporters.java
// Next      Lesson 7, semantic conventions: the names every backend understands.

import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.declarativeconfig.DeclarativeConfiguration;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.*;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;

import java.io.*;
import java.nio.file.*;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.TimeUnit;

class Lesson06Exporters {
    static final String SCOPE = "lesson-06";

    record ExportAttempt(boolean success, long millis) {}
    public static void main(String[] args) {
        var options = LessonKit.options(args);
        LessonKit.step(options, 1, "Three exporters, one span", "An exporter only knows where.", () -> threeExporters(options.otlp()));
        LessonKit.step(options, 2, "Simple or batch processor", "When: on end(), or queued.", Lesson06Exporters::simpleVersusBatch);
        LessonKit.step(options, 3, "Nobody listening", "Bounded waits, no endless retries.", () -> exportToNobody(LessonKit.freePort()));
        LessonKit.step(options, 4, "Three ways to one SDK", "By hand, from OTEL_*, from a file.", () -> threeWays(Path.of("lessons/06_sdk.yaml")));
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

    /** STEP 4. One SDK (a service name, a batch processor, the console exporter) built three ways; each says what it built. */
    static List<String> threeWays(Path configFile) {
        return List.of(LessonKit.describeAndClose("by hand", byHand(), "built by hand"),
                LessonKit.describeAndClose("autoconfigure", autoconfigured(Map.of()), "built from properties"),
                LessonKit.describeAndClose("config file", fromFile(configFile), "built from a file"));
    }

    /** Way 1, as the chatbot does it: every part named in code. */
    static OpenTelemetrySdk byHand() {
        var resource = Resource.getDefault().merge(Resource.create(Attributes.of(LessonKit.SERVICE_NAME, "lesson-06-by-hand")));
        return OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder().setResource(resource)
                .addSpanProcessor(BatchSpanProcessor.builder(LessonKit.consoleSpans()).setScheduleDelay(Duration.ofMillis(5000)).build())
                .build()).build();
    }

    /** Way 2, from otel.* properties and OTEL_* variables. Note: it pairs the console exporter with a simple processor. */
    static OpenTelemetrySdk autoconfigured(Map<String, String> overrides) {
        var properties = new java.util.HashMap<>(Map.of("otel.service.name", "lesson-06-autoconfigured",
                "otel.traces.exporter", "console", "otel.metrics.exporter", "none", "otel.logs.exporter", "none"));
        properties.putAll(overrides);
        LessonKit.consoleSpans(); // route the console exporter's lines to stdout, as in every lesson
        return AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> properties) // lowest priority: system properties and OTEL_* variables win
                .build().getOpenTelemetrySdk();
    }

    /** Way 3: the whole SDK in a YAML file. Autoconfigure does the same when OTEL_CONFIG_FILE names the file. */
    static OpenTelemetrySdk fromFile(Path configFile) {
        try (var in = Files.newInputStream(configFile)) {
            return DeclarativeConfiguration.parseAndCreate(in).getSdk();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
