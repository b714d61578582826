// The standard OTEL_* environment, row by row from a table of the specification's variables: each row
// sets variables, runs the real chatbot (one turn, then exit, which flushes every signal), and checks
// the effect on the wire (what the collector stand-ins received, decoded with the official protobuf
// classes) or, where the wire cannot show it, on the SDK the chatbot built.

import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Metric;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OtelEnvConformanceTest {
    private static TlsFiles tls;
    private static Path tlsDir;

    @BeforeAll
    static void makeCertificates() throws Exception {
        tlsDir = Files.createTempDirectory("otel-tls");
        tls = TlsFiles.create(tlsDir);
    }

    @AfterAll
    static void removeCertificates() throws Exception {
        try (var files = Files.list(tlsDir)) {
            for (Path file : files.toList()) Files.delete(file);
        }
        Files.delete(tlsDir);
    }

    /** One chatbot run: two collector stand-ins (A and B), a TLS one, mutual-TLS one, and the simulator. */
    static final class Run implements AutoCloseable {
        final OtlpReceiver a = OtlpReceiver.start(0), b = OtlpReceiver.start(0);
        final OtlpReceiver tlsReceiver = OtlpReceiver.startTls(tls.serverContext(), false);
        final OtlpReceiver mtlsReceiver = OtlpReceiver.startTls(tls.serverContext(), true);
        final ollama_sim.Server sim;
        int status;
        String err;

        Run() throws Exception {
            sim = ollama_sim.Server.start(ollama_sim.Options.instant());
        }

        /** {A}, {B}, {TLS}, {MTLS}, {SERVER_CRT}, {CLIENT_KEY}, {CLIENT_CRT} in values become the real addresses and files. */
        Map<String, String> env(Map<String, String> row) {
            var env = new HashMap<String, String>(Map.of("OLLAMA_ENDPOINT", sim.baseUrl(), "OTEL_EXPORTER_OTLP_ENDPOINT", a.endpoint()));
            row.forEach((name, value) -> env.put(name, value.replace("{A}", a.endpoint()).replace("{B}", b.endpoint())
                    .replace("{TLS}", tlsReceiver.endpoint()).replace("{MTLS}", mtlsReceiver.endpoint())
                    .replace("{SERVER_CRT}", tls.serverCertificate().toString()).replace("{CLIENT_KEY}", tls.clientKey().toString())
                    .replace("{CLIENT_CRT}", tls.clientCertificate().toString())));
            return env;
        }

        void chat(Map<String, String> row) {
            var errBytes = new ByteArrayOutputStream();
            status = chatbot_otel.run(new String[0], env(row), new ByteArrayInputStream("hello there\nexit\n".getBytes(StandardCharsets.UTF_8)),
                    new PrintStream(new ByteArrayOutputStream(), true), new PrintStream(errBytes, true, StandardCharsets.UTF_8));
            err = errBytes.toString(StandardCharsets.UTF_8);
        }

        /** The SDK the chatbot builds from these settings, as its toString describes it (exporters, processors, limits). */
        String sdk(Map<String, String> row) {
            var settings = Settings.parse(new String[0], env(row));
            try (var telemetry = chatbot_otel.Telemetry.setup(settings, new PrintStream(new ByteArrayOutputStream()))) {
                return telemetry.openTelemetry().toString();
            }
        }

        @Override
        public void close() {
            Stream.of(a, b, tlsReceiver, mtlsReceiver).forEach(OtlpReceiver::close);
            sim.close();
        }
    }

    static Set<String> paths(OtlpReceiver receiver) {
        return receiver.received().stream().map(OtlpReceiver.Received::path).collect(Collectors.toCollection(TreeSet::new));
    }

    static List<OtlpReceiver.Received> requests(OtlpReceiver receiver, String signal) {
        return receiver.received().stream().filter(r -> r.path().endsWith("/" + signal)).toList();
    }

    static Metric metric(OtlpReceiver receiver, String name) {
        return receiver.lastMetrics().stream().filter(m -> m.getName().equals(name)).findFirst().orElseThrow();
    }

    static String spanAttribute(OtlpReceiver receiver, String span, String key) {
        return receiver.spans().stream().filter(s -> s.span().getName().equals(span)).findFirst().orElseThrow().attribute(key);
    }

    static LogRecord logRecord(OtlpReceiver receiver) {
        return receiver.logRecords().get(0);
    }

    /** A row: the variables it sets, whether it chats (wire) or only builds the SDK, and what it checks. */
    record Row(String name, Map<String, String> env, Consumer<Run> chatCheck, Consumer<String> sdkCheck) {
        static Row wire(String name, Map<String, String> env, Consumer<Run> check) {
            return new Row(name, env, check, null);
        }

        static Row sdk(String name, Map<String, String> env, Consumer<String> check) {
            return new Row(name, env, null, check);
        }
    }

    static final List<Row> TABLE = List.of(
            // Where each signal goes: a signal-specific endpoint is taken as it is and gets only its signal.
            Row.wire("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "{B}",
                    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "{A}/custom/traces"), run -> {
                assertEquals(Set.of("/custom/traces"), paths(run.a));
                assertEquals(Set.of("/v1/metrics", "/v1/logs"), paths(run.b));
            }),
            Row.wire("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "{B}",
                    "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "{A}/v1/metrics"), run -> {
                assertEquals(Set.of("/v1/metrics"), paths(run.a));
                assertEquals(Set.of("/v1/traces", "/v1/logs"), paths(run.b));
            }),
            Row.wire("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "{B}",
                    "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "{A}/otlp/v1/logs"), run -> {
                assertEquals(Set.of("/otlp/v1/logs"), paths(run.a));
                assertEquals(Set.of("/v1/traces", "/v1/metrics"), paths(run.b));
            }),
            // The general endpoint is a base: /v1/<signal> goes after its path.
            Row.wire("OTEL_EXPORTER_OTLP_ENDPOINT", Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "{A}/base/"), run ->
                    assertEquals(Set.of("/base/v1/traces", "/base/v1/metrics", "/base/v1/logs"), paths(run.a))),
            Row.wire("OTEL_EXPORTER_OTLP_HEADERS", Map.of("OTEL_EXPORTER_OTLP_HEADERS", "x-team=all,x-key=a%20b",
                    "OTEL_EXPORTER_OTLP_METRICS_HEADERS", "x-team=metrics"), run -> {
                assertEquals("all", requests(run.a, "traces").get(0).headers().get("x-team"));
                assertEquals("a b", requests(run.a, "logs").get(0).headers().get("x-key"));
                assertEquals("metrics", requests(run.a, "metrics").get(0).headers().get("x-team"), "the signal's own headers win");
                assertFalse(requests(run.a, "metrics").get(0).headers().containsKey("x-key"), "and replace the general ones");
            }),
            Row.wire("OTEL_EXPORTER_OTLP_COMPRESSION", Map.of("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"), run ->
                    assertTrue(run.a.received().stream().allMatch(r -> "gzip".equals(r.headers().get("content-encoding"))))),
            Row.wire("OTEL_EXPORTER_OTLP_LOGS_COMPRESSION", Map.of("OTEL_EXPORTER_OTLP_LOGS_COMPRESSION", "gzip"), run -> {
                assertTrue(requests(run.a, "logs").stream().allMatch(r -> "gzip".equals(r.headers().get("content-encoding"))));
                assertTrue(requests(run.a, "traces").stream().noneMatch(r -> r.headers().containsKey("content-encoding")));
            }),
            Row.sdk("OTEL_EXPORTER_OTLP_PROTOCOL", Map.of("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc",
                    "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf"), sdk -> {
                assertTrue(sdk.contains("OtlpHttpSpanExporter"), sdk);
                assertTrue(sdk.contains("OtlpGrpcMetricExporter") && sdk.contains("OtlpGrpcLogRecordExporter"), sdk);
            }),
            Row.sdk("OTEL_EXPORTER_OTLP_TIMEOUT", Map.of("OTEL_EXPORTER_OTLP_TIMEOUT", "1234",
                    "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "4321"), sdk -> {
                assertTrue(sdk.contains("timeoutNanos=4321000000"), "the traces exporter's own timeout: " + sdk);
                assertTrue(sdk.contains("timeoutNanos=1234000000"), "the general timeout for the others: " + sdk);
            }),
            Row.sdk("OTEL_METRIC_EXPORT_TIMEOUT", Map.of("OTEL_METRIC_EXPORT_TIMEOUT", "700"), sdk ->
                    assertTrue(sdk.contains("timeoutNanos=700000000"), "it bounds the metrics export: " + sdk)),
            // TLS: a server the chatbot trusts only through the PEM file, and one that also wants a client certificate.
            Row.wire("OTEL_EXPORTER_OTLP_CERTIFICATE", Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "{TLS}",
                    "OTEL_EXPORTER_OTLP_CERTIFICATE", "{SERVER_CRT}"), run ->
                    assertEquals(Set.of("/v1/traces", "/v1/metrics", "/v1/logs"), paths(run.tlsReceiver))),
            Row.wire("(no certificate: the self-signed server is not trusted)", Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "{TLS}"), run -> {
                assertTrue(run.tlsReceiver.received().isEmpty());
                assertTrue(run.err.contains("export (OTLP/HTTP to https://127.0.0.1:"), run.err);
            }),
            Row.wire("OTEL_EXPORTER_OTLP_CLIENT_KEY", Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "{MTLS}",
                    "OTEL_EXPORTER_OTLP_CERTIFICATE", "{SERVER_CRT}", "OTEL_EXPORTER_OTLP_CLIENT_KEY", "{CLIENT_KEY}",
                    "OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", "{CLIENT_CRT}"), run ->
                    assertEquals(Set.of("/v1/traces", "/v1/metrics", "/v1/logs"), paths(run.mtlsReceiver))),
            Row.wire("(no client certificate: mutual TLS refuses)", Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "{MTLS}",
                    "OTEL_EXPORTER_OTLP_CERTIFICATE", "{SERVER_CRT}"), run -> assertTrue(run.mtlsReceiver.received().isEmpty())),
            // Metrics: temporality and exemplars, as they arrive.
            Row.wire("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", Map.of("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "delta"),
                    run -> {
                        assertEquals(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA, metric(run.a, "llm.requests").getSum().getAggregationTemporality());
                        assertEquals(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA,
                                metric(run.a, "llm.request.duration").getHistogram().getAggregationTemporality());
                    }),
            Row.wire("(temporality by default)", Map.of(), run -> assertEquals(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE,
                    metric(run.a, "llm.requests").getSum().getAggregationTemporality())),
            Row.wire("OTEL_METRICS_EXEMPLAR_FILTER", Map.of("OTEL_METRICS_EXEMPLAR_FILTER", "always_off"), run ->
                    assertEquals(0, metric(run.a, "llm.request.duration").getHistogram().getDataPoints(0).getExemplarsCount())),
            Row.wire("(exemplars by default: trace_based)", Map.of(), run -> {
                var exemplar = metric(run.a, "llm.request.duration").getHistogram().getDataPoints(0).getExemplars(0);
                var traceIds = run.a.spans().stream().map(s -> s.span().getTraceId()).collect(Collectors.toSet());
                assertTrue(traceIds.contains(exemplar.getTraceId()), "the exemplar points at the turn's trace");
            }),
            // The batch processors.
            Row.sdk("OTEL_BSP_SCHEDULE_DELAY", Map.of("OTEL_BSP_SCHEDULE_DELAY", "250", "OTEL_BSP_EXPORT_TIMEOUT", "3000",
                    "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "10"), sdk -> {
                String bsp = sdk.substring(sdk.indexOf("BatchSpanProcessor"));
                assertTrue(bsp.contains("scheduleDelayNanos=250000000") && bsp.contains("exporterTimeoutNanos=3000000000")
                        && bsp.contains("maxExportBatchSize=10"), bsp);
            }),
            Row.sdk("OTEL_BLRP_SCHEDULE_DELAY", Map.of("OTEL_BLRP_SCHEDULE_DELAY", "150", "OTEL_BLRP_EXPORT_TIMEOUT", "2000",
                    "OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", "8"), sdk -> {
                String blrp = sdk.substring(sdk.indexOf("BatchLogRecordProcessor"));
                assertTrue(blrp.contains("scheduleDelayNanos=150000000") && blrp.contains("exporterTimeoutNanos=2000000000")
                        && blrp.contains("maxExportBatchSize=8"), blrp);
            }),
            // Limits, specific over general.
            Row.wire("OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", Map.of("OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", "4"), run -> {
                assertEquals("hell", spanAttribute(run.a, "generate_response", "llm.prompt"));
                assertEquals("llama3.1:8b", OtlpReceiver.stringValue(logRecord(run.a).getAttributesList(), "gen_ai.request.model"));
            }),
            Row.wire("OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT", Map.of("OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT", "4"), run -> {
                assertEquals("llam", OtlpReceiver.stringValue(logRecord(run.a).getAttributesList(), "gen_ai.request.model"));
                assertEquals("hello there", spanAttribute(run.a, "generate_response", "llm.prompt"));
            }),
            Row.wire("OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", Map.of("OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "4"), run -> {
                assertEquals("llam", OtlpReceiver.stringValue(logRecord(run.a).getAttributesList(), "gen_ai.request.model"));
                assertEquals("hell", spanAttribute(run.a, "generate_response", "llm.prompt"));
            }),
            Row.wire("OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", Map.of("OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "3"), run -> {
                assertTrue(run.a.spans().stream().allMatch(s -> s.span().getAttributesCount() <= 3));
                assertTrue(logRecord(run.a).getAttributesCount() > 3, "log records keep theirs");
            }),
            Row.wire("OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT", Map.of("OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT", "2"), run ->
                    assertEquals(2, logRecord(run.a).getAttributesCount())),
            Row.wire("OTEL_ATTRIBUTE_COUNT_LIMIT", Map.of("OTEL_ATTRIBUTE_COUNT_LIMIT", "2"), run -> {
                assertEquals(2, logRecord(run.a).getAttributesCount());
                assertTrue(run.a.spans().stream().allMatch(s -> s.span().getAttributesCount() <= 2));
            }),
            Row.sdk("OTEL_SPAN_EVENT_COUNT_LIMIT", Map.of("OTEL_SPAN_EVENT_COUNT_LIMIT", "7", "OTEL_SPAN_LINK_COUNT_LIMIT", "6",
                    "OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT", "5", "OTEL_LINK_ATTRIBUTE_COUNT_LIMIT", "4"), sdk -> {
                String limits = sdk.substring(sdk.indexOf("SpanLimits"));
                assertTrue(limits.contains("maxNumberOfEvents=7") && limits.contains("maxNumberOfLinks=6")
                        && limits.contains("maxNumberOfAttributesPerEvent=5") && limits.contains("maxNumberOfAttributesPerLink=4"), limits);
            }),
            // Propagation to Ollama.
            Row.wire("OTEL_PROPAGATORS", Map.of("OTEL_PROPAGATORS", "none"), run -> assertEquals(null, run.sim.served().get(0).traceparent())),
            Row.wire("(propagators by default: tracecontext, baggage)", Map.of(), run -> {
                String traceparent = run.sim.served().get(0).traceparent();
                assertTrue(traceparent != null && traceparent.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}"), String.valueOf(traceparent));
            }),
            Row.wire("(OTEL_PROPAGATORS=b3: not in this kit, said so)", Map.of("OTEL_PROPAGATORS", "tracecontext,b3"), run -> {
                assertTrue(run.sim.served().get(0).traceparent() != null);
                assertEquals(1, run.err.lines().filter(l -> l.startsWith("chatbot: warning: OTEL_PROPAGATORS: b3 needs")).count(), run.err);
            }),
            // Nothing silently ignored.
            Row.wire("(an OTEL_* variable this chatbot does not read)", Map.of("OTEL_EXPORTER_ZIPKIN_ENDPOINT", "http://zipkin:9411",
                    "OTEL_LOG_LEVEL", "debug"), run -> {
                assertEquals(2, run.err.lines().filter(l -> l.startsWith("chatbot: warning: OTEL_")).count(), run.err);
                assertTrue(run.err.contains("OTEL_EXPORTER_ZIPKIN_ENDPOINT: Zipkin's exporter is not here: send OTLP"), run.err);
                assertTrue(run.err.contains("OTEL_LOG_LEVEL: use LOG_LEVEL=DEBUG"), run.err);
                assertFalse(run.err.contains("zipkin:9411"), "values are not shown: they may be secrets");
            }));

    /** The queue sizes do not show in the SDK's description: a full queue shows on the wire, as what never arrives. */
    @Test
    void aSmallQueueDropsWhatDoesNotFit() throws Exception {
        try (var run = new Run()) {
            var env = run.env(Map.of("OTEL_BSP_MAX_QUEUE_SIZE", "2", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "2",
                    "OTEL_BLRP_MAX_QUEUE_SIZE", "2", "OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", "2"));
            int status = chatbot_otel.run(new String[] {"--load", "40", "--concurrency", "8"}, env, new ByteArrayInputStream(new byte[0]),
                    new PrintStream(new ByteArrayOutputStream(), true), new PrintStream(new ByteArrayOutputStream(), true));
            assertEquals(0, status);
            assertTrue(run.a.spans().size() < 200, "40 turns make 200 spans; a queue of 2 cannot hold them: " + run.a.spans().size());
            assertTrue(run.a.logRecords().size() < 40, "nor 40 log records: " + run.a.logRecords().size());
        }
    }

    @TestFactory
    Stream<DynamicTest> everyRowOfTheTable() {
        return TABLE.stream().map(row -> DynamicTest.dynamicTest(row.name(), () -> {
            try (var run = new Run()) {
                if (row.sdkCheck() != null) {
                    row.sdkCheck().accept(run.sdk(row.env()));
                } else {
                    run.chat(row.env());
                    assertEquals(0, run.status, run.err);
                    row.chatCheck().accept(run);
                }
            }
        }));
    }

    /** The table covers every OTLP option, the BSP and BLRP ones and the limits: a variable added to the settings needs a row. */
    @Test
    void theTableCoversTheSpecificationsVariables() {
        var covered = TABLE.stream().flatMap(r -> r.env().keySet().stream()).collect(Collectors.toSet());
        var missing = new TreeSet<String>();
        for (String option : OtelSettings.OTLP_OPTIONS) {
            if (covered.stream().noneMatch(n -> n.startsWith("OTEL_EXPORTER_OTLP_") && n.endsWith("_" + option))) {
                missing.add("OTEL_EXPORTER_OTLP_*" + option);
            }
        }
        for (String name : OtelSettings.HONOURED) {
            if ((name.startsWith("OTEL_BSP") || name.startsWith("OTEL_BLRP") || name.endsWith("_LIMIT")) && !covered.contains(name)
                    && !name.endsWith("_MAX_QUEUE_SIZE")) { // aSmallQueueDropsWhatDoesNotFit
                missing.add(name);
            }
        }
        assertTrue(missing.isEmpty(), "no row for " + missing);
    }

    @Test
    void helpShowsWhereEachSignalGoesWithSecretsHidden() {
        var out = new ByteArrayOutputStream();
        int status = chatbot_otel.run(new String[] {"--help"}, Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://ada:s3cret-pw@collector:4318",
                "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "grpc", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://collector:4317",
                "OTEL_EXPORTER_OTLP_LOGS_COMPRESSION", "gzip", "OTEL_EXPORTER_OTLP_HEADERS", "x-key=s3cret-key"),
                new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));
        assertEquals(0, status);
        String help = out.toString(StandardCharsets.UTF_8);
        assertTrue(help.contains("  traces   OTLP/HTTP to http://REDACTED:REDACTED@collector:4318/v1/traces\n"), help);
        assertTrue(help.contains("  metrics  OTLP/gRPC to http://collector:4317\n"), help);
        assertTrue(help.contains("  logs     OTLP/HTTP to http://REDACTED:REDACTED@collector:4318/v1/logs (gzip)\n"), help);
        assertFalse(help.contains("s3cret"), help);
    }

    @Test
    void telemetryMdListsEveryVariableTheChatbotHonours() {
        String settings = Stack.text("TELEMETRY.md");
        settings = settings.substring(settings.indexOf("## Settings"));
        var missing = new TreeSet<String>();
        for (String name : OtelSettings.HONOURED) if (!settings.contains("`" + name + "`")) missing.add(name);
        assertTrue(missing.isEmpty(), "TELEMETRY.md's settings table lacks " + missing);
    }

    @Test
    void aBatchLargerThanItsQueueIsOneLineAndExitTwo() throws Exception {
        try (var run = new Run()) {
            run.chat(Map.of("OTEL_BLRP_MAX_QUEUE_SIZE", "10", "OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", "20"));
            assertEquals(2, run.status);
            assertEquals("chatbot: OTEL_BLRP_MAX_EXPORT_BATCH_SIZE=20 is not valid: at most OTEL_BLRP_MAX_QUEUE_SIZE (10)", run.err.strip());
        }
    }

    @Test
    void aCertificateFileThatIsNotThereIsOneLineAndExitTwo() throws Exception {
        try (var run = new Run()) {
            run.chat(Map.of("OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE", "/no/such/ca.pem"));
            assertEquals(2, run.status);
            assertTrue(run.err.startsWith("chatbot: OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE=/no/such/ca.pem is not valid: cannot read the file"), run.err);
            assertEquals(1, run.err.lines().count(), run.err);
        }
    }
}
