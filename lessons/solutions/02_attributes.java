///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../02_attributes.java
//MAIN Lesson02AttributesSolution
//DESCRIPTION Lesson 2 solution: app.user_id, llm.stream and a tool_call event.

// Solution to lesson 2, "Try it yourself".
// Run       jbang lessons/solutions/02_attributes.java

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;

class Lesson02AttributesSolution {
    static final AttributeKey<String> APP_USER_ID = AttributeKey.stringKey("app.user_id");
    static final AttributeKey<Boolean> LLM_STREAM = AttributeKey.booleanKey("llm.stream");
    static final AttributeKey<String> TOOL_NAME = AttributeKey.stringKey("tool.name");

    public static void main(String[] args) {
        var options = LessonKit.options(args);
        var otel = LessonKit.sdk(options, "lesson-02-attributes");
        LessonKit.step(options, 1, "Solution 1 and 2: more attributes and a tool_call event", () -> withUserStreamAndToolCall(otel));
        LessonKit.close(otel);
    }

    static Span withUserStreamAndToolCall(OpenTelemetry otel) {
        Span span = otel.getTracer(Lesson02Attributes.SCOPE).spanBuilder("generate_response")
                .setAttribute(Lesson02Attributes.LLM_MODEL, "llama3.1:8b")
                .setAttribute(APP_USER_ID, "ada")
                .setAttribute(LLM_STREAM, true)
                .startSpan();
        span.addEvent("tool_call", Attributes.of(TOOL_NAME, "get_weather"));
        span.end();
        return span;
    }
}
