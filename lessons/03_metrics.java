///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS io.opentelemetry:opentelemetry-bom:1.65.0@pom
//DEPS io.opentelemetry:opentelemetry-api
//DEPS io.opentelemetry:opentelemetry-sdk
//DEPS io.opentelemetry:opentelemetry-exporter-logging
//DEPS io.opentelemetry:opentelemetry-exporter-otlp
//DEPS io.opentelemetry:opentelemetry-exporter-prometheus:1.65.0-alpha
//DEPS io.opentelemetry:opentelemetry-sdk-testing
//SOURCES LessonKit.java
//DESCRIPTION Lesson 3, metrics: counter, histogram with a View, gauge, up-down counter, cardinality, Prometheus names.

// LESSON 3: METRICS                                                                  about 15 minutes
//
// Goal      Count and time every request with the four instrument kinds; choose histogram buckets
//           with a View; keep attribute cardinality low; see how names and units become the
//           Prometheus series the reference chatbot's PromQL uses.
// Needs     Lesson 2. Java 17+ and JBang; no collector, no Ollama, no Prometheus.
// Run       jbang lessons/03_metrics.java        (--step, --otlp as in every lesson)
// You should see
//   == Step 1: A counter: llm.requests
//   llm.requests{model=llama3.1:8b, status=error} = 1 {request}
//   llm.requests{model=llama3.1:8b, status=success} = 3 {request}
//   llm.tokens: nothing recorded
//   == Step 2: A histogram, with buckets chosen by a View
//   llm.request.duration{model=llama3.1:8b, status=success} count=6 sum=19.45 buckets {le 0.5: 2, le 1.0: 1, le 2.5: 1, le 5.0: 1, le 30.0: 1} s
//   == Step 3: A gauge and an up-down counter
//   llm.queue_size{model=llama3.1:8b} = 1 {request}
//   llm.model.memory{model=llama3.1:8b} = 4920753328 By
//   == Step 4: Cardinality: every attribute value makes a series
//   model only: 1 series; prompt as attribute: 5 series (and one more per new prompt, forever)
//   == Step 5: From OpenTelemetry names to Prometheus series
//   llm_request_duration_seconds_bucket{...,le="0.5"} 2
//   llm_requests_total{model="llama3.1:8b",...,status="success"} 3.0
// In the chatbot   TracedChat.recordTurnMetrics records every metric of a turn; Instruments creates them.
//                  It uses no View: its buckets come as advice on the instrument, so they travel with it.
//
// Try it yourself
//   1. At the TRY marker in step 1, count tokens: a counter `llm.tokens` with unit `{token}` and an
//      attribute `type` = input / output. Which Prometheus series will it become?
//   2. Change the View's buckets in withDurationView. What do you lose with fewer buckets?
//   Solution: lessons/solutions/03_metrics.java
// Next      Lesson 4, propagation: one trace across threads and across processes.

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.exporter.prometheus.PrometheusHttpServer;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.ExplicitBucketHistogramOptions;
import io.opentelemetry.sdk.metrics.InstrumentSelector;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.SdkMeterProviderBuilder;
import io.opentelemetry.sdk.metrics.View;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

class Lesson03Metrics {
    static final String SCOPE = "lesson-03";
    static final AttributeKey<String> MODEL = AttributeKey.stringKey("model");
    static final AttributeKey<String> STATUS = AttributeKey.stringKey("status");
    static final List<Double> BUCKETS = List.of(0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0);

    public static void main(String[] args) {
        var options = LessonKit.options(args);
        var otel = LessonKit.sdk(options, "lesson-03-metrics", Lesson03Metrics::withDurationView);
        LessonKit.step(options, 1, "A counter: llm.requests", "A counter only goes up; attributes split it into series.", () -> {
            counter(otel);
            LessonKit.metrics("llm.requests", "llm.tokens"); // what the SDK now holds
        });
        LessonKit.step(options, 2, "A histogram, with buckets chosen by a View", "A distribution, so p95 can be asked later.", () -> {
            histogram(otel);
            LessonKit.metrics("llm.request.duration");
        });
        LessonKit.step(options, 3, "A gauge and an up-down counter", "Up-down: goes both ways. Gauge: the last value set.", () -> {
            gaugeAndUpDownCounter(otel);
            LessonKit.metrics("llm.queue_size", "llm.model.memory");
        });
        LessonKit.step(options, 4, "Cardinality: every attribute value makes a series", "Never free text as an attribute.",
                Lesson03Metrics::cardinality);
        LessonKit.step(options, 5, "From OpenTelemetry names to Prometheus series", "Names and units become the series PromQL uses.",
                Lesson03Metrics::prometheusSeries);
        LessonKit.close(otel);
    }

    /** A View changes how the SDK aggregates one instrument, without touching the code that records. */
    static SdkMeterProviderBuilder withDurationView(SdkMeterProviderBuilder builder) {
        return builder.registerView(
                InstrumentSelector.builder().setName("llm.request.duration").build(),
                View.builder().setAggregation(Aggregation.explicitBucketHistogram(
                        ExplicitBucketHistogramOptions.builder().setBucketBoundaries(BUCKETS).build())).build());
    }

    /** STEP 1. A counter only goes up; the attributes split it into series (here: by model and outcome). */
    static LongCounter counter(OpenTelemetry otel) {
        Meter meter = otel.getMeter(SCOPE);
        LongCounter requests = meter.counterBuilder("llm.requests").setUnit("{request}")
                .setDescription("LLM requests by model and outcome").build();
        for (int i = 0; i < 3; i++) requests.add(1, Attributes.of(MODEL, "llama3.1:8b", STATUS, "success"));
        requests.add(1, Attributes.of(MODEL, "llama3.1:8b", STATUS, "error"));
        // TRY: a counter llm.tokens, unit {token}, attribute type=input/output (Try it yourself 1)
        return requests;
    }

    /** STEP 2. A histogram keeps a distribution, so you can ask for p95 later; the View set its buckets. */
    static void histogram(OpenTelemetry otel) {
        var duration = otel.getMeter(SCOPE).histogramBuilder("llm.request.duration").setUnit("s").build();
        for (double seconds : new double[] {0.3, 0.45, 0.8, 1.7, 4.2, 12.0}) {
            duration.record(seconds, Attributes.of(MODEL, "llama3.1:8b", STATUS, "success"));
        }
    }

    /** STEP 3. Up-down counter: a value that goes both ways (requests in flight). Gauge: the last value set. */
    static void gaugeAndUpDownCounter(OpenTelemetry otel) {
        Meter meter = otel.getMeter(SCOPE);
        var inFlight = meter.upDownCounterBuilder("llm.queue_size").setUnit("{request}").build();
        var model = Attributes.of(MODEL, "llama3.1:8b");
        inFlight.add(1, model);
        inFlight.add(1, model);
        inFlight.add(-1, model);
        var memory = meter.gaugeBuilder("llm.model.memory").ofLongs().setUnit("By").build();
        memory.set(4_920_753_328L, model);
    }

    /** STEP 4. Each distinct attribute set is a time series kept forever by the backend: never use free text. */
    static int[] cardinality() {
        var reader = InMemoryMetricReader.create();
        try (var provider = SdkMeterProvider.builder().registerMetricReader(reader).build()) {
            var good = provider.get(SCOPE).counterBuilder("good.requests").build();
            var bad = provider.get(SCOPE).counterBuilder("bad.requests").build();
            for (String prompt : List.of("hi", "hello", "what is otel?", "why?", "thanks")) {
                good.add(1, Attributes.of(MODEL, "llama3.1:8b"));
                bad.add(1, Attributes.of(AttributeKey.stringKey("prompt"), prompt));
            }
            int[] series = new int[2];
            for (MetricData metric : reader.collectAllMetrics()) {
                int points = metric.getLongSumData().getPoints().size();
                if (metric.getName().equals("good.requests")) series[0] = points;
                else series[1] = points;
            }
            System.out.println("model only: " + series[0] + " series; prompt as attribute: " + series[1]
                    + " series (and one more per new prompt, forever)");
            return series;
        }
    }

    /** STEP 5. The Prometheus exporter renames: dots to underscores, unit `s` -> `_seconds`, counters get `_total`. */
    static List<String> prometheusSeries() {
        int port = LessonKit.freePort();
        try (var provider = withDurationView(SdkMeterProvider.builder()
                .registerMetricReader(PrometheusHttpServer.builder().setHost("127.0.0.1").setPort(port).build())).build()) {
            OpenTelemetry otel = io.opentelemetry.sdk.OpenTelemetrySdk.builder().setMeterProvider(provider).build();
            counter(otel); // steps 1 and 2 again, into a provider that Prometheus can scrape
            histogram(otel);
            String page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            // Every llm_ series, histogram buckets cut to one (le="0.5") so the page fits the screen.
            var lines = page.lines().filter(l -> l.startsWith("llm_") && (!l.contains("_bucket") || l.contains("le=\"0.5\""))).toList();
            lines.forEach(System.out::println);
            return page.lines().filter(l -> l.startsWith("llm_")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }
}
