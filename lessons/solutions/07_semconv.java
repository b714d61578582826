///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../07_semconv.java
//MAIN Lesson07SemconvSolution
//DESCRIPTION Lesson 7 solution: finish reasons and max tokens from the semconv constants.

// Solution to lesson 7, "Try it yourself".
// Run       jbang lessons/solutions/07_semconv.java
// 1. Below: the array attribute takes a List, the constant carries its type.
// 2. Span names are low-cardinality by rule, and `chat {model}` grows with every model you try;
//    the reference chatbot's dashboards and this kit's tests group by the fixed name `generate_response`, and
//    GenAI-aware backends find the call anyway from gen_ai.operation.name on that span.

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes;

import java.util.List;

class Lesson07SemconvSolution {
    public static void main(String[] args) {
        var options = LessonKit.options(args);
        var otel = LessonKit.sdk(options, "lesson-07-semconv");
        LessonKit.step(options, 1, "Solution 1: finish reasons and max tokens", () -> chatSpanWithFinishReasons(otel));
        LessonKit.close(otel);
    }

    static Span chatSpanWithFinishReasons(OpenTelemetry otel) {
        Span span = otel.getTracer(Lesson07Semconv.SCOPE).spanBuilder("chat " + Lesson07Semconv.MODEL).setSpanKind(SpanKind.CLIENT)
                .setAttribute(GenAiIncubatingAttributes.GEN_AI_OPERATION_NAME, "chat")
                .setAttribute(GenAiIncubatingAttributes.GEN_AI_REQUEST_MODEL, Lesson07Semconv.MODEL)
                .setAttribute(GenAiIncubatingAttributes.GEN_AI_REQUEST_MAX_TOKENS, 256L)
                .startSpan();
        span.setAttribute(GenAiIncubatingAttributes.GEN_AI_RESPONSE_FINISH_REASONS, List.of("stop"));
        span.end();
        return span;
    }
}
