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
}
