///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../08_logs.java
//MAIN Lesson08LogsSolution
//DESCRIPTION Lesson 8 solution: a DEBUG threshold, and an exception through the logger bridge.

// Solution to lesson 8, "Try it yourself".
// Run       jbang lessons/solutions/08_logs.java
// 1. With the threshold at DEBUG all four records reach the exporter: the threshold is the only filter.
// 2. The bridge turns the exception into the record's exception.type, exception.message and
//    exception.stacktrace attributes, the same names a span's exception event uses.

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.logs.data.LogRecordData;

class Lesson08LogsSolution {

    public static void main(String[] args) {
        var options = LessonKit.options(args);
        var otel = LessonKit.sdk(options, "lesson-08-logs");
        LessonKit.step(options, 1, "Solution 1: a DEBUG threshold", () -> Lesson08Logs.threshold(otel, Severity.DEBUG));
        LessonKit.step(options, 2, "Solution 2: an exception through the bridge", () -> withException(otel));
        LessonKit.close(otel);
    }

    static LogRecordData withException(OpenTelemetry otel) {
        Lesson08Logs.bridged(otel); // installs the appender, as in the lesson
        org.slf4j.Logger logger = org.slf4j.LoggerFactory.getLogger("chatbot");
        Span span = otel.getTracer(Lesson08Logs.SCOPE).spanBuilder("generate_response").startSpan();
        try (Scope ignored = span.makeCurrent()) {
            var failure = new java.net.ConnectException("connection refused");
            failure.setStackTrace(new StackTraceElement[0]); // keeps the console short; a real one has its stack
            logger.warn("Ollama failed", failure);
        } finally {
            span.end();
        }
        LogRecordData record = Lesson08Logs.last();
        record.getAttributes().forEach((key, value) -> {
            if (key.getKey().startsWith("exception.") && !key.getKey().equals("exception.stacktrace")) {
                System.out.println(key.getKey() + " = " + value);
            }
        });
        return record;
    }
}
