///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS io.opentelemetry:opentelemetry-bom:1.65.0@pom
//DEPS io.opentelemetry:opentelemetry-api
//DEPS io.opentelemetry:opentelemetry-sdk
//DEPS io.opentelemetry:opentelemetry-exporter-logging
//DEPS io.opentelemetry:opentelemetry-exporter-otlp
//DEPS io.opentelemetry.semconv:opentelemetry-semconv:1.41.0
//DEPS io.opentelemetry.semconv:opentelemetry-semconv-incubating:1.41.0-alpha
//DEPS io.opentelemetry:opentelemetry-sdk-testing
//SOURCES LessonKit.java
//DESCRIPTION Lesson 7, semantic conventions: stable HTTP and incubating GenAI attributes, the chat span name, llm.* to gen_ai.*.

// LESSON 7: SEMANTIC CONVENTIONS                                                     about 10 minutes
//
// Goal      Name things the way every backend understands: the stable HTTP attributes, the GenAI
//           conventions (still incubating) from the semconv artifacts' constants instead of string
//           literals, the span name `chat {model}`, the GenAI metrics and their units; and how the
//           reference chatbot's own llm.* names map onto them.
// Needs     Lessons 2 and 3. Java 17+ and JBang; no collector.
// Run       jbang lessons/07_semconv.java        (--step, --otlp as in every lesson)
// You should see
//   == Step 1: Stable HTTP conventions
//   -> 'POST' : <trace-id> <span-id> CLIENT [...] ...http.request.method=POST...
//   == Step 2: GenAI conventions: the span name is "chat {model}"
//   -> 'chat llama3.1:8b' : <trace-id> <span-id> CLIENT [...] ...gen_ai.operation.name=chat...
//   == Step 3: The reference chatbot's names, mapped
//   llm.model              -> gen_ai.request.model
//   == Step 4: GenAI metrics and their units
//   gen_ai.client.operation.duration{...gen_ai.request.model=llama3.1:8b} count=1 sum=1.4 buckets {le 2.56: 1} s
//   gen_ai.client.token.usage{...gen_ai.token.type=input} count=1 sum=12.0 buckets {le 16.0: 1} {token}
//   gen_ai.client.token.usage{...gen_ai.token.type=output} count=1 sum=87.0 buckets {le 256.0: 1} {token}
// In the chatbot   TracedChat.generateResponse sets both families of names at once, and Keys spells them.
//
// Try it yourself
//   1. At the TRY marker in step 2, add gen_ai.response.finish_reasons (a string array: ["stop"]) and
//      gen_ai.request.max_tokens, using the constants.
//   2. Why does the chatbot keep the span name `generate_response` (TELEMETRY.md) rather than
//      `chat llama3.1:8b`? What would a dashboard that groups by span name see with each?
//   Solution: lessons/solutions/07_semconv.java
// Next      Lesson 8, logs: a log record that carries its trace, and the chatbot's JSON line.

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.semconv.HttpAttributes;
import io.opentelemetry.semconv.ServerAttributes;
import io.opentelemetry.semconv.UrlAttributes;
import io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes;
import io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GenAiOperationNameIncubatingValues;
import io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes.GenAiTokenTypeIncubatingValues;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

class Lesson07Semconv {
    static final String SCOPE = "lesson-07";
    static final String MODEL = "llama3.1:8b";

    public static void main(String[] args) {
        var options = LessonKit.options(args);
        var otel = LessonKit.sdk(options, "lesson-07-semconv");
        LessonKit.step(options, 1, "Stable HTTP conventions", "Attributes every APM tool reads the same way.", () -> httpSpan(otel));
        LessonKit.step(options, 2, "GenAI conventions: the span name is \"chat {model}\"", "From the semconv constants, not literals.",
                () -> chatSpan(otel));
        LessonKit.step(options, 3, "The reference chatbot's names, mapped", "The reference chatbot's llm.* names beside gen_ai.*.",
                Lesson07Semconv::referenceToSemconv);
        LessonKit.step(options, 4, "GenAI metrics and their units", "Names, units and buckets from the conventions.", () -> {
            genAiMetrics(otel, 12, 87, 1.4);
            LessonKit.metrics("gen_ai.client.operation.duration", "gen_ai.client.token.usage");
        });
        LessonKit.close(otel);
    }

    /** STEP 1. HTTP client spans: name = the method, and attributes every APM tool reads the same way. */
    static Span httpSpan(OpenTelemetry otel) {
        Span span = otel.getTracer(SCOPE).spanBuilder("POST").setSpanKind(SpanKind.CLIENT)
                .setAttribute(HttpAttributes.HTTP_REQUEST_METHOD, "POST")
                .setAttribute(UrlAttributes.URL_FULL, "http://localhost:11434/api/chat")
                .setAttribute(ServerAttributes.SERVER_ADDRESS, "localhost")
                .setAttribute(ServerAttributes.SERVER_PORT, 11434L)
                .startSpan();
        span.setAttribute(HttpAttributes.HTTP_RESPONSE_STATUS_CODE, 200L);
        span.end();
        return span;
    }

    /** STEP 2. The GenAI span: `{gen_ai.operation.name} {gen_ai.request.model}`, kind CLIENT, request attributes at start. */
    static Span chatSpan(OpenTelemetry otel) {
        String operation = GenAiOperationNameIncubatingValues.CHAT;
        Span span = otel.getTracer(SCOPE).spanBuilder(operation + " " + MODEL).setSpanKind(SpanKind.CLIENT)
                .setAttribute(GenAiIncubatingAttributes.GEN_AI_OPERATION_NAME, operation)
                .setAttribute(GenAiIncubatingAttributes.GEN_AI_PROVIDER_NAME, "ollama") // not in the list of known values: any string is allowed
                .setAttribute(GenAiIncubatingAttributes.GEN_AI_REQUEST_MODEL, MODEL)
                .setAttribute(GenAiIncubatingAttributes.GEN_AI_REQUEST_TEMPERATURE, 0.7)
                .setAttribute(ServerAttributes.SERVER_ADDRESS, "localhost")
                .setAttribute(ServerAttributes.SERVER_PORT, 11434L)
                .startSpan();
        span.setAttribute(GenAiIncubatingAttributes.GEN_AI_RESPONSE_MODEL, MODEL);
        span.setAttribute(GenAiIncubatingAttributes.GEN_AI_USAGE_INPUT_TOKENS, 12L);
        span.setAttribute(GenAiIncubatingAttributes.GEN_AI_USAGE_OUTPUT_TOKENS, 87L);
        // TRY: gen_ai.response.finish_reasons and gen_ai.request.max_tokens (Try it yourself 1)
        span.end();
        return span;
    }

    /** STEP 3. The reference chatbot's names (left) stay for its dashboards; the conventions (right) are what other tools expect. */
    static Map<String, String> referenceToSemconv() {
        var map = new LinkedHashMap<String, String>();
        map.put("llm.model", GenAiIncubatingAttributes.GEN_AI_REQUEST_MODEL.getKey());
        map.put("llm.prompt", "gen_ai.input.messages (structured JSON, opt-in)");
        map.put("llm.response", "gen_ai.output.messages (structured JSON, opt-in)");
        map.put("llm.tokens.input", GenAiIncubatingAttributes.GEN_AI_USAGE_INPUT_TOKENS.getKey());
        map.put("llm.tokens.output", GenAiIncubatingAttributes.GEN_AI_USAGE_OUTPUT_TOKENS.getKey());
        map.put("llm.tokens.total", "(none: the sum of the two)");
        map.put("llm.duration_ms", "(the span's own duration; metric gen_ai.client.operation.duration)");
        map.put("llm.temperature", GenAiIncubatingAttributes.GEN_AI_REQUEST_TEMPERATURE.getKey());
        map.put("http.method", HttpAttributes.HTTP_REQUEST_METHOD.getKey());
        map.put("http.url", UrlAttributes.URL_FULL.getKey());
        map.put("http.status_code", HttpAttributes.HTTP_RESPONSE_STATUS_CODE.getKey());
        map.put("(Ollama host and port)", ServerAttributes.SERVER_ADDRESS.getKey() + ", " + ServerAttributes.SERVER_PORT.getKey());
        map.forEach((ours, semconv) -> System.out.printf("%-22s -> %s%n", ours, semconv));
        return map;
    }

    /** STEP 4. The two core GenAI client metrics: names, units and bucket advice come from the conventions. */
    static void genAiMetrics(OpenTelemetry otel, long inputTokens, long outputTokens, double seconds) {
        var meter = otel.getMeter(SCOPE);
        var duration = meter.histogramBuilder("gen_ai.client.operation.duration").setUnit("s")
                .setExplicitBucketBoundariesAdvice(List.of(0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92))
                .build();
        var usage = meter.histogramBuilder("gen_ai.client.token.usage").ofLongs().setUnit("{token}")
                .setExplicitBucketBoundariesAdvice(List.of(1L, 4L, 16L, 64L, 256L, 1024L, 4096L, 16384L, 65536L, 262144L, 1048576L, 4194304L, 16777216L, 67108864L))
                .build();
        Attributes genAi = Attributes.of(GenAiIncubatingAttributes.GEN_AI_OPERATION_NAME, GenAiOperationNameIncubatingValues.CHAT,
                GenAiIncubatingAttributes.GEN_AI_PROVIDER_NAME, "ollama", GenAiIncubatingAttributes.GEN_AI_REQUEST_MODEL, MODEL);
        duration.record(seconds, genAi);
        usage.record(inputTokens, genAi.toBuilder().put(GenAiIncubatingAttributes.GEN_AI_TOKEN_TYPE, GenAiTokenTypeIncubatingValues.INPUT).build());
        usage.record(outputTokens, genAi.toBuilder().put(GenAiIncubatingAttributes.GEN_AI_TOKEN_TYPE, GenAiTokenTypeIncubatingValues.OUTPUT).build());
    }
}
