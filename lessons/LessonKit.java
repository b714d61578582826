//SOURCES ../chatbot_charts.java

// LessonKit: what every lesson shares, so each lesson file holds only its own concept.
//   - the options: --step (pause before each step) and --otlp (send to a collector, not the console)
//   - step(): prints "== Step n: title", and with --step at a terminal shows the step's explanation
//     and waits for Enter; then runs the step
//   - metrics(): prints what the SDK recorded for some instruments, read back from the SDK itself
//   - sdk(): an OpenTelemetrySdk that prints spans, metrics and log records on the console, or sends
//     them over OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT (default http://localhost:4318)
//   - close(): shutdown with a bounded wait, so a lesson never hangs at the end; with --otlp it then
//     says where the telemetry went and whether the collector took it
// Lesson 01 wires its tracer provider by hand on purpose (that is its concept); lesson 06 compares
// exporters and processors. The others take this ready-made SDK.

import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.exporter.logging.LoggingMetricExporter;
import io.opentelemetry.exporter.logging.LoggingSpanExporter;
import io.opentelemetry.exporter.logging.SystemOutLogRecordExporter;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.SdkMeterProviderBuilder;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.PointData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemoryLogRecordExporter;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

final class LessonKit {
    /** The SDK (console exporters included) writes through java.util.logging; keep a strong reference to our setup. */
    private static final Logger SDK_LOGGING = Logger.getLogger("io.opentelemetry");
    private static final BufferedReader STDIN = new BufferedReader(new InputStreamReader(System.in));

    private LessonKit() {
    }

    record Options(boolean step, boolean otlp) {
    }

    /** --step and --otlp; anything else ends the lesson with one line and exit status 2. */
    static Options options(String[] args) {
        routeSdkLoggingToStdout();
        boolean step = false, otlp = false;
        for (String arg : args) {
            switch (arg) {
                case "--step" -> step = true;
                case "--otlp" -> otlp = true;
                default -> {
                    System.err.println("lesson: unknown option " + arg + " (use --step, --otlp or nothing)");
                    System.exit(2);
                }
            }
        }
        return new Options(step, otlp);
    }

    /** Prints the step's title, pauses with --step when a person is at the keyboard, runs the step. */
    static <T> T step(Options options, int number, String title, Supplier<T> body) {
        return step(options, number, title, "", body);
    }

    /** The same; at a --step pause the explanation is shown, so the instructor need not narrate it. */
    static <T> T step(Options options, int number, String title, String explanation, Supplier<T> body) {
        System.out.printf("%n== Step %d: %s%n", number, title);
        if (options.step() && Tty.stdinIsTerminal()) {
            if (!explanation.isEmpty()) System.out.println("   " + explanation);
            System.out.print("   (press Enter to run it) ");
            System.out.flush();
            try {
                STDIN.readLine();
            } catch (IOException ignored) {
                // no keyboard after all: just run the step
            }
        }
        return body.get();
    }

    static void step(Options options, int number, String title, Runnable body) {
        step(options, number, title, "", body);
    }

    static void step(Options options, int number, String title, String explanation, Runnable body) {
        step(options, number, title, explanation, () -> {
            body.run();
            return null;
        });
    }

    /** Reads back what the lesson's SDK recorded: a reader of the latest sdk(), beside its exporters. */
    private static volatile InMemoryMetricReader recorded = InMemoryMetricReader.create();
    private static volatile InMemoryLogRecordExporter recordedLogs = InMemoryLogRecordExporter.create();

    /** Every log record the lesson's SDK has recorded so far, as the exporters received it. */
    static java.util.List<io.opentelemetry.sdk.logs.data.LogRecordData> logs() {
        return recordedLogs.getFinishedLogRecordItems();
    }

    /**
     * Prints what the SDK holds now for these instruments, one line per series: a sum or gauge as its
     * value, a histogram as count, sum and its non-empty buckets. Computed by the SDK, not by the lesson.
     */
    static void metrics(String... names) {
        var wanted = java.util.List.of(names);
        var byName = new TreeMap<String, MetricData>();
        recorded.collectAllMetrics().stream().filter(m -> wanted.contains(m.getName())).forEach(m -> byName.put(m.getName(), m));
        for (String name : wanted) {
            MetricData metric = byName.get(name);
            if (metric == null) {
                System.out.println("   " + name + ": nothing recorded");
                continue;
            }
            metric.getData().getPoints().stream().map(point -> "   " + name + point.getAttributes().asMap().entrySet().stream()
                            .map(e -> e.getKey().getKey() + "=" + e.getValue()).sorted().toList().toString()
                            .replace('[', '{').replace(']', '}') + " " + describe(point) + " " + metric.getUnit())
                    .sorted().forEach(System.out::println);
        }
    }

    private static String describe(PointData point) {
        if (point instanceof io.opentelemetry.sdk.metrics.data.LongPointData p) return "= " + p.getValue();
        if (point instanceof io.opentelemetry.sdk.metrics.data.DoublePointData p) return "= " + p.getValue();
        if (point instanceof io.opentelemetry.sdk.metrics.data.HistogramPointData p) {
            var buckets = new StringBuilder();
            for (int i = 0; i < p.getCounts().size(); i++) {
                if (p.getCounts().get(i) == 0) continue;
                String le = i < p.getBoundaries().size() ? String.valueOf(p.getBoundaries().get(i)) : "+Inf";
                buckets.append(buckets.length() == 0 ? "" : ", ").append("le ").append(le).append(": ").append(p.getCounts().get(i));
            }
            return "count=" + p.getCount() + " sum=" + round(p.getSum()) + " buckets {" + buckets + "}";
        }
        return String.valueOf(point);
    }

    private static String round(double value) {
        return String.valueOf(Math.round(value * 1000) / 1000.0);
    }

    /** The lesson's SDK: console exporters (printing as each span ends) or OTLP/HTTP with --otlp. */
    static OpenTelemetrySdk sdk(Options options, String serviceName) {
        return sdk(options, serviceName, UnaryOperator.identity());
    }

    /** The same, letting a lesson add to the meter provider (lesson 3 adds a View). */
    static OpenTelemetrySdk sdk(Options options, String serviceName, UnaryOperator<SdkMeterProviderBuilder> meters) {
        return sdk(options, Resource.getDefault().merge(Resource.create(
                Attributes.builder().put("service.name", serviceName).build())), meters);
    }

    /** The same, with a Resource the lesson built itself (lesson 2). */
    static OpenTelemetrySdk sdk(Options options, Resource resource, UnaryOperator<SdkMeterProviderBuilder> meters) {
        var tracing = SdkTracerProvider.builder().setResource(resource);
        var metering = SdkMeterProvider.builder().setResource(resource);
        var logging = SdkLoggerProvider.builder().setResource(resource);
        recorded = InMemoryMetricReader.create();
        metering.registerMetricReader(recorded);
        recordedLogs = InMemoryLogRecordExporter.create();
        logging.addLogRecordProcessor(SimpleLogRecordProcessor.create(recordedLogs));
        if (options.otlp()) {
            String endpoint = otlpEndpoint();
            // No retries: a lesson should say "refused" at once, not retry with backoff past its 2 s exit.
            var spans = OtlpHttpSpanExporter.builder().setEndpoint(endpoint + "/v1/traces").setRetryPolicy(null).build();
            tracing.addSpanProcessor(BatchSpanProcessor.builder(new TrackedSpans(spans)).build());
            var metrics = OtlpHttpMetricExporter.builder().setEndpoint(endpoint + "/v1/metrics").setRetryPolicy(null).build();
            metering.registerMetricReader(PeriodicMetricReader.builder(new TrackedMetrics(metrics)).build());
            LogRecordExporter logs = OtlpHttpLogRecordExporter.builder().setEndpoint(endpoint + "/v1/logs").setRetryPolicy(null).build();
            logging.addLogRecordProcessor(BatchLogRecordProcessor.builder(new TrackedLogs(logs)).build());
            otlpTarget = endpoint;
            System.out.println("(sending telemetry over OTLP/HTTP to " + endpoint + "; the end of the lesson says whether it arrived)");
        } else {
            // Simple, not batch: each span prints the moment it ends, right under its step.
            tracing.addSpanProcessor(SimpleSpanProcessor.create(consoleSpans()));
            MetricExporter metrics = LoggingMetricExporter.create();
            metering.registerMetricReader(PeriodicMetricReader.builder(metrics).setInterval(Duration.ofMinutes(10)).build());
            logging.addLogRecordProcessor(SimpleLogRecordProcessor.create(SystemOutLogRecordExporter.create()));
        }
        return OpenTelemetrySdk.builder().setTracerProvider(tracing.build()).setMeterProvider(meters.apply(metering).build())
                .setLoggerProvider(logging.build())
                // W3C trace context and baggage: what puts `traceparent` and `baggage` on outgoing requests.
                .setPropagators(ContextPropagators.create(TextMapPropagator.composite(
                        W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance())))
                .build();
    }

    /** Where --otlp sends: OTEL_EXPORTER_OTLP_ENDPOINT, as for the chatbot, or the local collector. */
    static String otlpEndpoint() {
        String endpoint = System.getenv("OTEL_EXPORTER_OTLP_ENDPOINT");
        return endpoint == null || endpoint.isBlank() ? "http://localhost:4318" : endpoint.replaceAll("/+$", "");
    }

    /** The console span exporter; its lines reach standard output in order with the lesson's own. */
    static SpanExporter consoleSpans() {
        routeSdkLoggingToStdout();
        return LoggingSpanExporter.create();
    }

    /** Flushes and shuts down, waiting at most 2 s: with no collector the OTLP exporters retry, and we won't wait for that. */
    static final io.opentelemetry.api.common.AttributeKey<String> SERVICE_NAME = io.opentelemetry.api.common.AttributeKey.stringKey("service.name");

    /**
     * What an SDK really is, printed and returned as one line: the service name on a span it made, and
     * its span processor as the SDK describes itself. Then the SDK is closed (its batch flushes).
     */
    static String describeAndClose(String way, OpenTelemetrySdk sdk, String spanName) {
        try (sdk) {
            var span = sdk.getTracer("lesson-06").spanBuilder(spanName).startSpan();
            span.end();
            String service = ((io.opentelemetry.sdk.trace.ReadableSpan) span).toSpanData().getResource().getAttribute(SERVICE_NAME);
            String line = String.format("%-14s service.name=%s, %s", way, service, spanPipeline(sdk));
            System.out.println(line);
            return line;
        }
    }

    /** The span processor and exporter an SDK was built with, read off its own description (toString). */
    static String spanPipeline(OpenTelemetrySdk sdk) {
        String provider = sdk.getSdkTracerProvider().toString();
        var batch = java.util.regex.Pattern.compile("BatchSpanProcessor\\{spanExporter=(\\w+).*?scheduleDelayNanos=(\\d+)").matcher(provider);
        var simple = java.util.regex.Pattern.compile("SimpleSpanProcessor\\{spanExporter=(\\w+)").matcher(provider);
        if (batch.find()) return "batch every " + java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(Long.parseLong(batch.group(2)))
                + " ms to " + batch.group(1);
        return simple.find() ? "simple (on end) to " + simple.group(1) : "no span processor found";
    }

    static void close(OpenTelemetrySdk sdk) {
        var shutdown = new Thread(() -> sdk.shutdown().join(2, TimeUnit.SECONDS), "lesson-shutdown");
        shutdown.setDaemon(true);
        shutdown.start();
        try {
            shutdown.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (otlpTarget != null) reportDelivery();
    }

    // ---- --otlp: what reached the collector ------------------------------------------------------

    private static volatile String otlpTarget;
    /** Per signal: how its exports ended ("accepted", or the failure), counted. */
    private static final Map<String, Map<String, Integer>> DELIVERY = new ConcurrentHashMap<>();

    private static CompletableResultCode track(String signal, CompletableResultCode result) {
        result.whenComplete(() -> {
            String outcome = "accepted";
            if (!result.isSuccess()) {
                Throwable cause = result.getFailureThrowable();
                while (cause != null && cause.getCause() != null) cause = cause.getCause();
                outcome = cause == null ? "failed" : "failed: " + cause.getMessage();
            }
            DELIVERY.computeIfAbsent(signal, k -> new ConcurrentHashMap<>()).merge(outcome, 1, Integer::sum);
        });
        return result;
    }

    private static void reportDelivery() {
        System.out.println();
        System.out.println("OTLP/HTTP to " + otlpTarget + ":");
        for (String signal : java.util.List.of("traces", "metrics", "logs")) {
            var outcomes = DELIVERY.get(signal);
            String said = outcomes == null ? "nothing to send, or no answer within 2 s"
                    : outcomes.entrySet().stream().map(e -> e.getKey() + " (" + e.getValue() + " request" + (e.getValue() == 1 ? "" : "s") + ")")
                    .sorted().reduce((a, b) -> a + ", " + b).orElse("");
            System.out.println("   " + signal + ": " + said);
        }
    }

    private record TrackedSpans(SpanExporter delegate) implements SpanExporter {
        public CompletableResultCode export(java.util.Collection<io.opentelemetry.sdk.trace.data.SpanData> spans) {
            return track("traces", delegate.export(spans));
        }

        public CompletableResultCode flush() {
            return delegate.flush();
        }

        public CompletableResultCode shutdown() {
            return delegate.shutdown();
        }
    }

    private record TrackedMetrics(MetricExporter delegate) implements MetricExporter {
        public CompletableResultCode export(java.util.Collection<MetricData> metrics) {
            return track("metrics", delegate.export(metrics));
        }

        public io.opentelemetry.sdk.metrics.data.AggregationTemporality getAggregationTemporality(
                io.opentelemetry.sdk.metrics.InstrumentType type) {
            return delegate.getAggregationTemporality(type);
        }

        public CompletableResultCode flush() {
            return delegate.flush();
        }

        public CompletableResultCode shutdown() {
            return delegate.shutdown();
        }
    }

    private record TrackedLogs(LogRecordExporter delegate) implements LogRecordExporter {
        public CompletableResultCode export(java.util.Collection<io.opentelemetry.sdk.logs.data.LogRecordData> logs) {
            return track("logs", delegate.export(logs));
        }

        public CompletableResultCode flush() {
            return delegate.flush();
        }

        public CompletableResultCode shutdown() {
            return delegate.shutdown();
        }
    }

    /**
     * Console exporter output as "   -> ..." lines on stdout; SDK warnings (a failed export) as one
     * "   (SDK: ...)" line without the stack trace, which would bury the lesson's own output.
     */
    private static void routeSdkLoggingToStdout() {
        for (Handler old : SDK_LOGGING.getHandlers()) SDK_LOGGING.removeHandler(old);
        SDK_LOGGING.setUseParentHandlers(false);
        SDK_LOGGING.addHandler(new Handler() {
            private final SimpleFormatter formatter = new SimpleFormatter();

            @Override
            public void publish(LogRecord record) {
                String message = formatter.formatMessage(record);
                if (record.getLoggerName().startsWith("io.opentelemetry.exporter.logging")) {
                    System.out.println("   -> " + message);
                } else if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    Throwable cause = record.getThrown();
                    while (cause != null && cause.getCause() != null) cause = cause.getCause();
                    System.out.println("   (SDK: " + message + (cause != null ? " " + cause.getMessage() : "") + ")");
                }
            }

            @Override
            public void flush() {
                System.out.flush();
            }

            @Override
            public void close() {
                flush();
            }
        });
    }

    /**
     * The spans as the chatbot's /trace draws them (chatbot_charts.java, shared): one row per span,
     * indented under its parent, a bar where it started and for as long as it lasted.
     */
    static void waterfall(java.util.List<io.opentelemetry.api.trace.Span> spans) {
        var bars = spans.stream().filter(s -> s instanceof io.opentelemetry.sdk.trace.ReadableSpan)
                .map(s -> ((io.opentelemetry.sdk.trace.ReadableSpan) s).toSpanData())
                .map(d -> new Waterfall.Bar(d.getSpanId(), d.getParentSpanContext().isValid() ? d.getParentSpanId() : null,
                        d.getName(), d.getStartEpochNanos(), d.getEndEpochNanos(), null, java.util.List.of()))
                .toList();
        System.out.print(Waterfall.render(bars, 80));
    }

    /** The parent span id the SDK recorded for a span (the API's Span does not expose it; the SDK's ReadableSpan does). */
    static String parentOf(io.opentelemetry.api.trace.Span span) {
        return span instanceof io.opentelemetry.sdk.trace.ReadableSpan readable ? readable.getParentSpanContext().getSpanId() : "?";
    }

    /** A port nothing listens on (bind, note, release), for lessons that show a missing collector. */
    static int freePort() {
        try (var socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
