// Ctrl-C, for real: SIGINT sent to a chatbot process. During an answer it cancels that turn and the
// REPL goes on; at the prompt it leaves, and the telemetry of the session is flushed on the way out.

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class CtrlCTest {
    private ollama_sim.Server sim;

    @BeforeEach
    void start() throws IOException {
        sim = ollama_sim.Server.start(ollama_sim.Options.instant());
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    /** A running chatbot whose output we watch as it comes. */
    static final class Live {
        final Process process;
        final StringBuffer out = new StringBuffer();
        final StringBuffer err = new StringBuffer();
        private final OutputStream stdin;

        Live(Map<String, String> env) throws IOException {
            process = Harness.launch(env);
            stdin = process.getOutputStream();
            pump(process.getInputStream(), out);
            pump(process.getErrorStream(), err);
        }

        private static void pump(InputStream in, StringBuffer into) {
            var t = new Thread(() -> {
                try (in) {
                    byte[] buffer = new byte[4096];
                    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) into.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                } catch (IOException ignored) {
                    // the process is gone
                }
            });
            t.setDaemon(true);
            t.start();
        }

        void type(String line) throws IOException {
            stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        }

        void ctrlC() throws Exception {
            assertEquals(0, new ProcessBuilder("kill", "-INT", String.valueOf(process.pid())).start().waitFor());
        }

        /** Polls (bounded) until the output satisfies the condition. */
        void await(String what, StringBuffer stream, Predicate<String> condition) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                if (condition.test(stream.toString())) return;
                if (!process.isAlive()) break;
                Thread.sleep(20);
            }
            if (!condition.test(stream.toString())) fail("never saw " + what + "\nstdout:\n" + out + "\nstderr:\n" + err);
        }

        /** Closes standard input (end of input) and waits for the exit. */
        int exit() throws Exception {
            stdin.close();
            return awaitExit();
        }

        /** Waits for the process to end by itself, standard input left open. */
        int awaitExit() throws Exception {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("the chatbot did not exit");
            }
            return process.exitValue();
        }
    }

    private Map<String, String> env(String otlp) {
        var env = new HashMap<String, String>(Map.of("OLLAMA_ENDPOINT", sim.baseUrl(), "OLLAMA_CHUNK_TIMEOUT", "60"));
        if (otlp == null) env.putAll(Harness.NO_EXPORT);
        else env.put("OTEL_EXPORTER_OTLP_ENDPOINT", otlp);
        return env;
    }

    @Test
    void ctrlCDuringAnAnswerCancelsItAndTheReplGoesOn() throws Exception {
        sim.setFault(new ollama_sim.FaultPlan(ollama_sim.Fault.STALL, 3, 60_000));
        var chatbot = new Live(env(null));
        chatbot.type("hello");
        chatbot.await("the answer starting", chatbot.out, o -> o.contains("Bot: You said"));
        chatbot.ctrlC();
        chatbot.await("the cancel message", chatbot.err, e -> e.contains("error: cancelled (Ctrl-C)"));
        sim.setFault(ollama_sim.FaultPlan.NONE);
        chatbot.type("again");
        chatbot.await("the next answer", chatbot.out, o -> o.contains("Bot: " + ollama_sim.answerFor("again")));
        chatbot.type("exit");
        assertEquals(0, chatbot.exit());
        assertTrue(chatbot.err.toString().contains("\"error_type\":\"cancelled\""), chatbot.err.toString());
    }

    @Test
    void ctrlCAtThePromptLeavesWith130AndFlushesTheSession() throws Exception {
        try (var collector = OtlpReceiver.start(0)) {
            var chatbot = new Live(env(collector.endpoint()));
            chatbot.type("hello");
            chatbot.await("the whole answer", chatbot.out, o -> o.contains(ollama_sim.answerFor("hello")));
            chatbot.await("the turn's log line", chatbot.err, e -> e.contains("LLM request completed"));
            chatbot.ctrlC();
            assertEquals(130, chatbot.awaitExit(), "Ctrl-C at the prompt leaves by itself");
            assertEquals(5, collector.spans().size(), "the turn's spans were flushed on the way out; received "
                    + collector.received().stream().map(OtlpReceiver.Received::path).toList() + "; stderr:\n" + chatbot.err);
            assertEquals(1, collector.logRecords().size());
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"TERM, 143", "HUP, 129"})
    void terminationDuringAnAnswerEndsTheTurnAsCancelledFlushesItAndLeaves(String signal, int status) throws Exception {
        sim.setFault(new ollama_sim.FaultPlan(ollama_sim.Fault.STALL, 3, 60_000));
        try (var collector = OtlpReceiver.start(0)) {
            var chatbot = new Live(env(collector.endpoint()));
            chatbot.type("hello");
            chatbot.await("the answer starting", chatbot.out, o -> o.contains("Bot: You said"));
            long start = System.nanoTime();
            assertEquals(0, new ProcessBuilder("kill", "-" + signal, String.valueOf(chatbot.process.pid())).start().waitFor());
            assertEquals(status, chatbot.awaitExit(), "128 + the signal's number");
            assertTrue((System.nanoTime() - start) / 1e9 < 10, "left within the exit budget");
            var root = collector.spans().stream().filter(s -> s.span().getName().equals("chat_interaction")).findFirst().orElseThrow();
            assertEquals("cancelled", root.attribute("error.type"));
            assertEquals(1, collector.logRecords().size(), "the turn's log record was flushed");
            assertTrue(collector.received().stream().anyMatch(r -> r.path().equals("/v1/metrics")), "and its metrics");
            assertTrue(chatbot.err.toString().contains("\"error_type\":\"cancelled\""), chatbot.err.toString());
        }
    }
}
