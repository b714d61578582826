// What a bad or hostile server sends, against the whole chatbot run in-process (`--prompt`): its
// text reaches the terminal neutralised and one line long, it cannot forge our JSON log line, a turn
// always ends (a drip-fed answer, an endless line), and a 404 is a missing model only when Ollama
// says so. Every run is also checked for stack traces.

import org.junit.jupiter.api.AfterEach;
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

class HostileServerTest {
    static final String NDJSON = "application/x-ndjson";
    private HostileServer server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    record Run(int status, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }

        /** The stderr lines that parse as one of our JSON log records. */
        long logRecords() {
            return err.lines().filter(l -> l.startsWith("{\"timestamp\":")).count();
        }
    }

    static String chunk(String content, boolean done) {
        return "{\"model\":\"llama3.1:8b\",\"message\":{\"role\":\"assistant\",\"content\":\"" + content + "\"},\"done\":" + done
                + (done ? ",\"done_reason\":\"stop\",\"prompt_eval_count\":3,\"eval_count\":2" : "") + "}\n";
    }

    private Run chat(HostileServer.Script script, Map<String, String> extraEnv, String... args) throws Exception {
        server = HostileServer.start(script);
        var env = new HashMap<>(Harness.NO_EXPORT);
        env.put("OLLAMA_ENDPOINT", server.baseUrl());
        env.putAll(extraEnv);
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int status = chatbot_otel.run(args.length == 0 ? new String[] {"--prompt", "hi"} : args, env,
                new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        var run = new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        assertFalse(run.out().contains("\tat ") || run.err().contains("\tat ") || run.err().contains("Exception in"), "a stack trace:\n" + run.err());
        return run;
    }

    private static String errorLine(Run run) {
        var lines = run.errLines().stream().filter(l -> l.startsWith("error: ")).toList();
        assertEquals(1, lines.size(), run.err());
        return lines.get(0);
    }

    @Test
    void anErrorBodyWithNewlinesAndEscapesStaysOneEscapedLineAndForgesNoLogRecord() throws Exception {
        String forged = "{\\\"timestamp\\\":\\\"2026-01-01T00:00:00.000Z\\\",\\\"level\\\":\\\"INFO\\\",\\\"message\\\":\\\"LLM request completed\\\"}";
        var run = chat(new HostileServer.Script().respond(500, "application/json",
                "{\"error\":\"boom\\n" + forged + "\\n\\u001b[2J\\u001b]0;pwned\\u0007\"}"), Map.of());
        assertEquals(1, run.status());
        String line = errorLine(run);
        assertTrue(line.startsWith("error: Ollama answered HTTP 500: boom\\n{"), line);
        assertTrue(line.contains("\\u001b[2J"), "the escape shown, not played: " + line);
        assertFalse(run.err().contains("\u001b") || run.err().contains("\u0007"), "no raw control character reaches stderr");
        assertEquals(1, run.logRecords(), "only our own log record:\n" + run.err());
    }

    @Test
    void aLongErrorBodyIsCapped() throws Exception {
        var run = chat(new HostileServer.Script().respond(503, "text/plain", "overloaded ".repeat(2_000)), Map.of());
        assertTrue(errorLine(run).length() < 500, errorLine(run));
    }

    @Test
    void aMidStreamErrorLineIsEscapedToo() throws Exception {
        var run = chat(new HostileServer.Script().head(200, NDJSON).send(chunk("Hel", false))
                .send("{\"error\":\"gpu fell over\\n\\u001b[31mred\"}\n"), Map.of());
        String line = errorLine(run);
        assertTrue(line.contains("Ollama reported an error mid-answer: gpu fell over\\n\\u001b[31mred"), line);
        assertTrue(run.err().contains("\"error_type\":\"stream_interrupted\""), run.err());
    }

    @Test
    void theAnswerKeepsItsNewlinesAndTabsButNotItsEscapeSequences() throws Exception {
        var run = chat(new HostileServer.Script().head(200, NDJSON).send(chunk("line one\\nline\\ttwo \\u001b[2J\\u001b[31mred", false))
                .send(chunk("", true)), Map.of());
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("line one\nline\ttwo \\u001b[2J\\u001b[31mred"), run.out());
        assertFalse(run.out().contains("\u001b"), "no raw escape on stdout");
    }

    @Test
    void aDripFedAnswerEndsAtTheRequestTimeout() throws Exception {
        long start = System.nanoTime();
        var run = chat(new HostileServer.Script().head(200, NDJSON).drip(chunk(".", false), 100, 200),
                Map.of("OLLAMA_CHUNK_TIMEOUT", "1", "OLLAMA_REQUEST_TIMEOUT", "1.5"));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(1, run.status());
        assertTrue(errorLine(run).contains("the answer took longer than 1500 ms (OLLAMA_REQUEST_TIMEOUT)"), run.err());
        assertTrue(run.err().contains("\"error_type\":\"timeout\""), run.err());
        assertTrue(seconds < 15, "bounded: " + seconds + " s");
    }

    @Test
    void anEndlessLineIsAnInvalidResponseNotAnOutOfMemoryError() throws Exception {
        var run = chat(new HostileServer.Script().head(200, NDJSON).endlessLine(3L << 20), Map.of());
        assertEquals(1, run.status());
        assertTrue(errorLine(run).contains("Ollama sent a line over 1 MiB"), run.err());
        assertTrue(run.err().contains("\"error_type\":\"invalid_response\""), run.err());
    }

    @Test
    void a404ThatIsNotOllamasIsAnHttpErrorWithAHintAboutTheEndpoint() throws Exception {
        var run = chat(new HostileServer.Script().respond(404, "text/plain", "404 page not found"), Map.of());
        String line = errorLine(run);
        assertTrue(line.startsWith("error: Ollama answered HTTP 404: 404 page not found. Is OLLAMA_ENDPOINT Ollama's base URL"), line);
        assertTrue(run.err().contains("\"error_type\":\"http_error\""), run.err());
    }

    @Test
    void aJson404ThatIsNotAboutAModelIsAnHttpErrorToo() throws Exception {
        var run = chat(new HostileServer.Script().respond(404, "application/json", "{\"error\":\"route not found\"}"), Map.of());
        assertTrue(run.err().contains("\"error_type\":\"http_error\""), run.err());
    }

    @Test
    void ollamasOwnMissingModelErrorIsModelNotFound() throws Exception {
        var run = chat(new HostileServer.Script().respond(404, "application/json", "{\"error\":\"model 'llama3.1:8b' not found\"}"), Map.of());
        assertTrue(errorLine(run).contains("run 'ollama pull llama3.1:8b'"), run.err());
        assertTrue(run.err().contains("\"error_type\":\"model_not_found\""), run.err());
    }
}
