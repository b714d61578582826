// Lesson 5: failures recorded where they happen, counted by type, marked up the tree; the mistakes.

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.StatusCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class Lesson05ErrorsTest {
    private final Harness.Memory memory = Harness.Memory.create();

    @AfterEach
    void close() {
        memory.close();
    }

    @Test
    void failureIsRecordedWhereItHappens() {
        Lesson05Errors.failedRequest(memory.otel(), new ConnectException("connection refused"));
        var span = memory.span("ollama_request");
        assertEquals(StatusCode.ERROR, span.getStatus().getStatusCode());
        assertEquals("connection_error", span.getAttributes().get(AttributeKey.stringKey("error.type")));
        var event = span.getEvents().get(0);
        assertEquals("exception", event.getName());
        assertEquals("java.net.ConnectException", event.getAttributes().get(AttributeKey.stringKey("exception.type")));
    }

    @Test
    void errorsAreCountedByType() {
        Lesson05Errors.countErrors(memory.otel());
        var errors = memory.metric("llm.errors");
        assertEquals(2, MetricsTest.sum(errors, Harness.attrs("model", "llama3.1:8b", "error_type", "connection_error")));
        assertEquals(1, MetricsTest.sum(errors, Harness.attrs("model", "llama3.1:8b", "error_type", "timeout")));
    }

    @Test
    void everyAncestorIsMarkedWithTheSameErrorType() {
        Lesson05Errors.errorUpTheTree(memory.otel());
        for (String name : List.of("ollama_request", "generate_response", "chat_interaction")) {
            var span = memory.span(name);
            assertEquals(StatusCode.ERROR, span.getStatus().getStatusCode(), name);
            assertEquals("timeout", span.getAttributes().get(AttributeKey.stringKey("error.type")), name);
        }
    }

    @Test
    void classicMistakesHideTheFailure() {
        Object[] result = Lesson05Errors.classicMistakes();
        assertEquals(1, result[0], "only the ended span is exported");
        assertEquals(StatusCode.UNSET, result[1], "a swallowed exception leaves the status unset");
    }

    @Test
    void solutionClassifiesHttpTimeoutsAndEndsTheSpan() {
        var timeout = new HttpTimeoutException("request timed out");
        assertEquals("io_error", Lesson05Errors.classify(timeout), "the lesson's classify does not know it yet");
        assertEquals("timeout", Lesson05ErrorsSolution.classify(timeout));
        assertEquals("connection_error", Lesson05ErrorsSolution.classify(new ConnectException()));
        assertEquals(1, Lesson05ErrorsSolution.endedInFinally(true));
    }
}
