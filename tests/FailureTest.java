// A failing LLM call: error spans up the tree, the error metric, an ERROR log record, one readable
// line for the user, and a REPL that goes on.

import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.EventData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FailureTest {
    private static final ObjectMapper JSON = new ObjectMapper();
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
    void unknownModelFailsTheTurnWithModelNotFound() {
        var result = harness.turn("no-such-model:1b", "Hello!");
        assertFalse(result.ok());
        assertEquals(ErrorType.MODEL_NOT_FOUND, result.error().type);
        assertTrue(result.error().getMessage().contains("ollama pull no-such-model:1b"), result.error().getMessage());
    }

    @Test
    void unknownModelRecordsTheExceptionWhereItHappened() {
        harness.turn("no-such-model:1b", "Hello!");
        var request = harness.span("ollama_request");
        assertEquals(StatusCode.ERROR, request.getStatus().getStatusCode());
        assertEquals("model_not_found", Harness.attr(request, io.opentelemetry.semconv.ErrorAttributes.ERROR_TYPE));
        assertEquals(404L, Harness.attr(request, io.opentelemetry.semconv.HttpAttributes.HTTP_RESPONSE_STATUS_CODE));
        assertTrue(request.getEvents().stream().map(EventData::getName).toList().contains("exception"));
    }

    @Test
    void unknownModelMarksEveryAncestorUpToTheRoot() {
        harness.turn("no-such-model:1b", "Hello!");
        for (String name : List.of("generate_response", "chat_interaction")) {
            var span = harness.span(name);
            assertEquals(StatusCode.ERROR, span.getStatus().getStatusCode(), name);
            assertEquals("model_not_found", Harness.attr(span, io.opentelemetry.semconv.ErrorAttributes.ERROR_TYPE), name);
        }
        assertEquals(StatusCode.UNSET, harness.span("log_interaction").getStatus().getStatusCode());
    }

    @Test
    void unknownModelCountsModelNotFoundError() {
        harness.turn("no-such-model:1b", "Hello!");
        assertEquals(1, MetricsTest.sum(harness.metric("llm.errors"),
                Harness.attrs("model", "no-such-model:1b", "error_type", "model_not_found")));
        assertEquals(1, MetricsTest.sum(harness.metric("llm.requests"),
                Harness.attrs("model", "no-such-model:1b", "status", "error")));
    }

    @Test
    void failedOperationDurationCarriesErrorType() {
        harness.turn("no-such-model:1b", "Hello!");
        var attributes = Harness.attrs("gen_ai.operation.name", "chat", "gen_ai.provider.name", "ollama",
                "gen_ai.request.model", "no-such-model:1b", "server.address", "127.0.0.1",
                "server.port", harness.simulator.port(), "error.type", "model_not_found");
        assertEquals(1, MetricsTest.histogram(harness.metric("gen_ai.client.operation.duration"), attributes).getCount());
    }

    @Test
    void unknownModelWritesAFailedLogRecord() throws Exception {
        harness.turn("no-such-model:1b", "Hello!");
        var lines = harness.stderrLines();
        assertEquals(1, lines.size());
        var line = JSON.readTree(lines.get(0));
        assertEquals("ERROR", line.get("level").asText());
        assertEquals("LLM request failed", line.get("message").asText());
        assertEquals("model_not_found", line.get("error_type").asText());
        assertEquals(harness.span("log_interaction").getSpanId(), line.get("span_id").asText());
    }

    @Test
    void unreachableOllamaIsAConnectionErrorThatNamesTheEndpointAndTheWayOut() {
        int port = Harness.closedPort();
        var client = new OllamaClient(URI.create("http://127.0.0.1:" + port),
                harness.settings.ollama().timeouts());
        var chat = new chatbot_otel.TracedChat(harness.otel, client, harness.settings, new java.io.PrintStream(
                java.io.OutputStream.nullOutputStream()));
        var result = chat.turn(1, new ChatRequest("llama3.1:8b",
                List.of(new ChatMessage("user", "hi")), 0.7, null), token -> { });
        assertEquals(ErrorType.CONNECTION_ERROR, result.error().type);
        String message = result.error().getMessage();
        assertTrue(message.contains("http://127.0.0.1:" + port) && message.contains("ollama serve")
                && message.contains("--simulate"), message);
        assertEquals("connection_error", Harness.attr(harness.span("chat_interaction"), io.opentelemetry.semconv.ErrorAttributes.ERROR_TYPE));
        assertEquals(1, MetricsTest.sum(harness.metric("llm.errors"),
                Harness.attrs("model", "llama3.1:8b", "error_type", "connection_error")));
    }

    @Test
    void replGoesOnAfterAFailedTurnAndDoesNotRememberIt() {
        var run = harness.repl("/model no-such-model:1b\nHello?\n/model llama3.1:8b\nHello again\n");
        assertEquals(0, run.status());
        assertEquals(1, run.err().lines().filter(l -> l.startsWith("error: ")).count(), run.err());
        assertTrue(run.out().contains("Bot: " + harness.lastServed().content()), run.out());
        assertEquals(1, harness.lastServed().messageCount(), "the failed turn is not part of the history");
    }
}
