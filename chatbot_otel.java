///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS io.opentelemetry:opentelemetry-bom:1.65.0@pom
//DEPS io.opentelemetry:opentelemetry-api
//DEPS io.opentelemetry:opentelemetry-sdk
//DEPS io.opentelemetry:opentelemetry-exporter-otlp
//DEPS io.opentelemetry:opentelemetry-exporter-logging
//DEPS io.opentelemetry:opentelemetry-exporter-prometheus:1.65.0-alpha
//DEPS com.fasterxml.jackson.core:jackson-databind:2.23.0
//SOURCES ollama_sim.java
//MAIN chatbot_otel
//JAVAC_OPTIONS -XDignore.symbol.file
//CDS
//RUNTIME_OPTIONS -XX:+UseSerialGC -Xlog:cds=off -Xlog:cds+dynamic=off
//DESCRIPTION An Ollama chatbot REPL instrumented by hand with the OpenTelemetry SDK (traces, metrics, logs over OTLP).

// chatbot_otel.java: the Java take on the "plain OpenTelemetry" LLM chatbot.
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
// (-XDignore.symbol.file only quiets javac's warning about sun.misc.Signal, used for Ctrl-C; see CtrlC.
// -Xlog:cds=off: //CDS records a class-data archive that fits only the JDK that wrote it; after a JDK
// switch the JVM would print two lines about it before ignoring it. ./jbang keeps one per JDK.)
//
// The file reads top-down in the order main() calls things:
//   1. Settings     environment + flags -> one validated record
//   2. Telemetry    SDK wiring by hand: resource, exporters, processors, providers, shutdown
//   3. Instruments  tracer, meters, logger and every telemetry name, in one place
//   4. Ollama client  HTTP + NDJSON, no telemetry inside
//   5. Traced chat  the instrumentation: where spans, metrics and log records are made
//   6. REPL         reads prompts, prints answers; knows neither HTTP nor OpenTelemetry
//   7. Load mode    --load N --concurrency C: many one-turn requests, then a table

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.api.OpenTelemetry;
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
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
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
import io.opentelemetry.sdk.common.export.RetryPolicy;
import io.opentelemetry.sdk.logs.LogLimits;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanLimits;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;

public class chatbot_otel {

    static final String VERSION = "1.0.0";

    public static void main(String[] args) {
        // System.exit, not a plain return: exporter HTTP clients keep non-daemon threads alive.
        System.exit(run(args, System.getenv(), System.in, System.out, System.err));
    }

    /** The whole program as a function of its inputs, so tests can run it in-process. */
    static int run(String[] args, Map<String, String> env, InputStream in, PrintStream out, PrintStream err) {
        Settings settings;
        try {
            settings = Settings.parse(args, env);
        } catch (SettingsException e) {
            err.println("chatbot: " + e.getMessage());
            return 2;
        }
        if (settings.showHelp()) {
            out.print(Settings.USAGE);
            return 0;
        }
        try (var simulator = Simulator.startIf(settings.simulate())) {
            var effective = settings.withSimulator(simulator);
            try (var telemetry = Telemetry.setup(effective, err)) {
                var client = new OllamaClient(effective.ollamaEndpoint(), effective.timeouts());
                var chat = new TracedChat(telemetry.openTelemetry(), client, effective, err);
                if (effective.load() != null) return new LoadMode(effective, chat, telemetry).run(out);
                var repl = new Repl(effective, chat, in, out, err, in == System.in && Repl.stdinIsTerminal());
                if (in == System.in) CtrlC.install(repl);
                return repl.run();
            }
        } catch (StartupException e) {
            err.println("chatbot: " + e.getMessage());
            return 1;
        }
    }

    /** A problem found while starting (a port in use): reported as one line, exit status 1. */
    static final class StartupException extends RuntimeException {
        StartupException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The in-process Ollama simulator behind --simulate; a no-op holder otherwise. */
    record Simulator(ollama_sim.Server server) implements AutoCloseable {
        static Simulator startIf(boolean wanted) {
            if (!wanted) return new Simulator(null);
            try {
                return new Simulator(ollama_sim.Server.start(ollama_sim.Options.defaults().withPort(0)));
            } catch (IOException e) {
                throw new StartupException("could not start the Ollama simulator: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            if (server != null) server.close();
        }
    }

    // =========================================================================================
    // 1. SETTINGS
    // One immutable record built from the environment and the command line, validated up front.
    // A bad value stops the program before the first prompt with one line naming the variable,
    // the value and what is allowed. Nothing below this section reads System.getenv.
    // =========================================================================================

    static final class SettingsException extends RuntimeException {
        SettingsException(String message) {
            super(message);
        }
    }

    enum Protocol { HTTP_PROTOBUF, GRPC }

    record Settings(
            String serviceName,
            Map<String, String> resourceAttributes,
            Protocol otlpProtocol,
            URI otlpEndpoint,
            Map<String, String> otlpHeaders,
            String tracesExporter,
            String metricsExporter,
            String logsExporter,
            String prometheusHost,
            int prometheusPort,
            Duration metricExportInterval,
            String sampler,
            double samplerRatio,
            boolean sdkDisabled,
            boolean captureContent,
            int attributeValueLengthLimit,
            URI ollamaEndpoint,
            Timeouts timeouts,
            String model,
            double temperature,
            Integer maxTokens,
            String logLevel,
            URI jaegerUi,
            boolean simulate,
            String prompt,
            Load load,
            boolean showHelp) {

        static final String DEFAULT_SERVICE_NAME = "llm-chatbot-otel";
        static final String DEFAULT_MODEL = "llama3.1:8b";
        static final double DEFAULT_TEMPERATURE = 0.7;

        static final String USAGE = """
                Usage: jbang chatbot_otel.java [options]

                Options:
                  --simulate           chat with the built-in Ollama simulator (no Ollama needed)
                  --prompt TEXT        answer one prompt, print the answer and exit
                  --model NAME         Ollama model (default: OLLAMA_MODEL or llama3.1:8b)
                  --temperature X      sampling temperature, 0 to 2 (default 0.7)
                  --max-tokens N       cap the answer length (Ollama's num_predict)
                  --load N             load mode: N one-turn requests, then a table of throughput and latency
                  --concurrency C      load mode: requests in flight at once (default 4)
                  --prompts FILE       load mode: one prompt per line (default: eight built-in prompts)
                  --help               this text

                Settings (environment):
                  OTEL_SERVICE_NAME                     service name (llm-chatbot-otel)
                  OTEL_RESOURCE_ATTRIBUTES              k=v,k=v merged into the resource
                  OTEL_EXPORTER_OTLP_ENDPOINT           collector URL (http://localhost:4318; 4317 for grpc)
                  OTEL_EXPORTER_OTLP_PROTOCOL           http/protobuf (default) or grpc
                  OTEL_EXPORTER_OTLP_HEADERS            k=v,k=v sent with every export (API keys)
                  OTEL_TRACES_EXPORTER, OTEL_LOGS_EXPORTER   otlp (default), console, none
                  OTEL_METRICS_EXPORTER                 otlp (default), console, prometheus, none
                  OTEL_EXPORTER_PROMETHEUS_PORT         scrape port for 'prometheus' (9464, on 127.0.0.1)
                  OTEL_METRIC_EXPORT_INTERVAL           metric push interval in ms (10000)
                  OTEL_TRACES_SAMPLER, OTEL_TRACES_SAMPLER_ARG   parentbased_always_on (default), traceidratio, ...
                  OTEL_SDK_DISABLED                     true: no telemetry, the chat still works
                  OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT   false: keep prompts and answers out of telemetry
                  OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT     longer attribute values are truncated (8192)
                  OLLAMA_ENDPOINT                       Ollama URL (http://localhost:11434; OLLAMA_HOST is honoured)
                  OLLAMA_MODEL                          model name (llama3.1:8b)
                  OLLAMA_CONNECT_TIMEOUT                seconds to connect to Ollama (5)
                  OLLAMA_FIRST_TOKEN_TIMEOUT            seconds to wait for the first token (120: cold model loads are slow)
                  OLLAMA_CHUNK_TIMEOUT                  seconds to wait between two chunks of an answer (30)
                  LOG_LEVEL                             DEBUG, INFO (default), WARN, ERROR
                  JAEGER_UI                             base URL for /trace links (http://localhost:16686)
                """;

        private static final Set<String> SPAN_AND_LOG_EXPORTERS = Set.of("otlp", "console", "none");
        private static final Set<String> METRIC_EXPORTERS = Set.of("otlp", "console", "prometheus", "none");
        private static final Set<String> SAMPLERS = Set.of("always_on", "always_off", "traceidratio",
                "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio");
        private static final Set<String> LOG_LEVELS = Set.of("DEBUG", "INFO", "WARN", "ERROR");

        static Settings parse(String[] args, Map<String, String> env) {
            var flags = Flags.parse(args);
            var protocol = switch (value(env, "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")) {
                case "http/protobuf" -> Protocol.HTTP_PROTOBUF;
                case "grpc" -> Protocol.GRPC;
                default -> throw invalid(env, "OTEL_EXPORTER_OTLP_PROTOCOL", "use http/protobuf or grpc");
            };
            String defaultOtlp = protocol == Protocol.GRPC ? "http://localhost:4317" : "http://localhost:4318";
            String serviceName = value(env, "OTEL_SERVICE_NAME", null);
            var resource = resourceAttributes(env, serviceName);
            String model = flags.model() != null ? flags.model() : value(env, "OLLAMA_MODEL", DEFAULT_MODEL);
            return new Settings(
                    resource.get("service.name"),
                    resource,
                    protocol,
                    httpUrl(env, "OTEL_EXPORTER_OTLP_ENDPOINT", defaultOtlp),
                    keyValueList(env, "OTEL_EXPORTER_OTLP_HEADERS"),
                    oneOf(env, "OTEL_TRACES_EXPORTER", "otlp", SPAN_AND_LOG_EXPORTERS),
                    oneOf(env, "OTEL_METRICS_EXPORTER", "otlp", METRIC_EXPORTERS),
                    oneOf(env, "OTEL_LOGS_EXPORTER", "otlp", SPAN_AND_LOG_EXPORTERS),
                    "127.0.0.1",
                    integer(env, "OTEL_EXPORTER_PROMETHEUS_PORT", 9464, 0, 65535),
                    Duration.ofMillis(integer(env, "OTEL_METRIC_EXPORT_INTERVAL", 10_000, 1, Integer.MAX_VALUE)),
                    oneOf(env, "OTEL_TRACES_SAMPLER", "parentbased_always_on", SAMPLERS),
                    ratio(env, "OTEL_TRACES_SAMPLER_ARG"),
                    bool(env, "OTEL_SDK_DISABLED", false),
                    bool(env, "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", true),
                    integer(env, "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", 8192, 1, Integer.MAX_VALUE),
                    ollamaEndpoint(env),
                    new Timeouts(seconds(env, "OLLAMA_CONNECT_TIMEOUT", 5), seconds(env, "OLLAMA_FIRST_TOKEN_TIMEOUT", 120),
                            seconds(env, "OLLAMA_CHUNK_TIMEOUT", 30)),
                    model,
                    flags.temperature() != null ? flags.temperature() : DEFAULT_TEMPERATURE,
                    flags.maxTokens(),
                    value(env, "LOG_LEVEL", "INFO").toUpperCase(Locale.ROOT).replace("WARNING", "WARN"),
                    httpUrl(env, "JAEGER_UI", "http://localhost:16686"),
                    flags.simulate(),
                    flags.prompt(),
                    flags.load(),
                    flags.help()).validateLogLevel(env);
        }

        /** The same settings pointed at the simulator, when one runs. */
        Settings withSimulator(Simulator simulator) {
            if (simulator == null || simulator.server() == null) return this;
            return withOllamaEndpoint(URI.create(simulator.server().baseUrl()));
        }

        Settings withOllamaEndpoint(URI endpoint) {
            return new Settings(serviceName, resourceAttributes, otlpProtocol, otlpEndpoint, otlpHeaders,
                    tracesExporter, metricsExporter, logsExporter, prometheusHost, prometheusPort,
                    metricExportInterval, sampler, samplerRatio, sdkDisabled, captureContent,
                    attributeValueLengthLimit, endpoint, timeouts, model, temperature, maxTokens, logLevel, jaegerUi,
                    simulate, prompt, load, showHelp);
        }

        private Settings validateLogLevel(Map<String, String> env) {
            if (!LOG_LEVELS.contains(logLevel)) throw invalid(env, "LOG_LEVEL", "use DEBUG, INFO, WARN or ERROR");
            return this;
        }

        /** Resource defaults, then OTEL_RESOURCE_ATTRIBUTES over them, then OTEL_SERVICE_NAME over all. */
        private static Map<String, String> resourceAttributes(Map<String, String> env, String serviceName) {
            var attributes = new LinkedHashMap<String, String>();
            attributes.put("service.name", DEFAULT_SERVICE_NAME);
            attributes.put("service.version", VERSION);
            attributes.put("deployment.environment.name", "development");
            attributes.put("host.name", localHostName());
            attributes.putAll(keyValueList(env, "OTEL_RESOURCE_ATTRIBUTES"));
            if (serviceName != null) attributes.put("service.name", serviceName);
            return Map.copyOf(attributes);
        }

        private static String localHostName() {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                return "localhost";
            }
        }

        /** OLLAMA_ENDPOINT, else Ollama's own OLLAMA_HOST rules: scheme optional, bare host gets 11434. */
        private static URI ollamaEndpoint(Map<String, String> env) {
            if (value(env, "OLLAMA_ENDPOINT", null) != null) return httpUrl(env, "OLLAMA_ENDPOINT", null);
            String host = value(env, "OLLAMA_HOST", null);
            if (host == null) return URI.create("http://localhost:11434");
            String url = host.contains("://") ? host : "http://" + host;
            URI uri = parseHttpUrl("OLLAMA_HOST", host, url);
            if (!host.contains("://") && uri.getPort() == -1) uri = URI.create(url + ":11434");
            if (uri.getHost().equals("0.0.0.0")) uri = URI.create(uri.toString().replace("0.0.0.0", "127.0.0.1"));
            return uri;
        }

        private static String value(Map<String, String> env, String name, String fallback) {
            String v = env.get(name);
            return v == null || v.isBlank() ? fallback : v.trim();
        }

        private static SettingsException invalid(Map<String, String> env, String name, String allowed) {
            return new SettingsException(name + "=" + env.get(name) + " is not valid: " + allowed);
        }

        private static String oneOf(Map<String, String> env, String name, String fallback, Set<String> allowed) {
            String v = value(env, name, fallback).toLowerCase(Locale.ROOT);
            if (allowed.contains(v)) return v;
            throw invalid(env, name, "use " + String.join(", ", allowed.stream().sorted().toList()));
        }

        private static int integer(Map<String, String> env, String name, int fallback, int min, int max) {
            String v = value(env, name, null);
            if (v == null) return fallback;
            try {
                int n = Integer.parseInt(v);
                if (n >= min && n <= max) return n;
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw invalid(env, name, "use a whole number from " + min + " to " + max);
        }

        /** A duration in seconds (decimals allowed: 0.5), above 0 and at most an hour. */
        private static Duration seconds(Map<String, String> env, String name, double fallback) {
            String v = value(env, name, null);
            double s = fallback;
            if (v != null) {
                try {
                    s = Double.parseDouble(v);
                } catch (NumberFormatException e) {
                    s = -1;
                }
                if (!(s > 0 && s <= 3600)) throw invalid(env, name, "use a number of seconds above 0 and at most 3600, e.g. 30 or 0.5");
            }
            return Duration.ofNanos((long) (s * 1e9));
        }

        private static double ratio(Map<String, String> env, String name) {
            String v = value(env, name, null);
            if (v == null) return 1.0;
            try {
                double d = Double.parseDouble(v);
                if (d >= 0 && d <= 1) return d;
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw invalid(env, name, "use a ratio from 0 to 1, e.g. 0.25");
        }

        private static boolean bool(Map<String, String> env, String name, boolean fallback) {
            String v = value(env, name, null);
            if (v == null) return fallback;
            if (v.equalsIgnoreCase("true")) return true;
            if (v.equalsIgnoreCase("false")) return false;
            throw invalid(env, name, "use true or false");
        }

        private static URI httpUrl(Map<String, String> env, String name, String fallback) {
            String v = value(env, name, fallback);
            URI uri = parseHttpUrl(name, v, v);
            String s = uri.toString();
            return s.endsWith("/") ? URI.create(s.substring(0, s.length() - 1)) : uri;
        }

        private static URI parseHttpUrl(String name, String shown, String url) {
            try {
                URI uri = new URI(url);
                if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                    return uri;
                }
            } catch (URISyntaxException ignored) {
                // reported below
            }
            throw new SettingsException(name + "=" + shown + " is not valid: use an http:// or https:// URL, e.g. http://localhost:4318");
        }

        /** The OTEL_*_HEADERS / OTEL_RESOURCE_ATTRIBUTES format: k=v pairs, comma separated, values percent-encoded. */
        private static Map<String, String> keyValueList(Map<String, String> env, String name) {
            String v = value(env, name, null);
            var result = new LinkedHashMap<String, String>();
            if (v == null) return result;
            for (String pair : v.split(",")) {
                int eq = pair.indexOf('=');
                if (pair.isBlank()) continue;
                if (eq <= 0 || pair.substring(0, eq).isBlank()) {
                    // Never echo the value: OTLP headers carry API keys.
                    throw new SettingsException(name + " is not valid: expected key=value pairs separated by commas");
                }
                result.put(pair.substring(0, eq).trim(), URLDecoder.decode(pair.substring(eq + 1).trim(), StandardCharsets.UTF_8));
            }
            return result;
        }
    }

    /** Load mode: N independent one-turn requests, C at a time, prompts taken round-robin. */
    record Load(int requests, int concurrency, List<String> prompts) {
        static final List<String> BUILT_IN = List.of(
                "What is OpenTelemetry?", "Explain a span in one sentence.", "Why do histograms beat averages for latency?",
                "What does a trace id identify?", "Name three signals of observability.", "What is a semantic convention?",
                "How should an LLM call be sampled?", "What is time to first token?");

        /** One prompt per non-blank line of the file, or the built-in ones. */
        static List<String> prompts(String file) {
            if (file == null) return BUILT_IN;
            try {
                var lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of(file), StandardCharsets.UTF_8).stream()
                        .map(String::strip).filter(l -> !l.isEmpty()).toList();
                if (lines.isEmpty()) throw new SettingsException("--prompts=" + file + " is not valid: the file has no prompt in it");
                return lines;
            } catch (IOException | java.io.UncheckedIOException e) {
                throw new SettingsException("--prompts=" + file + " is not valid: cannot read it (" + rootMessage(e) + ")");
            }
        }
    }

    /** Command-line flags; they win over the environment. */
    record Flags(boolean simulate, String prompt, String model, Double temperature, Integer maxTokens, boolean help, Load load) {
        static Flags parse(String[] args) {
            boolean simulate = false, help = false;
            String prompt = null, model = null, promptsFile = null;
            Double temperature = null;
            Integer maxTokens = null, loadRequests = null, concurrency = null;
            for (int i = 0; i < args.length; i++) {
                String flag = args[i];
                switch (flag) {
                    case "--simulate" -> simulate = true;
                    case "--help", "-h" -> help = true;
                    case "--prompt" -> prompt = needValue(args, ++i, flag);
                    case "--model" -> model = needValue(args, ++i, flag);
                    case "--temperature" -> {
                        String v = needValue(args, ++i, flag);
                        temperature = Repl.parseTemperature(v).orElseThrow(
                                () -> new SettingsException("--temperature=" + v + " is not valid: use a number from 0 to 2"));
                    }
                    case "--max-tokens" -> maxTokens = parseMaxTokens(needValue(args, ++i, flag));
                    case "--load" -> loadRequests = wholeNumber(flag, needValue(args, ++i, flag), 1, 1_000_000);
                    case "--concurrency" -> concurrency = wholeNumber(flag, needValue(args, ++i, flag), 1, 1024);
                    case "--prompts" -> promptsFile = needValue(args, ++i, flag);
                    default -> throw new SettingsException("unknown option " + flag + " (see --help)");
                }
            }
            if (prompt != null && prompt.isBlank()) throw new SettingsException("--prompt needs a non-empty text");
            if (loadRequests == null && (concurrency != null || promptsFile != null)) {
                throw new SettingsException("--concurrency and --prompts go with --load N");
            }
            if (loadRequests != null && prompt != null) throw new SettingsException("--load and --prompt do not go together");
            Load load = loadRequests == null ? null
                    : new Load(loadRequests, concurrency == null ? 4 : concurrency, Load.prompts(promptsFile));
            return new Flags(simulate, prompt, model, temperature, maxTokens, help, load);
        }

        private static int wholeNumber(String flag, String v, int min, int max) {
            try {
                int n = Integer.parseInt(v.trim());
                if (n >= min && n <= max) return n;
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new SettingsException(flag + "=" + v + " is not valid: use a whole number from " + min + " to " + max);
        }

        private static String needValue(String[] args, int i, String flag) {
            if (i >= args.length) throw new SettingsException(flag + " needs a value (see --help)");
            return args[i];
        }

        private static int parseMaxTokens(String v) {
            try {
                int n = Integer.parseInt(v.trim());
                if (n > 0) return n;
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new SettingsException("--max-tokens=" + v + " is not valid: use a whole number above 0");
        }
    }

    // =========================================================================================
    // 2. TELEMETRY SETUP AND SHUTDOWN
    // The SDK wired by hand, the way the seed does it: a Resource says who emits; per signal an
    // exporter says where to, a processor or reader says when; providers tie them together.
    // This is the only section that touches the SDK. Everything else sees the OpenTelemetry API,
    // so it runs the same against this SDK, an in-memory one in tests, or a no-op.
    // =========================================================================================

    static final class Telemetry implements AutoCloseable {
        /** How long exit may wait for the last export: the user is waiting too. */
        static final Duration SHUTDOWN_BUDGET = Duration.ofMillis(1200);
        /** Per export attempt; a hanging collector costs at most this in the background. */
        static final Duration EXPORT_TIMEOUT = Duration.ofSeconds(5);
        /**
         * Retry what may pass on a second try (a timed-out export here; 429/502/503/504 answers are
         * retried by status anyway), but not a refused connection: nobody is listening, and retrying
         * with backoff would only hold up the exit flush.
         */
        static final RetryPolicy RETRY = RetryPolicy.builder()
                .setRetryExceptionPredicate(e -> e instanceof InterruptedIOException).build();

        private final OpenTelemetry openTelemetry;
        private final OpenTelemetrySdk sdk; // null when OTEL_SDK_DISABLED=true
        private final SpanCounts spanCounts;
        private final AtomicBoolean closed = new AtomicBoolean();
        private final java.util.concurrent.CountDownLatch flushed = new java.util.concurrent.CountDownLatch(1);
        private final Thread shutdownHook;

        private Telemetry(OpenTelemetry openTelemetry, OpenTelemetrySdk sdk, SpanCounts spanCounts) {
            this.openTelemetry = openTelemetry;
            this.sdk = sdk;
            this.spanCounts = spanCounts;
            // Ctrl-C skips try-with-resources; the hook still flushes what the session recorded.
            this.shutdownHook = new Thread(this::close, "telemetry-shutdown");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }

        OpenTelemetry openTelemetry() {
            return openTelemetry;
        }

        SpanCounts spanCounts() {
            return spanCounts;
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
            return io.opentelemetry.sdk.common.CompletableResultCode.ofAll(List.of(tracing, metering, logging))
                    .join(budget.toMillis(), TimeUnit.MILLISECONDS).isSuccess();
        }

        static Telemetry setup(Settings settings, PrintStream err) {
            var spanCounts = new SpanCounts();
            if (settings.sdkDisabled()) return new Telemetry(OpenTelemetry.noop(), null, spanCounts);
            ExportProblems.install(err, settings);
            var resource = Resource.getDefault().merge(Resource.create(toAttributes(settings.resourceAttributes())));
            var sdk = OpenTelemetrySdk.builder()
                    .setTracerProvider(tracerProvider(settings, resource, spanCounts))
                    .setMeterProvider(meterProvider(settings, resource))
                    .setLoggerProvider(loggerProvider(settings, resource))
                    // W3C trace context is what puts `traceparent` on the Ollama request.
                    .setPropagators(ContextPropagators.create(TextMapPropagator.composite(
                            W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance())))
                    .build();
            return new Telemetry(sdk, sdk, spanCounts);
        }

        private static SdkTracerProvider tracerProvider(Settings settings, Resource resource, SpanCounts counts) {
            var builder = SdkTracerProvider.builder()
                    .setResource(resource)
                    .setSampler(sampler(settings))
                    .setSpanLimits(SpanLimits.builder()
                            .setMaxAttributeValueLength(settings.attributeValueLengthLimit()).build());
            SpanExporter exporter = switch (settings.tracesExporter()) {
                case "otlp" -> settings.otlpProtocol() == Protocol.GRPC
                        ? OtlpGrpcSpanExporter.builder().setEndpoint(settings.otlpEndpoint().toString())
                                .setHeaders(settings::otlpHeaders).setTimeout(EXPORT_TIMEOUT).setRetryPolicy(RETRY).build()
                        : OtlpHttpSpanExporter.builder().setEndpoint(signalUrl(settings, "traces"))
                                .setHeaders(settings::otlpHeaders).setTimeout(EXPORT_TIMEOUT).setRetryPolicy(RETRY).build();
                case "console" -> LoggingSpanExporter.create();
                default -> null;
            };
            // Batching keeps export off the chat's path: ending a span only enqueues it. When the queue
            // is full the batch processor drops spans; SpanCounts sees how many went in and came out.
            if (exporter != null) {
                builder.addSpanProcessor(counts.endedCounter());
                builder.addSpanProcessor(BatchSpanProcessor.builder(counts.exportedCounter(exporter)).build());
            }
            return builder.build();
        }

        private static SdkMeterProvider meterProvider(Settings settings, Resource resource) {
            var builder = SdkMeterProvider.builder().setResource(resource);
            MetricExporter pushExporter = switch (settings.metricsExporter()) {
                case "otlp" -> settings.otlpProtocol() == Protocol.GRPC
                        ? OtlpGrpcMetricExporter.builder().setEndpoint(settings.otlpEndpoint().toString())
                                .setHeaders(settings::otlpHeaders).setTimeout(EXPORT_TIMEOUT).setRetryPolicy(RETRY).build()
                        : OtlpHttpMetricExporter.builder().setEndpoint(signalUrl(settings, "metrics"))
                                .setHeaders(settings::otlpHeaders).setTimeout(EXPORT_TIMEOUT).setRetryPolicy(RETRY).build();
                case "console" -> LoggingMetricExporter.create();
                default -> null;
            };
            if (pushExporter != null) {
                builder.registerMetricReader(PeriodicMetricReader.builder(pushExporter)
                        .setInterval(settings.metricExportInterval()).build());
            } else if (settings.metricsExporter().equals("prometheus")) {
                builder.registerMetricReader(prometheusServer(settings));
            }
            return builder.build();
        }

        /** Pull instead of push: Prometheus scrapes http://127.0.0.1:9464/metrics. */
        private static MetricReader prometheusServer(Settings settings) {
            try {
                return PrometheusHttpServer.builder()
                        .setHost(settings.prometheusHost()).setPort(settings.prometheusPort()).build();
            } catch (RuntimeException e) {
                throw new StartupException("cannot serve Prometheus metrics on " + settings.prometheusHost() + ":"
                        + settings.prometheusPort() + " (" + rootMessage(e) + "); set OTEL_EXPORTER_PROMETHEUS_PORT to a free port", e);
            }
        }

        private static SdkLoggerProvider loggerProvider(Settings settings, Resource resource) {
            var builder = SdkLoggerProvider.builder()
                    .setResource(resource)
                    .setLogLimits(() -> LogLimits.builder()
                            .setMaxAttributeValueLength(settings.attributeValueLengthLimit()).build());
            LogRecordExporter exporter = switch (settings.logsExporter()) {
                case "otlp" -> settings.otlpProtocol() == Protocol.GRPC
                        ? OtlpGrpcLogRecordExporter.builder().setEndpoint(settings.otlpEndpoint().toString())
                                .setHeaders(settings::otlpHeaders).setTimeout(EXPORT_TIMEOUT).setRetryPolicy(RETRY).build()
                        : OtlpHttpLogRecordExporter.builder().setEndpoint(signalUrl(settings, "logs"))
                                .setHeaders(settings::otlpHeaders).setTimeout(EXPORT_TIMEOUT).setRetryPolicy(RETRY).build();
                case "console" -> SystemOutLogRecordExporter.create();
                default -> null;
            };
            if (exporter != null) builder.addLogRecordProcessor(BatchLogRecordProcessor.builder(exporter).build());
            return builder.build();
        }

        private static Sampler sampler(Settings settings) {
            double ratio = settings.samplerRatio();
            return switch (settings.sampler()) {
                case "always_on" -> Sampler.alwaysOn();
                case "always_off" -> Sampler.alwaysOff();
                case "traceidratio" -> Sampler.traceIdRatioBased(ratio);
                case "parentbased_always_off" -> Sampler.parentBased(Sampler.alwaysOff());
                case "parentbased_traceidratio" -> Sampler.parentBased(Sampler.traceIdRatioBased(ratio));
                default -> Sampler.parentBased(Sampler.alwaysOn());
            };
        }

        /** OTLP/HTTP takes one URL per signal: the base endpoint plus /v1/traces, /v1/metrics, /v1/logs. */
        private static String signalUrl(Settings settings, String signal) {
            return settings.otlpEndpoint() + "/v1/" + signal;
        }

        private static Attributes toAttributes(Map<String, String> map) {
            AttributesBuilder builder = Attributes.builder();
            map.forEach(builder::put);
            return builder.build();
        }

        /**
         * Flushes and stops every provider, waiting at most SHUTDOWN_BUDGET. With no collector the
         * exports fail fast; with a hanging one we give up at the budget rather than hang the exit.
         */
        @Override
        public void close() {
            if (!closed.compareAndSet(false, true)) {
                // Closing already, on another thread (`exit` on main while Ctrl-C runs the hook): wait for it.
                // Returning at once would let the JVM halt when the hooks end, cutting that flush short.
                awaitFlushed();
                return;
            }
            try {
                closeOnce();
            } finally {
                flushed.countDown();
            }
        }

        private void awaitFlushed() {
            try {
                flushed.await(SHUTDOWN_BUDGET.toMillis() + 200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void closeOnce() {
            if (sdk != null) {
                // sdk.shutdown() itself can block (the metric reader waits for its last export, and the
                // OTLP exporters retry with backoff), so it runs on its own daemon thread and we wait
                // for it at most SHUTDOWN_BUDGET.
                var shutdown = new Thread(() -> sdk.shutdown().join(SHUTDOWN_BUDGET.toMillis(), TimeUnit.MILLISECONDS),
                        "telemetry-flush");
                shutdown.setDaemon(true);
                shutdown.start();
                try {
                    shutdown.join(SHUTDOWN_BUDGET.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            // Only now: until the flush is over, a Ctrl-C must find the hook, and the hook waits for us.
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException alreadyShuttingDown) {
                // we are the hook, or the JVM is exiting anyway
            }
        }
    }

    /**
     * Counts spans in and out of the batch processor: ended (handed to it) and exported (handed on to
     * the exporter). Ended minus exported, after a flush, is what the SDK dropped from a full queue.
     */
    static final class SpanCounts {
        private final java.util.concurrent.atomic.LongAdder endedCount = new java.util.concurrent.atomic.LongAdder();
        private final java.util.concurrent.atomic.LongAdder exportedCount = new java.util.concurrent.atomic.LongAdder();

        long ended() {
            return endedCount.sum();
        }

        long exported() {
            return exportedCount.sum();
        }

        /** A processor placed before the batch processor: it sees every sampled span that ends. */
        io.opentelemetry.sdk.trace.SpanProcessor endedCounter() {
            return new io.opentelemetry.sdk.trace.SpanProcessor() {
                @Override
                public void onStart(Context parent, io.opentelemetry.sdk.trace.ReadWriteSpan span) {
                }

                @Override
                public boolean isStartRequired() {
                    return false;
                }

                @Override
                public void onEnd(io.opentelemetry.sdk.trace.ReadableSpan span) {
                    if (span.getSpanContext().isSampled()) endedCount.increment();
                }

                @Override
                public boolean isEndRequired() {
                    return true;
                }
            };
        }

        /** Wraps the exporter the batch processor hands its batches to. */
        SpanExporter exportedCounter(SpanExporter delegate) {
            return new SpanExporter() {
                @Override
                public io.opentelemetry.sdk.common.CompletableResultCode export(java.util.Collection<io.opentelemetry.sdk.trace.data.SpanData> spans) {
                    exportedCount.add(spans.size());
                    return delegate.export(spans);
                }

                @Override
                public io.opentelemetry.sdk.common.CompletableResultCode flush() {
                    return delegate.flush();
                }

                @Override
                public io.opentelemetry.sdk.common.CompletableResultCode shutdown() {
                    return delegate.shutdown();
                }

                @Override
                public String toString() {
                    return delegate.toString();
                }
            };
        }
    }

    /**
     * The SDK reports export failures through java.util.logging, one stack trace per failed batch.
     * With no collector running that would bury the chat, so we show the first problem as one
     * line and swallow the rest (all of them, with stack traces, at LOG_LEVEL=DEBUG).
     * Console exporters also log through java.util.logging; their lines pass through untouched.
     */
    static final class ExportProblems extends Handler {
        // java.util.logging holds loggers weakly: keep ours, or its configuration is lost to GC.
        private static final java.util.logging.Logger OTEL_LOGGER = java.util.logging.Logger.getLogger("io.opentelemetry");
        private static final String CONSOLE_EXPORTERS = "io.opentelemetry.exporter.logging";

        private final PrintStream err;
        private final boolean debug;
        private final String destination;
        private final AtomicBoolean warned = new AtomicBoolean();
        private final SimpleFormatter formatter = new SimpleFormatter();

        private ExportProblems(PrintStream err, boolean debug, String destination) {
            this.err = err;
            this.debug = debug;
            this.destination = destination;
        }

        static void install(PrintStream err, Settings settings) {
            for (Handler old : OTEL_LOGGER.getHandlers()) OTEL_LOGGER.removeHandler(old);
            OTEL_LOGGER.setUseParentHandlers(false);
            OTEL_LOGGER.setLevel(settings.logLevel().equals("DEBUG") ? Level.FINE : Level.INFO);
            OTEL_LOGGER.addHandler(new ExportProblems(err, settings.logLevel().equals("DEBUG"), settings.otlpEndpoint().toString()));
        }

        @Override
        public void publish(LogRecord record) {
            if (record.getLoggerName() != null && record.getLoggerName().startsWith(CONSOLE_EXPORTERS)
                    && record.getLevel().intValue() < Level.WARNING.intValue()) {
                err.println(formatter.formatMessage(record));
            } else if (debug) {
                err.print(formatter.format(record));
            } else if (record.getLevel().intValue() >= Level.WARNING.intValue() && warned.compareAndSet(false, true)) {
                err.println("warning: telemetry export to " + destination + " failed (" + oneLine(record)
                        + "). Is the collector running? The chat goes on; further export errors are not shown.");
            }
        }

        private String oneLine(LogRecord record) {
            String text = record.getThrown() != null ? rootMessage(record.getThrown()) : formatter.formatMessage(record);
            text = text.replaceAll("\\s+", " ").strip();
            return text.length() > 160 ? text.substring(0, 160) + "..." : text;
        }

        @Override
        public void flush() {
            err.flush();
        }

        @Override
        public void close() {
            flush();
        }
    }

    static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }

    // =========================================================================================
    // 3. INSTRUMENTS AND NAMES
    // Every span name, attribute key, metric name and log message of TELEMETRY.md, next to the
    // tracer, meters and logger that use them. Created once; a rename is one edit here.
    // =========================================================================================

    /** Attribute keys. Seed names first (the seed's dashboards use them), then semantic conventions. */
    static final class Keys {
        // The seed's own llm.* and app.* names.
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
        static final AttributeKey<String> APP_SESSION_ID = AttributeKey.stringKey("app.session_id");
        static final AttributeKey<Long> APP_TURN = AttributeKey.longKey("app.turn");

        // GenAI semantic conventions (v1.41, incubating).
        static final AttributeKey<String> GEN_AI_OPERATION_NAME = AttributeKey.stringKey("gen_ai.operation.name");
        static final AttributeKey<String> GEN_AI_PROVIDER_NAME = AttributeKey.stringKey("gen_ai.provider.name");
        static final AttributeKey<String> GEN_AI_SYSTEM = AttributeKey.stringKey("gen_ai.system");
        static final AttributeKey<String> GEN_AI_CONVERSATION_ID = AttributeKey.stringKey("gen_ai.conversation.id");
        static final AttributeKey<String> GEN_AI_REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
        static final AttributeKey<String> GEN_AI_RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
        static final AttributeKey<Double> GEN_AI_REQUEST_TEMPERATURE = AttributeKey.doubleKey("gen_ai.request.temperature");
        static final AttributeKey<Long> GEN_AI_REQUEST_MAX_TOKENS = AttributeKey.longKey("gen_ai.request.max_tokens");
        static final AttributeKey<Boolean> GEN_AI_REQUEST_STREAM = AttributeKey.booleanKey("gen_ai.request.stream");
        static final AttributeKey<List<String>> GEN_AI_RESPONSE_FINISH_REASONS = AttributeKey.stringArrayKey("gen_ai.response.finish_reasons");
        static final AttributeKey<Double> GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK = AttributeKey.doubleKey("gen_ai.response.time_to_first_chunk");
        static final AttributeKey<Long> GEN_AI_USAGE_INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
        static final AttributeKey<Long> GEN_AI_USAGE_OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
        static final AttributeKey<String> GEN_AI_INPUT_MESSAGES = AttributeKey.stringKey("gen_ai.input.messages");
        static final AttributeKey<String> GEN_AI_OUTPUT_MESSAGES = AttributeKey.stringKey("gen_ai.output.messages");
        static final AttributeKey<String> GEN_AI_TOKEN_TYPE = AttributeKey.stringKey("gen_ai.token.type");

        // Stable HTTP, server and error conventions, and the seed's older http.* names beside them.
        static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
        static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
        static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
        static final AttributeKey<String> HTTP_REQUEST_METHOD = AttributeKey.stringKey("http.request.method");
        static final AttributeKey<String> URL_FULL = AttributeKey.stringKey("url.full");
        static final AttributeKey<Long> HTTP_RESPONSE_STATUS_CODE = AttributeKey.longKey("http.response.status_code");
        static final AttributeKey<String> HTTP_METHOD = AttributeKey.stringKey("http.method");
        static final AttributeKey<String> HTTP_URL = AttributeKey.stringKey("http.url");
        static final AttributeKey<Long> HTTP_STATUS_CODE = AttributeKey.longKey("http.status_code");

        // Ollama's own timings from the final chunk (no convention exists for them).
        static final AttributeKey<Double> OLLAMA_TOTAL_DURATION_MS = AttributeKey.doubleKey("ollama.total_duration_ms");
        static final AttributeKey<Double> OLLAMA_LOAD_DURATION_MS = AttributeKey.doubleKey("ollama.load_duration_ms");
        static final AttributeKey<Double> OLLAMA_PROMPT_EVAL_DURATION_MS = AttributeKey.doubleKey("ollama.prompt_eval_duration_ms");
        static final AttributeKey<Double> OLLAMA_EVAL_DURATION_MS = AttributeKey.doubleKey("ollama.eval_duration_ms");

        // Metric attributes of the seed's llm_* series: short names, as its PromQL uses them.
        static final AttributeKey<String> MODEL = AttributeKey.stringKey("model");
        static final AttributeKey<String> STATUS = AttributeKey.stringKey("status");
        static final AttributeKey<String> TYPE = AttributeKey.stringKey("type");
        static final AttributeKey<String> ERROR_TYPE_LABEL = AttributeKey.stringKey("error_type");

        static final String OPERATION_CHAT = "chat";
        static final String PROVIDER_OLLAMA = "ollama";
    }

    static final class Instruments {
        static final String SCOPE = "chatbot_otel";

        static final String SPAN_CHAT_INTERACTION = "chat_interaction";
        static final String SPAN_GENERATE_RESPONSE = "generate_response";
        static final String SPAN_OLLAMA_REQUEST = "ollama_request";
        static final String SPAN_PROCESS_STREAM = "process_streaming_response";
        static final String SPAN_LOG_INTERACTION = "log_interaction";

        static final String LOG_COMPLETED = "LLM request completed";
        static final String LOG_FAILED = "LLM request failed";

        /** GenAI advice: durations from 10 ms doubling to 81.92 s, token counts in powers of four. */
        static final List<Double> DURATION_BUCKETS = doublingFrom(0.01, 14);
        static final List<Long> TOKEN_BUCKETS = powersOfFour(14);

        final Tracer tracer;
        final Logger logger;
        final LongCounter requests;
        final DoubleHistogram requestDuration;
        final LongCounter tokens;
        final LongCounter errors;
        final LongUpDownCounter queueSize;
        final DoubleHistogram operationDuration;
        final LongHistogram tokenUsage;
        final DoubleHistogram timeToFirstChunk;
        final DoubleHistogram timePerOutputChunk;

        Instruments(OpenTelemetry otel) {
            tracer = otel.getTracer(SCOPE, VERSION);
            logger = otel.getLogsBridge().loggerBuilder(SCOPE).setInstrumentationVersion(VERSION).build();
            Meter meter = otel.getMeter(SCOPE);
            // The seed's metrics. Units follow UCUM; exporters turn `s` into `_seconds` and counters into `_total`.
            requests = meter.counterBuilder("llm.requests").setUnit("{request}")
                    .setDescription("LLM requests by model and outcome").build();
            requestDuration = meter.histogramBuilder("llm.request.duration").setUnit("s")
                    .setDescription("LLM request duration, request sent to last chunk")
                    .setExplicitBucketBoundariesAdvice(DURATION_BUCKETS).build();
            tokens = meter.counterBuilder("llm.tokens").setUnit("{token}")
                    .setDescription("Tokens used, by type (input or output)").build();
            errors = meter.counterBuilder("llm.errors").setUnit("{error}")
                    .setDescription("Failed LLM requests by error type").build();
            queueSize = meter.upDownCounterBuilder("llm.queue_size").setUnit("{request}")
                    .setDescription("LLM requests in flight").build();
            // The GenAI semantic-convention metrics, for GenAI-aware backends.
            operationDuration = meter.histogramBuilder("gen_ai.client.operation.duration").setUnit("s")
                    .setDescription("GenAI operation duration")
                    .setExplicitBucketBoundariesAdvice(DURATION_BUCKETS).build();
            tokenUsage = meter.histogramBuilder("gen_ai.client.token.usage").ofLongs().setUnit("{token}")
                    .setDescription("Tokens used per GenAI operation")
                    .setExplicitBucketBoundariesAdvice(TOKEN_BUCKETS).build();
            timeToFirstChunk = meter.histogramBuilder("gen_ai.client.operation.time_to_first_chunk").setUnit("s")
                    .setDescription("Time from request sent to the first streamed chunk")
                    .setExplicitBucketBoundariesAdvice(DURATION_BUCKETS).build();
            timePerOutputChunk = meter.histogramBuilder("gen_ai.client.operation.time_per_output_chunk").setUnit("s")
                    .setDescription("Time between streamed chunks after the first")
                    .setExplicitBucketBoundariesAdvice(DURATION_BUCKETS).build();
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

    /**
     * Structured logging, two ways at once: a JSON line on stderr (what the seed prints) and an
     * OpenTelemetry log record (what the collector receives). Both carry the current trace and span
     * ids, which is what lets Grafana jump from a log line to its trace.
     */
    static final class StructuredLog {
        private static final DateTimeFormatter TIMESTAMP =
                DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
        private static final ObjectMapper JSON = new ObjectMapper();

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

        void emit(Severity severity, String message, Map<String, Object> fields) {
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
                err.println(JSON.writeValueAsString(line));
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
            AttributesBuilder attributes = Attributes.builder();
            fields.forEach((key, value) -> {
                if (value instanceof Number n && !(value instanceof Double)) attributes.put(key, n.longValue());
                else attributes.put(key, String.valueOf(value));
            });
            logger.logRecordBuilder()
                    .setTimestamp(now)
                    .setContext(Context.current())
                    .setSeverity(severity)
                    .setSeverityText(severity.name())
                    .setBody(message)
                    .setAllAttributes(attributes.build())
                    .emit();
        }
    }

    // =========================================================================================
    // 4. OLLAMA CLIENT
    // Plain HTTP and NDJSON: POST /api/chat with "stream": true, then one JSON object per line
    // until a chunk says "done": true. No telemetry in here; it takes the headers to send (that is
    // how the trace context gets in) and turns every failure into one OllamaException whose type
    // is the contract's error.type.
    // =========================================================================================

    record ChatMessage(String role, String content) {}

    record ChatRequest(String model, List<ChatMessage> messages, double temperature, Integer maxTokens) {
        String lastUserPrompt() {
            for (int i = messages.size() - 1; i >= 0; i--) {
                if (messages.get(i).role().equals("user")) return messages.get(i).content();
            }
            return "";
        }
    }

    /** One NDJSON line; the counts and durations (ns) are only on the final chunk, and optional there. */
    record ChatChunk(String model, String content, boolean done, String doneReason,
                     Long promptEvalCount, Long evalCount, Long totalDuration, Long loadDuration,
                     Long promptEvalDuration, Long evalDuration) {}

    enum ErrorType {
        CONNECTION_ERROR, TIMEOUT, MODEL_NOT_FOUND, HTTP_ERROR, INVALID_RESPONSE, STREAM_INTERRUPTED, CANCELLED;

        /** The low-cardinality value of `error.type` and `error_type`. */
        String value() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static final class OllamaException extends Exception {
        final ErrorType type;
        final int httpStatus; // 0 when no response arrived

        OllamaException(ErrorType type, String message, int httpStatus, Throwable cause) {
            super(message, cause);
            this.type = type;
            this.httpStatus = httpStatus;
        }
    }

    /** How long to wait for Ollama: to connect, for the first token (a cold model load is slow), between chunks. */
    record Timeouts(Duration connect, Duration firstToken, Duration betweenChunks) {}

    /** Ctrl-C for one turn: whoever waits on Ollama also watches this, so a cancel is noticed at once. */
    static final class Cancellation {
        private final java.util.concurrent.CompletableFuture<Void> signal = new java.util.concurrent.CompletableFuture<>();
        private final AtomicBoolean waiting = new AtomicBoolean(true);

        static Cancellation none() {
            return new Cancellation();
        }

        void cancel() {
            signal.complete(null);
        }

        /** Cancels if the turn is still waiting on Ollama; false once the answer is complete (or failed). */
        boolean cancelIfWaiting() {
            if (!waiting.get()) return false;
            cancel();
            return true;
        }

        /** The exchange with Ollama is over: a Ctrl-C from now on is not about this turn. */
        void finished() {
            waiting.set(false);
        }

        boolean isCancelled() {
            return signal.isDone();
        }

        void onCancel(Runnable action) {
            signal.thenRun(action);
        }

        OllamaException exception() {
            return new OllamaException(ErrorType.CANCELLED, "cancelled (Ctrl-C); the partial answer is not added to the conversation", 0, null);
        }
    }

    /**
     * What the traced chat needs from Ollama. OllamaClient is the real one; a benchmark plugs in a
     * canned answer here to time the telemetry without the network.
     */
    interface Ollama {
        URI endpoint();

        URI chatUri();

        ChatStream openChat(ChatRequest request, Map<String, String> headers, Cancellation cancellation) throws OllamaException;
    }

    static final class OllamaClient implements Ollama {
        private static final ObjectMapper JSON = new ObjectMapper();

        private final HttpClient http;
        private final URI endpoint;
        private final URI chatUri;
        private final Timeouts timeouts;

        OllamaClient(URI endpoint, Timeouts timeouts) {
            this.endpoint = endpoint;
            this.chatUri = URI.create(endpoint + "/api/chat");
            this.timeouts = timeouts;
            this.http = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1) // Ollama speaks HTTP/1.1; skip the h2c upgrade dance
                    .connectTimeout(timeouts.connect())
                    .build();
        }

        @Override
        public URI endpoint() {
            return endpoint;
        }

        @Override
        public URI chatUri() {
            return chatUri;
        }

        /**
         * Sends the request and returns once the response headers are in; the body is read by the caller.
         * The first-token limit is one deadline counted from the send: Ollama sends its headers with the
         * first token, so waiting for the headers and then for the first chunk spend the same budget.
         */
        @Override
        public ChatStream openChat(ChatRequest request, Map<String, String> headers, Cancellation cancellation) throws OllamaException {
            var builder = HttpRequest.newBuilder(chatUri)
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/x-ndjson")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(requestBody(request)));
            headers.forEach(builder::header);
            long firstTokenDeadline = System.nanoTime() + timeouts.firstToken().toNanos();
            var pending = http.sendAsync(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
            HttpResponse<InputStream> response;
            try {
                java.util.concurrent.CompletableFuture.anyOf(pending, cancellation.signal)
                        .get(timeouts.firstToken().toMillis(), TimeUnit.MILLISECONDS);
                if (!pending.isDone()) {
                    pending.cancel(true);
                    throw cancellation.exception();
                }
                response = pending.join();
            } catch (java.util.concurrent.TimeoutException e) {
                pending.cancel(true);
                throw new OllamaException(ErrorType.TIMEOUT, ChatStream.noFirstToken(timeouts), 0, e);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.CompletionException e) {
                throw sendFailure(e.getCause() != null ? e.getCause() : e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                pending.cancel(true);
                throw cancellation.exception();
            }
            if (response.statusCode() / 100 != 2) throw httpError(request, response);
            return new ChatStream(response.statusCode(), response.body(), timeouts, firstTokenDeadline, cancellation);
        }

        /** The one place where a failed send becomes an error.type. */
        private OllamaException sendFailure(Throwable cause) {
            if (cause instanceof HttpConnectTimeoutException) {
                return new OllamaException(ErrorType.TIMEOUT, "Ollama at " + endpoint + " did not accept the connection within "
                        + describe(timeouts.connect()) + " (OLLAMA_CONNECT_TIMEOUT)", 0, cause);
            }
            if (cause instanceof HttpTimeoutException) {
                return new OllamaException(ErrorType.TIMEOUT, "Ollama at " + endpoint + " timed out", 0, cause);
            }
            // Refused, unknown host, or the connection dropped before the headers.
            String reason = cause instanceof ConnectException ? "connection refused" : rootMessage(cause);
            return new OllamaException(ErrorType.CONNECTION_ERROR, "cannot reach Ollama at " + endpoint + " (" + reason
                    + "). Start it with 'ollama serve', or run the chatbot with --simulate.", 0, cause);
        }

        private OllamaException httpError(ChatRequest request, HttpResponse<InputStream> response) {
            String error = errorText(response.body());
            int status = response.statusCode();
            if (status == 404 && error.contains("not found")) {
                return new OllamaException(ErrorType.MODEL_NOT_FOUND, "model '" + request.model() + "' is not available at "
                        + endpoint + ": run 'ollama pull " + request.model() + "' or choose another with /model", status, null);
            }
            return new OllamaException(ErrorType.HTTP_ERROR, "Ollama answered HTTP " + status
                    + (error.isEmpty() ? "" : ": " + error), status, null);
        }

        private static String errorText(InputStream body) {
            try (body) {
                String text = new String(body.readNBytes(4096), StandardCharsets.UTF_8);
                try {
                    return JSON.readTree(text).path("error").asText(text.strip());
                } catch (JsonProcessingException notJson) {
                    return text.strip();
                }
            } catch (IOException e) {
                return "";
            }
        }

        private static byte[] requestBody(ChatRequest request) {
            var body = JSON.createObjectNode();
            body.put("model", request.model());
            var messages = body.putArray("messages");
            request.messages().forEach(m -> messages.addObject().put("role", m.role()).put("content", m.content()));
            body.put("stream", true);
            var options = body.putObject("options");
            options.put("temperature", request.temperature());
            if (request.maxTokens() != null) options.put("num_predict", request.maxTokens());
            try {
                return JSON.writeValueAsBytes(body);
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /**
     * The NDJSON body of one answer, read a chunk at a time with a time-out per chunk. A blocked read
     * cannot be timed out or interrupted, so a small daemon thread pumps lines into a queue and the
     * turn waits on the queue: for a line, the end of the stream, a time-out, or a Ctrl-C.
     */
    static final class ChatStream implements AutoCloseable {
        private static final ObjectMapper JSON = new ObjectMapper();
        private static final Object END = new Object();
        private static final Object CANCELLED = new Object();

        private final int status;
        private final InputStream body;
        private final Timeouts timeouts;
        private final long firstTokenDeadline;
        private final Cancellation cancellation;
        private final java.util.concurrent.BlockingQueue<Object> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        private boolean first = true;

        ChatStream(int status, InputStream body, Timeouts timeouts, long firstTokenDeadline, Cancellation cancellation) {
            this.status = status;
            this.body = body;
            this.timeouts = timeouts;
            this.firstTokenDeadline = firstTokenDeadline;
            this.cancellation = cancellation;
            var pump = new Thread(this::pump, "ollama-stream");
            pump.setDaemon(true);
            pump.start();
            cancellation.onCancel(() -> lines.offer(CANCELLED));
        }

        private void pump() {
            try (var reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) lines.offer(line);
                lines.offer(END);
            } catch (IOException e) {
                lines.offer(e);
            }
        }

        int status() {
            return status;
        }

        /** The next chunk; a stream that ends before `done: true` is an error, not a short answer. */
        ChatChunk next() throws OllamaException {
            while (true) {
                long waitNanos = first ? firstTokenDeadline - System.nanoTime() : timeouts.betweenChunks().toNanos();
                Object item;
                try {
                    item = lines.poll(Math.max(0, waitNanos), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw cancellation.exception();
                }
                if (item == null) {
                    throw new OllamaException(ErrorType.TIMEOUT, first ? noFirstToken(timeouts)
                            : "the answer stalled: no chunk within " + describe(timeouts.betweenChunks()) + " (OLLAMA_CHUNK_TIMEOUT)", status, null);
                }
                if (item == CANCELLED) throw cancellation.exception();
                if (item == END) {
                    throw new OllamaException(ErrorType.STREAM_INTERRUPTED, "the answer stream ended before the model finished", status, null);
                }
                if (item instanceof IOException e) {
                    throw new OllamaException(ErrorType.STREAM_INTERRUPTED, "the answer stream broke off: " + rootMessage(e), status, e);
                }
                String line = (String) item;
                if (line.isBlank()) continue;
                first = false;
                return parse(line);
            }
        }

        /** The same words whether the headers or the first chunk were late: it is one limit. */
        static String noFirstToken(Timeouts timeouts) {
            return "no first token within " + describe(timeouts.firstToken()) + " (OLLAMA_FIRST_TOKEN_TIMEOUT)";
        }

        private ChatChunk parse(String line) throws OllamaException {
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw invalid(line, e);
            }
            if (!node.isObject()) throw invalid(line, null);
            // Once streaming has started Ollama keeps status 200 and reports failures as a line.
            if (node.hasNonNull("error")) {
                throw new OllamaException(ErrorType.STREAM_INTERRUPTED, "Ollama reported an error mid-answer: "
                        + node.get("error").asText(), status, null);
            }
            return new ChatChunk(
                    node.path("model").asText(""),
                    node.path("message").path("content").asText(""),
                    node.path("done").asBoolean(false),
                    textOrNull(node, "done_reason"),
                    longOrNull(node, "prompt_eval_count"),
                    longOrNull(node, "eval_count"),
                    longOrNull(node, "total_duration"),
                    longOrNull(node, "load_duration"),
                    longOrNull(node, "prompt_eval_duration"),
                    longOrNull(node, "eval_duration"));
        }

        private OllamaException invalid(String line, Exception cause) {
            String shown = line.length() > 80 ? line.substring(0, 80) + "..." : line;
            return new OllamaException(ErrorType.INVALID_RESPONSE, "Ollama sent a line that is not a chat chunk: " + shown, status, cause);
        }

        private static String textOrNull(JsonNode node, String field) {
            return node.hasNonNull(field) ? node.get(field).asText() : null;
        }

        private static Long longOrNull(JsonNode node, String field) {
            return node.hasNonNull(field) && node.get(field).canConvertToLong() ? node.get(field).asLong() : null;
        }

        /** Closing the body tells the HTTP client to drop the connection: a stalled Ollama stops streaming to us. */
        @Override
        public void close() {
            try {
                body.close();
            } catch (IOException ignored) {
                // closing a finished or broken stream: nothing left to tell anyone
            }
        }
    }

    // =========================================================================================
    // 5. TRACED CHAT: where the telemetry is made
    // One method per span of the tree, called in the order the spans nest. The client above is
    // wrapped here and nowhere else, so "where are spans created?" has one answer.
    // =========================================================================================

    /** What the REPL gets back from a turn: the answer or the error, and the trace to look it up (null if none). */
    record TurnResult(String answer, String traceId, Usage usage, OllamaException error) {
        boolean ok() {
            return error == null;
        }
    }

    /** Counts from Ollama's final chunk, or estimated when the stream did not carry them. */
    record Usage(long inputTokens, long outputTokens, boolean estimated) {
        long total() {
            return inputTokens + outputTokens;
        }
    }

    /** How the LLM call ended: an error, or the token usage of the answer. */
    record Outcome(OllamaException error, Usage usage) {}

    /** Everything the streaming phase learned; the parts after a failure stay as far as they got. */
    static final class StreamProgress {
        final StringBuilder answer = new StringBuilder();
        int chunks;
        int contentChunks;
        long firstChunkNanos = -1;
        ChatChunk last;
    }

    static final class TracedChat {
        private static final ObjectMapper JSON = new ObjectMapper();

        private final Instruments instruments;
        private final TextMapPropagator propagator;
        private final Ollama client;
        private final StructuredLog log;
        private final Settings settings;
        private final String sessionId = UUID.randomUUID().toString();

        TracedChat(OpenTelemetry otel, Ollama client, Settings settings, PrintStream err) {
            this.instruments = new Instruments(otel);
            this.propagator = otel.getPropagators().getTextMapPropagator();
            this.client = client;
            this.settings = settings;
            this.log = new StructuredLog(instruments.logger, err, settings.serviceName(), settings.logLevel());
        }

        String sessionId() {
            return sessionId;
        }

        URI endpoint() {
            return client.endpoint();
        }

        /** One chat turn: the root span, the LLM call inside it, then the log record. */
        TurnResult turn(int turnNumber, ChatRequest request, Consumer<String> onToken) {
            return turn(turnNumber, request, onToken, Cancellation.none());
        }

        TurnResult turn(int turnNumber, ChatRequest request, Consumer<String> onToken, Cancellation cancellation) {
            Span span = instruments.tracer.spanBuilder(Instruments.SPAN_CHAT_INTERACTION)
                    .setSpanKind(SpanKind.INTERNAL)
                    .setAttribute(Keys.APP_SESSION_ID, sessionId)
                    .setAttribute(Keys.APP_TURN, (long) turnNumber)
                    .setAttribute(Keys.GEN_AI_CONVERSATION_ID, sessionId)
                    .startSpan();
            try (Scope ignored = span.makeCurrent()) {
                var progress = new StreamProgress();
                long start = System.nanoTime();
                Outcome outcome = generateResponse(request, progress, onToken, cancellation);
                long durationNanos = System.nanoTime() - start;
                logInteraction(request.model(), outcome, durationNanos);
                OllamaException error = outcome.error();
                if (error != null) markFailed(span, error.type);
                // A no-op or unsampled span has no trace to link to: say so with null.
                String traceId = span.getSpanContext().isSampled() ? span.getSpanContext().getTraceId() : null;
                return new TurnResult(progress.answer.toString(), traceId, outcome.usage(), error);
            } finally {
                span.end();
            }
        }

        /**
         * generate_response is CLIENT: it is the call to the model as a whole, the span GenAI-aware
         * backends look for. Its request attributes are set before start so samplers can see them;
         * it ends only after the final chunk, so its duration is the user's wait.
         */
        private Outcome generateResponse(ChatRequest request, StreamProgress progress, Consumer<String> onToken,
                                         Cancellation cancellation) {
            var builder = instruments.tracer.spanBuilder(Instruments.SPAN_GENERATE_RESPONSE)
                    .setSpanKind(SpanKind.CLIENT)
                    .setAllAttributes(genAiAttributes(request.model(), null))
                    .setAttribute(Keys.GEN_AI_SYSTEM, Keys.PROVIDER_OLLAMA)
                    .setAttribute(Keys.GEN_AI_REQUEST_TEMPERATURE, request.temperature())
                    .setAttribute(Keys.GEN_AI_REQUEST_STREAM, true)
                    .setAttribute(Keys.LLM_MODEL, request.model())
                    .setAttribute(Keys.LLM_TEMPERATURE, request.temperature());
            if (request.maxTokens() != null) builder.setAttribute(Keys.GEN_AI_REQUEST_MAX_TOKENS, (long) request.maxTokens());
            if (settings.captureContent()) {
                builder.setAttribute(Keys.LLM_PROMPT, request.lastUserPrompt());
                builder.setAttribute(Keys.GEN_AI_INPUT_MESSAGES, inputMessagesJson(request.messages()));
            }
            Span span = builder.startSpan();
            instruments.queueSize.add(1, Attributes.of(Keys.MODEL, request.model()));
            long start = System.nanoTime();
            OllamaException error = null;
            try (Scope ignored = span.makeCurrent()) {
                try (ChatStream stream = ollamaRequest(request, cancellation)) {
                    processStream(stream, start, progress, onToken, request.model());
                }
            } catch (OllamaException e) {
                error = e;
            } finally {
                cancellation.finished();
                instruments.queueSize.add(-1, Attributes.of(Keys.MODEL, request.model()));
            }
            long durationNanos = System.nanoTime() - start;
            Usage usage = error == null ? usage(request, progress) : null;
            describeResponse(span, progress, usage, durationNanos);
            if (error != null) markFailed(span, error.type);
            recordTurnMetrics(request.model(), progress, usage, error, durationNanos);
            span.end();
            return new Outcome(error, usage);
        }

        /** ollama_request: the HTTP exchange up to the response headers, with the trace context injected. */
        private ChatStream ollamaRequest(ChatRequest request, Cancellation cancellation) throws OllamaException {
            URI uri = client.chatUri();
            Span span = instruments.tracer.spanBuilder(Instruments.SPAN_OLLAMA_REQUEST)
                    .setSpanKind(SpanKind.CLIENT)
                    .setAttribute(Keys.HTTP_REQUEST_METHOD, "POST")
                    .setAttribute(Keys.URL_FULL, uri.toString())
                    .setAttribute(Keys.SERVER_ADDRESS, uri.getHost())
                    .setAttribute(Keys.SERVER_PORT, (long) port(uri))
                    .setAttribute(Keys.HTTP_METHOD, "POST")
                    .setAttribute(Keys.HTTP_URL, uri.toString())
                    .startSpan();
            try (Scope ignored = span.makeCurrent()) {
                // The propagator writes `traceparent` for the current span: this one.
                var headers = new HashMap<String, String>();
                propagator.inject(Context.current(), headers, (carrier, key, value) -> carrier.put(key, value));
                ChatStream stream = client.openChat(request, headers, cancellation);
                setStatusCode(span, stream.status());
                return stream;
            } catch (OllamaException e) {
                if (e.httpStatus > 0) setStatusCode(span, e.httpStatus);
                recordFailure(span, e);
                throw e;
            } finally {
                span.end();
            }
        }

        /** process_streaming_response: reading the NDJSON stream to the last chunk, printing as it comes. */
        private void processStream(ChatStream stream, long requestStart, StreamProgress progress,
                                   Consumer<String> onToken, String model) throws OllamaException {
            Span span = instruments.tracer.spanBuilder(Instruments.SPAN_PROCESS_STREAM).startSpan();
            long start = System.nanoTime();
            long previous = -1;
            Attributes chunkAttributes = null; // built once from the first chunk, reused for the rest
            try (Scope ignored = span.makeCurrent()) {
                while (true) {
                    ChatChunk chunk = stream.next();
                    long now = System.nanoTime();
                    progress.chunks++;
                    if (previous < 0) {
                        progress.firstChunkNanos = now - requestStart;
                        chunkAttributes = genAiAttributes(model, chunk.model());
                        instruments.timeToFirstChunk.record(seconds(progress.firstChunkNanos), chunkAttributes);
                    } else {
                        instruments.timePerOutputChunk.record(seconds(now - previous), chunkAttributes);
                    }
                    previous = now;
                    if (!chunk.content().isEmpty()) {
                        progress.contentChunks++;
                        progress.answer.append(chunk.content());
                        onToken.accept(chunk.content());
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
                        ? progress.last.evalCount() : progress.contentChunks;
                if (streamingSeconds > 0) span.setAttribute(Keys.LLM_TOKENS_PER_SECOND, outputTokens / streamingSeconds);
                span.end();
            }
        }

        /** log_interaction: the structured record of the turn, inside its own span so it carries the trace. */
        private void logInteraction(String model, Outcome outcome, long durationNanos) {
            Span span = instruments.tracer.spanBuilder(Instruments.SPAN_LOG_INTERACTION).startSpan();
            try (Scope ignored = span.makeCurrent()) {
                var fields = new LinkedHashMap<String, Object>();
                fields.put("model", model);
                if (outcome.error() == null) {
                    fields.put("tokens", outcome.usage().total());
                    fields.put("duration_ms", TimeUnit.NANOSECONDS.toMillis(durationNanos));
                    log.emit(Severity.INFO, Instruments.LOG_COMPLETED, fields);
                } else {
                    fields.put("error_type", outcome.error().type.value());
                    fields.put("duration_ms", TimeUnit.NANOSECONDS.toMillis(durationNanos));
                    log.emit(Severity.ERROR, Instruments.LOG_FAILED, fields);
                }
            } finally {
                span.end();
            }
        }

        private void describeResponse(Span span, StreamProgress progress, Usage usage, long durationNanos) {
            span.setAttribute(Keys.LLM_DURATION_MS, TimeUnit.NANOSECONDS.toMillis(durationNanos));
            if (settings.captureContent()) {
                // Kept on failure too: a partial answer is often the best clue to what went wrong.
                span.setAttribute(Keys.LLM_RESPONSE, progress.answer.toString());
            }
            if (progress.firstChunkNanos >= 0) {
                span.setAttribute(Keys.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK, seconds(progress.firstChunkNanos));
            }
            ChatChunk last = progress.last;
            if (last == null) return;
            if (!last.model().isEmpty()) span.setAttribute(Keys.GEN_AI_RESPONSE_MODEL, last.model());
            if (last.doneReason() != null) span.setAttribute(Keys.GEN_AI_RESPONSE_FINISH_REASONS, List.of(last.doneReason()));
            if (settings.captureContent()) {
                span.setAttribute(Keys.GEN_AI_OUTPUT_MESSAGES, outputMessagesJson(progress.answer.toString(), last.doneReason()));
            }
            if (usage != null) {
                span.setAttribute(Keys.LLM_TOKENS_INPUT, usage.inputTokens());
                span.setAttribute(Keys.LLM_TOKENS_OUTPUT, usage.outputTokens());
                span.setAttribute(Keys.LLM_TOKENS_TOTAL, usage.total());
                span.setAttribute(Keys.GEN_AI_USAGE_INPUT_TOKENS, usage.inputTokens());
                span.setAttribute(Keys.GEN_AI_USAGE_OUTPUT_TOKENS, usage.outputTokens());
                if (usage.estimated()) span.setAttribute(Keys.LLM_TOKENS_ESTIMATED, true);
            }
            setMillis(span, Keys.OLLAMA_TOTAL_DURATION_MS, last.totalDuration());
            setMillis(span, Keys.OLLAMA_LOAD_DURATION_MS, last.loadDuration());
            setMillis(span, Keys.OLLAMA_PROMPT_EVAL_DURATION_MS, last.promptEvalDuration());
            setMillis(span, Keys.OLLAMA_EVAL_DURATION_MS, last.evalDuration());
        }

        /** The seed's llm.* metrics and the GenAI ones, from the same measurements. */
        private void recordTurnMetrics(String model, StreamProgress progress, Usage usage, OllamaException error, long durationNanos) {
            String status = error == null ? "success" : "error";
            var seedAttributes = Attributes.of(Keys.MODEL, model, Keys.STATUS, status);
            instruments.requests.add(1, seedAttributes);
            instruments.requestDuration.record(seconds(durationNanos), seedAttributes);
            String responseModel = progress.last != null ? progress.last.model() : null;
            var genAi = genAiAttributes(model, responseModel);
            if (error != null) {
                instruments.errors.add(1, Attributes.of(Keys.MODEL, model, Keys.ERROR_TYPE_LABEL, error.type.value()));
                genAi = genAi.toBuilder().put(Keys.ERROR_TYPE, error.type.value()).build();
            }
            instruments.operationDuration.record(seconds(durationNanos), genAi);
            if (usage == null) return;
            instruments.tokens.add(usage.inputTokens(), Attributes.of(Keys.MODEL, model, Keys.TYPE, "input"));
            instruments.tokens.add(usage.outputTokens(), Attributes.of(Keys.MODEL, model, Keys.TYPE, "output"));
            instruments.tokenUsage.record(usage.inputTokens(), genAi.toBuilder().put(Keys.GEN_AI_TOKEN_TYPE, "input").build());
            instruments.tokenUsage.record(usage.outputTokens(), genAi.toBuilder().put(Keys.GEN_AI_TOKEN_TYPE, "output").build());
        }

        /** The GenAI attribute set shared by the CLIENT span and the gen_ai.client.* metrics. */
        private Attributes genAiAttributes(String requestModel, String responseModel) {
            URI uri = client.endpoint();
            AttributesBuilder builder = Attributes.builder()
                    .put(Keys.GEN_AI_OPERATION_NAME, Keys.OPERATION_CHAT)
                    .put(Keys.GEN_AI_PROVIDER_NAME, Keys.PROVIDER_OLLAMA)
                    .put(Keys.GEN_AI_REQUEST_MODEL, requestModel)
                    .put(Keys.SERVER_ADDRESS, uri.getHost())
                    .put(Keys.SERVER_PORT, (long) port(uri));
            if (responseModel != null && !responseModel.isEmpty()) builder.put(Keys.GEN_AI_RESPONSE_MODEL, responseModel);
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
            long output = last != null && last.evalCount() != null ? last.evalCount() : progress.contentChunks;
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
            span.setAttribute(Keys.ERROR_TYPE, type.value());
        }

        private static void setStatusCode(Span span, int status) {
            span.setAttribute(Keys.HTTP_RESPONSE_STATUS_CODE, (long) status);
            span.setAttribute(Keys.HTTP_STATUS_CODE, (long) status);
        }

        private static void setMillis(Span span, AttributeKey<Double> key, Long nanos) {
            if (nanos != null) span.setAttribute(key, nanos / 1_000_000.0);
        }

        /** The GenAI conventions' message shape: role plus a list of typed parts. */
        private static String inputMessagesJson(List<ChatMessage> messages) {
            var array = JSON.createArrayNode();
            for (ChatMessage m : messages) {
                var message = array.addObject().put("role", m.role());
                message.putArray("parts").addObject().put("type", "text").put("content", m.content());
            }
            return array.toString();
        }

        private static String outputMessagesJson(String answer, String finishReason) {
            var array = JSON.createArrayNode();
            var message = array.addObject().put("role", "assistant");
            message.putArray("parts").addObject().put("type", "text").put("content", answer);
            message.put("finish_reason", finishReason == null ? "stop" : finishReason);
            return array.toString();
        }
    }

    static int port(URI uri) {
        if (uri.getPort() != -1) return uri.getPort();
        return "https".equals(uri.getScheme()) ? 443 : 80;
    }

    static double seconds(long nanos) {
        return nanos / 1e9;
    }

    // =========================================================================================
    // 6. REPL
    // Reads prompts, keeps the conversation, prints answers as they stream. It sees TracedChat
    // as "a thing that answers" and never touches HTTP or OpenTelemetry itself.
    // =========================================================================================

    static final class Repl {
        static final String HELP = """
                Commands:
                  /help               this list
                  /model NAME         switch model (e.g. /model llama3.2:1b)
                  /temperature X      sampling temperature, 0 to 2
                  /reset              forget the conversation and start a new one
                  /trace              the last turn's trace id and its Jaeger link
                  exit, quit          leave (so does Ctrl-D)""";

        private final Settings settings;
        private final TracedChat chat;
        private final BufferedReader in;
        private final PrintStream out;
        private final PrintStream err;
        private final boolean interactive;
        private final List<ChatMessage> history = new ArrayList<>();
        private String model;
        private double temperature;
        private int turns;
        private String lastTraceId;
        /** The turn in progress, for Ctrl-C to cancel; null at the prompt. */
        private volatile Cancellation inProgress;

        Repl(Settings settings, TracedChat chat, InputStream in, PrintStream out, PrintStream err, boolean interactive) {
            this.settings = settings;
            this.chat = chat;
            this.in = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            this.out = out;
            this.err = err;
            this.interactive = interactive;
            this.model = settings.model();
            this.temperature = settings.temperature();
        }

        /** Exit status: 0; for a one-shot --prompt, 1 when it failed and 130 when Ctrl-C cancelled it. */
        int run() {
            if (settings.prompt() != null) {
                TurnResult result = ask(settings.prompt(), "");
                if (result.ok()) return 0;
                return result.error().type == ErrorType.CANCELLED ? 130 : 1;
            }
            printBanner();
            while (true) {
                if (interactive) {
                    out.print("You: ");
                    out.flush();
                }
                String line = readLine();
                if (line == null) break; // end of input
                String input = line.strip();
                if (input.isEmpty()) continue;
                if (!interactive) out.println("You: " + input);
                if (input.equalsIgnoreCase("exit") || input.equalsIgnoreCase("quit")) break;
                if (input.startsWith("/")) {
                    command(input);
                } else {
                    ask(input, "Bot: ");
                }
            }
            if (interactive) out.println("Bye.");
            return 0;
        }

        private void printBanner() {
            err.printf("LLM chatbot with OpenTelemetry %s: model %s at %s%s%n", VERSION, model, settings.ollamaEndpoint(),
                    settings.simulate() ? " (simulated)" : "");
            if (settings.sdkDisabled()) {
                err.println("Telemetry is off (OTEL_SDK_DISABLED=true).");
            } else {
                err.printf("Telemetry: traces %s, metrics %s, logs %s; OTLP endpoint %s; service %s%n",
                        settings.tracesExporter(), settings.metricsExporter(), settings.logsExporter(),
                        settings.otlpEndpoint(), settings.serviceName());
                if (settings.captureContent()) {
                    err.println("Prompts and answers are recorded in spans; set "
                            + "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=false to keep them out.");
                }
            }
            err.println("Type /help for commands, exit to leave.");
        }

        /**
         * Ctrl-C: during an answer it cancels that turn and the REPL goes on; at the prompt it leaves.
         * Returns true when it cancelled a turn.
         */
        boolean interrupt() {
            Cancellation turn = inProgress;
            return turn != null && turn.cancelIfWaiting();
        }

        /** One turn. The history grows only when the model answered: a failed turn is not remembered. */
        private TurnResult ask(String prompt, String answerPrefix) {
            var messages = new ArrayList<>(history);
            messages.add(new ChatMessage("user", prompt));
            var request = new ChatRequest(model, List.copyOf(messages), temperature, settings.maxTokens());
            var printed = new AtomicBoolean();
            var cancellation = new Cancellation();
            inProgress = cancellation;
            TurnResult result;
            try {
                result = chat.turn(++turns, request, token -> {
                    if (printed.compareAndSet(false, true)) out.print(answerPrefix);
                    out.print(token);
                    out.flush();
                }, cancellation);
            } finally {
                inProgress = null;
            }
            lastTraceId = result.traceId();
            if (printed.get()) out.println();
            if (!result.ok()) {
                err.println("error: " + result.error().getMessage());
                return result;
            }
            history.add(new ChatMessage("user", prompt));
            history.add(new ChatMessage("assistant", result.answer()));
            return result;
        }

        private void command(String input) {
            String[] parts = input.split("\\s+", 2);
            String argument = parts.length > 1 ? parts[1].strip() : "";
            switch (parts[0].toLowerCase(Locale.ROOT)) {
                case "/help" -> out.println(HELP);
                case "/model" -> {
                    if (argument.isEmpty()) {
                        out.println("Model: " + model);
                    } else {
                        model = argument;
                        out.println("Model set to " + model + ".");
                    }
                }
                case "/temperature" -> parseTemperature(argument).ifPresentOrElse(t -> {
                    temperature = t;
                    out.println("Temperature set to " + t + ".");
                }, () -> out.println("Temperature must be a number from 0 to 2 (now " + temperature + ")."));
                case "/reset" -> {
                    history.clear();
                    out.println("Started a new conversation.");
                }
                case "/trace" -> out.println(traceLink());
                default -> out.println("Unknown command " + parts[0] + ": type /help for the list.");
            }
        }

        private String traceLink() {
            if (turns == 0) return "No turn yet: ask something first.";
            if (lastTraceId == null) return "No trace for the last turn: telemetry is off or the turn was not sampled.";
            return "Trace " + lastTraceId + "\n  " + settings.jaegerUi() + "/trace/" + lastTraceId;
        }

        static java.util.Optional<Double> parseTemperature(String text) {
            try {
                double t = Double.parseDouble(text.strip());
                return t >= 0 && t <= 2 ? java.util.Optional.of(t) : java.util.Optional.empty();
            } catch (NumberFormatException e) {
                return java.util.Optional.empty();
            }
        }

        private String readLine() {
            try {
                return in.readLine();
            } catch (IOException e) {
                return null;
            }
        }

        /** True when a person types at a terminal; piped input gets no "You: " prompts. */
        static boolean stdinIsTerminal() {
            Console console = System.console();
            if (console == null) return false;
            try {
                // Java 22+ returns a Console even for pipes and says which it is with isTerminal().
                return (boolean) Console.class.getMethod("isTerminal").invoke(console);
            } catch (ReflectiveOperationException olderJava) {
                return true; // before Java 22 a Console exists only for a terminal
            }
        }
    }

    // =========================================================================================
    // 7. LOAD MODE
    // --load N --concurrency C: N independent one-turn requests, C in flight at a time, each fully
    // instrumented like a REPL turn (llm.queue_size shows the C in flight), then one table. It
    // answers "what does my LLM do under load" and, with OTEL_SDK_DISABLED=true as the baseline,
    // "what does the telemetry cost" (bench/overhead.java runs exactly that comparison).
    // =========================================================================================

    /** One request's outcome, as the load table needs it. */
    record Sample(long latencyNanos, long firstTokenNanos, long outputTokens, ErrorType error) {}

    /** What a load run measured. */
    record LoadReport(int requests, int concurrency, long wallNanos, List<Sample> samples, long spansEnded, long spansExported) {
        List<Sample> ok() {
            return samples.stream().filter(s -> s.error() == null).toList();
        }

        double throughput() {
            return requests / seconds(wallNanos);
        }

        Map<String, Long> errorsByType() {
            var counts = new java.util.TreeMap<String, Long>();
            samples.stream().filter(s -> s.error() != null).forEach(s -> counts.merge(s.error().value(), 1L, Long::sum));
            return counts;
        }

        double meanLatencyMillis() {
            return samples.stream().mapToLong(Sample::latencyNanos).average().orElse(0) / 1e6;
        }

        /** The q-quantile (0..1) in milliseconds, nearest rank; NaN with no value. */
        static double percentileMillis(List<Long> nanos, double q) {
            if (nanos.isEmpty()) return Double.NaN;
            var sorted = nanos.stream().sorted().toList();
            int rank = (int) Math.ceil(q * sorted.size());
            return sorted.get(Math.max(0, rank - 1)) / 1e6;
        }

        double latencyMillis(double q) {
            return percentileMillis(ok().stream().map(Sample::latencyNanos).toList(), q);
        }

        double firstTokenMillis(double q) {
            return percentileMillis(ok().stream().map(Sample::firstTokenNanos).filter(n -> n >= 0).toList(), q);
        }

        double outputTokensPerSecond() {
            return ok().stream().mapToLong(Sample::outputTokens).sum() / seconds(wallNanos);
        }

        void print(PrintStream out, String target) {
            out.printf("Load: %d requests, concurrency %d, against %s%n", requests, concurrency, target);
            out.printf("  %-20s %d (%d ok, %d failed)%n", "requests", requests, ok().size(), requests - ok().size());
            out.printf("  %-20s %s%n", "errors by type", errorsByType().isEmpty() ? "none" : errorsByType().toString());
            out.printf("  %-20s %.1f requests/s over %.2f s%n", "throughput", throughput(), seconds(wallNanos));
            out.printf("  %-20s p50 %.1f ms   p95 %.1f ms   p99 %.1f ms%n", "latency", latencyMillis(0.50), latencyMillis(0.95), latencyMillis(0.99));
            out.printf("  %-20s p50 %.1f ms   p95 %.1f ms%n", "time to first token", firstTokenMillis(0.50), firstTokenMillis(0.95));
            out.printf("  %-20s %.0f%n", "output tokens/s", outputTokensPerSecond());
            out.printf("  %-20s %d ended, %d exported, %d dropped by the SDK%n", "spans", spansEnded, spansExported,
                    Math.max(0, spansEnded - spansExported));
        }
    }

    static final class LoadMode {
        /** After the run, how long the table waits for the batch processor to hand over the last spans. */
        static final Duration FLUSH_BEFORE_COUNTING = Duration.ofSeconds(5);

        private final Settings settings;
        private final TracedChat chat;
        private final Telemetry telemetry;

        LoadMode(Settings settings, TracedChat chat, Telemetry telemetry) {
            this.settings = settings;
            this.chat = chat;
            this.telemetry = telemetry;
        }

        int run(PrintStream out) {
            LoadReport report = measure();
            report.print(out, settings.model() + " at " + settings.ollamaEndpoint());
            return report.ok().isEmpty() ? 1 : 0;
        }

        LoadReport measure() {
            Load load = settings.load();
            var pool = java.util.concurrent.Executors.newFixedThreadPool(load.concurrency(), r -> {
                var t = new Thread(r, "load");
                t.setDaemon(true);
                return t;
            });
            try {
                long start = System.nanoTime();
                var futures = new ArrayList<java.util.concurrent.Future<Sample>>();
                for (int i = 0; i < load.requests(); i++) {
                    int turn = i + 1;
                    String prompt = load.prompts().get(i % load.prompts().size());
                    futures.add(pool.submit(() -> one(turn, prompt)));
                }
                var samples = new ArrayList<Sample>();
                for (var future : futures) samples.add(future.get());
                long wall = System.nanoTime() - start;
                telemetry.flush(FLUSH_BEFORE_COUNTING);
                var counts = telemetry.spanCounts();
                return new LoadReport(load.requests(), load.concurrency(), wall, samples, counts.ended(), counts.exported());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("load run interrupted", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("a load request failed unexpectedly", e.getCause());
            } finally {
                pool.shutdownNow();
            }
        }

        private Sample one(int turn, String prompt) {
            var request = new ChatRequest(settings.model(), List.of(new ChatMessage("user", prompt)), settings.temperature(), settings.maxTokens());
            long start = System.nanoTime();
            var firstToken = new java.util.concurrent.atomic.AtomicLong(-1);
            TurnResult result = chat.turn(turn, request, token -> firstToken.compareAndSet(-1, System.nanoTime() - start));
            long latency = System.nanoTime() - start;
            long outputTokens = result.usage() != null ? result.usage().outputTokens() : 0;
            return new Sample(latency, firstToken.get(), outputTokens, result.ok() ? null : result.error().type);
        }
    }

    /**
     * Ctrl-C (SIGINT). Java's default ends the JVM, running shutdown hooks (our telemetry flush).
     * We want more: during an answer, Ctrl-C cancels just that turn (error.type=cancelled) and the
     * REPL goes on; at the prompt it leaves, still through the hooks. sun.misc.Signal is the JDK's
     * only way to catch a signal; it lives in the jdk.unsupported module, present in every JDK.
     */
    static final class CtrlC {
        static void install(Repl repl) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal("INT"), signal -> {
                    if (!repl.interrupt()) System.exit(130); // 128 + SIGINT, as shells report it
                });
            } catch (IllegalArgumentException | UnsupportedOperationException notSupported) {
                // No SIGINT here (e.g. some Windows consoles): Ctrl-C keeps its default, which still flushes.
            }
        }
    }
}
