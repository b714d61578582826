// The simulator speaks Ollama's protocol, not our idea of it: the official Ollama JavaScript client
// (npm `ollama`, pinned with a lockfile in tests/ollama-client) calls every endpoint the simulator
// serves, and this test asserts on what that client parsed. .ci/run installs it with npm ci.

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OllamaClientContractTest {
    private static ollama_sim.Server sim;
    private static JsonNode parsed;

    private static JsonNode runClient(String... scenario) throws Exception {
        return runClient(sim.baseUrl(), Map.of(), scenario);
    }

    /** contract.mjs against any Ollama-compatible server; `env` may name its models (CONTRACT_MODEL, ...). */
    static JsonNode runClient(String baseUrl, Map<String, String> env, String... scenario) throws Exception {
        assertTrue(Files.isDirectory(Harness.ROOT.resolve("tests/ollama-client/node_modules/ollama")),
                "the client is not installed: npm ci --prefix tests/ollama-client");
        var command = new ArrayList<>(List.of("node", "tests/ollama-client/contract.mjs", baseUrl));
        command.addAll(List.of(scenario));
        var builder = new ProcessBuilder(command).directory(Harness.ROOT.toFile());
        builder.environment().putAll(env);
        var run = Harness.finish(builder.start(), 120);
        assertEquals(0, run.status(), run.err());
        return new ObjectMapper().readTree(run.out());
    }

    @BeforeAll
    static void callEveryEndpointWithTheOfficialClient() throws Exception {
        sim = ollama_sim.Server.start(ollama_sim.Options.instant());
        parsed = runClient();
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @Test
    void chatStreamsAndAnswersInOneObject() {
        var stream = parsed.get("chatStream").get("ok");
        assertEquals(ollama_sim.answerFor("hi"), stream.get("content").asText().strip());
        assertEquals("stop", stream.get("last").get("done_reason").asText());
        assertTrue(stream.get("last").get("eval_count").asInt() > 0);
        var once = parsed.get("chatOnce").get("ok");
        assertEquals(ollama_sim.answerFor("hi"), once.get("message").get("content").asText());
        assertTrue(once.get("prompt_eval_duration").asLong() > 0 && once.get("eval_duration").asLong() > 0);
    }

    @Test
    void aThinkingModelsThinkingIsParsedApart() {
        var stream = parsed.get("thinkingStream").get("ok");
        assertEquals(ollama_sim.thinkingFor("hi"), stream.get("thinking").asText().strip());
        assertEquals(ollama_sim.answerFor("hi"), stream.get("content").asText().strip());
    }

    @Test
    void generateStreamsAndAnswersInOneObject() {
        assertEquals(ollama_sim.answerFor("hi"), parsed.get("generateStream").get("ok").get("content").asText().strip());
        assertEquals(ollama_sim.answerFor("hi"), parsed.get("generateOnce").get("ok").get("response").asText());
    }

    @Test
    void listShowPsAndVersion() {
        var names = parsed.get("list").get("ok").get("models").findValuesAsText("name");
        assertEquals(List.of("llama3.1:8b", "llama3.2:1b", "qwen3:0.6b"), names);
        assertTrue(parsed.get("list").get("ok").get("models").get(0).get("digest").asText().matches("[0-9a-f]{64}"));
        assertEquals("[\"completion\",\"thinking\"]", parsed.get("show").get("ok").get("capabilities").toString());
        assertFalse(parsed.get("ps").get("ok").get("models").isEmpty(), "the chats loaded a model: " + parsed.get("ps"));
        assertFalse(parsed.get("version").get("ok").get("version").asText().isEmpty());
    }

    @Test
    void aMissingModelIsTheClientsResponseErrorWithOllamasWords() {
        var missing = parsed.get("missingModel");
        assertEquals("ResponseError", missing.get("name").asText(), missing.toString());
        assertEquals(404, missing.get("status").asInt());
        assertEquals("model 'nope:1b' not found", missing.get("error").asText());
    }

    @Test
    void anErrorLineMidStreamIsThrownByTheClient() throws Exception {
        sim.setFault(ollama_sim.FaultPlan.of(ollama_sim.Fault.ERROR_LINE));
        try {
            var error = runClient("midStreamError").get("midStreamError");
            assertEquals("simulated failure: out of memory while generating", error.get("error").asText(), error.toString());
        } finally {
            sim.setFault(ollama_sim.FaultPlan.NONE);
        }
    }
}
