// chatbot_otel_settings.java: the OTEL_* environment of the OpenTelemetry specification, read as the
// specification defines it. A companion of chatbot_otel.java (built with the others by
// chatbot_companions.java); it holds no OpenTelemetry code, only values: chatbot_otel.java's section 1 wires the SDK from them, by hand.
//
// The variables are read from tables (the OTLP options per signal, the batch processors, the limits),
// so the precedence rules live in one place each: a signal-specific variable wins over the general one,
// a specific limit over the general limit. Every OTEL_* variable that is set and not in these tables
// gets one warning line at start-up, saying what to use instead; nothing is silently ignored.

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** How an OTLP exporter talks to the collector (OTEL_EXPORTER_OTLP_PROTOCOL). */
enum Protocol { HTTP_PROTOBUF, GRPC }

/** What the telemetry does: the OTEL_* variables of the OpenTelemetry specification, and two of ours. */
record OtelSettings(String serviceName, Map<String, String> resourceAttributes, Exporters exporters,
                    OtlpSignals otlp, Batching batching, MetricOptions metrics, Sampling sampling, Limits limits,
                    List<String> propagators, Conventions conventions, boolean sdkDisabled, String logLevel, URI jaegerUi) {

    /** The resource's defaults: who emits. SERVICE_VERSION is also every instrumentation scope's version. */
    static final String DEFAULT_SERVICE_NAME = "llm-chatbot-otel";
    static final String SERVICE_VERSION = "1.0.0";

    private static final Set<String> SPAN_AND_LOG_EXPORTERS = Set.of("otlp", "console", "none");
    private static final Set<String> METRIC_EXPORTERS = Set.of("otlp", "console", "prometheus", "none");
    private static final Set<String> SAMPLERS = Set.of("always_on", "always_off", "traceidratio",
            "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio");
    private static final Set<String> LOG_LEVELS = Set.of("DEBUG", "INFO", "WARN", "ERROR");
    /** Propagators this kit's dependencies provide; the others need opentelemetry-extension-trace-propagators. */
    private static final Set<String> PROPAGATORS = Set.of("tracecontext", "baggage", "none");
    private static final Set<String> EXTENSION_PROPAGATORS = Set.of("b3", "b3multi", "jaeger", "xray", "ottrace");

    /** Per signal, otlp, console or none (metrics: also prometheus, pulled on host:port). */
    record Exporters(String traces, String metrics, String logs, String prometheusHost, int prometheusPort) {}

    record Sampling(String sampler, double ratio) {}

    // ---------------------------------------------------------------------------------------------
    // OTLP, per signal. The table: each option has a general variable and one per signal.
    // ---------------------------------------------------------------------------------------------

    /** The OTLP options of the specification: OTEL_EXPORTER_OTLP_{,TRACES_,METRICS_,LOGS_}<option>. */
    static final List<String> OTLP_OPTIONS = List.of("ENDPOINT", "HEADERS", "PROTOCOL", "TIMEOUT", "COMPRESSION",
            "CERTIFICATE", "CLIENT_KEY", "CLIENT_CERTIFICATE");
    static final List<String> SIGNALS = List.of("traces", "metrics", "logs");

    /**
     * Where one signal's OTLP export goes and how. For http/protobuf `endpoint` is the full URL the
     * exporter posts to (…/v1/traces); for grpc it is the collector's address. The TLS material is
     * the PEM files' bytes, read at start-up so a missing file is a start-up error.
     */
    record Otlp(String signal, Protocol protocol, URI endpoint, Map<String, String> headers, Duration timeout,
                String compression, byte[] certificate, byte[] clientKey, byte[] clientCertificate) {

        static Otlp read(Env env, String signal) {
            var protocolVar = pick(env, signal, "PROTOCOL");
            Protocol protocol = switch (protocolVar == null ? "http/protobuf" : env.text(protocolVar, "")) {
                case "http/protobuf" -> Protocol.HTTP_PROTOBUF;
                case "grpc" -> Protocol.GRPC;
                case "http/json" -> throw env.invalid(protocolVar, "the Java OTLP exporters send http/protobuf or grpc, not http/json");
                default -> throw env.invalid(protocolVar, "use http/protobuf or grpc");
            };
            var headersVar = pick(env, signal, "HEADERS");
            var timeoutVar = pick(env, signal, "TIMEOUT");
            var compressionVar = pick(env, signal, "COMPRESSION");
            String compression = compressionVar == null ? "none" : env.choice(compressionVar, "none", Set.of("gzip", "none"));
            var clientKey = pem(env, pick(env, signal, "CLIENT_KEY"));
            var clientCertificate = pem(env, pick(env, signal, "CLIENT_CERTIFICATE"));
            if ((clientKey == null) != (clientCertificate == null)) {
                throw new SettingsException("OTEL_EXPORTER_OTLP_" + (clientKey == null ? "CLIENT_KEY" : "CLIENT_CERTIFICATE")
                        + " is missing: a client certificate for " + signal + " needs both the key and the certificate");
            }
            return new Otlp(signal, protocol, endpoint(env, signal, protocol),
                    headersVar == null ? Map.of() : env.pairs(headersVar),
                    Duration.ofMillis(timeoutVar == null ? 10_000 : env.whole(timeoutVar, 10_000, 0, Integer.MAX_VALUE)),
                    compression, pem(env, pick(env, signal, "CERTIFICATE")), clientKey, clientCertificate);
        }

        /**
         * The specification's endpoint rule: a signal-specific endpoint is used as it is; the general one
         * is a base, to which http/protobuf adds /v1/<signal> (after any path it has). grpc takes the
         * address as it is.
         */
        private static URI endpoint(Env env, String signal, Protocol protocol) {
            String specific = "OTEL_EXPORTER_OTLP_" + signal.toUpperCase(Locale.ROOT) + "_ENDPOINT";
            if (env.text(specific, null) != null) return env.url(specific, null);
            URI base = env.url("OTEL_EXPORTER_OTLP_ENDPOINT", protocol == Protocol.GRPC ? "http://localhost:4317" : "http://localhost:4318");
            return protocol == Protocol.GRPC ? base : URI.create(base + "/v1/" + signal);
        }

        /** The variable in effect for this option: the signal's own if set, else the general one if set, else null. */
        static String pick(Env env, String signal, String option) {
            String specific = "OTEL_EXPORTER_OTLP_" + signal.toUpperCase(Locale.ROOT) + "_" + option;
            if (env.text(specific, null) != null) return specific;
            String general = "OTEL_EXPORTER_OTLP_" + option;
            return env.text(general, null) != null ? general : null;
        }

        private static byte[] pem(Env env, String name) {
            if (name == null) return null;
            String file = env.text(name, null);
            try {
                byte[] bytes = Files.readAllBytes(Path.of(file));
                if (!new String(bytes, java.nio.charset.StandardCharsets.US_ASCII).contains("-----BEGIN ")) {
                    throw env.invalid(name, "the file is not PEM (no -----BEGIN line)");
                }
                return bytes;
            } catch (IOException | InvalidPathException e) {
                throw env.invalid(name, "cannot read the file (" + Messages.oneLine(Messages.rootMessage(e), 100) + ")");
            }
        }

        /** Where this signal goes, as the banner shows it: URL (credentials hidden), compression, TLS. */
        String describe() {
            return Messages.redact(endpoint)
                    + (compression.equals("gzip") ? " (gzip)" : "") + (clientKey != null ? " (client certificate)" : "");
        }
    }

    record OtlpSignals(Otlp traces, Otlp metrics, Otlp logs) {
        static OtlpSignals read(Env env) {
            return new OtlpSignals(Otlp.read(env, "traces"), Otlp.read(env, "metrics"), Otlp.read(env, "logs"));
        }

        List<Otlp> all() {
            return List.of(traces, metrics, logs);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The batch processors (OTEL_BSP_*, OTEL_BLRP_*), the metric reader and the limits.
    // ---------------------------------------------------------------------------------------------

    /** One batch processor's settings; the defaults are the specification's. */
    record Batch(Duration scheduleDelay, Duration exportTimeout, int maxQueueSize, int maxExportBatchSize) {
        static Batch read(Env env, String prefix, int defaultDelayMillis) {
            int queue = env.whole(prefix + "_MAX_QUEUE_SIZE", 2048, 1, Integer.MAX_VALUE);
            int batch = env.whole(prefix + "_MAX_EXPORT_BATCH_SIZE", 512, 1, Integer.MAX_VALUE);
            if (batch > queue) throw env.invalid(prefix + "_MAX_EXPORT_BATCH_SIZE", "at most " + prefix + "_MAX_QUEUE_SIZE (" + queue + ")");
            return new Batch(Duration.ofMillis(env.whole(prefix + "_SCHEDULE_DELAY", defaultDelayMillis, 0, Integer.MAX_VALUE)),
                    Duration.ofMillis(env.whole(prefix + "_EXPORT_TIMEOUT", 30_000, 0, Integer.MAX_VALUE)), queue, batch);
        }
    }

    /** Spans (OTEL_BSP_*, first export after 5 s) and log records (OTEL_BLRP_*, after 1 s). */
    record Batching(Batch spans, Batch logs) {}

    /**
     * The periodic metric reader and the OTLP metric exporter's choices. The interval defaults to
     * 10 s here (the specification's 60 s is slow for a REPL). The Java reader has no export timeout
     * of its own, so OTEL_METRIC_EXPORT_TIMEOUT bounds the exporter instead, with the metrics OTLP
     * timeout: whichever is shorter.
     */
    record MetricOptions(Duration interval, Duration exportTimeout, String temporality, String exemplarFilter) {
        static MetricOptions read(Env env) {
            return new MetricOptions(
                    Duration.ofMillis(env.whole("OTEL_METRIC_EXPORT_INTERVAL", 10_000, 1, Integer.MAX_VALUE)),
                    Duration.ofMillis(env.whole("OTEL_METRIC_EXPORT_TIMEOUT", 30_000, 0, Integer.MAX_VALUE)),
                    env.choice("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "cumulative", Set.of("cumulative", "delta", "lowmemory")),
                    env.choice("OTEL_METRICS_EXEMPLAR_FILTER", "trace_based", Set.of("trace_based", "always_on", "always_off")));
        }
    }

    /**
     * Whether prompts and answers are recorded, and the span and log-record limits. A specific limit
     * wins over the general OTEL_ATTRIBUTE_*_LIMIT; values are cut at 8192 characters unless set
     * (the specification sets no length limit; prompts and answers can be long).
     */
    record Limits(boolean captureContent, int spanAttributeValueLength, int spanAttributeCount, int spanEventCount,
                  int spanLinkCount, int eventAttributeCount, int linkAttributeCount, int logAttributeValueLength,
                  int logAttributeCount) {
        static Limits read(Env env) {
            int length = env.whole("OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", 8192, 1, Integer.MAX_VALUE);
            int count = env.whole("OTEL_ATTRIBUTE_COUNT_LIMIT", 128, 0, Integer.MAX_VALUE);
            return new Limits(env.bool("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", true),
                    env.whole("OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", length, 1, Integer.MAX_VALUE),
                    env.whole("OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", count, 0, Integer.MAX_VALUE),
                    env.whole("OTEL_SPAN_EVENT_COUNT_LIMIT", 128, 0, Integer.MAX_VALUE),
                    env.whole("OTEL_SPAN_LINK_COUNT_LIMIT", 128, 0, Integer.MAX_VALUE),
                    env.whole("OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT", 128, 0, Integer.MAX_VALUE),
                    env.whole("OTEL_LINK_ATTRIBUTE_COUNT_LIMIT", 128, 0, Integer.MAX_VALUE),
                    env.whole("OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT", length, 1, Integer.MAX_VALUE),
                    env.whole("OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT", count, 0, Integer.MAX_VALUE));
        }
    }

    /**
     * Which semantic conventions to emit, from OTEL_SEMCONV_STABILITY_OPT_IN (a comma-separated list, as
     * OpenTelemetry's instrumentations read it). gen_ai_latest_experimental: the GenAI conventions'
     * development line instead of v1.41. http: only the stable HTTP names, without the old ones beside
     * them (http/dup, or nothing, sends both).
     */
    record Conventions(boolean genAiLatest, boolean httpStableOnly) {
        static final Set<String> KNOWN = Set.of("gen_ai_latest_experimental", "http", "http/dup");

        static Conventions read(Env env) {
            var values = list(env, "OTEL_SEMCONV_STABILITY_OPT_IN");
            // Other values are for other instrumentations in the same process (database, ...): not an error here.
            var unknown = values.stream().filter(v -> !KNOWN.contains(v)).sorted().toList();
            if (!unknown.isEmpty()) {
                env.warn("OTEL_SEMCONV_STABILITY_OPT_IN", String.join(", ", unknown) + " has no effect on this chatbot, which knows "
                        + String.join(", ", KNOWN.stream().sorted().toList()));
            }
            return new Conventions(values.contains("gen_ai_latest_experimental"),
                    values.contains("http") && !values.contains("http/dup"));
        }
    }

    static OtelSettings read(Env env) {
        var exporters = new Exporters(
                env.choice("OTEL_TRACES_EXPORTER", "otlp", SPAN_AND_LOG_EXPORTERS),
                env.choice("OTEL_METRICS_EXPORTER", "otlp", METRIC_EXPORTERS),
                env.choice("OTEL_LOGS_EXPORTER", "otlp", SPAN_AND_LOG_EXPORTERS),
                env.text("OTEL_EXPORTER_PROMETHEUS_HOST", "127.0.0.1"), // the kit listens on loopback unless told
                env.whole("OTEL_EXPORTER_PROMETHEUS_PORT", 9464, 0, 65535));
        var sampling = new Sampling(env.choice("OTEL_TRACES_SAMPLER", "parentbased_always_on", SAMPLERS),
                env.number("OTEL_TRACES_SAMPLER_ARG", 1.0, 0, 1, "use a ratio from 0 to 1, e.g. 0.25"));
        String logLevel = env.text("LOG_LEVEL", "INFO").toUpperCase(Locale.ROOT).replace("WARNING", "WARN");
        if (!LOG_LEVELS.contains(logLevel)) throw env.invalid("LOG_LEVEL", "use DEBUG, INFO, WARN or ERROR");
        var resource = resourceAttributes(env);
        var settings = new OtelSettings(resource.get("service.name"), resource, exporters, OtlpSignals.read(env),
                new Batching(Batch.read(env, "OTEL_BSP", 5_000), Batch.read(env, "OTEL_BLRP", 1_000)), MetricOptions.read(env),
                sampling, Limits.read(env), propagators(env), Conventions.read(env),
                env.bool("OTEL_SDK_DISABLED", false), logLevel, env.url("JAEGER_UI", "http://localhost:16686"));
        warnAboutTheRest(env);
        return settings;
    }

    boolean captureContent() {
        return limits.captureContent();
    }

    /** Where each signal goes, for the banner and the export warning: secrets never shown. */
    Map<String, String> destinations() {
        var where = new LinkedHashMap<String, String>();
        where.put("traces", destination(exporters.traces(), otlp.traces()));
        where.put("metrics", exporters.metrics().equals("prometheus")
                ? "prometheus, scraped at http://" + exporters.prometheusHost() + ":" + exporters.prometheusPort() + "/metrics"
                : destination(exporters.metrics(), otlp.metrics()));
        where.put("logs", destination(exporters.logs(), otlp.logs()));
        return where;
    }

    private static String destination(String exporter, Otlp otlp) {
        return switch (exporter) {
            case "otlp" -> (otlp.protocol() == Protocol.GRPC ? "OTLP/gRPC to " : "OTLP/HTTP to ") + otlp.describe();
            case "console" -> "console (stdout)";
            default -> "none";
        };
    }

    /** W3C trace context and baggage by default; `none` sends neither (OTEL_PROPAGATORS). */
    private static List<String> propagators(Env env) {
        var chosen = new ArrayList<String>();
        for (String name : list(env, "OTEL_PROPAGATORS")) {
            if (EXTENSION_PROPAGATORS.contains(name)) {
                env.warn("OTEL_PROPAGATORS", name + " needs the opentelemetry-extension-trace-propagators module, which this"
                        + " chatbot does not load; it is left out (use tracecontext)");
            } else if (!PROPAGATORS.contains(name)) {
                throw env.invalid("OTEL_PROPAGATORS", "use tracecontext, baggage or none, comma-separated");
            } else if (!chosen.contains(name)) {
                chosen.add(name);
            }
        }
        if (env.text("OTEL_PROPAGATORS", null) == null) return List.of("tracecontext", "baggage");
        return chosen.contains("none") ? List.of() : List.copyOf(chosen);
    }

    private static List<String> list(Env env, String name) {
        var values = new LinkedHashSet<String>();
        for (String value : env.text(name, "").split(",")) {
            if (!value.isBlank()) values.add(value.strip().toLowerCase(Locale.ROOT));
        }
        return List.copyOf(values);
    }

    /** Resource defaults, then OTEL_RESOURCE_ATTRIBUTES over them, then OTEL_SERVICE_NAME over all. */
    private static Map<String, String> resourceAttributes(Env env) {
        var attributes = new LinkedHashMap<String, String>();
        attributes.put("service.name", DEFAULT_SERVICE_NAME);
        attributes.put("service.version", SERVICE_VERSION);
        attributes.put("deployment.environment.name", "development");
        attributes.put("host.name", localHostName());
        attributes.put("service.instance.id", java.util.UUID.randomUUID().toString()); // this process: one per run
        attributes.putAll(env.pairs("OTEL_RESOURCE_ATTRIBUTES"));
        String serviceName = env.text("OTEL_SERVICE_NAME", null);
        if (serviceName != null) attributes.put("service.name", serviceName);
        return Map.copyOf(attributes);
    }

    private static String localHostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Nothing silently ignored: every OTEL_* variable this file reads, and advice for the rest.
    // ---------------------------------------------------------------------------------------------

    /** Every OTEL_* variable the chatbot honours (TELEMETRY.md lists them, and a test holds the two together). */
    static final Set<String> HONOURED = honoured();

    private static Set<String> honoured() {
        var names = new TreeSet<>(List.of("OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES", "OTEL_SDK_DISABLED",
                "OTEL_TRACES_EXPORTER", "OTEL_METRICS_EXPORTER", "OTEL_LOGS_EXPORTER",
                "OTEL_EXPORTER_PROMETHEUS_HOST", "OTEL_EXPORTER_PROMETHEUS_PORT",
                "OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG", "OTEL_PROPAGATORS",
                "OTEL_METRIC_EXPORT_INTERVAL", "OTEL_METRIC_EXPORT_TIMEOUT",
                "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "OTEL_METRICS_EXEMPLAR_FILTER",
                "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "OTEL_ATTRIBUTE_COUNT_LIMIT",
                "OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "OTEL_SPAN_EVENT_COUNT_LIMIT",
                "OTEL_SPAN_LINK_COUNT_LIMIT", "OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT", "OTEL_LINK_ATTRIBUTE_COUNT_LIMIT",
                "OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT", "OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT",
                "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "OTEL_SEMCONV_STABILITY_OPT_IN"));
        for (String option : OTLP_OPTIONS) {
            names.add("OTEL_EXPORTER_OTLP_" + option);
            for (String signal : SIGNALS) names.add("OTEL_EXPORTER_OTLP_" + signal.toUpperCase(Locale.ROOT) + "_" + option);
        }
        for (String processor : List.of("OTEL_BSP", "OTEL_BLRP")) {
            for (String option : List.of("_SCHEDULE_DELAY", "_EXPORT_TIMEOUT", "_MAX_QUEUE_SIZE", "_MAX_EXPORT_BATCH_SIZE")) {
                names.add(processor + option);
            }
        }
        return Set.copyOf(names);
    }

    /** Advice for variables that are set but not read here, by prefix; the first match wins. */
    private static final Map<String, String> ADVICE = adviceTable();

    private static Map<String, String> adviceTable() {
        var advice = new LinkedHashMap<String, String>();
        advice.put("OTEL_CONFIG_FILE", "this chatbot wires its SDK by hand and reads no configuration file;"
                + " lesson 6 shows the same wiring from a file");
        advice.put("OTEL_EXPERIMENTAL_CONFIG_FILE", advice.get("OTEL_CONFIG_FILE"));
        advice.put("OTEL_LOG_LEVEL", "use LOG_LEVEL=DEBUG to see the SDK's own messages");
        advice.put("OTEL_JAVAAGENT_", "a setting of the OpenTelemetry Java agent, which this chatbot does not use");
        advice.put("OTEL_INSTRUMENTATION_", advice.get("OTEL_JAVAAGENT_"));
        advice.put("OTEL_EXPORTER_ZIPKIN_", "Zipkin's exporter is not here: send OTLP (Jaeger and the Collector take it)");
        advice.put("OTEL_EXPORTER_JAEGER_", "the Jaeger exporter is gone from the specification: send OTLP, which Jaeger takes");
        advice.put("OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION", "histograms here use the GenAI conventions'"
                + " explicit buckets");
        advice.put("OTEL_", "not read by this chatbot (TELEMETRY.md lists the variables it honours)");
        return advice;
    }

    private static void warnAboutTheRest(Env env) {
        env.vars().keySet().stream().filter(name -> name.startsWith("OTEL_") && !HONOURED.contains(name))
                .filter(name -> env.text(name, null) != null).sorted().forEach(name -> env.warn(name,
                        ADVICE.entrySet().stream().filter(e -> name.startsWith(e.getKey())).findFirst().orElseThrow().getValue()));
    }
}
