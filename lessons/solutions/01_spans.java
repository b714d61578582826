///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../01_spans.java
//MAIN Lesson01SpansSolution
//DESCRIPTION Lesson 1 solution: log_interaction as a second child of chat_interaction.

// Solution to lesson 1, "Try it yourself".
// Run       jbang lessons/solutions/01_spans.java
// 1. log_interaction starts after generate_response has ended, while chat_interaction is still
//    current, so its parent is chat_interaction: two siblings under one root.
// 2. Without makeCurrent() around generate_response, the current span is still chat_interaction,
//    so ollama_request becomes a child of chat_interaction (a sibling of generate_response), not a
//    root: a span only becomes a root when no span at all is current.

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;

class Lesson01SpansSolution {
    public static void main(String[] args) {
        var options = LessonKit.options(args);
        var otel = LessonKit.step(options, 1, "Wire a tracer provider by hand",
                () -> Lesson01Spans.wireTracerProvider(options.otlp() ? null : LessonKit.consoleSpans(), options));
        LessonKit.step(options, 2, "Solution 1: log_interaction under chat_interaction", () -> turnWithLogInteraction(otel));
        LessonKit.close(otel);
    }

    static void turnWithLogInteraction(OpenTelemetry otel) {
        Tracer tracer = otel.getTracer(Lesson01Spans.SCOPE);
        Span turn = tracer.spanBuilder("chat_interaction").startSpan();
        try (Scope ignored = turn.makeCurrent()) {
            tracer.spanBuilder("generate_response").startSpan().end();
            Span log = tracer.spanBuilder("log_interaction").startSpan();
            log.end();
            System.out.println("log_interaction parent = " + LessonKit.parentOf(log)
                    + " = chat_interaction " + turn.getSpanContext().getSpanId());
        } finally {
            turn.end();
        }
    }
}
