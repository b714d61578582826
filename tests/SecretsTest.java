// Secrets stay secret: a password in a URL setting or an OTLP header value never appears in what the
// chatbot prints (banner, errors, warnings) or exports (url.full, http.url, every byte sent to the
// collector), including when the setting itself is rejected.

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SecretsTest {
    static final String SECRET = "s3cr3t-Pa55";

    record Run(int status, String out, String err) {
        String all() {
            return out + err;
        }
    }

    static Run run(Map<String, String> env, String... args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int status = chatbot_otel.run(args, env, new ByteArrayInputStream("hello\n/trace\nexit\n".getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aPasswordInTheOllamaUrlIsNeitherPrintedNorExported() throws Exception {
        try (var collector = OtlpReceiver.start(0); var sim = ollama_sim.Server.start(ollama_sim.Options.instant())) {
            var env = new HashMap<>(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint(),
                    "OLLAMA_ENDPOINT", sim.baseUrl().replace("http://", "http://ada:" + SECRET + "@")));
            var run = run(env);
            assertEquals(0, run.status(), run.err());
            assertFalse(run.all().contains(SECRET), run.all());
            assertTrue(run.err().contains("http://REDACTED:REDACTED@127.0.0.1:"), "the banner says where, without the password: " + run.err());
            assertFalse(new String(collector.allBytes(), StandardCharsets.ISO_8859_1).contains(SECRET), "nothing exported carries it");
            var request = collector.spans().stream().filter(s -> s.span().getName().equals("ollama_request")).findFirst().orElseThrow();
            assertTrue(request.attribute("url.full").startsWith("http://REDACTED:REDACTED@127.0.0.1:"), request.attribute("url.full"));
        }
    }

    @Test
    void aPasswordInAnUnreachableOllamaUrlStaysOutOfTheErrorLine() {
        var env = new HashMap<>(Harness.NO_EXPORT);
        env.put("OLLAMA_ENDPOINT", "http://ada:" + SECRET + "@127.0.0.1:" + Harness.closedPort());
        var run = run(env, "--prompt", "hi");
        assertEquals(1, run.status());
        assertFalse(run.all().contains(SECRET), run.all());
        assertTrue(run.err().contains("cannot reach Ollama at http://REDACTED:REDACTED@127.0.0.1:"), run.err());
    }

    @Test
    void aPasswordInTheCollectorUrlStaysOutOfTheBannerAndTheWarning() {
        var env = new HashMap<String, String>(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://ada:" + SECRET + "@127.0.0.1:" + Harness.closedPort(),
                "OTEL_METRIC_EXPORT_INTERVAL", "100"));
        try (var sim = startSim()) {
            env.put("OLLAMA_ENDPOINT", sim.baseUrl());
            var run = run(env);
            assertFalse(run.all().contains(SECRET), run.all());
            assertTrue(run.err().matches("(?s).*warning: (traces|metrics|logs) export \\(OTLP/HTTP to http://REDACTED:REDACTED@127\\.0\\.0\\.1:\\d+/v1/\\1\\) failed.*"),
                    run.err());
        }
    }

    @Test
    void aRejectedUrlSettingDoesNotEchoItsPassword() {
        for (String name : new String[] {"OLLAMA_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT", "JAEGER_UI", "OLLAMA_HOST"}) {
            var run = run(Map.of(name, "ftp://ada:" + SECRET + "@example.com"), "--help");
            assertEquals(2, run.status(), name);
            assertFalse(run.all().contains(SECRET), run.all());
            assertEquals(1, run.err().lines().count(), run.err());
        }
    }

    @Test
    void aHeaderValueHttpCannotCarryIsRejectedWithoutShowingIt() {
        var run = run(Map.of("OTEL_EXPORTER_OTLP_HEADERS", "x-api-key=" + SECRET + "%0Aevil"), "--help");
        assertEquals(2, run.status());
        assertEquals(List.of("chatbot: OTEL_EXPORTER_OTLP_HEADERS is not valid: header x-api-key has a character HTTP does not allow"
                + " in a header (its value is not shown)"), run.err().lines().toList());
    }

    @Test
    void aHeaderValueIsNeverPrintedEvenWhenTheCollectorFails() {
        var env = new HashMap<String, String>(Map.of("OTEL_EXPORTER_OTLP_HEADERS", "x-api-key=" + SECRET,
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + Harness.closedPort(), "LOG_LEVEL", "INFO"));
        try (var sim = startSim()) {
            env.put("OLLAMA_ENDPOINT", sim.baseUrl());
            var run = run(env);
            assertFalse(run.all().contains(SECRET), run.all());
        }
    }

    private static ollama_sim.Server startSim() {
        try {
            return ollama_sim.Server.start(ollama_sim.Options.instant());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
