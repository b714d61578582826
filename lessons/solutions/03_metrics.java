///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../03_metrics.java
//MAIN Lesson03MetricsSolution
//DESCRIPTION Lesson 3 solution: an llm.tokens counter by type.

// Solution to lesson 3, "Try it yourself".
// Run       jbang lessons/solutions/03_metrics.java
// 1. llm.tokens with unit {token} becomes llm_tokens_total in Prometheus: the unit in braces is an
//    annotation and is dropped, and a monotonic counter gets `_total`.
// 2. Fewer buckets: each quantile is interpolated inside a wider bucket, so p95 gets coarse; more
//    buckets cost one series each per attribute set.

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;

class Lesson03MetricsSolution {
    static final AttributeKey<String> TYPE = AttributeKey.stringKey("type");

    public static void main(String[] args) {
        var options = LessonKit.options(args);
        var otel = LessonKit.sdk(options, "lesson-03-metrics", Lesson03Metrics::withDurationView);
        LessonKit.step(options, 1, "Solution 1: llm.tokens by type", () -> tokens(otel, 12, 87));
        LessonKit.close(otel);
    }

    static LongCounter tokens(OpenTelemetry otel, long input, long output) {
        LongCounter tokens = otel.getMeter(Lesson03Metrics.SCOPE).counterBuilder("llm.tokens").setUnit("{token}")
                .setDescription("Tokens used, by type").build();
        tokens.add(input, Attributes.of(Lesson03Metrics.MODEL, "llama3.1:8b", TYPE, "input"));
        tokens.add(output, Attributes.of(Lesson03Metrics.MODEL, "llama3.1:8b", TYPE, "output"));
        System.out.println("llm.tokens{type=input} += " + input + ", {type=output} += " + output + "  ->  llm_tokens_total");
        return tokens;
    }
}
