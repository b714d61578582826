///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../05_errors.java
//MAIN Lesson05ErrorsSolution
//DESCRIPTION Lesson 5 solution: classify HttpTimeoutException as timeout, and end the forgotten span.

// Solution to lesson 5, "Try it yourself".
// Run       jbang lessons/solutions/05_errors.java
// 1. HttpTimeoutException extends IOException, so it must be checked before the IOException case.
// 2. end() in a finally block runs on every path, early returns and exceptions included.

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;

import java.net.http.HttpTimeoutException;

class Lesson05ErrorsSolution {
    public static void main(String[] args) {
        var options = LessonKit.options(args);
        LessonKit.step(options, 1, "Solution 1: HttpTimeoutException is a timeout",
                () -> System.out.println("classify(HttpTimeoutException) = " + classify(new HttpTimeoutException("request timed out"))));
        LessonKit.step(options, 2, "Solution 2: end the span in finally", () -> endedInFinally(true));
    }

    static String classify(Throwable e) {
        if (e instanceof HttpTimeoutException) return "timeout";
        return Lesson05Errors.classify(e);
    }

    /** Returns how many spans were exported: 1, even when the work returns early. */
    static int endedInFinally(boolean returnEarly) {
        var memory = InMemorySpanExporter.create();
        try (var provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(memory)).build()) {
            doWork(provider.get(Lesson05Errors.SCOPE).spanBuilder("no_longer_forgotten").startSpan(), returnEarly);
            System.out.println("exported " + memory.getFinishedSpanItems().size() + " of 1");
            return memory.getFinishedSpanItems().size();
        }
    }

    private static void doWork(Span span, boolean returnEarly) {
        try {
            if (returnEarly) return;
            span.addEvent("did the work");
        } finally {
            span.end();
        }
    }
}
