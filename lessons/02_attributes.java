///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS io.opentelemetry:opentelemetry-bom:1.65.0@pom
//DEPS io.opentelemetry:opentelemetry-api
//DEPS io.opentelemetry:opentelemetry-sdk
//DEPS io.opentelemetry:opentelemetry-exporter-logging
//DEPS io.opentelemetry:opentelemetry-exporter-otlp
//DEPS io.opentelemetry:opentelemetry-sdk-testing
//SOURCES LessonKit.java
//DESCRIPTION Lesson 2, attributes: typed keys, the reference chatbot's llm.* and app.* attributes, events, the Resource, limits.

// LESSON 2: ATTRIBUTES                                                               about 10 minutes
//
// Goal      Put the facts of an LLM call on its span, typed, so a backend can filter, group and
//           sum them; tell span attributes from resource attributes; see attribute limits at work.
// Needs     Lesson 1. Java 17+ and JBang; no collector, no Ollama.
// Run       jbang lessons/02_attributes.java     (--step, --otlp as in every lesson)
// You should see
//   == Step 1: The Resource: who is emitting
//   deployment.environment.name=workshop host.name=... service.name=lesson-02-attributes service.version=1.0.0
//   == Step 2: Typed attributes on a span
//   -> 'generate_response' : <trace-id> <span-id> CLIENT [...] AttributesMap{data={...llm.model=llama3.1:8b...}...}
//   llm.model = llama3.1:8b (STRING)
//   llm.temperature = 0.7 (DOUBLE)
//   app.session_id = session-42 (STRING)
//   app.turn = 1 (LONG)
//   llm.tokens.input = 12 (LONG)
//   llm.tokens.output = 87 (LONG)
//   the span's resource: service.name=lesson-02-attributes, deployment.environment.name=workshop
//   == Step 3: Events: moments inside a span
//   events: [first_token, last_token]
//   == Step 4: Limits: long values are truncated
//   llm.prompt kept 32 of 200 characters
// In the chatbot   TracedChat.generateResponse sets the request attributes at start and the usage at the end.
//                  It adds no events of its own (only the exception event): each step of a turn is a span.
//
// Try it yourself
//   1. At the TRY marker in step 2, add `app.user_id` (a string) and `llm.stream` (a boolean).
//   2. In step 3, add an event `tool_call` with an attribute `tool.name`.
//   Solution: lessons/solutions/02_attributes.java
// Next      Lesson 3, metrics: counting and timing every request, not just the sampled ones.

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanLimits;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;

import java.net.InetAddress;
import java.net.UnknownHostException;

class Lesson02Attributes {
    static final String SCOPE = "lesson-02";
    // Typed keys, made once: the type travels with the key, so a typo in a type cannot happen.
    static final AttributeKey<String> LLM_MODEL = AttributeKey.stringKey("llm.model");
    static final AttributeKey<String> LLM_PROMPT = AttributeKey.stringKey("llm.prompt");
    static final AttributeKey<Long> LLM_TOKENS_INPUT = AttributeKey.longKey("llm.tokens.input");
    static final AttributeKey<Long> LLM_TOKENS_OUTPUT = AttributeKey.longKey("llm.tokens.output");
    static final AttributeKey<Double> LLM_TEMPERATURE = AttributeKey.doubleKey("llm.temperature");
    static final AttributeKey<String> APP_SESSION_ID = AttributeKey.stringKey("app.session_id");
    static final AttributeKey<Long> APP_TURN = AttributeKey.longKey("app.turn");

    public static void main(String[] args) {
        var options = LessonKit.options(args);
        Resource resource = LessonKit.step(options, 1, "The Resource: who is emitting",
                "Resource attributes describe the process, once.", Lesson02Attributes::resource);
        OpenTelemetrySdk otel = LessonKit.sdk(options, resource, meters -> meters); // every span and metric carries it
        LessonKit.step(options, 2, "Typed attributes on a span", "Typed, so a backend can filter, group and sum.",
                () -> typedAttributes(otel));
        LessonKit.step(options, 3, "Events: moments inside a span", "A timestamped note, cheaper than a child span.", () -> events(otel));
        LessonKit.step(options, 4, "Limits: long values are truncated", "SpanLimits cut huge values.", () -> truncation(32));
        LessonKit.close(otel);
    }

    /** STEP 1. Resource attributes describe the process, once; span attributes describe one operation. */
    static Resource resource() {
        Resource resource = Resource.getDefault().merge(Resource.create(Attributes.builder()
                .put("service.name", "lesson-02-attributes")
                .put("service.version", "1.0.0")
                .put("deployment.environment.name", "workshop")
                .put("host.name", hostName())
                .build()));
        System.out.println(resource.getAttributes().asMap().entrySet().stream().map(e -> e.getKey().getKey() + "=" + e.getValue())
                .filter(a -> !a.startsWith("telemetry.")).sorted().reduce((a, b) -> a + " " + b).orElse(""));
        return resource;
    }

    /** STEP 2. The reference chatbot's attributes, each with the type a backend needs to compute with it. */
    static Span typedAttributes(OpenTelemetry otel) {
        Span span = otel.getTracer(SCOPE).spanBuilder("generate_response").setSpanKind(SpanKind.CLIENT)
                .setAttribute(LLM_MODEL, "llama3.1:8b")      // known before the call: set at start
                .setAttribute(LLM_TEMPERATURE, 0.7)
                .setAttribute(APP_SESSION_ID, "session-42")
                .setAttribute(APP_TURN, 1L)
                .startSpan();
        span.setAttribute(LLM_TOKENS_INPUT, 12L);             // known after the call: set before end
        span.setAttribute(LLM_TOKENS_OUTPUT, 87L);
        // TRY: add app.user_id (string) and llm.stream (boolean) here (Try it yourself 1)
        span.end();
        if (span instanceof ReadableSpan readable) { // what the SDK recorded, with each value's type
            var data = readable.toSpanData();
            data.getAttributes().forEach((key, value) -> System.out.println(key.getKey() + " = " + value + " (" + key.getType() + ")"));
            System.out.println("the span's resource: service.name=" + data.getResource().getAttribute(AttributeKey.stringKey("service.name"))
                    + ", deployment.environment.name=" + data.getResource().getAttribute(AttributeKey.stringKey("deployment.environment.name")));
        }
        return span;
    }

    /** STEP 3. An event is a timestamped note inside a span: cheaper than a child span, with attributes of its own. */
    static Span events(OpenTelemetry otel) {
        Span span = otel.getTracer(SCOPE).spanBuilder("process_streaming_response").startSpan();
        span.addEvent("first_token", Attributes.of(AttributeKey.longKey("chunk.index"), 0L));
        span.addEvent("last_token", Attributes.of(AttributeKey.stringKey("done_reason"), "stop"));
        span.end();
        if (span instanceof ReadableSpan readable) {
            System.out.println("events: " + readable.toSpanData().getEvents().stream().map(e -> e.getName()).toList());
        }
        return span;
    }

    /** STEP 4. SpanLimits protect the pipeline from huge values (a 1 MB prompt): longer strings are cut. */
    static SpanData truncation(int maxLength) {
        var memory = InMemorySpanExporter.create();
        try (var provider = SdkTracerProvider.builder()
                .setSpanLimits(SpanLimits.builder().setMaxAttributeValueLength(maxLength).build())
                .addSpanProcessor(SimpleSpanProcessor.create(memory)).build()) {
            provider.get(SCOPE).spanBuilder("generate_response").setAttribute(LLM_PROMPT, "x".repeat(200)).startSpan().end();
            SpanData span = memory.getFinishedSpanItems().get(0);
            System.out.println("llm.prompt kept " + span.getAttributes().get(LLM_PROMPT).length() + " of 200 characters");
            return span;
        }
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
