// The fault matrix: every way Ollama goes wrong maps to one error.type, recorded where it happened
// and on every ancestor, counted in llm.errors, logged as an ERROR record, told to the user in one
// line, and the next turn works again. The partial answer streamed before a mid-stream fault is
// kept on the span.

import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.EventData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FaultMatrixTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Short time-outs so the slow faults fail fast; the simulator's delays are far longer. */
    static final Map<String, String> QUICK = Map.of("OLLAMA_FIRST_TOKEN_TIMEOUT", "0.5", "OLLAMA_CHUNK_TIMEOUT", "0.5");
    private Harness harness;

    @BeforeEach
    void start() {
        harness = Harness.start(QUICK);
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    private void inject(ollama_sim.Fault fault) {
        harness.simulator.setFault(new ollama_sim.FaultPlan(fault, 3, 10_000));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            // fault,     error.type,          where it is recorded,       what the user reads
            "REFUSE,      connection_error,    ollama_request,             cannot reach Ollama at",
            "RESET,       connection_error,    ollama_request,             cannot reach Ollama at",
            "HTTP_500,    http_error,          ollama_request,             Ollama answered HTTP 500: simulated failure",
            // Late headers or a late first chunk: which one a JDK's HTTP client reports first is a race,
            // so either span may record it. The contract is the type and the limit named.
            "SLOW_FIRST,  timeout,             ollama_request|process_streaming_response, no first token within 500 ms (OLLAMA_FIRST_TOKEN_TIMEOUT)",
            "STALL,       timeout,             process_streaming_response, the answer stalled: no chunk within 500 ms",
            "NOT_JSON,    invalid_response,    process_streaming_response, Ollama sent a line that is not a chat chunk",
            "CUT,         stream_interrupted,  process_streaming_response, the answer stream ended before the model finished",
            "ERROR_LINE,  stream_interrupted,  process_streaming_response, Ollama reported an error mid-answer",
    })
    void faultGivesItsErrorTypeEverywhereAndTheNextTurnWorks(ollama_sim.Fault fault, String errorType, String where, String message)
            throws Exception {
        inject(fault);
        var result = harness.turn("Hello there, how are you?");

        assertEquals(errorType, result.error().type.value());
        assertTrue(result.error().getMessage().startsWith(message), result.error().getMessage());
        assertFalse(result.error().getMessage().contains("\n"), "one line");

        where = originOf(where);
        var origin = harness.span(where);
        assertEquals(StatusCode.ERROR, origin.getStatus().getStatusCode());
        assertTrue(origin.getEvents().stream().map(EventData::getName).toList().contains("exception"), where + " records the exception");
        for (String name : List.of(where, "generate_response", "chat_interaction")) {
            assertEquals(errorType, Harness.attr(harness.span(name), io.opentelemetry.semconv.ErrorAttributes.ERROR_TYPE), name);
            assertEquals(StatusCode.ERROR, harness.span(name).getStatus().getStatusCode(), name);
        }

        assertEquals(1, MetricsTest.sum(harness.metric("llm.errors"), Harness.attrs("model", "llama3.1:8b", "error_type", errorType)));
        assertEquals(1, MetricsTest.sum(harness.metric("llm.requests"), Harness.attrs("model", "llama3.1:8b", "status", "error")));

        var log = JSON.readTree(harness.stderrLines().get(0));
        assertEquals("ERROR", log.get("level").asText());
        assertEquals("LLM request failed", log.get("message").asText());
        assertEquals(errorType, log.get("error_type").asText());

        harness.simulator.setFault(ollama_sim.FaultPlan.NONE);
        assertTrue(harness.turn("And now?").ok(), "the next turn works once the fault is gone");
    }

    /** The one span, of the alternatives a|b, that recorded the exception. */
    private String originOf(String alternatives) {
        var recorded = List.of(alternatives.split("\\|")).stream()
                .filter(name -> harness.spans().stream().anyMatch(s -> s.getName().equals(name)
                        && s.getEvents().stream().anyMatch(e -> e.getName().equals("exception"))))
                .toList();
        assertEquals(1, recorded.size(), "exactly one of " + alternatives + " records the exception: " + recorded);
        return recorded.get(0);
    }

    @ParameterizedTest
    @CsvSource({"STALL", "NOT_JSON", "CUT", "ERROR_LINE"})
    void partialAnswerIsKeptOnTheSpan(ollama_sim.Fault fault) {
        inject(fault);
        harness.turn("Hello there, how are you?");
        String firstThree = String.join("", ollama_sim.tokenize(ollama_sim.answerFor("Hello there, how are you?")).subList(0, 3));
        assertEquals(firstThree, Harness.attr(harness.span("generate_response"), chatbot_otel.Keys.LLM_RESPONSE));
    }

    @Test
    void failedOllamaRequestKeepsTheHttpStatus() {
        inject(ollama_sim.Fault.HTTP_500);
        harness.turn("Hello");
        assertEquals(500L, Harness.attr(harness.span("ollama_request"), io.opentelemetry.semconv.HttpAttributes.HTTP_RESPONSE_STATUS_CODE));
    }

    @Test
    void replGoesOnThroughEveryFailureAndForgetsFailedTurns() {
        inject(ollama_sim.Fault.CUT);
        var run = harness.repl("first\nsecond\n");
        assertEquals(0, run.status());
        assertEquals(2, run.err().lines().filter(l -> l.startsWith("error: ")).count(), run.err());
        assertEquals(List.of(1, 1), harness.simulator.served().stream().map(ollama_sim.ServedReply::messageCount).toList(),
                "a failed turn is not added to the history");
    }

    @Test
    void cancellingATurnRecordsCancelled() {
        try (var h = Harness.start(Map.of("OLLAMA_CHUNK_TIMEOUT", "30"))) {
            h.simulator.setFault(new ollama_sim.FaultPlan(ollama_sim.Fault.STALL, 3, 10_000));
            var cancellation = new Cancellation();
            var tokens = new java.util.concurrent.atomic.AtomicInteger();
            var request = new ChatRequest("llama3.1:8b", List.of(new ChatMessage("user", "hi")), 0.7, null);
            // Ctrl-C arrives (from another thread, as a signal does) once three tokens have been shown.
            var result = h.chat.turn(1, request, token -> {
                if (tokens.incrementAndGet() == 3) new Thread(cancellation::cancel).start();
            }, cancellation);
            assertEquals(ErrorType.CANCELLED, result.error().type);
            assertEquals("cancelled", Harness.attr(h.span("chat_interaction"), io.opentelemetry.semconv.ErrorAttributes.ERROR_TYPE));
            assertEquals(1, MetricsTest.sum(h.metric("llm.errors"), Harness.attrs("model", "llama3.1:8b", "error_type", "cancelled")));
        }
    }
}
