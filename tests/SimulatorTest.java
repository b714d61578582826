// The Ollama simulator speaks Ollama's wire format: the chatbot's tests are only as real as it is.

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimulatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private ollama_sim.Server sim;

    @BeforeEach
    void start() throws Exception {
        sim = ollama_sim.Server.start(ollama_sim.Options.instant());
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private List<JsonNode> chat(String prompt) throws Exception {
        var response = post("/api/chat", "{\"model\":\"llama3.1:8b\",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}");
        assertEquals(200, response.statusCode());
        assertEquals("application/x-ndjson", response.headers().firstValue("Content-Type").orElse(""));
        var chunks = new ArrayList<JsonNode>();
        for (String line : response.body().split("\n")) chunks.add(JSON.readTree(line));
        return chunks;
    }

    @Test
    void streamedChunksHaveOllamasShape() throws Exception {
        var chunks = chat("Hello there");
        for (var chunk : chunks.subList(0, chunks.size() - 1)) {
            assertEquals("llama3.1:8b", chunk.get("model").asText());
            assertTrue(chunk.get("created_at").asText().endsWith("Z"));
            assertEquals("assistant", chunk.get("message").get("role").asText());
            assertFalse(chunk.get("done").asBoolean());
        }
    }

    @Test
    void finalChunkCarriesCountsAndNanosecondTimings() throws Exception {
        var last = chat("Hello there").get(chat("Hello there").size() - 1);
        assertTrue(last.get("done").asBoolean());
        assertEquals("stop", last.get("done_reason").asText());
        assertEquals("", last.get("message").get("content").asText());
        for (String field : new String[] {"total_duration", "prompt_eval_count", "prompt_eval_duration", "eval_count", "eval_duration"}) {
            assertTrue(last.get(field).asLong() > 0, field);
        }
    }

    @Test
    void evalCountEqualsTheChunksStreamedAndTheTextIsTheAnswer() throws Exception {
        var chunks = chat("Hello there");
        var text = new StringBuilder();
        chunks.forEach(c -> text.append(c.get("message").get("content").asText()));
        assertEquals(chunks.size() - 1, chunks.get(chunks.size() - 1).get("eval_count").asInt());
        assertEquals(ollama_sim.answerFor("Hello there"), text.toString());
    }

    @Test
    void repliesAreDeterministic() throws Exception {
        assertEquals(ollama_sim.answerFor("same"), ollama_sim.answerFor("same"));
        chat("same");
        chat("same");
        assertEquals(sim.served().get(0), new ollama_sim.ServedReply(sim.served().get(1).model(), sim.served().get(1).content(),
                sim.served().get(1).promptTokens(), sim.served().get(1).outputTokens(), 1, null, ""));
    }

    @Test
    void nonStreamingRequestGetsOneJsonObject() throws Exception {
        var response = post("/api/chat", "{\"model\":\"llama3.1:8b\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        var body = JSON.readTree(response.body());
        assertEquals(ollama_sim.answerFor("hi"), body.get("message").get("content").asText());
        assertTrue(body.get("done").asBoolean());
        assertEquals(ollama_sim.tokenize(ollama_sim.answerFor("hi")).size(), body.get("eval_count").asInt());
    }

    @Test
    void unknownModelIs404WithOllamasErrorBody() throws Exception {
        var response = post("/api/chat", "{\"model\":\"nope\",\"messages\":[]}");
        assertEquals(404, response.statusCode());
        assertEquals("model 'nope' not found", JSON.readTree(response.body()).get("error").asText());
    }

    @Test
    void tagsAndVersionAnswer() throws Exception {
        var tags = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/api/tags")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertEquals("llama3.1:8b", tags.get("models").get(0).get("name").asText());
        var version = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/api/version")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertFalse(version.get("version").asText().isEmpty());
    }

    @Test
    void modelWithoutTagMeansLatest() throws Exception {
        try (var latest = ollama_sim.Server.start(new ollama_sim.Options(0, List.of("phi3:latest"), 0, 0))) {
            var response = http.send(HttpRequest.newBuilder(URI.create(latest.baseUrl() + "/api/chat"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"phi3\",\"messages\":[]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
        }
    }

    @Test
    void badCommandLineIsOneLineNotAStackTrace() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ollama_sim.Options.parse(new String[] {"--port", "http"}));
        assertEquals("--port=http is not valid: use a whole number from 0 to 65535", e.getMessage());
    }

    // What follows is as Ollama's own source has it (server/routes.go, api/types.go), read 2026-11-25.

    @Test
    void unknownRoutesAndWrongMethodsGetGinsPlainText() throws Exception {
        var notFound = http.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/api/nothing")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, notFound.statusCode());
        assertEquals("404 page not found", notFound.body());
        assertEquals("text/plain", notFound.headers().firstValue("Content-Type").orElse(""));
        var wrongMethod = http.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/api/chat")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, wrongMethod.statusCode());
        assertEquals("405 method not allowed", wrongMethod.body());
    }

    @Test
    void optionsOfTheWrongTypeAndABadKeepAliveAreRefusedAsOllamaDoes() throws Exception {
        var hot = post("/api/chat", "{\"model\":\"llama3.1:8b\",\"options\":{\"temperature\":\"hot\"},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(500, hot.statusCode()); // FromMap's error goes through handleScheduleError's default
        assertEquals("option \"temperature\" must be of type float32", JSON.readTree(hot.body()).get("error").asText());
        var bogus = post("/api/chat", "{\"model\":\"llama3.1:8b\",\"keep_alive\":\"bogus\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(400, bogus.statusCode());
        assertEquals("time: invalid duration \"bogus\"", JSON.readTree(bogus.body()).get("error").asText());
        assertEquals(200, post("/api/chat", "{\"model\":\"llama3.1:8b\",\"keep_alive\":\"1h30m\",\"stream\":false,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").statusCode());
    }

    @Test
    void noMessagesLoadsTheModelAndNumPredictCutsWithLength() throws Exception {
        var load = JSON.readTree(post("/api/chat", "{\"model\":\"llama3.1:8b\",\"messages\":[]}").body());
        assertEquals("load", load.get("done_reason").asText());
        assertEquals("", load.get("message").get("content").asText());
        var cut = JSON.readTree(post("/api/chat", "{\"model\":\"llama3.1:8b\",\"stream\":false,\"options\":{\"num_predict\":3},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").body());
        assertEquals("length", cut.get("done_reason").asText());
        assertEquals(3, cut.get("eval_count").asInt());
    }

    @Test
    void nonStreamingTimingsSplitPromptEvaluationFromGeneration() throws Exception {
        try (var slow = ollama_sim.Server.start(new ollama_sim.Options(0, List.of("llama3.1:8b"), 200, 100))) {
            var reply = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(slow.baseUrl() + "/api/chat"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"llama3.1:8b\",\"stream\":false,"
                            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build(), HttpResponse.BodyHandlers.ofString()).body());
            assertTrue(reply.get("prompt_eval_duration").asLong() >= 200_000_000L, reply.toString());
            assertTrue(reply.get("eval_duration").asLong() < reply.get("total_duration").asLong() - 150_000_000L, reply.toString());
        }
    }

    @Test
    void everyAnswerReportsTheSchedulersWaitAsLoadDurationLongerOnFirstUse() throws Exception {
        String ask = "{\"model\":\"llama3.1:8b\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        try (var fresh = ollama_sim.Server.start(ollama_sim.Options.instant())) {
            var request = HttpRequest.newBuilder(URI.create(fresh.baseUrl() + "/api/chat")).POST(HttpRequest.BodyPublishers.ofString(ask)).build();
            var first = JSON.readTree(http.send(request, HttpResponse.BodyHandlers.ofString()).body());
            var warm = JSON.readTree(http.send(request, HttpResponse.BodyHandlers.ofString()).body());
            assertTrue(first.get("load_duration").asLong() >= 5_000_000L, first.toString());
            assertTrue(warm.get("load_duration").asLong() > 0 && warm.get("load_duration").asLong() < first.get("load_duration").asLong(),
                    warm.toString());
        }
    }

    @Test
    void theVersionIsTheReleaseTheSimulatorFollowsThePinnedImage() throws Exception {
        String image = Stack.dotEnv().get("OLLAMA_IMAGE");
        assertEquals(image.substring(image.lastIndexOf(':') + 1), ollama_sim.OLLAMA_VERSION);
        var version = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/api/version")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertEquals(ollama_sim.OLLAMA_VERSION + "-sim", version.get("version").asText());
    }

    @Test
    void tagsListFullEntries() throws Exception {
        var model = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/api/tags")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).get("models").get(0);
        assertTrue(model.get("digest").asText().matches("[0-9a-f]{64}"), model.toString());
        for (String field : List.of("parent_model", "format", "family", "families", "parameter_size", "quantization_level")) {
            assertTrue(model.get("details").has(field), field + " in " + model);
        }
    }

    @Test
    void generateShowAndPsAnswerAsOllamaDoes() throws Exception {
        var lines = post("/api/generate", "{\"model\":\"qwen3:0.6b\",\"prompt\":\"hi\"}").body().lines().map(l -> {
            try {
                return JSON.readTree(l);
            } catch (Exception e) {
                throw new AssertionError(l, e);
            }
        }).toList();
        assertFalse(lines.get(0).get("thinking").asText().isEmpty(), "a thinking model thinks first");
        var last = lines.get(lines.size() - 1);
        assertTrue(last.get("done").asBoolean() && last.has("eval_count") && !last.has("message"), last.toString());
        String response = lines.stream().map(l -> l.path("response").asText("")).reduce("", String::concat).strip();
        assertEquals(ollama_sim.answerFor("hi"), response);
        var once = JSON.readTree(post("/api/generate", "{\"model\":\"llama3.1:8b\",\"prompt\":\"hi\",\"stream\":false}").body());
        assertEquals(ollama_sim.answerFor("hi"), once.get("response").asText());
        assertEquals(1 + once.get("eval_count").asInt(), once.get("context").size(), "the ids of prompt and answer: " + once);
        assertTrue(last.get("context").isArray(), last.toString());
        var raw = JSON.readTree(post("/api/generate", "{\"model\":\"llama3.1:8b\",\"prompt\":\"hi\",\"raw\":true,\"stream\":false}").body());
        assertFalse(raw.has("context"), "raw prompts get no context: " + raw);
        assertEquals("load", JSON.readTree(post("/api/generate", "{\"model\":\"llama3.1:8b\"}").body()).get("done_reason").asText());
        var show = JSON.readTree(post("/api/show", "{\"model\":\"qwen3:0.6b\"}").body());
        assertEquals("[\"completion\",\"thinking\"]", show.get("capabilities").toString());
        assertEquals(404, post("/api/show", "{\"model\":\"nope\"}").statusCode());
        var ps = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/api/ps")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertEquals(List.of("llama3.1:8b", "qwen3:0.6b"), ps.get("models").findValuesAsText("name"), "the models loaded so far");
    }
}
