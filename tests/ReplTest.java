// The REPL: prompts, history, commands, and the ways to leave.

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplTest {
    private Harness harness;

    @BeforeEach
    void start() {
        harness = Harness.start();
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    @Test
    void answerStreamsAfterBot() {
        var run = harness.repl("Hello!\n");
        assertTrue(run.out().contains("You: Hello!\nBot: " + ollama_sim.answerFor("Hello!") + "\n"), run.out());
    }

    @Test
    void conversationHistoryIsSentWithEachTurn() {
        harness.repl("first\nsecond\nthird\n");
        var counts = harness.simulator.served().stream().map(ollama_sim.ServedReply::messageCount).toList();
        assertEquals(java.util.List.of(1, 3, 5), counts);
    }

    @Test
    void resetStartsANewConversation() {
        var run = harness.repl("first\n/reset\nsecond\n");
        assertTrue(run.out().contains("Started a new conversation."));
        assertEquals(1, harness.lastServed().messageCount());
    }

    @Test
    void modelCommandSwitchesTheModel() {
        var run = harness.repl("/model llama3.2:1b\nHello\n");
        assertTrue(run.out().contains("Model set to llama3.2:1b."));
        assertEquals("llama3.2:1b", harness.lastServed().model());
    }

    @Test
    void temperatureCommandChangesTheRequest() {
        harness.repl("/temperature 0.2\nHello\n");
        assertEquals(0.2, Harness.attr(harness.span("generate_response"), io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GEN_AI_REQUEST_TEMPERATURE));
    }

    @Test
    void badTemperatureIsRefusedWithAHint() {
        var run = harness.repl("/temperature hot\n");
        assertTrue(run.out().contains("Temperature must be a number from 0 to 2"), run.out());
    }

    @Test
    void traceCommandPrintsTheLastTraceAndItsJaegerLink() {
        var run = harness.repl("Hello\n/trace\n");
        String traceId = harness.span("chat_interaction").getTraceId();
        assertTrue(run.out().contains("http://localhost:16686/trace/" + traceId), run.out());
    }

    @Test
    void traceBeforeAnyTurnSaysSo() {
        assertTrue(harness.repl("/trace\n").out().contains("No turn yet"));
    }

    @Test
    void helpListsTheCommands() {
        var out = harness.repl("/help\n").out();
        for (String command : new String[] {"/model", "/temperature", "/reset", "/trace", "exit"}) {
            assertTrue(out.contains(command), command);
        }
    }

    @Test
    void unknownCommandGivesAHintAndNoTurn() {
        var run = harness.repl("/frobnicate\n");
        assertTrue(run.out().contains("Unknown command /frobnicate: type /help"), run.out());
        assertEquals(0, harness.spans().size());
    }

    @Test
    void blankLinesMakeNoTurn() {
        harness.repl("\n   \n\t\n");
        assertEquals(0, harness.spans().size());
        assertEquals(0, harness.simulator.served().size());
    }

    @Test
    void exitAndQuitLeaveBeforeTheNextLine() {
        harness.repl("exit\nHello\n");
        harness.repl("QUIT\nHello\n");
        assertEquals(0, harness.simulator.served().size());
    }

    @Test
    void endOfInputLeavesWithStatusZero() {
        assertEquals(0, harness.repl("Hello\n").status());
        assertEquals(1, harness.simulator.served().size());
    }

    @Test
    void promptFlagAnswersOnceAndExits() {
        var env = new HashMap<>(Harness.NO_EXPORT);
        env.put("OLLAMA_ENDPOINT", harness.simulator.baseUrl());
        var out = new ByteArrayOutputStream();
        int status = chatbot_otel.run(new String[] {"--prompt", "Hello!"}, env, new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));
        assertEquals(0, status);
        assertEquals(ollama_sim.answerFor("Hello!") + "\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void promptFlagExitsWithOneWhenTheTurnFails() {
        var env = new HashMap<>(Harness.NO_EXPORT);
        env.put("OLLAMA_ENDPOINT", harness.simulator.baseUrl());
        var err = new ByteArrayOutputStream();
        int status = chatbot_otel.run(new String[] {"--prompt", "Hello!", "--model", "nope"}, env,
                new ByteArrayInputStream(new byte[0]), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(1, status);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("error: model 'nope' is not available"));
    }

    @Test
    void simulateFlagChatsWithTheBuiltInSimulator() {
        var out = new ByteArrayOutputStream();
        int status = chatbot_otel.run(new String[] {"--simulate"}, Harness.NO_EXPORT,
                new ByteArrayInputStream("Hello!\nexit\n".getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));
        assertEquals(0, status);
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("Bot: " + ollama_sim.answerFor("Hello!")));
    }

    @Test
    void aCarriageReturnInsideALineDoesNotMakeATurnAndCrLfEndsOne() {
        harness.repl("pasted\rtext\r\nsecond line\r\n");
        assertEquals(2, harness.simulator.served().size(), "two lines, two turns");
        assertEquals("second line", harness.lastUserPrompt());
    }

    @Test
    void historyIsCappedOldestFirstAndTheUserIsToldOnce() {
        harness.close();
        harness = Harness.start(java.util.Map.of("CHAT_HISTORY_TURNS", "2"));
        var run = harness.repl("one\ntwo\nthree\nfour\nfive\n");
        var counts = harness.simulator.served().stream().map(ollama_sim.ServedReply::messageCount).toList();
        assertEquals(java.util.List.of(1, 3, 5, 5, 5), counts, "two past turns and the prompt, at most");
        assertEquals(1, run.err().lines().filter(l -> l.startsWith("note: only the last 2 turns")).count(), run.err());
        var sent = harness.spans().stream().filter(s -> s.getName().equals("generate_response"))
                .map(s -> s.getAttributes().get(chatbot_otel.Keys.APP_MESSAGES_SENT)).toList();
        assertEquals(java.util.List.of(1L, 3L, 5L, 5L, 5L), sent, "the span says how many messages went out");
    }

    @Test
    void aModelNameTooLongForAMetricLabelIsRefused() {
        var run = harness.repl("/model " + "m".repeat(300) + "\n/model\n");
        assertTrue(run.out().contains("Not a model name: a model name has at most 200 characters."), run.out());
        assertTrue(run.out().contains("Model: llama3.1:8b"), "the model did not change: " + run.out());
    }
}
