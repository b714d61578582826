// Load mode: N independent, fully traced one-turn requests at concurrency C, llm.queue_size showing
// what is in flight, and a table at the end.

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoadModeTest {
    private Harness harness;

    @BeforeEach
    void start() {
        harness = Harness.start();
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    private LoadReport load(String... args) {
        var env = new HashMap<>(Map.of("OLLAMA_ENDPOINT", harness.simulator.baseUrl()));
        var settings = Settings.parse(args, env);
        var chat = new chatbot_otel.TracedChat(harness.otel, new OllamaClient(settings.ollama().endpoint(), settings.ollama().timeouts()),
                settings, new PrintStream(java.io.OutputStream.nullOutputStream()));
        // The harness's in-memory SDK records; this Telemetry (exporters off) only supplies the span counts.
        try (var telemetry = chatbot_otel.Telemetry.setup(Settings.parse(args, Harness.NO_EXPORT),
                new PrintStream(java.io.OutputStream.nullOutputStream()))) {
            return new LoadMode(settings, chat, telemetry::flushAndCountSpans).measure();
        }
    }

    @Test
    void everyRequestIsATracedTurn() {
        var report = load("--load", "20", "--concurrency", "4");
        assertEquals(20, report.ok().size());
        assertEquals(20, harness.spans().stream().filter(s -> s.getName().equals("chat_interaction")).count());
        assertEquals(20, MetricsTest.sum(harness.metric("llm.requests"), Harness.attrs("model", "llama3.1:8b", "status", "success")));
        long output = harness.simulator.served().stream().mapToLong(ollama_sim.ServedReply::outputTokens).sum();
        assertEquals(output, report.samples().stream().mapToLong(Sample::outputTokens).sum());
    }

    @Test
    void queueSizeShowsTheRequestsInFlight() throws Exception {
        harness.simulator.setFault(new ollama_sim.FaultPlan(ollama_sim.Fault.SLOW_FIRST, 3, 300)); // hold each request 300 ms
        var peak = new AtomicLong();
        var watcher = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                harness.metrics.collectAllMetrics().stream().filter(m -> m.getName().equals("llm.queue_size"))
                        .forEach(m -> peak.accumulateAndGet(MetricsTest.sum(m, Harness.attrs("model", "llama3.1:8b")), Math::max));
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        watcher.start();
        load("--load", "8", "--concurrency", "4");
        watcher.interrupt();
        watcher.join();
        assertEquals(4, peak.get(), "four requests in flight at the peak, never more");
        assertEquals(0, MetricsTest.sum(harness.metric("llm.queue_size"), Harness.attrs("model", "llama3.1:8b")));
    }

    @Test
    void failuresAreCountedByType() {
        harness.simulator.setFault(ollama_sim.FaultPlan.of(ollama_sim.Fault.HTTP_500));
        var report = load("--load", "6", "--concurrency", "2");
        assertEquals(Map.of("http_error", 6L), report.errorsByType());
    }

    @Test
    void promptsComeFromTheFileRoundRobin() throws Exception {
        var file = Files.createTempFile("prompts", ".txt");
        try {
            Files.writeString(file, "first prompt\n\n  second prompt  \n");
            load("--load", "4", "--concurrency", "1", "--prompts", file.toString());
            Set<String> answers = harness.simulator.served().stream().map(ollama_sim.ServedReply::content).collect(Collectors.toSet());
            assertEquals(Set.of(ollama_sim.answerFor("first prompt"), ollama_sim.answerFor("second prompt")), answers);
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void runPrintsTheTable() {
        var env = new HashMap<>(Harness.NO_EXPORT);
        env.put("OLLAMA_ENDPOINT", harness.simulator.baseUrl());
        var out = new ByteArrayOutputStream();
        int status = chatbot_otel.run(new String[] {"--load", "12", "--concurrency", "3"}, env, new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(java.io.OutputStream.nullOutputStream()));
        assertEquals(0, status);
        String table = out.toString(StandardCharsets.UTF_8);
        for (String row : new String[] {"Load: 12 requests, concurrency 3", "requests             12 (12 ok, 0 failed)", "errors by type       none",
                "throughput", "latency              p50", "time to first token  p50", "output tokens/s", "spans"}) {
            assertTrue(table.contains(row), row + " in:\n" + table);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--load 0|--load=0 is not valid: use a whole number from 1 to 1000000",
            "--load 5 --concurrency 0|--concurrency=0 is not valid",
            "--concurrency 4|--concurrency and --prompts go with --load N",
            "--load 5 --prompt hi|--load and --prompt do not go together",
            "--load 5 --prompts /no/such/file|--prompts=/no/such/file is not valid: cannot read it",
    })
    void badLoadFlagsAreOneLine(String args, String message) {
        var e = assertThrows(SettingsException.class, () -> Settings.parse(args.split(" "), Map.of()));
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }
}
