///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS io.opentelemetry:opentelemetry-bom:1.65.0@pom
//DEPS io.opentelemetry:opentelemetry-api
//DEPS io.opentelemetry:opentelemetry-sdk
//DEPS io.opentelemetry:opentelemetry-exporter-logging
//DEPS io.opentelemetry:opentelemetry-exporter-otlp
//DEPS io.opentelemetry:opentelemetry-sdk-testing
//SOURCES LessonKit.java
//DESCRIPTION Lesson 5, errors: recordException, status ERROR, error.type, an error counter, errors up the tree, classic mistakes.

// LESSON 5: ERRORS                                                                   about 10 minutes
//
// Goal      Make a failed LLM call unmistakable: the exception recorded where it happened, status
//           ERROR and a low-cardinality `error.type` on every span up to the root, and a counter of
//           errors by type. Then the two classic mistakes, and what they cost.
// Needs     Lesson 3. Java 17+ and JBang; no collector, no Ollama (the failure is simulated).
// Run       jbang lessons/05_errors.java         (--step, --otlp as in every lesson)
// You should see
//   == Step 1: Record the failure where it happens
//   -> 'ollama_request' : <trace-id> <span-id> CLIENT [...] AttributesMap{data={error.type=connection_error}...}
//   ollama_request: status ERROR "connection refused", error.type=connection_error, 1 exception event
//   == Step 2: Count errors by type
//   llm.errors{error_type=connection_error, model=llama3.1:8b} = 2 {error}
//   llm.errors{error_type=io_error, model=llama3.1:8b} = 1 {error}
//   llm.errors{error_type=timeout, model=llama3.1:8b} = 1 {error}
//   == Step 3: Errors surface on the parents
//   ollama_request: status ERROR "no first token within 120 s", error.type=timeout, 1 exception event
//   generate_response: status ERROR, error.type=timeout
//   chat_interaction: status ERROR, error.type=timeout
//   == Step 4: Classic mistakes
//   a span never ended: exported 0 of 1
//   an exception swallowed without setStatus: the span says UNSET, the dashboard says all is well
// In the chatbot   TracedChat.recordFailure marks where it failed; TracedChat.markFailed marks the parents.
//
// Try it yourself
//   1. At the TRY marker in classify(), map java.net.http.HttpTimeoutException to "timeout" (it
//      is an IOException, so the order of the checks matters).
//   2. In step 4, end the forgotten span in a finally block and watch it get exported.
//   Solution: lessons/solutions/05_errors.java
// Next      Lesson 6, exporters: where telemetry goes, when, and what happens when nobody listens.

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.List;

class Lesson05Errors {
    static final String SCOPE = "lesson-05";
    // error.type is a stable semantic convention: a short, low-cardinality class of failure, never a message.
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

    public static void main(String[] args) {
        var options = LessonKit.options(args);
        var otel = LessonKit.sdk(options, "lesson-05-errors");
        LessonKit.step(options, 1, "Record the failure where it happens", "The exception event, status ERROR, error.type.",
                () -> failedRequest(otel, new ConnectException("connection refused")));
        LessonKit.step(options, 2, "Count errors by type", "Traces may be sampled; metrics count every failure.", () -> {
            countErrors(otel);
            LessonKit.metrics("llm.errors");
        });
        LessonKit.step(options, 3, "Errors surface on the parents", "Each level that fails because of it says so itself.",
                () -> errorUpTheTree(otel));
        LessonKit.step(options, 4, "Classic mistakes", "A span never ended; an exception swallowed.", Lesson05Errors::classicMistakes);
        LessonKit.close(otel);
    }

    /** The one place that turns an exception into an error.type: a handful of values a dashboard can group by. */
    static String classify(Throwable e) {
        // TRY: java.net.http.HttpTimeoutException -> "timeout" (Try it yourself 1)
        if (e instanceof ConnectException) return "connection_error";
        if (e instanceof SocketTimeoutException) return "timeout";
        if (e instanceof IOException) return "io_error";
        return e.getClass().getSimpleName();
    }

    /** STEP 1. recordException adds an "exception" event (type, message, stack); status and error.type say it failed. */
    static Span failedRequest(OpenTelemetry otel, Exception failure) {
        Span span = otel.getTracer(SCOPE).spanBuilder("ollama_request").setSpanKind(SpanKind.CLIENT).startSpan();
        try (Scope ignored = span.makeCurrent()) {
            throw failure; // stands in for the HTTP call to Ollama
        } catch (Exception e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR, e.getMessage());
            span.setAttribute(ERROR_TYPE, classify(e));
        } finally {
            span.end();
        }
        if (span instanceof ReadableSpan r) {
            var data = r.toSpanData();
            System.out.printf("ollama_request: status %s \"%s\", error.type=%s, %d exception event%n", data.getStatus().getStatusCode(),
                    data.getStatus().getDescription(), data.getAttributes().get(ERROR_TYPE), data.getEvents().size());
        }
        return span;
    }

    /** STEP 2. Traces may be sampled; metrics count every failure. Same error.type values as the spans. */
    static void countErrors(OpenTelemetry otel) {
        var errors = otel.getMeter(SCOPE).counterBuilder("llm.errors").setUnit("{error}").build();
        var model = AttributeKey.stringKey("model");
        var errorType = AttributeKey.stringKey("error_type");
        for (Exception e : new Exception[] {new ConnectException(), new ConnectException(), new SocketTimeoutException(),
                new java.net.http.HttpTimeoutException("request timed out")}) {
            errors.add(1, Attributes.of(model, "llama3.1:8b", errorType, classify(e)));
        }
    }

    /** STEP 3. A child's ERROR does not change its parent: each level that fails because of it says so itself. */
    static Span errorUpTheTree(OpenTelemetry otel) {
        var tracer = otel.getTracer(SCOPE);
        Span turn = tracer.spanBuilder("chat_interaction").startSpan();
        Span generate = tracer.spanBuilder("generate_response").setSpanKind(SpanKind.CLIENT).setParent(
                io.opentelemetry.context.Context.current().with(turn)).startSpan();
        try (Scope t = turn.makeCurrent()) {
            try (Scope g = generate.makeCurrent()) {
                failedRequest(otel, new SocketTimeoutException("no first token within 120 s"));
                markFailed(generate, "timeout");
            } finally {
                generate.end();
            }
            markFailed(turn, "timeout");
        } finally {
            turn.end();
        }
        for (Span span : List.of(generate, turn)) { // what the SDK recorded on the parents
            if (span instanceof ReadableSpan r) {
                var data = r.toSpanData();
                System.out.println(data.getName() + ": status " + data.getStatus().getStatusCode() + ", error.type=" + data.getAttributes().get(ERROR_TYPE));
            }
        }
        return turn;
    }

    static void markFailed(Span span, String errorType) {
        span.setStatus(StatusCode.ERROR, errorType);
        span.setAttribute(ERROR_TYPE, errorType);
    }

    /** STEP 4. Two mistakes that hide failures. Returns {spans exported, status of the swallowed-error span}. */
    static Object[] classicMistakes() {
        var memory = InMemorySpanExporter.create();
        try (var provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(memory)).build()) {
            var tracer = provider.get(SCOPE);
            Span forgotten = tracer.spanBuilder("forgotten").startSpan(); // an early return skipped end()
            System.out.println("a span never ended: exported " + memory.getFinishedSpanItems().size() + " of 1");
            Span swallowed = tracer.spanBuilder("swallowed").startSpan();
            try {
                throw new ConnectException("connection refused");
            } catch (ConnectException e) {
                // caught and ignored: no recordException, no setStatus
            } finally {
                swallowed.end();
            }
            StatusCode status = memory.getFinishedSpanItems().get(0).getStatus().getStatusCode();
            System.out.println("an exception swallowed without setStatus: the span says " + status + ", the dashboard says all is well");
            return new Object[] {memory.getFinishedSpanItems().size(), status, forgotten};
        }
    }
}
