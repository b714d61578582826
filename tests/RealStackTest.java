// The stack a workshop starts, run for real: the OpenTelemetry Collector built from
// stack/otelcol-builder.yaml with otel-collector-config.yaml, Jaeger v2, Prometheus with
// observability/prometheus/prometheus.yml and its rules, and an OTLP receiver standing in for Loki
// at Loki's /otlp path (Loki's own modules are not used by this project). The chatbot runs in its
// own JVM with --simulate and the default OTLP/HTTP path, as a user runs it.
//
// The shipped files are used as they are, with one change: host names and ports move to
// 127.0.0.1 and free ports (each replaced string must occur exactly once, so a renamed endpoint
// fails here). The binaries come from stack/build.sh (cached by version). Outside CI the test is
// skipped when Go or Prometheus is missing; in CI (CI=true) it must run.

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

@Tag("stack")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealStackTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String MODEL = "llama3.1:8b";
    private static final String MISSING_MODEL = "no-such-model:1b";
    private static final List<String> SPAN_NAMES = List.of("chat_interaction", "generate_response", "ollama_request",
            "process_streaming_response", "log_interaction");

    private final List<Server> servers = new ArrayList<>();
    private Path workDir;
    private Path collectorBinary;
    private OtlpReceiver loki;
    private String jaegerUrl;
    private String prometheusUrl;
    private PrometheusApi prometheus;
    private Harness.Finished chatbot;
    private final List<String> traceLinks = new ArrayList<>();

    /** A server process with its log file; stopped in @AfterAll whatever happened. */
    record Server(String name, Process process, Path log) {
        String logText() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                return "(no log: " + e.getMessage() + ")";
            }
        }
    }

    @BeforeAll
    void startTheStackAndChat() throws Exception {
        Map<String, Path> binaries = Stack.builtServers("collector", "jaeger");
        var prometheusBinary = PrometheusIntegrationTest.prometheusBinary();
        if (prometheusBinary.isEmpty()) {
            if (Stack.inCi()) fail("CI must install Prometheus (apt-get install prometheus): .ci/run does");
            Assumptions.abort("no `prometheus` on PATH: install it (apt-get install prometheus) to run this test");
        }
        workDir = Files.createTempDirectory("real-stack");
        collectorBinary = binaries.get("collector");

        int jaegerOtlp = Harness.closedPort();
        int jaegerQuery = Harness.closedPort();
        jaegerUrl = "http://127.0.0.1:" + jaegerQuery;
        servers.add(start("jaeger", binaries.get("jaeger").toString(), "--config=file:" + writeJaegerConfig(jaegerOtlp, jaegerQuery)));
        waitFor("Jaeger's query API", () -> get(jaegerUrl + "/api/services").statusCode() == 200);

        loki = OtlpReceiver.start(0, "/otlp");

        var ports = new CollectorPorts(Harness.closedPort(), Harness.closedPort(), Harness.closedPort(), Harness.closedPort());
        Path collectorConfig = workDir.resolve("otel-collector-config.yaml");
        Files.writeString(collectorConfig, onLoopback(Stack.text("otel-collector-config.yaml"), Map.of(
                "0.0.0.0:13133", "127.0.0.1:" + ports.health(),
                "0.0.0.0:4317", "127.0.0.1:" + ports.otlpGrpc(),
                "0.0.0.0:4318", "127.0.0.1:" + ports.otlpHttp(),
                "jaeger:4317", "127.0.0.1:" + jaegerOtlp,
                "0.0.0.0:8889", "127.0.0.1:" + ports.prometheus(),
                "http://loki:3100/otlp", loki.endpoint() + "/otlp")));
        // The Collector's own metrics would claim port 8888: turned off, it is not part of the file under test.
        servers.add(start("collector", collectorBinary.toString(), "--config=" + collectorConfig,
                "--set=service.telemetry.metrics.level=none"));
        waitFor("the Collector's health_check", () -> get("http://127.0.0.1:" + ports.health() + "/").statusCode() == 200);

        int prometheusPort = Harness.closedPort();
        prometheusUrl = "http://127.0.0.1:" + prometheusPort;
        prometheus = new PrometheusApi(prometheusUrl);
        Path prometheusConfig = workDir.resolve("prometheus.yml");
        Files.writeString(prometheusConfig, onLoopback(Stack.text("observability/prometheus/prometheus.yml"), Map.of(
                "otel-collector:8889", "127.0.0.1:" + ports.prometheus(),
                "/etc/prometheus/alerts.yml", Harness.ROOT.resolve("observability/prometheus/alerts.yml").toString())));
        servers.add(start("prometheus", prometheusBinary.get().toString(), "--config.file=" + prometheusConfig,
                "--storage.tsdb.path=" + workDir.resolve("prometheus-data"), "--web.listen-address=127.0.0.1:" + prometheusPort));
        waitFor("Prometheus ready", () -> get(prometheusUrl + "/-/ready").statusCode() == 200);

        chat(ports.otlpHttp(), jaegerUrl);
    }

    record CollectorPorts(int health, int otlpGrpc, int otlpHttp, int prometheus) {}

    /**
     * Two rounds with a scrape between them, so that rate() sees counters that moved, and one
     * failing turn (a model Ollama does not have). Then `exit`: what the chatbot flushes on the way
     * out must still reach Jaeger through the Collector.
     */
    private void chat(int otlpHttpPort, String jaegerUi) throws Exception {
        var env = new HashMap<String, String>(Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + otlpHttpPort,
                "OTEL_METRIC_EXPORT_INTERVAL", "1000",
                "JAEGER_UI", jaegerUi));
        var process = Harness.launch(env, "--simulate");
        try {
            OutputStream stdin = process.getOutputStream();
            type(stdin, "What is OpenTelemetry?", "And a span?", "And a metric?",
                    "/model " + MISSING_MODEL, "This turn fails", "/trace", "/model " + MODEL);
            waitFor("round one in Prometheus", () -> scalar("sum(llm_requests_total)") == 4);
            type(stdin, "What is a trace id?", "/trace", "What is a Collector?", "/trace", "exit");
        } finally {
            chatbot = Harness.finish(process, 60);
        }
        var link = Pattern.compile("^\\s+(http\\S+/trace/\\S+)$", Pattern.MULTILINE).matcher(chatbot.out());
        while (link.find()) traceLinks.add(link.group(1));
    }

    private static void type(OutputStream stdin, String... lines) throws IOException {
        for (String line : lines) stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }

    @AfterAll
    void stopEverything() throws Exception {
        for (int i = servers.size() - 1; i >= 0; i--) { // the reverse of the start order
            var server = servers.get(i);
            server.process().destroy();
            if (!server.process().waitFor(10, TimeUnit.SECONDS)) server.process().destroyForcibly();
        }
        if (loki != null) loki.close();
        if (workDir != null) {
            Harness.deleteTree(workDir);
        }
    }

    @Test
    void theShippedCollectorConfigIsValidForTheRealCollector() throws Exception {
        var validate = new ProcessBuilder(collectorBinary.toString(), "validate",
                "--config=" + Harness.ROOT.resolve("otel-collector-config.yaml")).redirectErrorStream(true).start();
        assertTrue(validate.waitFor(60, TimeUnit.SECONDS), "validate did not finish");
        String output = new String(validate.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, validate.exitValue(), output);
    }

    @Test
    void theBuiltCollectorHasExactlyTheComponentsTheConfigUsesAtThePinnedVersion() throws Exception {
        var process = new ProcessBuilder(collectorBinary.toString(), "components").redirectErrorStream(true).start();
        var components = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                .readTree(process.getInputStream());
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        String pinned = Stack.dotEnv().get("OTEL_COLLECTOR_IMAGE").replaceAll(".*:", "");
        assertEquals(pinned, components.get("buildinfo").get("version").asText());
        var config = Stack.collector();
        for (String kind : List.of("receivers", "processors", "exporters", "extensions")) {
            var built = new TreeSet<String>();
            components.get(kind).forEach(c -> {
                built.add(c.get("name").asText());
                assertTrue(c.get("module").asText().endsWith(" v" + pinned), c.toString());
            });
            var used = new TreeSet<String>();
            config.get(kind).fieldNames().forEachRemaining(id -> used.add(id.replaceAll("/.*", "")));
            assertEquals(used, built, kind + ": stack/otelcol-builder.yaml must list exactly what the config uses");
        }
    }

    @Test
    void theChatbotExitedCleanlyAfterSixTurns() {
        assertEquals(0, chatbot.status(), chatbot.err());
        assertEquals(6, turnLogLines().size(), chatbot.err());
    }

    @Test
    void jaegerHasEveryTurnWithItsSpanTreeAndKeyAttributes() throws Exception {
        for (JsonNode line : turnLogLines()) {
            String traceId = line.get("trace_id").asText();
            boolean failed = line.get("level").asText().equals("ERROR");
            var spans = waitForTrace(traceId, failed ? 4 : 5);
            var byName = spans.stream().collect(Collectors.toMap(s -> s.get("operationName").asText(), s -> s, (a, b) -> a, LinkedHashMap::new));
            if (!failed) assertEquals(new TreeSet<>(SPAN_NAMES), new TreeSet<>(byName.keySet()), traceId);
            assertEquals(null, parentOf(byName.get("chat_interaction")), "chat_interaction is the root");
            assertEquals(spanId(byName.get("chat_interaction")), parentOf(byName.get("generate_response")));
            assertEquals(spanId(byName.get("chat_interaction")), parentOf(byName.get("log_interaction")));
            assertEquals(spanId(byName.get("generate_response")), parentOf(byName.get("ollama_request")));
            if (!failed) assertEquals(spanId(byName.get("generate_response")), parentOf(byName.get("process_streaming_response")));

            var generate = tags(byName.get("generate_response"));
            assertEquals(failed ? MISSING_MODEL : MODEL, generate.get("gen_ai.request.model"));
            assertEquals("client", tags(byName.get("ollama_request")).get("span.kind"));
            if (failed) {
                assertEquals("model_not_found", tags(byName.get("ollama_request")).get("error.type"));
                assertEquals("true", tags(byName.get("chat_interaction")).get("error"));
            } else {
                assertTrue(Long.parseLong(generate.get("gen_ai.usage.output_tokens")) > 0, generate.toString());
                assertEquals("200", tags(byName.get("ollama_request")).get("http.response.status_code"));
            }
        }
    }

    @Test
    void theTraceLinkTheReplPrintsIsJaegersRouteForThatTrace() throws Exception {
        var ids = turnLogLines().stream().map(l -> l.get("trace_id").asText()).toList();
        // /trace after turns 4 (the failed one), 5 and 6.
        assertEquals(List.of(jaegerUrl + "/trace/" + ids.get(3), jaegerUrl + "/trace/" + ids.get(4),
                jaegerUrl + "/trace/" + ids.get(5)), traceLinks, chatbot.out());
        for (String link : traceLinks) {
            assertEquals(200, get(link).statusCode(), link + " is not a route Jaeger serves");
            String id = link.substring(link.lastIndexOf('/') + 1);
            assertEquals(id, traceOf(id).get("traceID").asText(), "the API behind the UI route finds the trace");
        }
    }

    @Test
    void everyReadmeQueryReturnsDataFromTheCollectorsScrapeEndpoint() throws Exception {
        waitFor("round two scraped", () -> scalar("sum(llm_requests_total)") == 6);
        assertAllReturnData(Stack.readmeQueries());
    }

    @Test
    void everyDashboardQueryReturnsData() throws Exception {
        waitFor("round two scraped", () -> scalar("sum(llm_requests_total)") == 6);
        assertAllReturnData(Stack.dashboardQueries());
    }

    @Test
    void theFailedTurnIsCountedInLlmErrorsTotal() throws Exception {
        waitFor("the failure scraped", () -> scalar("sum(llm_errors_total)") == 1);
        assertEquals(1, scalar("sum(llm_errors_total{error_type=\"model_not_found\", model=\"" + MISSING_MODEL + "\"})"));
        assertEquals(5, scalar("sum(llm_requests_total{status=\"success\"})"));
    }

    @Test
    void prometheusScrapesTheCollectorNotTheChatbot() throws Exception {
        var jobs = query("count by (job) (llm_requests_total)").stream().map(r -> r.get("metric").path("job").asText()).toList();
        // honor_labels keeps the job the Collector derived from service.name.
        assertEquals(List.of("llm-chatbot-otel"), jobs);
        assertEquals(1, scalar("sum(up{job=\"otel-collector\"})"));
    }

    @Test
    void theLogsPipelineDeliversOneRecordPerTurnWithItsTraceId() throws Exception {
        var expected = turnLogLines().stream().map(l -> l.get("trace_id").asText()).collect(Collectors.toCollection(TreeSet::new));
        waitFor("every log record at the Loki stand-in", () -> lokiTraceIds().size() >= expected.size());
        assertEquals(expected, new TreeSet<>(lokiTraceIds()));
        assertEquals(expected.size(), lokiTraceIds().size(), "one record per turn");
    }

    private List<String> lokiTraceIds() {
        return loki.logRecords().stream().map(r -> java.util.HexFormat.of().formatHex(r.getTraceId().toByteArray())).toList();
    }

    // ---- the chatbot's own output ----------------------------------------------------------------

    /** The JSON log line of every turn, in order, from the chatbot's stderr. */
    private List<JsonNode> turnLogLines() {
        var lines = new ArrayList<JsonNode>();
        for (String line : chatbot.err().lines().toList()) {
            if (!line.startsWith("{")) continue;
            try {
                var node = JSON.readTree(line);
                if (node.has("trace_id") && node.path("message").asText().startsWith("LLM request")) lines.add(node);
            } catch (IOException notJson) {
                // a warning line, not a log record
            }
        }
        return lines;
    }

    // ---- Jaeger ----------------------------------------------------------------------------------

    private String writeJaegerConfig(int otlpGrpcPort, int queryPort) throws IOException {
        // Jaeger v2's all-in-one shape (cmd/jaeger/internal/all-in-one.yaml): OTLP in, memory storage,
        // the query API; on loopback ports, without the receivers and extensions the test does not use.
        Path config = workDir.resolve("jaeger.yaml");
        Files.writeString(config, """
                service:
                  extensions: [jaeger_storage, jaeger_query]
                  pipelines:
                    traces:
                      receivers: [otlp]
                      processors: [batch]
                      exporters: [jaeger_storage_exporter]
                  telemetry:
                    metrics:
                      level: none
                extensions:
                  jaeger_storage:
                    backends:
                      memstore:
                        memory:
                          max_traces: 10000
                  jaeger_query:
                    storage:
                      traces: memstore
                    http:
                      endpoint: 127.0.0.1:%d
                    grpc:
                      endpoint: 127.0.0.1:%d
                receivers:
                  otlp:
                    protocols:
                      grpc:
                        endpoint: 127.0.0.1:%d
                processors:
                  batch:
                exporters:
                  jaeger_storage_exporter:
                    trace_storage: memstore
                """.formatted(queryPort, Harness.closedPort(), otlpGrpcPort));
        return config.toString();
    }

    private JsonNode traceOf(String traceId) throws Exception {
        var response = get(jaegerUrl + "/api/traces/" + traceId);
        if (response.statusCode() != 200) return null;
        var data = JSON.readTree(response.body()).path("data");
        return data.isArray() && !data.isEmpty() ? data.get(0) : null;
    }

    /** The trace's spans once it holds `count` of them (spans of one trace can arrive in several batches). */
    private List<JsonNode> waitForTrace(String traceId, int count) throws Exception {
        var spans = new ArrayList<JsonNode>();
        waitFor("trace " + traceId + " with " + count + " spans in Jaeger", () -> {
            var trace = traceOf(traceId);
            if (trace == null || trace.get("spans").size() < count) return false;
            spans.clear();
            trace.get("spans").forEach(spans::add);
            return true;
        });
        assertEquals(count, spans.size(), "spans of " + traceId);
        return spans;
    }

    private static String spanId(JsonNode span) {
        return span.get("spanID").asText();
    }

    private static String parentOf(JsonNode span) {
        for (JsonNode reference : span.path("references")) {
            if (reference.get("refType").asText().equals("CHILD_OF")) return reference.get("spanID").asText();
        }
        return null;
    }

    private static Map<String, String> tags(JsonNode span) {
        var tags = new HashMap<String, String>();
        span.path("tags").forEach(t -> tags.put(t.get("key").asText(), t.get("value").asText()));
        return tags;
    }

    // ---- Prometheus ------------------------------------------------------------------------------

    private void assertAllReturnData(List<String> queries) throws Exception {
        var empty = prometheus.withoutData(queries);
        assertTrue(empty.isEmpty(), "no data for: " + empty);
    }

    private List<JsonNode> query(String promql) throws Exception {
        return prometheus.query(promql);
    }

    private long scalar(String promql) throws Exception {
        return prometheus.scalar(promql);
    }

    // ---- processes and waiting -------------------------------------------------------------------

    private Server start(String name, String... command) throws IOException {
        Path log = workDir.resolve(name + ".log");
        var process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new Server(name, process, log);
    }

    /** The file's text with each host:port replaced; each must occur exactly once, or the file changed under the test. */
    static String onLoopback(String text, Map<String, String> replacements) {
        String result = text;
        for (var r : replacements.entrySet()) {
            int count = result.split(Pattern.quote(r.getKey()), -1).length - 1;
            if (count != 1) throw new AssertionError("expected `" + r.getKey() + "` once in the shipped file, found " + count);
            result = result.replace(r.getKey(), r.getValue());
        }
        return result;
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return PrometheusApi.get(url);
    }

    /** Polls a condition, bounded by WAIT; fails at once when a server exited. */
    private void waitFor(String what, PrometheusApi.Check check) throws Exception {
        PrometheusApi.waitFor(what, WAIT, () -> {
            for (var server : servers) {
                if (!server.process().isAlive()) fail(server.name() + " exited:\n" + server.logText());
            }
            return true;
        }, check, () -> servers.stream().map(s -> "--- " + s.name() + "\n" + tail(s.logText())).collect(Collectors.joining("\n")));
    }

    private static String tail(String text) {
        return text.length() <= 4000 ? text : text.substring(text.length() - 4000);
    }
}
