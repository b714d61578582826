// Whatever is typed at the prompt: control characters, invalid UTF-8, a megabyte on one line,
// blank lines and unknown commands. None crashes the REPL; only real prompts become turns.

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BadInputTest {
    private Harness harness;

    @BeforeEach
    void start() {
        harness = Harness.start();
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    private Harness.ReplRun replBytes(byte[] input) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int status = new Repl(harness.settings, harness.chat, new ByteArrayInputStream(input),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), false).run();
        return new Harness.ReplRun(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void controlCharactersAreSentAsTypedAndAnswered() {
        var run = harness.repl("bell\u0007 escape\u001b[31m red\u0000 nul\n");
        assertEquals(0, run.status());
        assertTrue(harness.turnsOk(), run.err());
        assertEquals("bell\u0007 escape\u001b[31m red\u0000 nul", harness.lastUserPrompt());
    }

    @Test
    void invalidUtf8BecomesReplacementCharactersNotACrash() {
        var bytes = new ByteArrayOutputStream();
        bytes.writeBytes("caf".getBytes(StandardCharsets.US_ASCII));
        bytes.write(0xE9); // Latin-1 é: not valid UTF-8 on its own
        bytes.writeBytes(" \u00ff\n".getBytes(StandardCharsets.ISO_8859_1));
        var run = replBytes(bytes.toByteArray());
        assertEquals(0, run.status());
        assertEquals(1, harness.simulator.served().size());
        assertTrue(harness.lastUserPrompt().startsWith("caf\uFFFD"), harness.lastUserPrompt());
    }

    @Test
    void aMegabyteLineIsOneTurn() {
        String prompt = "x".repeat(1 << 20);
        var run = harness.repl(prompt + "\n");
        assertEquals(0, run.status());
        assertEquals(1, harness.simulator.served().size());
        assertEquals(prompt, harness.lastUserPrompt());
        assertTrue(run.out().contains("Bot: "));
    }

    @Test
    void blankLinesAndUnknownCommandsMakeNoTurnAndNoSpan() {
        var run = harness.repl("\n \t \n/nonsense\n/\n");
        assertEquals(0, run.status());
        assertEquals(0, harness.spans().size());
        assertEquals(2, run.out().lines().filter(l -> l.contains("Unknown command")).count(), run.out());
    }
}
