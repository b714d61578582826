// The turn that bench/telemetry_jmh.java times: the real TracedChat against a canned Ollama answer,
// with the SDK built by the chatbot's own Telemetry.setup (the same code, not a copy): batch
// processors, the periodic reader, OTLP export to a sink in a process of its own. Or with
// OTEL_SDK_DISABLED=true, through the same setup. It lives in the default package beside the
// chatbot's classes; JMH wants its own class in a named package, so telemetry_jmh loads this one by name.

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

public class TurnFixture implements Supplier<Object>, AutoCloseable {
    private final BenchKit.Server sink;
    private final chatbot_otel.Telemetry telemetry;
    private final chatbot_otel.TracedChat chat;
    private final ChatRequest request;

    /** @param withSdk true: the chatbot's SDK, exporting over OTLP; false: OTEL_SDK_DISABLED=true */
    public TurnFixture(Boolean withSdk) throws java.io.IOException {
        sink = withSdk ? BenchKit.sinkProcess() : null;
        var env = withSdk ? Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", sink.url()) : Map.of("OTEL_SDK_DISABLED", "true");
        var settings = Settings.parse(new String[0], env);
        telemetry = chatbot_otel.Telemetry.setup(settings, BenchKit.QUIET);
        chat = new chatbot_otel.TracedChat(telemetry.openTelemetry(), new CannedOllama(), settings, BenchKit.QUIET);
        request = new ChatRequest("llama3.1:8b", List.of(new ChatMessage("user", "hi")), 0.7, null);
    }

    /** One chat turn. */
    @Override
    public Object get() {
        return chat.turn(1, request, token -> { });
    }

    @Override
    public void close() {
        telemetry.close();
        if (sink != null) sink.close();
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
}
