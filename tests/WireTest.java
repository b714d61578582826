// What really leaves the process, decoded from the wire with the official OTLP protobuf classes:
// after N turns and `exit`, exactly the expected spans, log records and metric points; nothing lost,
// nothing twice; content capture off byte for byte; export that survives a 503, an outage and a hang.

import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WireTest {
    private ollama_sim.Server sim;
    private OtlpReceiver collector;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws Exception {
        sim = ollama_sim.Server.start(ollama_sim.Options.instant());
        collector = OtlpReceiver.start(0);
    }

    @AfterEach
    void stop() {
        collector.close();
        sim.close();
    }

    private Map<String, String> env(Map<String, String> extra) {
        var env = new HashMap<String, String>();
        env.put("OLLAMA_ENDPOINT", sim.baseUrl());
        env.put("OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint());
        env.putAll(extra);
        return env;
    }

    /** The whole program, in-process: settings, SDK, REPL over `input`, exit with the bounded flush. */
    private int chat(String input, Map<String, String> extraEnv) {
        return chatbot_otel.run(new String[0], env(extraEnv), new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private static long sum(List<Metric> metrics, String name) {
        return metrics.stream().filter(m -> m.getName().equals(name))
                .flatMap(m -> m.getSum().getDataPointsList().stream()).mapToLong(NumberDataPoint::getAsInt).sum();
    }

    @Test
    void threeTurnsAndExitDeliverEverySignalExactlyOnce() {
        assertEquals(0, chat("one\ntwo\nthree\nexit\n", Map.of()));
        var spans = collector.spans();
        assertEquals(15, spans.size(), "five spans per turn");
        assertEquals(15, spans.stream().map(s -> s.span().getSpanId()).collect(Collectors.toSet()).size(), "no span twice");
        var perName = spans.stream().collect(Collectors.groupingBy(s -> s.span().getName(), Collectors.counting()));
        assertEquals(Map.of("chat_interaction", 3L, "generate_response", 3L, "ollama_request", 3L,
                "process_streaming_response", 3L, "log_interaction", 3L), perName);

        var logs = collector.logRecords();
        assertEquals(3, logs.size());
        var rootTraces = spans.stream().filter(s -> s.span().getName().equals("chat_interaction"))
                .map(s -> s.span().getTraceId()).collect(Collectors.toSet());
        assertEquals(rootTraces, logs.stream().map(l -> l.getTraceId()).collect(Collectors.toSet()), "each log record carries its turn's trace");
        assertTrue(logs.stream().allMatch(l -> l.getBody().getStringValue().equals("LLM request completed")));

        var metrics = collector.lastMetrics();
        assertEquals(3, sum(metrics, "llm.requests"));
        long tokens = sim.served().stream().mapToLong(s -> s.promptTokens() + s.outputTokens()).sum();
        assertEquals(tokens, sum(metrics, "llm.tokens"));
    }

    @Test
    void resourceAndHeadersArriveAsConfigured() {
        chat("one\n", Map.of("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=workshop,team=obs",
                "OTEL_EXPORTER_OTLP_HEADERS", "x-api-key=s3cr3t-key"));
        var resource = collector.spans().get(0).resource().getAttributesList();
        assertEquals("llm-chatbot-otel", OtlpReceiver.stringValue(resource, "service.name"));
        assertEquals(chatbot_otel.VERSION, OtlpReceiver.stringValue(resource, "service.version"));
        assertEquals("workshop", OtlpReceiver.stringValue(resource, "deployment.environment.name"));
        assertEquals("obs", OtlpReceiver.stringValue(resource, "team"));
        assertTrue(OtlpReceiver.stringValue(resource, "host.name") != null);
        assertTrue(collector.received().stream().allMatch(r -> "s3cr3t-key".equals(r.headers().get("x-api-key"))));
        String printed = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        assertFalse(printed.contains("s3cr3t-key"), "header values are never printed");
    }

    @Test
    void contentCaptureOffSendsNoPromptOrAnswerByteAnywhere() {
        chat("zebra-secret-prompt\n", Map.of("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "false"));
        String wire = new String(collector.allBytes(), StandardCharsets.ISO_8859_1);
        assertFalse(collector.spans().isEmpty());
        assertFalse(wire.contains("zebra-secret-prompt"), "the prompt went out");
        String answer = sim.served().get(0).content();
        String distinctive = answer.substring(answer.indexOf(". ") + 2, answer.indexOf(". ") + 30);
        assertFalse(wire.contains(distinctive), "the answer went out");
        assertFalse(err.toString(StandardCharsets.UTF_8).contains("zebra-secret-prompt"), "nor in the log line");
    }

    @Test
    void aMegabytePromptIsSentWhileItsAttributesAreTruncated() {
        String prompt = "word ".repeat(200_000).strip(); // 1 MB
        assertEquals(0, chat(prompt + "\n", Map.of("OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "1000")));
        assertEquals(200_000 + 4, sim.served().get(0).promptTokens(), "the whole prompt reached Ollama");
        var generate = collector.spans().stream().filter(s -> s.span().getName().equals("generate_response")).findFirst().orElseThrow();
        assertEquals(1000, generate.attribute("llm.prompt").length());
        assertEquals(1000, generate.attribute("gen_ai.input.messages").length());
    }

    private chatbot_otel.Telemetry telemetry(Map<String, String> extraEnv) {
        return chatbot_otel.Telemetry.setup(Settings.parse(new String[0], env(extraEnv)),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private chatbot_otel.TracedChat chatWith(chatbot_otel.Telemetry telemetry) {
        var settings = Settings.parse(new String[0], env(Map.of()));
        return new chatbot_otel.TracedChat(telemetry.openTelemetry(), new OllamaClient(settings.ollama().endpoint(),
                settings.ollama().timeouts()), settings, new PrintStream(java.io.OutputStream.nullOutputStream()));
    }

    private void turn(chatbot_otel.TracedChat chat, String prompt) {
        assertTrue(chat.turn(1, new ChatRequest("llama3.1:8b", List.of(new ChatMessage("user", prompt)), 0.7, null),
                t -> { }).ok());
    }

    @Test
    void a503IsRetriedAndTheBatchDelivered() {
        collector.answer503For(1);
        var telemetry = telemetry(Map.of("OTEL_METRICS_EXPORTER", "none", "OTEL_LOGS_EXPORTER", "none"));
        try {
            turn(chatWith(telemetry), "hello");
            assertTrue(telemetry.flush(Duration.ofSeconds(20)), "the retried export succeeded");
            assertEquals(1, collector.answered503());
            assertEquals(5, collector.spans().size());
        } finally {
            telemetry.close();
        }
    }

    @Test
    void exportResumesWhenTheCollectorComesBack() {
        int port = collector.port();
        collector.close(); // the collector crashes: nothing listens on its port
        var telemetry = telemetry(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + port,
                "OTEL_METRICS_EXPORTER", "none", "OTEL_LOGS_EXPORTER", "none"));
        try {
            var chat = chatWith(telemetry);
            turn(chat, "while it is down");
            assertTrue(telemetry.flush(Duration.ofSeconds(10)), "a refused export fails at once, without retries");
            collector = OtlpReceiver.start(port); // and comes back where it was
            turn(chat, "after it is back");
            assertTrue(telemetry.flush(Duration.ofSeconds(10)));
            assertEquals(5, collector.spans().size(), "the second turn arrived");
            long warnings = err.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("warning:")).count();
            assertEquals(1, warnings, "one warning for the whole outage");
        } finally {
            telemetry.close();
        }
    }

    @Test
    void aHangingCollectorHoldsNeitherTheChatNorTheExit() throws Exception {
        collector.hang();
        var finished = CompletableFuture.supplyAsync(() -> chat("one\ntwo\nexit\n", Map.of()));
        int status = finished.get(60, TimeUnit.SECONDS); // a hang fails here, long before the collector lets go
        assertEquals(0, status);
        assertEquals(ollama_sim.answerFor("two"), out.toString(StandardCharsets.UTF_8).lines()
                .filter(l -> l.startsWith("Bot: ")).reduce((a, b) -> b).orElse("").substring(5));
        assertTrue(err.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("warning:")).count() <= 1);
    }
}
