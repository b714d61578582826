///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS io.opentelemetry:opentelemetry-bom:1.65.0@pom
//DEPS io.opentelemetry:opentelemetry-api
//DEPS io.opentelemetry:opentelemetry-sdk
//DEPS io.opentelemetry:opentelemetry-exporter-logging
//DEPS io.opentelemetry:opentelemetry-exporter-otlp
//DEPS io.opentelemetry:opentelemetry-sdk-testing
//SOURCES LessonKit.java
//DESCRIPTION Lesson 1, spans: a tracer provider wired by hand, a span, nested spans, ids and parent ids.

// LESSON 1: SPANS                                                                    about 10 minutes
//
// Goal      Make spans by hand and read what the SDK records: trace id, span id, parent id, duration.
// Needs     Java 17+ and JBang (or ./jbang from the repository root). No collector, no Ollama.
// Run       jbang lessons/01_spans.java        add --step to pause before each step, --otlp to send
//                                              the spans to a collector instead of the console
// You should see
//   == Step 1: Wire a tracer provider by hand
//   tracer provider: SimpleSpanProcessor -> LoggingSpanExporter, resource service.name=lesson-01-spans
//   == Step 2: One span
//   -> 'chat_interaction' : <trace-id> <span-id> INTERNAL [tracer: lesson-01:] {}
//   trace id <trace-id> (32 hex), span id <span-id> (16 hex), took <n> ms for 16 characters
//   == Step 3: Nested spans through the current context
//   -> 'ollama_request' : <trace-id> <span-id> INTERNAL [tracer: lesson-01:] {}
//   ollama_request    parent = <span-id> = generate_response <span-id>
//   generate_response parent = <span-id> = chat_interaction <span-id>
//   one trace id for all three: <trace-id>
//   chat_interaction    |#####...|...<n> ms
//     generate_response |...#...|...<n> ms
//       ollama_request  |...#...|...<n> ms
//   == Step 4: A span is exported when it ends, not before
//   exported so far: 0 ... after end(): 1
// (Children end first, so they print first. The ids differ on every run.)
// In the chatbot   Telemetry.tracerProvider wires the provider; TracedChat.turn starts the root span.
//
// Try it yourself
//   1. At the TRY marker in step 3, add a `log_interaction` span: a child of chat_interaction that
//      starts after generate_response ended (add it to `drawn`). Check its parent id and its row.
//   2. Delete `try (Scope s = ...makeCurrent())` around generate_response. Where does ollama_request
//      end up, and why? (Hint: the parent comes from Context.current().)
//   Solution: lessons/solutions/01_spans.java
// Next      Lesson 2, attributes: what to put on a span so it can answer questions.

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;

class Lesson01Spans {
    static final String SCOPE = "lesson-01";

    public static void main(String[] args) {
        var options = LessonKit.options(args);
        OpenTelemetrySdk otel = LessonKit.step(options, 1, "Wire a tracer provider by hand",
                "Exporter = where spans go; processor = when; provider = how tracers are made.",
                () -> wireTracerProvider(options.otlp() ? null : LessonKit.consoleSpans(), options));
        LessonKit.step(options, 2, "One span", "Start, work, end: ending records the duration.", () -> oneSpan(otel));
        LessonKit.step(options, 3, "Nested spans through the current context", "makeCurrent() makes the next spans children.",
                () -> nestedSpans(otel));
        LessonKit.step(options, 4, "A span is exported when it ends, not before", "Never ended, never exported.", () -> exportedOnEnd());
        LessonKit.close(otel);
    }

    /** STEP 1. Exporter = where spans go; processor = when they go; provider = how tracers are made. */
    static OpenTelemetrySdk wireTracerProvider(SpanExporter exporter, LessonKit.Options options) {
        if (exporter == null) return LessonKit.sdk(options, "lesson-01-spans"); // --otlp: the kit's OTLP wiring
        var tracerProvider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.builder().put("service.name", "lesson-01-spans").build()))
                // Simple = export each span the moment it ends (lesson 6 shows the batching alternative).
                .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                .build();
        System.out.println("tracer provider: SimpleSpanProcessor -> " + exporter.getClass().getSimpleName()
                + ", resource service.name=lesson-01-spans");
        return OpenTelemetrySdk.builder().setTracerProvider(tracerProvider).build();
    }

    /** STEP 2. Start, do the work, end. Ending is what records the duration and hands the span to the processor. */
    static SpanContext oneSpan(OpenTelemetry otel) {
        Tracer tracer = otel.getTracer(SCOPE);
        Span span = tracer.spanBuilder("chat_interaction").startSpan();
        String answer = String.join(" ", "a", "pretend", "answer"); // the "work"
        span.end();
        SpanContext ids = span.getSpanContext();
        // The API's Span cannot tell its duration; the SDK's span (a ReadableSpan) can.
        double millis = span instanceof ReadableSpan readable ? readable.getLatencyNanos() / 1e6 : 0;
        System.out.printf("trace id %s (32 hex), span id %s (16 hex), took %.1f ms for %d characters%n",
                ids.getTraceId(), ids.getSpanId(), millis, answer.length());
        return ids;
    }

    /** STEP 3. makeCurrent() puts a span in the Context; spans started while it is current become its children. */
    static void nestedSpans(OpenTelemetry otel) {
        Tracer tracer = otel.getTracer(SCOPE);
        var drawn = new java.util.ArrayList<Span>(); // the turn's spans, drawn as a waterfall at the end
        Span turn = tracer.spanBuilder("chat_interaction").startSpan();
        drawn.add(turn);
        try (Scope ignored = turn.makeCurrent()) {
            Span generate = tracer.spanBuilder("generate_response").startSpan();
            drawn.add(generate);
            try (Scope s = generate.makeCurrent()) {
                Span request = tracer.spanBuilder("ollama_request").startSpan();
                drawn.add(request);
                request.end();
                System.out.println("ollama_request    parent = " + LessonKit.parentOf(request) + " = generate_response " + generate.getSpanContext().getSpanId());
            } finally {
                generate.end(); // try/finally: the span ends even if the work throws
            }
            System.out.println("generate_response parent = " + LessonKit.parentOf(generate) + " = chat_interaction " + turn.getSpanContext().getSpanId());
            // TRY: add a log_interaction span here, a child of chat_interaction (Try it yourself 1)
        } finally {
            turn.end();
        }
        System.out.println("one trace id for all three: " + turn.getSpanContext().getTraceId());
        LessonKit.waterfall(drawn); // the exporter lines above, drawn as a trace: what Jaeger and /trace show
    }

    /** STEP 4. Until end(), a span lives only in memory: a span that is never ended is never exported. */
    static int exportedOnEnd() {
        var memory = InMemorySpanExporter.create(); // a second, in-memory provider we can count
        try (var provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(memory)).build()) {
            Span span = provider.get(SCOPE).spanBuilder("not_ended_yet").startSpan();
            int before = memory.getFinishedSpanItems().size();
            span.end();
            int after = memory.getFinishedSpanItems().size();
            System.out.println("exported so far: " + before + " ... after end(): " + after);
            return after - before;
        }
    }
}
