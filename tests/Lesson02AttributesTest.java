// Lesson 2: typed attributes, events, the Resource and truncation behave as the lesson says.

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.trace.data.EventData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class Lesson02AttributesTest {
    private final Harness.Memory memory = Harness.Memory.create();

    @AfterEach
    void close() {
        memory.close();
    }

    @Test
    void resourceSaysWhoIsEmitting() {
        var resource = Lesson02Attributes.resource();
        assertEquals("lesson-02-attributes", resource.getAttribute(AttributeKey.stringKey("service.name")));
        assertEquals("1.0.0", resource.getAttribute(AttributeKey.stringKey("service.version")));
        assertEquals("workshop", resource.getAttribute(AttributeKey.stringKey("deployment.environment.name")));
        assertFalse(resource.getAttribute(AttributeKey.stringKey("host.name")).isBlank());
    }

    @Test
    void attributesKeepTheirTypes() {
        Lesson02Attributes.typedAttributes(memory.otel());
        var attributes = memory.span("generate_response").getAttributes();
        assertEquals(12L, attributes.get(AttributeKey.longKey("llm.tokens.input")));
        assertEquals(0.7, attributes.get(AttributeKey.doubleKey("llm.temperature")));
        assertEquals("llama3.1:8b", attributes.get(AttributeKey.stringKey("llm.model")));
        assertEquals(1L, attributes.get(AttributeKey.longKey("app.turn")));
        assertEquals(null, attributes.get(AttributeKey.stringKey("llm.tokens.input")), "the same name as a string is another key");
    }

    @Test
    void eventsAreRecordedInOrder() {
        Lesson02Attributes.events(memory.otel());
        assertEquals(List.of("first_token", "last_token"),
                memory.span("process_streaming_response").getEvents().stream().map(EventData::getName).toList());
    }

    @Test
    void longValuesAreTruncatedToTheLimit() {
        assertEquals(32, Lesson02Attributes.truncation(32).getAttributes().get(AttributeKey.stringKey("llm.prompt")).length());
        assertEquals(16, Lesson02Attributes.truncation(16).getAttributes().get(AttributeKey.stringKey("llm.prompt")).length());
    }

    @Test
    void solutionAddsUserStreamAndToolCall() {
        Lesson02AttributesSolution.withUserStreamAndToolCall(memory.otel());
        var span = memory.span("generate_response");
        assertEquals("ada", span.getAttributes().get(AttributeKey.stringKey("app.user_id")));
        assertEquals(true, span.getAttributes().get(AttributeKey.booleanKey("llm.stream")));
        assertEquals("get_weather", span.getEvents().get(0).getAttributes().get(AttributeKey.stringKey("tool.name")));
    }
}
