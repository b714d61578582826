// The hand-built SDK really exports: OTLP/HTTP to the three signal paths with the configured
// headers, the console exporter to stderr, and nothing that slows or breaks the exit when no
// collector listens.

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExportTest {
    record Received(String path, String contentType, String apiKey, int bytes) {}

    private ollama_sim.Server sim;

    @BeforeEach
    void start() throws Exception {
        sim = ollama_sim.Server.start(ollama_sim.Options.instant());
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    private int runChatbot(Map<String, String> extraEnv, ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
        var env = new HashMap<String, String>();
        env.put("OLLAMA_ENDPOINT", sim.baseUrl());
        env.putAll(extraEnv);
        return chatbot_otel.run(args, env, new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void otlpHttpSendsAllThreeSignalsWithTheConfiguredHeaders() throws Exception {
        var received = new CopyOnWriteArrayList<Received>();
        var collector = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        collector.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            received.add(new Received(exchange.getRequestURI().getPath(), exchange.getRequestHeaders().getFirst("Content-Type"),
                    exchange.getRequestHeaders().getFirst("x-api-key"), body.length));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
        try {
            var err = new ByteArrayOutputStream();
            int status = runChatbot(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + collector.getAddress().getPort(),
                    "OTEL_EXPORTER_OTLP_HEADERS", "x-api-key=workshop-key"), new ByteArrayOutputStream(), err, "--prompt", "hi");
            assertEquals(0, status);
            // run() returns after the bounded flush of close(): whatever was exported has arrived.
            var paths = received.stream().map(Received::path).distinct().sorted().toList();
            assertEquals(List.of("/v1/logs", "/v1/metrics", "/v1/traces"), paths);
            for (var r : received) {
                assertEquals("application/x-protobuf", r.contentType(), r.path());
                assertEquals("workshop-key", r.apiKey(), r.path());
                assertTrue(r.bytes() > 0, r.path());
            }
            assertFalse(err.toString(StandardCharsets.UTF_8).contains("workshop-key"), "header values are never printed");
            assertFalse(err.toString(StandardCharsets.UTF_8).contains("warning:"), "a listening collector gives no warning");
        } finally {
            collector.stop(0);
        }
    }

    @Test
    void consoleExportersPrintSpansToStderr() {
        var err = new ByteArrayOutputStream();
        var env = Map.of("OTEL_TRACES_EXPORTER", "console", "OTEL_METRICS_EXPORTER", "none", "OTEL_LOGS_EXPORTER", "none");
        assertEquals(0, runChatbot(env, new ByteArrayOutputStream(), err, "--prompt", "hi"));
        String printed = err.toString(StandardCharsets.UTF_8);
        for (String span : new String[] {"'chat_interaction'", "'generate_response'", "'ollama_request'",
                "'process_streaming_response'", "'log_interaction'"}) {
            assertTrue(printed.contains(span), span + " in:\n" + printed);
        }
    }

    @Test
    void sdkDisabledStillChats() {
        var out = new ByteArrayOutputStream();
        assertEquals(0, runChatbot(Map.of("OTEL_SDK_DISABLED", "true"), out, new ByteArrayOutputStream(), "--prompt", "hi"));
        assertEquals(ollama_sim.answerFor("hi") + "\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void noCollectorMeansOneWarningNoStackTraceAndANormalExit() throws Exception {
        var finished = Harness.finish(Harness.launch(Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + Harness.closedPort()), "--simulate", "--prompt", "hi"), 60);
        assertEquals(0, finished.status(), finished.err());
        assertEquals(ollama_sim.answerFor("hi") + "\n", finished.out());
        var lines = finished.err().lines().toList();
        assertTrue(lines.stream().filter(l -> l.startsWith("warning:")).count() <= 1, finished.err());
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("\tat ") || l.contains("Exception")), finished.err());
    }
}
