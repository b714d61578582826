///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS io.opentelemetry:opentelemetry-bom:1.65.0@pom
//DEPS io.opentelemetry:opentelemetry-api
//DEPS io.opentelemetry:opentelemetry-sdk
//DEPS io.opentelemetry:opentelemetry-exporter-logging
//DEPS io.opentelemetry:opentelemetry-exporter-otlp
//DEPS io.opentelemetry:opentelemetry-sdk-testing
//DEPS io.opentelemetry.instrumentation:opentelemetry-logback-appender-1.0:2.28.1-alpha
//DEPS io.opentelemetry:opentelemetry-api-incubator:1.65.0-alpha
//DEPS ch.qos.logback:logback-classic:1.5.38
//SOURCES LessonKit.java
//DESCRIPTION Lesson 8, logs: a log record that carries its trace, severity and a threshold, the JSON line, a logger bridge.

// LESSON 8: LOGS                                                                     about 10 minutes
//
// Goal      Emit log records that carry the trace and span ids of the moment they were written, so a
//           log line jumps to its trace; keep noise out with a severity threshold; print the same
//           facts as a JSON line; and bring an existing Java logger (SLF4J/Logback) into OpenTelemetry.
// Needs     Lesson 1. Java 17+ and JBang; no collector.
// Run       jbang lessons/08_logs.java           (--step, --otlp as in every lesson)
// You should see
//   == Step 1: A log record carries its span's ids
//   record: INFO "LLM request completed", trace <trace-id>, span <span-id>
//   the span's ids are the record's: true
//   == Step 2: Severity, and a threshold of your own
//   threshold INFO: recorded [INFO, WARN, ERROR] of DEBUG, INFO, WARN, ERROR
//   == Step 3: The JSON line beside the record
//   {"timestamp":"...","level":"INFO","message":"LLM request completed","trace_id":"<trace-id>","span_id":"<span-id>",...,"duration_ms":412,"tokens":99}
//   == Step 4: An existing logger, bridged
//   from Logback: WARN "Ollama is slow: 3 s to the first token", trace <trace-id> (the span's: true)
// In the chatbot   StructuredLog.emit writes the JSON line and the record; TracedChat.logInteraction calls it
//                  inside its span. The chatbot calls the Logs API itself and uses no logger bridge (step 4).
//
// Try it yourself
//   1. At the TRY marker in step 2, lower the threshold to DEBUG. What reaches the exporter now?
//   2. In step 4, pass an exception as the last argument of logger.warn(...). Which attributes does
//      the bridge put on the record?
//   Solution: lessons/solutions/08_logs.java
// Next      The chatbot itself: chatbot_otel.java does all of this in every turn.

import ch.qos.logback.classic.LoggerContext;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.opentelemetry.instrumentation.logback.appender.v1_0.OpenTelemetryAppender;
import io.opentelemetry.sdk.logs.data.LogRecordData;

import java.time.Instant;
import java.util.List;
import java.util.Map;

class Lesson08Logs {
    static final String SCOPE = "lesson-08";

    public static void main(String[] args) {
        var options = LessonKit.options(args);
        var otel = LessonKit.sdk(options, "lesson-08-logs");
        LessonKit.step(options, 1, "A log record carries its span's ids", "Emitted while a span is current, it takes its ids.",
                () -> recordInSpan(otel));
        LessonKit.step(options, 2, "Severity, and a threshold of your own", "Drop what is below the level you asked for.",
                () -> threshold(otel, Severity.INFO));
        LessonKit.step(options, 3, "The JSON line beside the record", "The same facts, for people and for grep.",
                () -> jsonLine(otel));
        LessonKit.step(options, 4, "An existing logger, bridged", "An appender turns Logback events into records.",
                () -> bridged(otel));
        LessonKit.close(otel);
    }

    /** STEP 1. setContext(Context.current()) is what copies the current span's trace and span ids onto the record. */
    static LogRecordData recordInSpan(OpenTelemetry otel) {
        Logger logger = otel.getLogsBridge().get(SCOPE);
        Span span = otel.getTracer(SCOPE).spanBuilder("log_interaction").startSpan();
        try (Scope ignored = span.makeCurrent()) {
            logger.logRecordBuilder().setSeverity(Severity.INFO).setBody("LLM request completed").setTimestamp(Instant.now())
                    .setContext(io.opentelemetry.context.Context.current()).emit();
        } finally {
            span.end();
        }
        LogRecordData record = last();
        System.out.println("record: " + record.getSeverity() + " \"" + record.getBodyValue().asString() + "\", trace "
                + record.getSpanContext().getTraceId() + ", span " + record.getSpanContext().getSpanId());
        System.out.println("the span's ids are the record's: " + record.getSpanContext().equals(span.getSpanContext()));
        return record;
    }

    /** STEP 2. Every record has a severity; a threshold checked before emitting keeps DEBUG chatter out. */
    static List<Severity> threshold(OpenTelemetry otel, Severity threshold) {
        Logger logger = otel.getLogsBridge().get(SCOPE);
        int before = LessonKit.logs().size();
        // TRY: call threshold(otel, Severity.DEBUG) in main instead (Try it yourself 1)
        for (Severity severity : List.of(Severity.DEBUG, Severity.INFO, Severity.WARN, Severity.ERROR)) {
            if (severity.getSeverityNumber() < threshold.getSeverityNumber()) continue; // below the threshold: not emitted
            logger.logRecordBuilder().setSeverity(severity).setBody("a " + severity + " line").setTimestamp(Instant.now()).emit();
        }
        var recorded = LessonKit.logs().subList(before, LessonKit.logs().size()).stream().map(LogRecordData::getSeverity).toList();
        System.out.println("threshold " + threshold + ": recorded " + recorded + " of DEBUG, INFO, WARN, ERROR");
        return recorded;
    }

    /** STEP 3. The reference chatbot prints each turn as one JSON line; its trace_id is the one on the record. */
    static String jsonLine(OpenTelemetry otel) {
        Logger logger = otel.getLogsBridge().get(SCOPE);
        Span span = otel.getTracer(SCOPE).spanBuilder("log_interaction").startSpan();
        try (Scope ignored = span.makeCurrent()) {
            logger.logRecordBuilder().setSeverity(Severity.INFO).setBody("LLM request completed").setTimestamp(Instant.now())
                    .setAttribute(io.opentelemetry.api.common.AttributeKey.longKey("tokens"), 99L)
                    .setAttribute(io.opentelemetry.api.common.AttributeKey.longKey("duration_ms"), 412L).emit();
        } finally {
            span.end();
        }
        LogRecordData r = last(); // the line is built from what was recorded
        var fields = new java.util.LinkedHashMap<String, Object>(Map.of());
        fields.put("timestamp", Instant.ofEpochSecond(0, r.getTimestampEpochNanos()).toString());
        fields.put("level", r.getSeverity().name());
        fields.put("message", r.getBodyValue().asString());
        fields.put("trace_id", r.getSpanContext().getTraceId());
        fields.put("span_id", r.getSpanContext().getSpanId());
        fields.put("service", r.getResource().getAttribute(io.opentelemetry.api.common.AttributeKey.stringKey("service.name")));
        r.getAttributes().forEach((key, value) -> fields.put(key.getKey(), value));
        String json = fields.entrySet().stream().map(e -> "\"" + e.getKey() + "\":" + (e.getValue() instanceof Number ? e.getValue()
                : "\"" + e.getValue() + "\"")).reduce((a, b) -> a + "," + b).map(body -> "{" + body + "}").orElse("{}");
        System.out.println(json); // the chatbot writes this line to stderr
        return json;
    }

    /** STEP 4. Code that logs with SLF4J keeps doing so; the OpenTelemetryAppender hands each event to the Logs API. */
    static LogRecordData bridged(OpenTelemetry otel) {
        var context = (LoggerContext) org.slf4j.LoggerFactory.getILoggerFactory();
        var appender = new OpenTelemetryAppender();
        appender.setContext(context);
        appender.start();
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(appender);
        OpenTelemetryAppender.install(otel); // which SDK the appender emits to
        org.slf4j.Logger logger = org.slf4j.LoggerFactory.getLogger("chatbot");
        Span span = otel.getTracer(SCOPE).spanBuilder("generate_response").startSpan();
        try (Scope ignored = span.makeCurrent()) {
            logger.warn("Ollama is slow: {} s to the first token", 3); // TRY: add an exception argument (Try it yourself 2)
        } finally {
            span.end();
        }
        LogRecordData r = last();
        System.out.println("from Logback: " + r.getSeverity() + " \"" + r.getBodyValue().asString() + "\", trace "
                + r.getSpanContext().getTraceId() + " (the span's: " + r.getSpanContext().getTraceId().equals(span.getSpanContext().getTraceId()) + ")");
        return r;
    }

    static LogRecordData last() {
        var logs = LessonKit.logs();
        return logs.get(logs.size() - 1);
    }
}
