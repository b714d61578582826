///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS io.opentelemetry:opentelemetry-bom:1.65.0@pom
//DEPS io.opentelemetry:opentelemetry-api
//DEPS io.opentelemetry:opentelemetry-sdk
//DEPS io.opentelemetry:opentelemetry-exporter-otlp
//DEPS io.opentelemetry:opentelemetry-exporter-logging
//DEPS io.opentelemetry:opentelemetry-exporter-prometheus:1.65.0-alpha
//DEPS io.opentelemetry.semconv:opentelemetry-semconv:1.41.0
//DEPS io.opentelemetry.semconv:opentelemetry-semconv-incubating:1.41.0-alpha
//DEPS chatbot_companions.java
//FILES companions/=chatbot_*.java
//FILES companions/=ollama_sim.java
//MAIN chatbot_otel
//CDS
//RUNTIME_OPTIONS -XX:+UseSerialGC -Xlog:cds=off -Xlog:cds+dynamic=off --enable-native-access=ALL-UNNAMED
//DESCRIPTION An Ollama chatbot REPL instrumented by hand with the OpenTelemetry SDK (traces, metrics, logs over OTLP).

// chatbot_otel.java: an Ollama chatbot instrumented by hand with OpenTelemetry, the Java take on the
// reference Python chatbot that this kit follows.
//
//   jbang chatbot_otel.java --simulate        chat with the built-in Ollama simulator
//   jbang chatbot_otel.java                   chat with Ollama on localhost:11434
//   jbang chatbot_otel.java --help            flags and settings
//
// Every chat turn becomes one trace:
//   chat_interaction > generate_response > ollama_request, process_streaming_response
//                    > log_interaction
// plus metrics (llm_requests_total, llm_request_duration_seconds, llm_tokens_total, ...) and a
// structured log line per turn that carries the trace id. The names are the contract in TELEMETRY.md.
//
// All of the OpenTelemetry code is in this file, and it reads top-down:
//   main()  the table of contents: settings, SDK, chat, REPL
//   1. The SDK, wired by hand    resource, exporters, processors, providers, flush on exit
//   2. Instruments               tracer, meters, logger
//   3. The traced turn           the five spans, the metrics, the log record
//   4. Names                     the keys no semconv constant covers, spelled once
//   5. Span processors           the last turn kept for /trace, and load mode's span counts
//   6. OTLP exporters            one per signal, from that signal's OTEL_EXPORTER_OTLP_* settings
// Plumbing with no OpenTelemetry in it lives in companion files: chatbot_env.java, chatbot_settings.java
// and chatbot_otel_settings.java (settings; the last reads the specification's OTEL_* variables),
// chatbot_ollama.java (the HTTP and NDJSON client), chatbot_repl.java (the REPL: reads prompts, prints
// answers), chatbot_terminal.java (Ctrl-C, the terminal, export errors as one line), chatbot_load.java
// (load mode), chatbot_charts.java (the /trace waterfall, load mode's histograms), ollama_sim.java
// (--simulate). Dependencies point one way: this file uses the companions, and none of them names
// anything in here. Where they need the traced turn, they declare the small interface this file
// implements (Chat, CtrlC.Interruptible, LoadMode.SpanTally).
// (//DEPS chatbot_companions.java: JBang builds the companions as a jar of their own, once, so an edit
// to this file compiles this file alone. //FILES puts their sources in this file's jar too: JBang
// rebuilds a script when its sources or files change, so this file is recompiled whenever a companion
// is, and never runs against a companion it was not compiled with.
// -Xlog:cds=off: a //CDS archive fits only the JDK that wrote it; the JVM would say so after a JDK
// switch. --enable-native-access: JLine reaches the terminal natively; Java 22+ warns unless allowed.)

import com.fasterxml.jackson.core.JsonProcessingException;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongHistogram;
import io.opentelemetry.api.metrics.LongUpDownCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.exporter.logging.LoggingMetricExporter;
import io.opentelemetry.exporter.logging.LoggingSpanExporter;
import io.opentelemetry.exporter.logging.SystemOutLogRecordExporter;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.exporter.prometheus.PrometheusHttpServer;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import io.opentelemetry.sdk.logs.LogLimits;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.metrics.ExemplarFilter;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.AggregationTemporalitySelector;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanLimits;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes;
import io.opentelemetry.semconv.incubating.HttpIncubatingAttributes;

import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

// The semantic conventions' keys, from the published constants (section 4 has the few spelled by hand).
import static io.opentelemetry.semconv.ErrorAttributes.ERROR_TYPE;
import static io.opentelemetry.semconv.HttpAttributes.HTTP_REQUEST_METHOD;
import static io.opentelemetry.semconv.HttpAttributes.HTTP_RESPONSE_STATUS_CODE;
import static io.opentelemetry.semconv.ServerAttributes.SERVER_ADDRESS;
import static io.opentelemetry.semconv.ServerAttributes.SERVER_PORT;
import static io.opentelemetry.semconv.UrlAttributes.URL_FULL;
import static io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_CONVERSATION_ID;
import static io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_OPERATION_NAME;
import static io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_PROVIDER_NAME;
import static io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_REQUEST_MAX_TOKENS;
import static io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_REQUEST_MODEL;
import static io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_REQUEST_STREAM;
import static io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_REQUEST_TEMPERATURE;
import static io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_RESPONSE_FINISH_REASONS;
import static io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_RESPONSE_MODEL;
import static io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK;
import static io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_TOKEN_TYPE;
import static io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_USAGE_INPUT_TOKENS;
import static io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_USAGE_OUTPUT_TOKENS;

public class chatbot_otel {

    /** The resource's service.version (OTEL_RESOURCE_ATTRIBUTES can override it), and every scope's version. */
    static final String VERSION = OtelSettings.SERVICE_VERSION;

    public static void main(String[] args) {
        // System.exit, not a plain return: exporter HTTP clients keep non-daemon threads alive.
        System.exit(Terminal.withoutStackTraces(() -> run(args, System.getenv(), System.in, System.out, System.err)));
    }

    /** The whole program as a function of its inputs, so tests can run it in-process. */
    static int run(String[] args, Map<String, String> env, InputStream in, PrintStream out, PrintStream err) {
        Settings settings;
        try {
            settings = Settings.parse(args, env);                          // chatbot_settings.java
        } catch (SettingsException e) {
            err.println("chatbot: " + e.getMessage());
            return 2;
        }
        if (settings.run().help()) {
            out.print(Settings.USAGE + "\n" + settings.telemetryDestinations());
            return 0;
        }
        settings.warnings().forEach(warning -> err.println("chatbot: warning: " + warning));
        boolean terminal = in == System.in && settings.run().prompt() == null && settings.run().load() == null
                && Tty.stdinIsTerminal();
        var screen = terminal ? Screen.terminal(err) : Screen.plain(err); // stderr waits while an answer streams
        try (var simulator = Simulator.startIf(settings.run().simulate())) {
            var effective = simulator.pointAt(settings);
            // The client starts up (Jackson, the HTTP stack) while the SDK is built.
            var client = new OllamaClient(effective.ollama().endpoint(), effective.ollama().timeouts());
            try (var telemetry = Telemetry.setup(effective, screen.err())) {           // 1. the SDK
                // The JSON log lines: on stderr, unless the screen folds them away.
                var logLines = screen.foldLogLines ? new PrintStream(OutputStream.nullOutputStream()) : screen.err();
                var chat = new TracedChat(telemetry.openTelemetry(), client, effective, logLines);  // 2. and 3.
                if (effective.run().load() != null) {
                    return new LoadMode(effective, chat, telemetry::flushAndCountSpans).run(out); // chatbot_load.java
                }
                var repl = new Repl(effective, chat, in, out, screen.err(), terminal) // chatbot_repl.java
                        .showOn(screen);
                var lastTurn = telemetry.lastTurn();
                repl.drawTracesFrom(lastTurn == null ? null : lastTurn::bars, Tty.width(terminal, env));
                if (in == System.in) CtrlC.install(repl, terminal);
                return repl.run();
            }
        } catch (StartupException e) {
            err.println("chatbot: " + e.getMessage());
            return 1;
        }
    }

    // =========================================================================================
    // 1. THE SDK, WIRED BY HAND
    // As the reference Python chatbot does it: a Resource says who emits; per signal an exporter
    // says where to, a processor or reader says when; providers tie them together. The SDK is
    // touched here and in what this section plugs in (sections 5 and 6: our span processors, the
    // OTLP exporters). Sections 2 and 3 see only the OpenTelemetry API, so they run the same
    // against this SDK, an in-memory one in tests, or a no-op.
    // =========================================================================================

    static final class Telemetry implements AutoCloseable {
        /** How long exit may wait for the last export: the user is waiting too. */
        static final Duration SHUTDOWN_BUDGET = Duration.ofMillis(1200);

        private final OpenTelemetry openTelemetry;
        private final OpenTelemetrySdk sdk; // null when OTEL_SDK_DISABLED=true
        private final SpanCounts spanCounts;
        private final LastTurnSpans lastTurn;
        private final ExitFlush exitFlush;

        private Telemetry(OpenTelemetry openTelemetry, OpenTelemetrySdk sdk, SpanCounts spanCounts,
                          LastTurnSpans lastTurn) {
            this.openTelemetry = openTelemetry;
            this.sdk = sdk;
            this.spanCounts = spanCounts;
            this.lastTurn = lastTurn;
            // On `exit`, EOF, Ctrl-C or SIGTERM (a shutdown hook), whichever comes first; see close().
            this.exitFlush = ExitFlush.onExit(this::shutdownSdk, SHUTDOWN_BUDGET);
        }

        OpenTelemetry openTelemetry() { return openTelemetry; }

        /** The last turn's spans, for /trace; null in load mode and with telemetry off. */
        LastTurnSpans lastTurn() { return lastTurn; }

        /** Load mode's tally: flush within the budget, then the spans handed to the batch processor and on from it. */
        LoadMode.SpanTotals flushAndCountSpans(Duration budget) {
            flush(budget);
            return new LoadMode.SpanTotals(spanCounts.ended(), spanCounts.exported());
        }

        /**
         * Exports everything recorded so far, waiting at most `budget`. True when the flush finished in
         * time; a batch processor reports a finished flush even when its export failed (the SDK logs that).
         */
        boolean flush(Duration budget) {
            if (sdk == null) return true;
            var tracing = sdk.getSdkTracerProvider().forceFlush();
            var metering = sdk.getSdkMeterProvider().forceFlush();
            var logging = sdk.getSdkLoggerProvider().forceFlush();
            return CompletableResultCode.ofAll(List.of(tracing, metering, logging))
                    .join(budget.toMillis(), TimeUnit.MILLISECONDS).isSuccess();
        }

        static Telemetry setup(Settings settings, PrintStream err) {
            // Load mode counts spans in and out of the batch processor; a chat has no use for it.
            var spanCounts = settings.run().load() != null ? new SpanCounts() : null;
            var lastTurn = settings.run().load() == null ? new LastTurnSpans() : null; // /trace is the REPL's
            OtelSettings otel = settings.otel();
            if (otel.sdkDisabled()) return new Telemetry(OpenTelemetry.noop(), null, spanCounts, null);
            ExportProblems.install(err, otel);
            var resource = Resource.getDefault().merge(Resource.create(toAttributes(otel.resourceAttributes())));
            var sdk = OpenTelemetrySdk.builder()
                    .setTracerProvider(tracerProvider(otel, resource, spanCounts, lastTurn))
                    .setMeterProvider(meterProvider(otel, resource))
                    .setLoggerProvider(loggerProvider(otel, resource))
                    // W3C trace context is what puts `traceparent` on the Ollama request (OTEL_PROPAGATORS).
                    .setPropagators(propagators(otel.propagators()))
                    .build();
            return new Telemetry(sdk, sdk, spanCounts, lastTurn);
        }

        private static SdkTracerProvider tracerProvider(OtelSettings otel, Resource resource, SpanCounts counts,
                                                        LastTurnSpans lastTurn) {
            var limits = otel.limits();
            var builder = SdkTracerProvider.builder()
                    .setResource(resource)
                    .setSampler(sampler(otel.sampling()))
                    .setSpanLimits(SpanLimits.builder() // OTEL_SPAN_*_LIMIT: what one span may hold
                            .setMaxAttributeValueLength(limits.spanAttributeValueLength())
                            .setMaxNumberOfAttributes(limits.spanAttributeCount())
                            .setMaxNumberOfEvents(limits.spanEventCount()).setMaxNumberOfLinks(limits.spanLinkCount())
                            .setMaxNumberOfAttributesPerEvent(limits.eventAttributeCount())
                            .setMaxNumberOfAttributesPerLink(limits.linkAttributeCount()).build());
            SpanExporter exporter = switch (otel.exporters().traces()) {
                case "otlp" -> OtlpExporters.spans(otel.otlp().traces()); // section 6
                case "console" -> LoggingSpanExporter.create();
                default -> null;
            };
            if (lastTurn != null) builder.addSpanProcessor(lastTurn); // for /trace, whatever the exporter
            if (exporter == null) return builder.build();
            // Batching keeps export off the chat's path: ending a span only enqueues it. When the queue
            // is full the batch processor drops spans; in load mode, SpanCounts sees how many.
            if (counts != null) {
                builder.addSpanProcessor(counts);
                exporter = counts.exportedCounter(exporter);
            }
            var batch = otel.batching().spans(); // OTEL_BSP_*
            return builder.addSpanProcessor(BatchSpanProcessor.builder(exporter)
                    .setScheduleDelay(batch.scheduleDelay())
                    .setExporterTimeout(batch.exportTimeout())
                    .setMaxQueueSize(batch.maxQueueSize())
                    .setMaxExportBatchSize(batch.maxExportBatchSize())
                    .build()).build();
        }

        private static SdkMeterProvider meterProvider(OtelSettings otel, Resource resource) {
            var builder = SdkMeterProvider.builder().setResource(resource)
                    // Exemplars link a histogram sample to the trace it was recorded in (OTEL_METRICS_EXEMPLAR_FILTER).
                    .setExemplarFilter(switch (otel.metrics().exemplarFilter()) {
                        case "always_on" -> ExemplarFilter.alwaysOn();
                        case "always_off" -> ExemplarFilter.alwaysOff();
                        default -> ExemplarFilter.traceBased();
                    });
            MetricExporter pushExporter = switch (otel.exporters().metrics()) {
                case "otlp" -> OtlpExporters.metrics(otel.otlp().metrics(), otel.metrics()); // section 6
                case "console" -> LoggingMetricExporter.create();
                default -> null;
            };
            if (pushExporter != null) {
                builder.registerMetricReader(PeriodicMetricReader.builder(pushExporter)
                        .setInterval(otel.metrics().interval()).build());
            } else if (otel.exporters().metrics().equals("prometheus")) {
                var exporters = otel.exporters();
                builder.registerMetricReader(prometheusServer(exporters.prometheusHost(), exporters.prometheusPort()));
            }
            return builder.build();
        }

        /** Pull instead of push: Prometheus scrapes http://127.0.0.1:9464/metrics. */
        private static MetricReader prometheusServer(String host, int port) {
            try {
                return PrometheusHttpServer.builder().setHost(host).setPort(port).build();
            } catch (RuntimeException e) {
                throw new StartupException("cannot serve Prometheus metrics on " + host + ":" + port + " ("
                        + Messages.rootMessage(e) + "); set OTEL_EXPORTER_PROMETHEUS_PORT to a free port", e);
            }
        }

        private static SdkLoggerProvider loggerProvider(OtelSettings otel, Resource resource) {
            var limits = otel.limits();
            var builder = SdkLoggerProvider.builder()
                    .setResource(resource)
                    .setLogLimits(() -> LogLimits.builder() // OTEL_LOGRECORD_*_LIMIT
                            .setMaxAttributeValueLength(limits.logAttributeValueLength())
                            .setMaxNumberOfAttributes(limits.logAttributeCount()).build());
            LogRecordExporter exporter = switch (otel.exporters().logs()) {
                case "otlp" -> OtlpExporters.logs(otel.otlp().logs()); // section 6
                case "console" -> SystemOutLogRecordExporter.create();
                default -> null;
            };
            if (exporter == null) return builder.build();
            var batch = otel.batching().logs(); // OTEL_BLRP_*
            return builder.addLogRecordProcessor(BatchLogRecordProcessor.builder(exporter)
                    .setScheduleDelay(batch.scheduleDelay())
                    .setExporterTimeout(batch.exportTimeout())
                    .setMaxQueueSize(batch.maxQueueSize())
                    .setMaxExportBatchSize(batch.maxExportBatchSize())
                    .build()).build();
        }

        private static Sampler sampler(OtelSettings.Sampling sampling) {
            double ratio = sampling.ratio();
            return switch (sampling.sampler()) {
                case "always_on" -> Sampler.alwaysOn();
                case "always_off" -> Sampler.alwaysOff();
                case "traceidratio" -> Sampler.traceIdRatioBased(ratio);
                case "parentbased_always_off" -> Sampler.parentBased(Sampler.alwaysOff());
                case "parentbased_traceidratio" -> Sampler.parentBased(Sampler.traceIdRatioBased(ratio));
                default -> Sampler.parentBased(Sampler.alwaysOn());
            };
        }

        /** tracecontext and baggage, or none of them: the propagators this kit's modules provide. */
        private static ContextPropagators propagators(List<String> names) {
            return ContextPropagators.create(TextMapPropagator.composite(names.stream()
                    .map(name -> name.equals("baggage")
                            ? W3CBaggagePropagator.getInstance() : W3CTraceContextPropagator.getInstance())
                    .toList()));
        }

        private static Attributes toAttributes(Map<String, String> map) {
            AttributesBuilder builder = Attributes.builder();
            map.forEach(builder::put);
            return builder.build();
        }

        /**
         * sdk.shutdown() flushes every provider (the last spans, metrics and log records) and stops
         * them. With no collector the exports fail fast; with a hanging one we give up at
         * SHUTDOWN_BUDGET rather than hang the exit (ExitFlush, in chatbot_terminal.java, bounds it).
         */
        @Override
        public void close() {
            exitFlush.run();
        }

        private void shutdownSdk() {
            if (sdk != null) sdk.shutdown().join(SHUTDOWN_BUDGET.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    // =========================================================================================
    // 2. INSTRUMENTS
    // The tracer, the meters and the logger, created once, with every span name, metric and log
    // message of TELEMETRY.md next to them; the attribute keys are in section 4, Names.
    // =========================================================================================

    static final class Instruments {
        static final String SCOPE = "chatbot_otel";
        /** The version of the semantic conventions these names follow. */
        static final String SCHEMA_URL = "https://opentelemetry.io/schemas/1.41.0";

        static final String SPAN_CHAT_INTERACTION = "chat_interaction";
        static final String SPAN_GENERATE_RESPONSE = "generate_response";
        static final String SPAN_OLLAMA_REQUEST = "ollama_request";
        static final String SPAN_PROCESS_STREAM = "process_streaming_response";
        static final String SPAN_LOG_INTERACTION = "log_interaction";

        static final String EVENT_OPERATION_DETAILS = "gen_ai.client.inference.operation.details";

        static final String LOG_COMPLETED = "LLM request completed";
        static final String LOG_FAILED = "LLM request failed";

        /** GenAI advice: durations from 10 ms doubling to 81.92 s, token counts in powers of four. */
        static final List<Double> DURATION_BUCKETS = doublingFrom(0.01, 14);
        static final List<Long> TOKEN_BUCKETS = powersOfFour(14);

        final Tracer tracer;
        final Logger logger;
        final LongCounter requests;
        final DoubleHistogram requestDuration;
        final DoubleHistogram timeToFirstToken;
        final LongCounter tokens;
        final LongCounter errors;
        final LongUpDownCounter queueSize;
        final DoubleHistogram operationDuration;
        final LongHistogram tokenUsage;
        final LongCounter inferenceInputTokens;
        final LongCounter inferenceOutputTokens;
        final LongHistogram operationInputTokens;
        final LongHistogram operationOutputTokens;
        final DoubleHistogram timeToFirstChunk;
        final DoubleHistogram timePerOutputChunk;

        Instruments(OpenTelemetry otel) {
            // Every scope names its version and the semantic conventions it follows (their schema URL).
            tracer = otel.tracerBuilder(SCOPE)
                    .setInstrumentationVersion(VERSION).setSchemaUrl(SCHEMA_URL).build();
            logger = otel.getLogsBridge().loggerBuilder(SCOPE)
                    .setInstrumentationVersion(VERSION).setSchemaUrl(SCHEMA_URL).build();
            Meter meter = otel.meterBuilder(SCOPE)
                    .setInstrumentationVersion(VERSION).setSchemaUrl(SCHEMA_URL).build();
            // The reference chatbot's metrics. Units follow UCUM; exporters turn `s` into `_seconds` and
            // counters into `_total`.
            requests = meter.counterBuilder("llm.requests").setUnit("{request}")
                    .setDescription("LLM requests by model and outcome").build();
            requestDuration = meter.histogramBuilder("llm.request.duration").setUnit("s")
                    .setDescription("LLM request duration, request sent to last chunk")
                    .setExplicitBucketBoundariesAdvice(DURATION_BUCKETS).build();
            timeToFirstToken = durations(meter, "llm.time_to_first_token",
                    "Time from request sent to the first token of the answer (a thinking model's thinking excluded)");
            tokens = meter.counterBuilder("llm.tokens").setUnit("{token}")
                    .setDescription("Tokens used, by type (input or output)").build();
            errors = meter.counterBuilder("llm.errors").setUnit("{error}")
                    .setDescription("Failed LLM requests by error type").build();
            queueSize = meter.upDownCounterBuilder("llm.queue_size").setUnit("{request}")
                    .setDescription("LLM requests in flight").build();
            // The GenAI semantic-convention metrics, for GenAI-aware backends.
            operationDuration = durations(meter, "gen_ai.client.operation.duration", "GenAI operation duration");
            tokenUsage = tokenCounts(meter, "gen_ai.client.token.usage", "Tokens used per GenAI operation");
            timeToFirstChunk = durations(meter, "gen_ai.client.operation.time_to_first_chunk",
                    "Time from request sent to the first streamed chunk");
            timePerOutputChunk = durations(meter, "gen_ai.client.operation.time_per_output_chunk",
                    "Time between streamed chunks after the first");
            // The development line's token metrics (OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental);
            // an instrument that never records exports nothing.
            inferenceInputTokens = meter.counterBuilder("gen_ai.client.inference.usage.input_tokens")
                    .setUnit("{token}")
                    .setDescription("Input tokens used, including cached ones").build();
            inferenceOutputTokens = meter.counterBuilder("gen_ai.client.inference.usage.output_tokens")
                    .setUnit("{token}")
                    .setDescription("Output tokens used, including reasoning").build();
            operationInputTokens = tokenCounts(meter, "gen_ai.client.inference.operation.input_tokens",
                    "Input tokens per inference operation");
            operationOutputTokens = tokenCounts(meter, "gen_ai.client.inference.operation.output_tokens",
                    "Output tokens per inference operation");
        }

        private static DoubleHistogram durations(Meter meter, String name, String description) {
            return meter.histogramBuilder(name).setUnit("s").setDescription(description)
                    .setExplicitBucketBoundariesAdvice(DURATION_BUCKETS).build();
        }

        private static LongHistogram tokenCounts(Meter meter, String name, String description) {
            return meter.histogramBuilder(name).ofLongs().setUnit("{token}").setDescription(description)
                    .setExplicitBucketBoundariesAdvice(TOKEN_BUCKETS).build();
        }

        private static List<Double> doublingFrom(double first, int count) {
            var buckets = new ArrayList<Double>();
            for (int i = 0; i < count; i++) buckets.add(first * (1L << i));
            return List.copyOf(buckets);
        }

        private static List<Long> powersOfFour(int count) {
            var buckets = new ArrayList<Long>();
            for (int i = 0; i < count; i++) buckets.add(1L << (2 * i));
            return List.copyOf(buckets);
        }
    }

    // =========================================================================================
    // 3. THE TRACED TURN: where the telemetry is made
    // One method per span of the tree, called in the order the spans nest. The client above is
    // wrapped here and nowhere else, so "where are spans created?" has one answer.
    // =========================================================================================

    static final class TracedChat implements Chat {
        private final Instruments instruments;
        private final TextMapPropagator propagator;
        private final Ollama client;
        private final StructuredLog log;
        private final Settings settings;
        /** OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental: the GenAI conventions' development line. */
        private final boolean latest;
        private final String sessionId = UUID.randomUUID().toString();

        TracedChat(OpenTelemetry otel, Ollama client, Settings settings, PrintStream err) {
            this.instruments = new Instruments(otel);
            this.propagator = otel.getPropagators().getTextMapPropagator();
            this.client = client;
            this.settings = settings;
            this.latest = settings.otel().conventions().genAiLatest();
            this.log = new StructuredLog(instruments.logger, err, settings.otel().serviceName(),
                    settings.otel().logLevel());
        }

        String sessionId() {
            return sessionId;
        }

        URI endpoint() {
            return client.endpoint();
        }

        /** One chat turn: the root span, the LLM call inside it, then the log record. */
        TurnResult turn(int turnNumber, ChatRequest request, AnswerSink onToken) {
            return turn(turnNumber, request, onToken, Cancellation.none());
        }

        @Override
        public TurnResult turn(int turnNumber, ChatRequest request, AnswerSink onToken, Cancellation cancellation) {
            Span span = instruments.tracer.spanBuilder(Instruments.SPAN_CHAT_INTERACTION)
                    .setSpanKind(SpanKind.INTERNAL)
                    .setAttribute(Keys.APP_SESSION_ID, sessionId)
                    .setAttribute(Keys.APP_TURN, (long) turnNumber)
                    .setAttribute(GEN_AI_CONVERSATION_ID, request.conversationId())
                    .startSpan();
            try (Scope ignored = span.makeCurrent()) {
                var progress = new StreamProgress();
                Outcome outcome = generateResponse(request, progress, onToken, cancellation);
                logInteraction(request.model(), request.conversationId(), outcome);
                OllamaException error = outcome.error();
                if (error != null) markFailed(span, error.type);
                // A no-op or unsampled span has no trace to link to: say so with null.
                String traceId = span.getSpanContext().isSampled() ? span.getSpanContext().getTraceId() : null;
                String finishReason = progress.last == null ? null : progress.last.doneReason();
                return new TurnResult(progress.answer.toString(), traceId, outcome.usage(), error,
                        progress.firstAnswerNanos, outcome.durationNanos(), finishReason);
            } finally {
                span.end();
            }
        }

        /**
         * generate_response is CLIENT: it is the call to the model as a whole, the span GenAI-aware
         * backends look for (named `chat {model}` under the newest conventions). Its request attributes
         * are set before start so samplers can see them; it ends only after the final chunk, so its
         * duration is the user's wait.
         */
        private Outcome generateResponse(ChatRequest request, StreamProgress progress, AnswerSink onToken,
                                         Cancellation cancellation) {
            String name = latest ? Keys.OPERATION_CHAT + " " + request.model() : Instruments.SPAN_GENERATE_RESPONSE;
            var builder = instruments.tracer.spanBuilder(name)
                    .setSpanKind(SpanKind.CLIENT)
                    .setAllAttributes(genAiAttributes(request.model(), null))
                    .setAttribute(GEN_AI_REQUEST_TEMPERATURE, request.temperature())
                    .setAttribute(GEN_AI_REQUEST_STREAM, true)
                    // The capped history, plus the prompt.
                    .setAttribute(Keys.APP_MESSAGES_SENT, (long) request.messages().size())
                    .setAttribute(Keys.LLM_MODEL, request.model())
                    .setAttribute(Keys.LLM_TEMPERATURE, request.temperature());
            if (request.maxTokens() != null) {
                builder.setAttribute(GEN_AI_REQUEST_MAX_TOKENS, (long) request.maxTokens());
            }
            if (request.think() != null) builder.setAttribute(Keys.LLM_THINK, request.think()); // only when sent
            // Deprecated for gen_ai.provider.name; the v1.41 dashboards still read it.
            if (!latest) builder.setAttribute(Keys.GEN_AI_SYSTEM, Keys.PROVIDER_OLLAMA);
            if (settings.otel().captureContent()) {
                builder.setAttribute(Keys.LLM_PROMPT, request.lastUserPrompt());
                // v1.41 puts the messages on the span; the newest conventions, in an event (operationDetails).
                if (!latest) builder.setAttribute(Keys.GEN_AI_INPUT_MESSAGES, inputMessagesJson(request.messages()));
            }
            // One clock for the turn: the span's start and end, llm.duration_ms, both duration metrics and
            // the log record's duration_ms all come from these two instants, so they agree exactly.
            long startEpoch = epochNanos();
            Span span = builder.setStartTimestamp(startEpoch, TimeUnit.NANOSECONDS).startSpan();
            instruments.queueSize.add(1, Attributes.of(Keys.MODEL, request.model()));
            long start = System.nanoTime(); // chunk timings: monotonic
            OllamaException error = null;
            try (Scope ignored = span.makeCurrent()) {
                try (ChatStream stream = ollamaRequest(request, cancellation)) {
                    processStream(stream, start, progress, onToken);
                }
            } catch (OllamaException e) {
                error = e;
            } finally {
                cancellation.finished();
                instruments.queueSize.add(-1, Attributes.of(Keys.MODEL, request.model()));
            }
            long endEpoch = epochNanos();
            long durationNanos = endEpoch - startEpoch;
            Usage usage = error == null ? usage(request, progress) : null;
            describeResponse(span, progress, usage, durationNanos);
            if (error != null) markFailed(span, error.type);
            recordTurnMetrics(request.model(), progress, usage, error, durationNanos);
            if (latest && settings.otel().captureContent()) operationDetails(span, request, progress, usage);
            span.end(endEpoch, TimeUnit.NANOSECONDS);
            return new Outcome(error, usage, durationNanos);
        }

        /** ollama_request: the HTTP exchange up to the response headers, with the trace context injected. */
        private ChatStream ollamaRequest(ChatRequest request, Cancellation cancellation) throws OllamaException {
            URI uri = client.chatUri();
            String url = Messages.redact(uri); // user:password@ becomes REDACTED, as the convention asks
            Span span = instruments.tracer.spanBuilder(Instruments.SPAN_OLLAMA_REQUEST)
                    .setSpanKind(SpanKind.CLIENT)
                    .setAttribute(HTTP_REQUEST_METHOD, "POST")
                    .setAttribute(URL_FULL, url)
                    .setAttribute(SERVER_ADDRESS, uri.getHost())
                    .setAttribute(SERVER_PORT, (long) port(uri))
                    .startSpan();
            if (!settings.otel().conventions().httpStableOnly()) { // the reference chatbot's older names, beside
                span.setAttribute(Keys.HTTP_METHOD, "POST");
                span.setAttribute(Keys.HTTP_URL, url);
            }
            try (Scope ignored = span.makeCurrent()) {
                // The propagator writes `traceparent` for the current span: this one.
                var headers = new HashMap<String, String>();
                propagator.inject(Context.current(), headers, (carrier, key, value) -> carrier.put(key, value));
                ChatStream stream = client.openChat(request, headers, cancellation);
                setStatusCode(span, stream.status(), settings.otel().conventions());
                return stream;
            } catch (OllamaException e) {
                if (e.httpStatus > 0) setStatusCode(span, e.httpStatus, settings.otel().conventions());
                recordFailure(span, e);
                throw e;
            } finally {
                span.end();
            }
        }

        /** process_streaming_response: reading the NDJSON stream to the last chunk, printing as it comes. */
        private void processStream(ChatStream stream, long requestStart, StreamProgress progress,
                                   AnswerSink onToken) throws OllamaException {
            Span span = instruments.tracer.spanBuilder(Instruments.SPAN_PROCESS_STREAM).startSpan();
            long start = System.nanoTime();
            long previous = requestStart;
            try (Scope ignored = span.makeCurrent()) {
                while (true) {
                    ChatChunk chunk = stream.next();
                    long now = System.nanoTime();
                    progress.chunkArrived(now - requestStart, now - previous, chunk.model());
                    previous = now;
                    if (!chunk.thinking().isEmpty()) { // a thinking model thinks before it answers
                        progress.thinkingChunks++;
                        progress.thinking.append(chunk.thinking());
                        onToken.thinking(chunk.thinking());
                    }
                    if (!chunk.content().isEmpty()) {
                        if (progress.firstAnswerNanos < 0) progress.firstAnswerNanos = now - requestStart;
                        progress.contentChunks++;
                        progress.answer.append(chunk.content());
                        onToken.text(chunk.content());
                    }
                    if (chunk.done()) {
                        progress.last = chunk;
                        break;
                    }
                }
            } catch (OllamaException e) {
                recordFailure(span, e);
                throw e;
            } finally {
                double streamingSeconds = seconds(System.nanoTime() - start);
                span.setAttribute(Keys.LLM_STREAM_CHUNKS, (long) progress.chunks);
                long outputTokens = progress.last != null && progress.last.evalCount() != null
                        ? progress.last.evalCount() : progress.contentChunks + progress.thinkingChunks;
                if (progress.thinkingChunks > 0) {
                    span.setAttribute(Keys.LLM_THINKING_CHUNKS, (long) progress.thinkingChunks);
                }
                if (streamingSeconds > 0) {
                    span.setAttribute(Keys.LLM_TOKENS_PER_SECOND, outputTokens / streamingSeconds);
                }
                span.end();
            }
        }

        /** log_interaction: the structured record of the turn, inside its own span so it carries the trace. */
        private void logInteraction(String model, String conversationId, Outcome outcome) {
            long durationNanos = outcome.durationNanos();
            Span span = instruments.tracer.spanBuilder(Instruments.SPAN_LOG_INTERACTION).startSpan();
            try (Scope ignored = span.makeCurrent()) {
                var fields = new LinkedHashMap<String, Object>();
                fields.put("model", model);
                if (outcome.error() == null) {
                    fields.put("tokens", outcome.usage().total());
                    if (outcome.usage().estimated()) fields.put("tokens_estimated", true); // Ollama sent no counts
                    fields.put("duration_ms", TimeUnit.NANOSECONDS.toMillis(durationNanos));
                    log.emit(Severity.INFO, Instruments.LOG_COMPLETED, fields, extra(conversationId, outcome.usage()));
                } else {
                    fields.put("error_type", outcome.error().type.value());
                    fields.put("duration_ms", TimeUnit.NANOSECONDS.toMillis(durationNanos));
                    log.emit(Severity.ERROR, Instruments.LOG_FAILED, fields, extra(conversationId, null));
                }
            } finally {
                span.end();
            }
        }

        /**
         * What the OTLP record adds to the JSON line's fields: the keys a backend joins on, and counts
         * when Ollama sent them.
         */
        private static Attributes extra(String conversationId, Usage usage) {
            var extra = Attributes.builder().put(GEN_AI_CONVERSATION_ID, conversationId);
            if (usage != null && !usage.estimated()) {
                extra.put(GEN_AI_USAGE_INPUT_TOKENS, usage.inputTokens())
                        .put(GEN_AI_USAGE_OUTPUT_TOKENS, usage.outputTokens());
            }
            return extra.build();
        }

        private void describeResponse(Span span, StreamProgress progress, Usage usage, long durationNanos) {
            span.setAttribute(Keys.LLM_DURATION_MS, TimeUnit.NANOSECONDS.toMillis(durationNanos));
            if (settings.otel().captureContent()) {
                // Kept on failure too: a partial answer is often the best clue to what went wrong.
                span.setAttribute(Keys.LLM_RESPONSE, progress.answer.toString());
            }
            // Time to first chunk, as the conventions define it, counts a thinking model's thinking; the
            // user waits for the first word of the answer, so that gets its own attribute.
            if (progress.firstChunkNanos >= 0) {
                span.setAttribute(GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK, seconds(progress.firstChunkNanos));
            }
            if (progress.firstAnswerNanos >= 0) {
                span.setAttribute(Keys.LLM_TIME_TO_FIRST_TOKEN, seconds(progress.firstAnswerNanos));
            }
            ChatChunk last = progress.last;
            if (last == null) return;
            if (!last.model().isEmpty()) span.setAttribute(GEN_AI_RESPONSE_MODEL, last.model());
            if (last.doneReason() != null) {
                span.setAttribute(GEN_AI_RESPONSE_FINISH_REASONS, List.of(last.doneReason()));
            }
            if (settings.otel().captureContent() && !latest) {
                span.setAttribute(Keys.GEN_AI_OUTPUT_MESSAGES, outputMessagesJson(progress, last.doneReason()));
            }
            if (usage != null) {
                span.setAttribute(Keys.LLM_TOKENS_INPUT, usage.inputTokens());
                span.setAttribute(Keys.LLM_TOKENS_OUTPUT, usage.outputTokens());
                span.setAttribute(Keys.LLM_TOKENS_TOTAL, usage.total());
                if (usage.estimated()) {
                    span.setAttribute(Keys.LLM_TOKENS_ESTIMATED, true); // gen_ai.usage.* is for counts, never guesses
                } else {
                    span.setAttribute(GEN_AI_USAGE_INPUT_TOKENS, usage.inputTokens());
                    span.setAttribute(GEN_AI_USAGE_OUTPUT_TOKENS, usage.outputTokens());
                }
            }
            setMillis(span, Keys.OLLAMA_TOTAL_DURATION_MS, last.totalDuration());
            setMillis(span, Keys.OLLAMA_LOAD_DURATION_MS, last.loadDuration());
            setMillis(span, Keys.OLLAMA_PROMPT_EVAL_DURATION_MS, last.promptEvalDuration());
            setMillis(span, Keys.OLLAMA_EVAL_DURATION_MS, last.evalDuration());
        }

        /**
         * Every metric of the turn, recorded here and only here, once the answer is complete: the
         * reference chatbot's llm.* metrics and the GenAI ones, from the same measurements. (The
         * in-flight count, llm.queue_size, goes up and down around the call instead.)
         */
        private void recordTurnMetrics(String model, StreamProgress progress, Usage usage, OllamaException error,
                                       long durationNanos) {
            String status = error == null ? "success" : "error";
            var referenceAttributes = Attributes.of(Keys.MODEL, model, Keys.STATUS, status);
            instruments.requests.add(1, referenceAttributes);
            instruments.requestDuration.record(seconds(durationNanos), referenceAttributes);
            var genAi = genAiAttributes(model, progress.responseModel);
            if (progress.firstChunkNanos >= 0) {
                instruments.timeToFirstChunk.record(seconds(progress.firstChunkNanos), genAi);
            }
            if (progress.firstAnswerNanos >= 0) {
                instruments.timeToFirstToken.record(seconds(progress.firstAnswerNanos),
                        Attributes.of(Keys.MODEL, model));
            }
            for (int i = 0; i < progress.gaps; i++) {
                instruments.timePerOutputChunk.record(seconds(progress.gapNanos[i]), genAi);
            }
            if (error != null) {
                instruments.errors.add(1, Attributes.of(Keys.MODEL, model, Keys.ERROR_TYPE_LABEL, error.type.value()));
                genAi = genAi.toBuilder().put(ERROR_TYPE, error.type.value()).build();
            }
            instruments.operationDuration.record(seconds(durationNanos), genAi);
            if (latest) recordInferenceTokens(genAi, usage);
            if (usage == null) return;
            // An estimate goes only into the reference chatbot's llm_tokens_total, labelled estimated="true".
            var input = Attributes.builder().put(Keys.MODEL, model).put(Keys.TYPE, "input");
            var output = Attributes.builder().put(Keys.MODEL, model).put(Keys.TYPE, "output");
            if (usage.estimated()) List.of(input, output).forEach(b -> b.put(Keys.ESTIMATED, "true"));
            instruments.tokens.add(usage.inputTokens(), input.build());
            instruments.tokens.add(usage.outputTokens(), output.build());
            if (usage.estimated() || latest) return;
            instruments.tokenUsage.record(usage.inputTokens(),
                    genAi.toBuilder().put(GEN_AI_TOKEN_TYPE, "input").build());
            instruments.tokenUsage.record(usage.outputTokens(),
                    genAi.toBuilder().put(GEN_AI_TOKEN_TYPE, "output").build());
        }

        /**
         * The newest conventions count tokens twice: counters to sum (cost), by modality, and histograms per
         * operation (percentiles), with error.type. Every operation records, a failed one too: 0, and the
         * modality `unknown`, when Ollama sent no counts. An estimate is never recorded here.
         */
        private void recordInferenceTokens(Attributes genAi, Usage usage) {
            boolean counted = usage != null && !usage.estimated();
            long input = counted ? usage.inputTokens() : 0, output = counted ? usage.outputTokens() : 0;
            var byModality = genAi.toBuilder().remove(ERROR_TYPE)
                    .put(Keys.GEN_AI_TOKEN_MODALITY, counted ? "text" : "unknown").build();
            instruments.inferenceInputTokens.add(input, byModality);
            instruments.inferenceOutputTokens.add(output, byModality);
            instruments.operationInputTokens.record(input, genAi);
            instruments.operationOutputTokens.record(output, genAi);
        }

        /**
         * The newest conventions' home for content: one event per operation, inside its span, with the
         * messages and what the span says about the call. Severity DEBUG, as they advise.
         */
        private void operationDetails(Span span, ChatRequest request, StreamProgress progress, Usage usage) {
            var attributes = genAiAttributes(request.model(), progress.responseModel).toBuilder()
                    .put(GEN_AI_CONVERSATION_ID, request.conversationId())
                    .put(Keys.GEN_AI_INPUT_MESSAGES, inputMessagesJson(request.messages()));
            ChatChunk last = progress.last;
            if (last != null) {
                attributes.put(Keys.GEN_AI_OUTPUT_MESSAGES, outputMessagesJson(progress, last.doneReason()));
                if (last.doneReason() != null) {
                    attributes.put(GEN_AI_RESPONSE_FINISH_REASONS, List.of(last.doneReason()));
                }
            }
            if (usage != null && !usage.estimated()) {
                attributes.put(GEN_AI_USAGE_INPUT_TOKENS, usage.inputTokens())
                        .put(GEN_AI_USAGE_OUTPUT_TOKENS, usage.outputTokens());
            }
            instruments.logger.logRecordBuilder()
                    .setEventName(Instruments.EVENT_OPERATION_DETAILS)
                    .setContext(Context.current().with(span))
                    .setSeverity(Severity.DEBUG)
                    .setAllAttributes(attributes.build())
                    .emit();
        }

        /** The GenAI attribute set shared by the CLIENT span and the gen_ai.client.* metrics. */
        private Attributes genAiAttributes(String requestModel, String responseModel) {
            URI uri = client.endpoint();
            AttributesBuilder builder = Attributes.builder()
                    .put(GEN_AI_OPERATION_NAME, Keys.OPERATION_CHAT)
                    .put(GEN_AI_PROVIDER_NAME, Keys.PROVIDER_OLLAMA)
                    .put(GEN_AI_REQUEST_MODEL, requestModel)
                    .put(SERVER_ADDRESS, uri.getHost())
                    .put(SERVER_PORT, (long) port(uri));
            if (responseModel != null && !responseModel.isEmpty()) builder.put(GEN_AI_RESPONSE_MODEL, responseModel);
            return builder.build();
        }

        /** Ollama's counts when it sent them; otherwise ~4 characters a token in, one token a chunk out. */
        private static Usage usage(ChatRequest request, StreamProgress progress) {
            ChatChunk last = progress.last;
            if (last != null && last.promptEvalCount() != null && last.evalCount() != null) {
                return new Usage(last.promptEvalCount(), last.evalCount(), false);
            }
            long chars = request.messages().stream().mapToLong(m -> m.content().length()).sum();
            long input = last != null && last.promptEvalCount() != null ? last.promptEvalCount() : (chars + 3) / 4;
            long output = last != null && last.evalCount() != null
                    ? last.evalCount() : progress.contentChunks + progress.thinkingChunks;
            return new Usage(input, output, true);
        }

        /** Where the failure happened: the exception, status ERROR and error.type. */
        private static void recordFailure(Span span, OllamaException e) {
            span.recordException(e);
            markFailed(span, e.type);
        }

        /** On the ancestors: status ERROR and the same error.type, so every level of the tree shows it. */
        private static void markFailed(Span span, ErrorType type) {
            span.setStatus(StatusCode.ERROR, type.value());
            span.setAttribute(ERROR_TYPE, type.value());
        }

        private static void setStatusCode(Span span, int status, OtelSettings.Conventions conventions) {
            span.setAttribute(HTTP_RESPONSE_STATUS_CODE, (long) status);
            if (!conventions.httpStableOnly()) span.setAttribute(Keys.HTTP_STATUS_CODE, (long) status);
        }

        private static void setMillis(Span span, AttributeKey<Double> key, Long nanos) {
            if (nanos != null) span.setAttribute(key, nanos / 1_000_000.0);
        }

        /** The GenAI conventions' message shape: role plus a list of typed parts. */
        private static String inputMessagesJson(List<ChatMessage> messages) {
            var array = Json.MAPPER.createArrayNode();
            for (ChatMessage m : messages) {
                var message = array.addObject().put("role", m.role());
                message.putArray("parts").addObject().put("type", "text").put("content", m.content());
            }
            return array.toString();
        }

        /** The answer, and a thinking model's thinking as a `reasoning` part before it. */
        private static String outputMessagesJson(StreamProgress progress, String finishReason) {
            var array = Json.MAPPER.createArrayNode();
            var message = array.addObject().put("role", "assistant");
            var parts = message.putArray("parts");
            if (progress.thinking.length() > 0) {
                parts.addObject().put("type", "reasoning").put("content", progress.thinking.toString());
            }
            parts.addObject().put("type", "text").put("content", progress.answer.toString());
            message.put("finish_reason", finishReason == null ? "stop" : finishReason);
            return array.toString();
        }
    }

    /**
     * Structured logging, two ways at once: a JSON line on stderr (what the reference chatbot prints) and an
     * OpenTelemetry log record (what the collector receives). Both carry the current trace and span
     * ids, which is what lets Grafana jump from a log line to its trace.
     */
    static final class StructuredLog {
        private static final DateTimeFormatter TIMESTAMP =
                DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

        private final Logger logger;
        private final PrintStream err;
        private final String service;
        private final Severity threshold;

        StructuredLog(Logger logger, PrintStream err, String service, String level) {
            this.logger = logger;
            this.err = err;
            this.service = service;
            this.threshold = switch (level) {
                case "DEBUG" -> Severity.DEBUG;
                case "WARN" -> Severity.WARN;
                case "ERROR" -> Severity.ERROR;
                default -> Severity.INFO;
            };
        }

        boolean enabled(Severity severity) {
            return severity.getSeverityNumber() >= threshold.getSeverityNumber();
        }

        /** The JSON line keeps the reference chatbot's keys; the OTLP record says it in the conventions' names. */
        static final Map<String, String> CONVENTION_NAMES = Map.of(
                "model", "gen_ai.request.model",
                "error_type", "error.type",
                "tokens", "llm.tokens.total",
                "tokens_estimated", "llm.tokens.estimated",
                "duration_ms", "llm.duration_ms");
        static final String EVENT_NAME = "llm.interaction";

        void emit(Severity severity, String message, Map<String, Object> fields, Attributes extra) {
            if (!enabled(severity)) return;
            Instant now = Instant.now();
            SpanContext span = Span.current().getSpanContext();
            var line = new LinkedHashMap<String, Object>();
            line.put("timestamp", TIMESTAMP.format(now));
            line.put("level", severity.name());
            line.put("message", message);
            line.put("trace_id", span.getTraceId());
            line.put("span_id", span.getSpanId());
            line.put("service", service);
            line.putAll(fields);
            try {
                err.println(Json.MAPPER.writeValueAsString(line));
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
            AttributesBuilder attributes = Attributes.builder().putAll(extra);
            fields.forEach((field, value) -> {
                String key = CONVENTION_NAMES.getOrDefault(field, field);
                if (value instanceof Number n && !(value instanceof Double)) attributes.put(key, n.longValue());
                else if (value instanceof Boolean b) attributes.put(key, b);
                else attributes.put(key, String.valueOf(value));
            });
            logger.logRecordBuilder()
                    .setEventName(EVENT_NAME) // lets a log backend tell this record from any other
                    .setTimestamp(now)
                    .setContext(Context.current())
                    .setSeverity(severity)
                    .setSeverityText(severity.name())
                    .setBody(message)
                    .setAllAttributes(attributes.build())
                    .emit();
        }
    }

    static int port(URI uri) {
        if (uri.getPort() != -1) return uri.getPort();
        return "https".equals(uri.getScheme()) ? 443 : 80;
    }

    static double seconds(long nanos) {
        return nanos / 1e9;
    }

    /** Now, in nanoseconds since the epoch: what span timestamps are made of. */
    static long epochNanos() {
        Instant now = Instant.now();
        return TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
    }

    // =========================================================================================
    // 4. NAMES
    // The attribute keys no published constant covers, spelled once: the reference chatbot's own names
    // (its dashboards use them), and a few of the conventions', each with its reason. A rename is one edit.
    // =========================================================================================

    /**
     * The keys of the semantic conventions come from the published constants (opentelemetry-semconv,
     * opentelemetry-semconv-incubating), as lesson 7 teaches: a typo cannot compile. The keys below are
     * the ones no constant covers: the reference chatbot's own names, and a few the conventions deprecate
     * or type differently, said where they are.
     */
    static final class Keys {
        // The reference chatbot's own llm.* and app.* names (its dashboards use them).
        static final AttributeKey<String> LLM_MODEL = AttributeKey.stringKey("llm.model");
        static final AttributeKey<String> LLM_PROMPT = AttributeKey.stringKey("llm.prompt");
        static final AttributeKey<String> LLM_RESPONSE = AttributeKey.stringKey("llm.response");
        static final AttributeKey<Long> LLM_TOKENS_INPUT = AttributeKey.longKey("llm.tokens.input");
        static final AttributeKey<Long> LLM_TOKENS_OUTPUT = AttributeKey.longKey("llm.tokens.output");
        static final AttributeKey<Long> LLM_TOKENS_TOTAL = AttributeKey.longKey("llm.tokens.total");
        static final AttributeKey<Boolean> LLM_TOKENS_ESTIMATED = AttributeKey.booleanKey("llm.tokens.estimated");
        static final AttributeKey<Long> LLM_DURATION_MS = AttributeKey.longKey("llm.duration_ms");
        static final AttributeKey<Double> LLM_TEMPERATURE = AttributeKey.doubleKey("llm.temperature");
        static final AttributeKey<Long> LLM_STREAM_CHUNKS = AttributeKey.longKey("llm.stream.chunks");
        static final AttributeKey<Double> LLM_TOKENS_PER_SECOND = AttributeKey.doubleKey("llm.tokens_per_second");
        static final AttributeKey<Double> LLM_TIME_TO_FIRST_TOKEN = AttributeKey.doubleKey("llm.time_to_first_token");
        static final AttributeKey<Long> LLM_THINKING_CHUNKS = AttributeKey.longKey("llm.thinking.chunks");
        static final AttributeKey<Boolean> LLM_THINK = AttributeKey.booleanKey("llm.think");
        static final AttributeKey<String> APP_SESSION_ID = AttributeKey.stringKey("app.session_id");
        static final AttributeKey<Long> APP_TURN = AttributeKey.longKey("app.turn");
        static final AttributeKey<Long> APP_MESSAGES_SENT = AttributeKey.longKey("app.messages_sent");

        // Deprecated by the conventions, sent beside their successors because the reference chatbot's
        // queries use them (gen_ai.provider.name, http.request.method, url.full, http.response.status_code).
        @SuppressWarnings("deprecation")
        static final AttributeKey<String> GEN_AI_SYSTEM = GenAiIncubatingAttributes.GEN_AI_SYSTEM;
        @SuppressWarnings("deprecation")
        static final AttributeKey<String> HTTP_METHOD = HttpIncubatingAttributes.HTTP_METHOD;
        @SuppressWarnings("deprecation")
        static final AttributeKey<String> HTTP_URL = HttpIncubatingAttributes.HTTP_URL;
        @SuppressWarnings("deprecation")
        static final AttributeKey<Long> HTTP_STATUS_CODE = HttpIncubatingAttributes.HTTP_STATUS_CODE;
        // The conventions type the messages as structured values, so the constants module has no key for
        // them; we send the same JSON as a string, which is what backends display today.
        static final AttributeKey<String> GEN_AI_INPUT_MESSAGES = AttributeKey.stringKey("gen_ai.input.messages");
        static final AttributeKey<String> GEN_AI_OUTPUT_MESSAGES = AttributeKey.stringKey("gen_ai.output.messages");
        // The GenAI conventions' development line (semantic-conventions-genai), not in the v1.41 constants.
        static final AttributeKey<String> GEN_AI_TOKEN_MODALITY = AttributeKey.stringKey("gen_ai.token.modality");

        // Ollama's own timings from the final chunk (no convention exists for them).
        static final AttributeKey<Double> OLLAMA_TOTAL_DURATION_MS = AttributeKey.doubleKey("ollama.total_duration_ms");
        static final AttributeKey<Double> OLLAMA_LOAD_DURATION_MS = AttributeKey.doubleKey("ollama.load_duration_ms");
        static final AttributeKey<Double> OLLAMA_PROMPT_EVAL_DURATION_MS =
                AttributeKey.doubleKey("ollama.prompt_eval_duration_ms");
        static final AttributeKey<Double> OLLAMA_EVAL_DURATION_MS = AttributeKey.doubleKey("ollama.eval_duration_ms");

        // Metric attributes of the reference chatbot's llm_* series: short names, as its PromQL uses them.
        static final AttributeKey<String> MODEL = AttributeKey.stringKey("model");
        static final AttributeKey<String> STATUS = AttributeKey.stringKey("status");
        static final AttributeKey<String> TYPE = AttributeKey.stringKey("type");
        static final AttributeKey<String> ESTIMATED = AttributeKey.stringKey("estimated");
        static final AttributeKey<String> ERROR_TYPE_LABEL = AttributeKey.stringKey("error_type");

        static final String OPERATION_CHAT = "chat";
        static final String PROVIDER_OLLAMA = "ollama";
    }

    // =========================================================================================
    // 5. SPAN PROCESSORS OF OUR OWN
    // A SpanProcessor sees every span start and end: the SDK's extension point for "do something
    // with spans" besides exporting them. LastTurnSpans keeps the last turn for /trace to draw;
    // SpanCounts counts spans in and out of the batch processor in load mode.
    // =========================================================================================

    /** A SpanProcessor that only wants to see spans end: the SDK then skips it when spans start. */
    abstract static class OnEndProcessor implements SpanProcessor {
        @Override
        public void onStart(Context parent, ReadWriteSpan span) {
        }

        @Override
        public boolean isStartRequired() {
            return false;
        }

        @Override
        public boolean isEndRequired() {
            return true;
        }
    }

    /**
     * The spans of the last finished turn, kept in memory for /trace, whatever the exporters are.
     * Spans of a trace are gathered as they end; when the root ends, they become the last turn.
     * Cheap when /trace is never typed: a reference per span, copied only when drawn.
     */
    static final class LastTurnSpans extends OnEndProcessor {
        private static final int OPEN_TRACES = 16; // a turn's spans in progress; an abandoned one is dropped
        private final Map<String, List<ReadableSpan>> open = new LinkedHashMap<>();
        private volatile List<ReadableSpan> last = List.of();

        @Override
        public synchronized void onEnd(ReadableSpan span) {
            String traceId = span.getSpanContext().getTraceId();
            open.computeIfAbsent(traceId, id -> new ArrayList<>()).add(span);
            if (!span.getParentSpanContext().isValid()) {
                last = List.copyOf(open.remove(traceId));
            } else if (open.size() > OPEN_TRACES) {
                open.remove(open.keySet().iterator().next());
            }
        }

        /** The last turn as waterfall bars, if it is this trace; empty otherwise. */
        List<Waterfall.Bar> bars(String traceId) {
            var spans = last;
            if (spans.isEmpty() || !spans.get(0).getSpanContext().getTraceId().equals(traceId)) return List.of();
            return spans.stream().map(ReadableSpan::toSpanData).map(LastTurnSpans::bar).toList();
        }

        /** One span as a bar, with the few attributes worth reading under it. */
        static Waterfall.Bar bar(SpanData span) {
            var a = span.getAttributes();
            var notes = new ArrayList<String>();
            if (a.get(GEN_AI_REQUEST_MODEL) != null) notes.add("model " + a.get(GEN_AI_REQUEST_MODEL));
            Long in = a.get(GEN_AI_USAGE_INPUT_TOKENS), outTokens = a.get(GEN_AI_USAGE_OUTPUT_TOKENS);
            if (in != null) notes.add("tokens in " + in + ", out " + outTokens);
            Double firstChunk = a.get(GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK);
            if (firstChunk != null) notes.add(String.format("first chunk after %.1f ms", firstChunk * 1000));
            if (a.get(HTTP_RESPONSE_STATUS_CODE) != null) notes.add("HTTP " + a.get(HTTP_RESPONSE_STATUS_CODE));
            String parent = span.getParentSpanContext().isValid() ? span.getParentSpanId() : null;
            boolean failed = span.getStatus().getStatusCode() == StatusCode.ERROR;
            String error = failed ? String.valueOf(a.get(ERROR_TYPE)) : null;
            return new Waterfall.Bar(span.getSpanId(), parent, span.getName(), span.getStartEpochNanos(),
                    span.getEndEpochNanos(), error, notes);
        }
    }

    /**
     * Counts spans in and out of the batch processor: ended (handed to it) and exported (handed on to
     * the exporter). Ended minus exported, after a flush, is what the SDK dropped from a full queue.
     * As a processor placed before the batch processor, it sees every sampled span that ends.
     */
    static final class SpanCounts extends OnEndProcessor {
        private final LongAdder ended = new LongAdder();
        private final LongAdder exported = new LongAdder();

        long ended() {
            return ended.sum();
        }

        long exported() {
            return exported.sum();
        }

        @Override
        public void onEnd(ReadableSpan span) {
            if (span.getSpanContext().isSampled()) ended.increment();
        }

        /** Wraps the exporter the batch processor hands its batches to. */
        SpanExporter exportedCounter(SpanExporter delegate) {
            return new SpanExporter() {
                @Override
                public CompletableResultCode export(Collection<SpanData> spans) {
                    exported.add(spans.size());
                    return delegate.export(spans);
                }

                @Override
                public CompletableResultCode flush() {
                    return delegate.flush();
                }

                @Override
                public CompletableResultCode shutdown() {
                    return delegate.shutdown();
                }
            };
        }
    }

    // =========================================================================================
    // 6. OTLP EXPORTERS, PER SIGNAL AND PROTOCOL
    // What section 1 plugs in: each signal's exporter, built from the OTEL_EXPORTER_OTLP_* settings of
    // that signal (chatbot_otel_settings.java resolved the precedence and the /v1/<signal> path). Every
    // builder gets the same five options, then TLS when it is configured; only the builder's type
    // differs (the six builders share no interface, so each is named once).
    // =========================================================================================

    static final class OtlpExporters {
        /**
         * Retry what may pass on a second try (a timed-out export here; 429/502/503/504 answers are
         * retried by status anyway), but not a refused connection: nobody is listening, and retrying
         * with backoff would only hold up the exit flush.
         */
        static final RetryPolicy RETRY = RetryPolicy.builder()
                .setRetryExceptionPredicate(e -> e instanceof InterruptedIOException).build();

        static SpanExporter spans(OtelSettings.Otlp otlp) {
            if (otlp.protocol() == Protocol.GRPC) {
                var grpc = OtlpGrpcSpanExporter.builder().setEndpoint(otlp.endpoint().toString())
                        .setHeaders(otlp::headers).setTimeout(otlp.timeout())
                        .setCompression(otlp.compression()).setRetryPolicy(RETRY);
                tls(otlp, grpc::setTrustedCertificates, grpc::setClientTls);
                return grpc.build();
            }
            var http = OtlpHttpSpanExporter.builder().setEndpoint(otlp.endpoint().toString())
                    .setHeaders(otlp::headers).setTimeout(otlp.timeout())
                    .setCompression(otlp.compression()).setRetryPolicy(RETRY);
            tls(otlp, http::setTrustedCertificates, http::setClientTls);
            return http.build();
        }

        /** Metrics add the temporality the backend prefers; OTEL_METRIC_EXPORT_TIMEOUT bounds the export too. */
        static MetricExporter metrics(OtelSettings.Otlp otlp, OtelSettings.MetricOptions options) {
            var temporality = switch (options.temporality()) {
                case "delta" -> AggregationTemporalitySelector.deltaPreferred();
                case "lowmemory" -> AggregationTemporalitySelector.lowMemory();
                default -> AggregationTemporalitySelector.alwaysCumulative();
            };
            Duration timeout = otlp.timeout().compareTo(options.exportTimeout()) < 0
                    ? otlp.timeout() : options.exportTimeout();
            if (otlp.protocol() == Protocol.GRPC) {
                var grpc = OtlpGrpcMetricExporter.builder().setEndpoint(otlp.endpoint().toString())
                        .setHeaders(otlp::headers).setTimeout(timeout)
                        .setCompression(otlp.compression()).setRetryPolicy(RETRY)
                        .setAggregationTemporalitySelector(temporality);
                tls(otlp, grpc::setTrustedCertificates, grpc::setClientTls);
                return grpc.build();
            }
            var http = OtlpHttpMetricExporter.builder().setEndpoint(otlp.endpoint().toString())
                    .setHeaders(otlp::headers).setTimeout(timeout)
                    .setCompression(otlp.compression()).setRetryPolicy(RETRY)
                    .setAggregationTemporalitySelector(temporality);
            tls(otlp, http::setTrustedCertificates, http::setClientTls);
            return http.build();
        }

        static LogRecordExporter logs(OtelSettings.Otlp otlp) {
            if (otlp.protocol() == Protocol.GRPC) {
                var grpc = OtlpGrpcLogRecordExporter.builder().setEndpoint(otlp.endpoint().toString())
                        .setHeaders(otlp::headers).setTimeout(otlp.timeout())
                        .setCompression(otlp.compression()).setRetryPolicy(RETRY);
                tls(otlp, grpc::setTrustedCertificates, grpc::setClientTls);
                return grpc.build();
            }
            var http = OtlpHttpLogRecordExporter.builder().setEndpoint(otlp.endpoint().toString())
                    .setHeaders(otlp::headers).setTimeout(otlp.timeout())
                    .setCompression(otlp.compression()).setRetryPolicy(RETRY);
            tls(otlp, http::setTrustedCertificates, http::setClientTls);
            return http.build();
        }

        /** OTEL_EXPORTER_OTLP_CERTIFICATE: the collector's certificate to trust; a client key adds mutual TLS. */
        private static void tls(OtelSettings.Otlp otlp, Consumer<byte[]> trust, BiConsumer<byte[], byte[]> clientTls) {
            if (otlp.certificate() != null) trust.accept(otlp.certificate());
            if (otlp.clientKey() != null) clientTls.accept(otlp.clientKey(), otlp.clientCertificate());
        }
    }
}
