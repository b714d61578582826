// The PromQL we show users, proven on a real Prometheus: the chatbot's code serves its metrics for
// scraping (OTEL_METRICS_EXPORTER=prometheus), Debian's `prometheus` scrapes it every second on
// loopback, and every query of the README and the dashboard must return data. The alert rules
// are loaded into the same server, so a rule Prometheus cannot parse or evaluate fails here too.
// Outside CI the test is skipped when no `prometheus` binary exists; in CI (CI=true) it must run.

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrometheusIntegrationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String RATE_INTERVAL = "1m";

    private ollama_sim.Server simulator;
    private chatbot_otel.Telemetry telemetry;
    private chatbot_otel.TracedChat chat;
    private Process prometheus;
    private Path workDir;
    private String prometheusUrl;
    private int turns;

    static Optional<Path> prometheusBinary() {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(dir -> Path.of(dir, "prometheus")).filter(Files::isExecutable).findFirst();
    }

    @BeforeAll
    void startChatbotAndPrometheusAndDriveTurns() throws Exception {
        var binary = prometheusBinary();
        if (binary.isEmpty()) {
            if ("true".equals(System.getenv("CI"))) fail("CI must install Prometheus (apt-get install prometheus): .ci/run does");
            Assumptions.abort("no `prometheus` on PATH: install it (apt-get install prometheus) to run this test");
        }
        simulator = ollama_sim.Server.start(ollama_sim.Options.instant());
        int metricsPort = Harness.closedPort();
        var env = new HashMap<>(Map.of("OTEL_METRICS_EXPORTER", "prometheus", "OTEL_EXPORTER_PROMETHEUS_PORT", String.valueOf(metricsPort),
                "OTEL_TRACES_EXPORTER", "none", "OTEL_LOGS_EXPORTER", "none", "OLLAMA_ENDPOINT", simulator.baseUrl()));
        var settings = Settings.parse(new String[0], env);
        var quiet = new PrintStream(OutputStream.nullOutputStream());
        telemetry = chatbot_otel.Telemetry.setup(settings, quiet);
        var client = new OllamaClient(settings.ollama().endpoint(),
                settings.ollama().timeouts());
        chat = new chatbot_otel.TracedChat(telemetry.openTelemetry(), client, settings, quiet);

        prometheus = startPrometheus(binary.get(), metricsPort);
        waitFor("Prometheus ready", () -> PrometheusApi.get(prometheusUrl + "/-/ready").statusCode() == 200);

        // Two rounds with a scrape between them, so rate() sees counters that really moved.
        driveTurns(3, 1);
        waitFor("first round scraped", () -> scalar("sum(llm_requests_total)") == 4);
        driveTurns(3, 1);
        waitFor("second round scraped", () -> scalar("sum(llm_requests_total)") == 8);
    }

    private Process startPrometheus(Path binary, int metricsPort) throws IOException {
        workDir = Files.createTempDirectory("prometheus-it");
        int webPort = Harness.closedPort();
        prometheusUrl = "http://127.0.0.1:" + webPort;
        Path config = workDir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - %s
                scrape_configs:
                  - job_name: chatbot
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                """.formatted(Harness.ROOT.resolve("observability/prometheus/alerts.yml"), metricsPort));
        return new ProcessBuilder(binary.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + workDir.resolve("data"), "--web.listen-address=127.0.0.1:" + webPort,
                "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(workDir.resolve("prometheus.log").toFile()).start();
    }

    private void driveTurns(int successes, int failures) {
        for (int i = 0; i < successes; i++) turn("llama3.1:8b", "question number " + turns);
        for (int i = 0; i < failures; i++) turn("no-such-model:1b", "this one fails");
    }

    private void turn(String model, String prompt) {
        chat.turn(++turns, new ChatRequest(model, List.of(new ChatMessage("user", prompt)), 0.7, null), t -> { });
    }

    @AfterAll
    void stopEverything() throws Exception {
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) prometheus.destroyForcibly();
        }
        if (telemetry != null) telemetry.close();
        if (simulator != null) simulator.close();
        if (workDir != null) {
            Harness.deleteTree(workDir);
        }
    }

    @Test
    void everyReadmeQueryReturnsData() throws Exception {
        assertAllReturnData(Stack.readmeQueries());
    }

    @Test
    void everyDashboardQueryReturnsData() throws Exception {
        assertAllReturnData(Stack.dashboardQueries());
    }

    @Test
    void tokensInPrometheusEqualWhatTheSimulatorStreamed() throws Exception {
        var served = simulator.served();
        long input = served.stream().mapToLong(ollama_sim.ServedReply::promptTokens).sum();
        long output = served.stream().mapToLong(ollama_sim.ServedReply::outputTokens).sum();
        assertEquals(input, scalar("sum(llm_tokens_total{type=\"input\"})"));
        assertEquals(output, scalar("sum(llm_tokens_total{type=\"output\"})"));
    }

    @Test
    void failedTurnsAreCountedByErrorType() throws Exception {
        assertEquals(2, scalar("sum(llm_errors_total{error_type=\"model_not_found\"})"));
        assertEquals(2, scalar("sum(llm_requests_total{status=\"error\"})"));
    }

    @Test
    void requestRateIsPositiveAfterTwoRounds() throws Exception {
        assertTrue(value("sum(rate(llm_requests_total[1m]))") > 0);
    }

    @Test
    void everyAlertRuleLoadsAndEvaluates() throws Exception {
        var names = new ArrayList<String>();
        for (var group : Stack.yaml("observability/prometheus/alerts.yml").get("groups")) {
            group.get("rules").forEach(r -> names.add(r.get("alert").asText()));
        }
        waitFor("every rule evaluated once", () -> rules().stream().allMatch(r -> r.get("health").asText().equals("ok")));
        var loaded = rules().stream().map(r -> r.get("name").asText()).toList();
        assertEquals(names, loaded);
    }

    private void assertAllReturnData(List<String> queries) throws Exception {
        var empty = api().withoutData(queries);
        assertTrue(empty.isEmpty(), "no data for: " + empty);
    }

    private List<JsonNode> rules() throws Exception {
        var body = JSON.readTree(PrometheusApi.get(prometheusUrl + "/api/v1/rules").body());
        var rules = new ArrayList<JsonNode>();
        body.get("data").get("groups").forEach(g -> g.get("rules").forEach(rules::add));
        return rules;
    }

    private PrometheusApi api() {
        return new PrometheusApi(prometheusUrl); // a URL holder: nothing to cache
    }

    private double value(String promql) throws Exception {
        return api().value(promql);
    }

    private long scalar(String promql) throws Exception {
        return api().scalar(promql);
    }

    private void waitFor(String what, PrometheusApi.Check check) throws Exception {
        PrometheusApi.waitFor(what, WAIT, () -> {
            if (!prometheus.isAlive()) fail("Prometheus exited: " + Files.readString(workDir.resolve("prometheus.log")));
            return true;
        }, check, () -> {
            try {
                return Files.readString(workDir.resolve("prometheus.log"));
            } catch (IOException e) {
                return "(no log)";
            }
        });
    }
}
