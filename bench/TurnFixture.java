// The turn that bench/telemetry_jmh.java times: the real TracedChat against a canned Ollama answer,
// with the SDK wired as the chatbot wires it (exporters that drop everything) or with
// OpenTelemetry.noop(). It lives in the default package beside the chatbot's classes; JMH wants
// its own class in a named package, so telemetry_jmh loads this one by name.

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

public class TurnFixture implements Supplier<Object>, AutoCloseable {
    private final OpenTelemetrySdk sdk;
    private final chatbot_otel.TracedChat chat;
    private final ChatRequest request;

    /** @param withSdk true: the chatbot's SDK wiring; false: OpenTelemetry.noop() */
    public TurnFixture(Boolean withSdk) {
        var settings = Settings.parse(new String[0], Map.of());
        OpenTelemetry otel = OpenTelemetry.noop();
        if (withSdk) {
            sdk = OpenTelemetrySdk.builder()
                    .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(BatchSpanProcessor.builder(DROP_SPANS).build()).build())
                    .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(
                            PeriodicMetricReader.builder(DROP_METRICS).setInterval(Duration.ofSeconds(10)).build()).build())
                    .setLoggerProvider(SdkLoggerProvider.builder().addLogRecordProcessor(BatchLogRecordProcessor.builder(DROP_LOGS).build()).build())
                    .build();
            otel = sdk;
        } else {
            sdk = null;
        }
        chat = new chatbot_otel.TracedChat(otel, new CannedOllama(), settings, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        request = new ChatRequest("llama3.1:8b", List.of(new ChatMessage("user", "hi")), 0.7, null);
    }

    /** One chat turn. */
    @Override
    public Object get() {
        return chat.turn(1, request, token -> { });
    }

    @Override
    public void close() {
        if (sdk != null) sdk.shutdown().join(5, TimeUnit.SECONDS);
    }

    /** Ollama's answer to "hi" as the simulator streams it, served from memory. */
    static final class CannedOllama implements Ollama {
        private final byte[] ndjson;

        CannedOllama() {
            var answer = new StringBuilder();
            for (String token : ollama_sim.tokenize(ollama_sim.answerFor("hi"))) {
                answer.append("{\"model\":\"llama3.1:8b\",\"created_at\":\"2026-11-24T10:00:00Z\",\"message\":{\"role\":\"assistant\",\"content\":")
                        .append(com.fasterxml.jackson.databind.node.TextNode.valueOf(token)).append("},\"done\":false}\n");
            }
            answer.append("{\"model\":\"llama3.1:8b\",\"created_at\":\"2026-11-24T10:00:00Z\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},"
                    + "\"done\":true,\"done_reason\":\"stop\",\"total_duration\":700000000,\"prompt_eval_count\":5,"
                    + "\"prompt_eval_duration\":40000000,\"eval_count\":21,\"eval_duration\":650000000}\n");
            ndjson = answer.toString().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public URI endpoint() {
            return URI.create("http://127.0.0.1:11434");
        }

        @Override
        public URI chatUri() {
            return URI.create("http://127.0.0.1:11434/api/chat");
        }

        @Override
        public ChatStream openChat(ChatRequest request, Map<String, String> headers,
                                                Cancellation cancellation) {
            var timeouts = new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5));
            long firstTokenDeadline = System.nanoTime() + timeouts.firstToken().toNanos();
            return new ChatStream(200, new ByteArrayInputStream(ndjson), timeouts, firstTokenDeadline, cancellation);
        }
    }

    static final SpanExporter DROP_SPANS = new SpanExporter() {
        public CompletableResultCode export(java.util.Collection<io.opentelemetry.sdk.trace.data.SpanData> spans) {
            return CompletableResultCode.ofSuccess();
        }

        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    };

    static final MetricExporter DROP_METRICS = new MetricExporter() {
        public CompletableResultCode export(java.util.Collection<io.opentelemetry.sdk.metrics.data.MetricData> metrics) {
            return CompletableResultCode.ofSuccess();
        }

        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }

        public AggregationTemporality getAggregationTemporality(InstrumentType type) {
            return AggregationTemporality.CUMULATIVE;
        }
    };

    static final LogRecordExporter DROP_LOGS = new LogRecordExporter() {
        public CompletableResultCode export(java.util.Collection<io.opentelemetry.sdk.logs.data.LogRecordData> logs) {
            return CompletableResultCode.ofSuccess();
        }

        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    };

}
