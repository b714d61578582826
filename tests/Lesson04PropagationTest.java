// Lesson 4: one trace across a wrapped thread pool and across an HTTP call; baggage arrives.

import io.opentelemetry.api.common.AttributeKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class Lesson04PropagationTest {
    private final Harness.Memory memory = Harness.Memory.create();

    @AfterEach
    void close() {
        memory.close();
    }

    @Test
    void wrappedPoolKeepsTheTraceAndTheRawPoolLosesIt() {
        var contexts = Lesson04Propagation.acrossThreads(memory.otel());
        var caller = contexts[0];
        assertEquals(caller.getTraceId(), contexts[1].getTraceId());
        assertNotEquals(caller.getTraceId(), contexts[2].getTraceId());
        var wrappedChild = memory.spans().getFinishedSpanItems().stream()
                .filter(s -> s.getSpanId().equals(contexts[1].getSpanId())).findFirst().orElseThrow();
        assertEquals(caller.getSpanId(), wrappedChild.getParentSpanId());
    }

    @Test
    void clientAndServerShareOneTrace() {
        var server = Lesson04Propagation.acrossProcesses(memory.otel(), false);
        var client = memory.span("ollama_request");
        assertEquals(client.getTraceId(), server.span().getTraceId());
        assertEquals(client.getSpanId(), server.parentSpanId());
        assertEquals(client.getSpanId(), memory.span("POST /api/chat").getParentSpanId());
    }

    @Test
    void baggageTravelsOnlyWhenSet() {
        assertEquals("gold", Lesson04Propagation.acrossProcesses(memory.otel(), true).userTier());
        assertNull(Lesson04Propagation.acrossProcesses(memory.otel(), false).userTier());
    }

    @Test
    void solutionPutsTheBaggageOnTheServerSpan() {
        Lesson04PropagationSolution.callWithBaggage(memory.otel());
        var server = memory.span("POST /api/chat");
        assertEquals("gold", server.getAttributes().get(AttributeKey.stringKey("app.user_tier")));
        assertEquals(memory.span("ollama_request").getTraceId(), server.getTraceId());
    }
}
