// Shared by every test: the real chatbot code, the real simulator over real HTTP, and an
// in-memory OpenTelemetry SDK whose spans, metrics and log records the tests read back.

import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryLogRecordExporter;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

final class Harness implements AutoCloseable {
    /** Exporters off: tests that call run() must not try to reach a collector. */
    static final Map<String, String> NO_EXPORT = Map.of(
            "OTEL_TRACES_EXPORTER", "none", "OTEL_METRICS_EXPORTER", "none", "OTEL_LOGS_EXPORTER", "none");

    /** The repository root: the folder holding jbang-catalog.json, from the working directory up. */
    static final java.nio.file.Path ROOT = findRoot();

    final ollama_sim.Server simulator;
    final InMemorySpanExporter spans;
    final InMemoryMetricReader metrics;
    final InMemoryLogRecordExporter logs;
    final OpenTelemetrySdk otel;
    final Settings settings;
    final chatbot_otel.TracedChat chat;
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private int turns;

    private Harness(Map<String, String> env, Sampler sampler) throws IOException {
        simulator = ollama_sim.Server.start(ollama_sim.Options.instant());
        var fullEnv = new HashMap<>(env);
        fullEnv.put("OLLAMA_ENDPOINT", simulator.baseUrl());
        settings = Settings.parse(new String[0], fullEnv);
        var memory = Memory.create(sampler);
        spans = memory.spans();
        metrics = memory.metrics();
        logs = memory.logs();
        otel = memory.otel();
        var client = new OllamaClient(settings.ollama().endpoint(),
                settings.ollama().timeouts());
        chat = new chatbot_otel.TracedChat(otel, client, settings, new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    /**
     * An SDK whose every signal lands in memory, for tests of the chatbot and of the lessons.
     * Simple (synchronous) processors: a span is readable the moment it ends.
     */
    record Memory(InMemorySpanExporter spans, InMemoryMetricReader metrics, InMemoryLogRecordExporter logs,
                  OpenTelemetrySdk otel) implements AutoCloseable {
        static Memory create() {
            return create(Sampler.alwaysOn());
        }

        static Memory create(Sampler sampler) {
            var spans = InMemorySpanExporter.create();
            var metrics = InMemoryMetricReader.create();
            var logs = InMemoryLogRecordExporter.create();
            var otel = OpenTelemetrySdk.builder()
                    .setTracerProvider(SdkTracerProvider.builder().setSampler(sampler)
                            .addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
                    .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
                    .setLoggerProvider(SdkLoggerProvider.builder()
                            .addLogRecordProcessor(SimpleLogRecordProcessor.create(logs)).build())
                    .setPropagators(ContextPropagators.create(TextMapPropagator.composite(
                            W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance())))
                    .build();
            return new Memory(spans, metrics, logs, otel);
        }

        /** The only finished span with this name. */
        SpanData span(String name) {
            var found = spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).toList();
            if (found.size() != 1) throw new AssertionError("expected one span '" + name + "', found " + found.size());
            return found.get(0);
        }

        MetricData metric(String name) {
            return metrics.collectAllMetrics().stream().filter(m -> m.getName().equals(name)).findFirst()
                    .orElseThrow(() -> new AssertionError("no metric " + name));
        }

        @Override
        public void close() {
            otel.close();
        }
    }

    static Harness start() {
        return start(Map.of());
    }

    static Harness start(Map<String, String> env) {
        return start(env, Sampler.alwaysOn());
    }

    static Harness start(Map<String, String> env, Sampler sampler) {
        try {
            return new Harness(env, sampler);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One turn with the given model and a fresh conversation. */
    TurnResult turn(String model, String prompt) {
        var request = new ChatRequest(model,
                List.of(new ChatMessage("user", prompt)), settings.chat().temperature(), settings.chat().maxTokens());
        return chat.turn(++turns, request, token -> { });
    }

    TurnResult turn(String prompt) {
        return turn(settings.chat().model(), prompt);
    }

    /** Runs the REPL over the given input against this harness's chat; returns what it printed. */
    ReplRun repl(String input) {
        var out = new ByteArrayOutputStream();
        var replErr = new ByteArrayOutputStream();
        int status = new Repl(settings, chat, new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(replErr, true, StandardCharsets.UTF_8),
                false).run();
        return new ReplRun(status, out.toString(StandardCharsets.UTF_8), replErr.toString(StandardCharsets.UTF_8));
    }

    record ReplRun(int status, String out, String err) {}

    List<SpanData> spans() {
        return spans.getFinishedSpanItems();
    }

    /** The only span with this name (fails if there are several). */
    SpanData span(String name) {
        var found = spans().stream().filter(s -> s.getName().equals(name)).toList();
        if (found.size() != 1) throw new AssertionError("expected one span '" + name + "', found " + found.size());
        return found.get(0);
    }

    List<LogRecordData> logRecords() {
        return logs.getFinishedLogRecordItems();
    }

    MetricData metric(String name) {
        return metrics.collectAllMetrics().stream().filter(m -> m.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no metric " + name));
    }

    /** The JSON log lines the chatbot wrote to stderr. */
    List<String> stderrLines() {
        return err.toString(StandardCharsets.UTF_8).lines().toList();
    }

    /** The last user message the simulator received, exactly as it arrived. */
    String lastUserPrompt() {
        return simulator.lastUserPrompt();
    }

    /** True when every turn so far produced an answer (no error log line). */
    boolean turnsOk() {
        return stderrLines().stream().noneMatch(l -> l.contains("\"level\":\"ERROR\""));
    }

    ollama_sim.ServedReply lastServed() {
        var served = simulator.served();
        if (served.isEmpty()) throw new AssertionError("the simulator served nothing");
        return served.get(served.size() - 1);
    }

    static <T> T attr(SpanData span, AttributeKey<T> key) {
        return span.getAttributes().get(key);
    }

    static Attributes attrs(Object... keyValues) {
        var builder = Attributes.builder();
        for (int i = 0; i < keyValues.length; i += 2) {
            String key = (String) keyValues[i];
            Object value = keyValues[i + 1];
            if (value instanceof Long l) builder.put(AttributeKey.longKey(key), l);
            else if (value instanceof Integer n) builder.put(AttributeKey.longKey(key), n.longValue());
            else builder.put(AttributeKey.stringKey(key), String.valueOf(value));
        }
        return builder.build();
    }

    private static java.nio.file.Path findRoot() {
        var dir = java.nio.file.Path.of("").toAbsolutePath();
        while (dir != null && !java.nio.file.Files.exists(dir.resolve("jbang-catalog.json"))) dir = dir.getParent();
        if (dir == null) throw new IllegalStateException("run the tests from inside the repository");
        return dir;
    }

    /** A port nothing listens on: bind, note it, release. */
    static int closedPort() {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs the chatbot in a fresh JVM with this test's classpath: the real exit path, System.exit included. */
    /** Deletes a test's temporary folder and all in it, as far as it can: cleaning up never fails a test. */
    static void deleteTree(java.nio.file.Path root) throws IOException {
        try (var files = java.nio.file.Files.walk(root)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static Process launch(Map<String, String> env, String... args) throws IOException {
        return launchClass("chatbot_otel", env, args);
    }

    /** Any main class of this build (a lesson, a solution) in a fresh JVM with this test's classpath. */
    static Process launchClass(String mainClass, Map<String, String> env, String... args) throws IOException {
        var command = new java.util.ArrayList<String>();
        // Signals start at their default disposition, even when this runner inherited SIGINT ignored
        // (nohup, a background job): what a chatbot started from a terminal gets.
        if (ENV_RESETS_SIGNALS) command.addAll(List.of("env", "--default-signal=INT,TERM,HUP"));
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(List.of(args));
        var builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.PIPE);
        builder.environment().keySet().removeIf(k -> k.startsWith("OTEL_") || k.startsWith("OLLAMA_"));
        builder.environment().putAll(env);
        return builder.start();
    }

    private static final boolean ENV_RESETS_SIGNALS = envResetsSignals();

    private static boolean envResetsSignals() {
        try {
            var probe = new ProcessBuilder("env", "--default-signal=INT", "true").redirectErrorStream(true).start();
            probe.getInputStream().readAllBytes();
            return probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    record Finished(int status, String out, String err) {}

    /** Waits for the process (bounded: a hang is a failure, not a stuck build) and collects its output. */
    static Finished finish(Process process, long timeoutSeconds) throws IOException, InterruptedException {
        process.getOutputStream().close(); // end of input: nothing more will be typed
        var out = new java.util.concurrent.CompletableFuture<String>();
        var err = new java.util.concurrent.CompletableFuture<String>();
        new Thread(() -> out.complete(readAll(process.getInputStream()))).start();
        new Thread(() -> err.complete(readAll(process.getErrorStream()))).start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the chatbot did not exit within " + timeoutSeconds + " s");
        }
        try {
            return new Finished(process.exitValue(), out.get(5, TimeUnit.SECONDS), err.get(5, TimeUnit.SECONDS));
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError("could not read the chatbot's output", e);
        }
    }

    private static String readAll(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        otel.close();
        simulator.close();
    }
}
