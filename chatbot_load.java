// chatbot_load.java: load mode, --load N --concurrency C. A companion of chatbot_otel.java (built by
// chatbot_companions.java): N independent one-turn requests, C in flight at a time, each traced like
// a REPL turn (llm.queue_size shows the C in flight), then one table. It answers "what does my LLM do
// under load" and, with OTEL_SDK_DISABLED=true as the baseline, "what does the telemetry cost"
// (bench/overhead.java runs exactly that comparison). It drives the traced chat; it makes no
// telemetry of its own.

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One request's outcome, as the load table needs it. */
record Sample(long latencyNanos, long firstTokenNanos, long outputTokens, ErrorType error) {}

/** What a load run measured. */
record LoadReport(int requests, int concurrency, long wallNanos, List<Sample> samples, long spansEnded, long spansExported) {
    List<Sample> ok() {
        return samples.stream().filter(s -> s.error() == null).toList();
    }

    double wallSeconds() {
        return wallNanos / 1e9;
    }

    double throughput() {
        return requests / wallSeconds();
    }

    Map<String, Long> errorsByType() {
        var counts = new java.util.TreeMap<String, Long>();
        samples.stream().filter(s -> s.error() != null).forEach(s -> counts.merge(s.error().value(), 1L, Long::sum));
        return counts;
    }

    double meanLatencyMillis() {
        return samples.stream().mapToLong(Sample::latencyNanos).average().orElse(0) / 1e6;
    }

    /** The q-quantile (0..1) in milliseconds, nearest rank; NaN with no value. */
    static double percentileMillis(List<Long> nanos, double q) {
        return nanos.isEmpty() ? Double.NaN : TextHistogram.percentile(nanos.stream().sorted().toList(), q);
    }

    List<Long> latencies() {
        return ok().stream().map(Sample::latencyNanos).toList();
    }

    List<Long> firstTokens() {
        return ok().stream().map(Sample::firstTokenNanos).filter(n -> n >= 0).toList();
    }

    double latencyMillis(double q) {
        return percentileMillis(latencies(), q);
    }

    double firstTokenMillis(double q) {
        return percentileMillis(firstTokens(), q);
    }

    double outputTokensPerSecond() {
        return ok().stream().mapToLong(Sample::outputTokens).sum() / wallSeconds();
    }

    void print(PrintStream out, String target) {
        out.printf("Load: %d requests, concurrency %d, against %s%n", requests, concurrency, target);
        out.printf("  %-20s %d (%d ok, %d failed)%n", "requests", requests, ok().size(), requests - ok().size());
        out.printf("  %-20s %s%n", "errors by type", errorsByType().isEmpty() ? "none" : errorsByType().toString());
        out.printf("  %-20s %.1f requests/s over %.2f s%n", "throughput", throughput(), wallSeconds());
        out.printf("  %-20s p50 %.1f ms   p95 %.1f ms   p99 %.1f ms%n", "latency", latencyMillis(0.50), latencyMillis(0.95), latencyMillis(0.99));
        out.printf("  %-20s p50 %.1f ms   p95 %.1f ms%n", "time to first token", firstTokenMillis(0.50), firstTokenMillis(0.95));
        out.printf("  %-20s %.0f%n", "output tokens/s", outputTokensPerSecond());
        out.printf("  %-20s %d ended, %d exported, %d dropped by the SDK%n", "spans", spansEnded, spansExported,
                Math.max(0, spansEnded - spansExported));
        out.println();
        out.print(TextHistogram.render("latency", latencies(), 80, 10));
        out.println();
        out.print(TextHistogram.render("time to first token", firstTokens(), 80, 10));
    }
}

final class LoadMode {
    /** After the run, how long the table waits for the batch processor to hand over the last spans. */
    static final Duration FLUSH_BEFORE_COUNTING = Duration.ofSeconds(5);

    private final Settings settings;
    private final Chat chat;
    private final SpanTally spans;

    /** Spans ended and spans exported, after the last ones were handed over within a budget. */
    interface SpanTally {
        SpanTotals flushAndCount(Duration budget);
    }

    record SpanTotals(long ended, long exported) {}

    LoadMode(Settings settings, Chat chat, SpanTally spans) {
        this.settings = settings;
        this.chat = chat;
        this.spans = spans;
    }

    int run(PrintStream out) {
        LoadReport report = measure();
        report.print(out, settings.chat().model() + " at " + settings.ollama().endpoint());
        return report.ok().isEmpty() ? 1 : 0;
    }

    LoadReport measure() {
        Load load = settings.run().load();
        OllamaClient.keepAliveUpTo(load.concurrency());
        var pool = java.util.concurrent.Executors.newFixedThreadPool(load.concurrency(), r -> {
            var t = new Thread(r, "load");
            t.setDaemon(true);
            return t;
        });
        try {
            long start = System.nanoTime();
            var futures = new ArrayList<java.util.concurrent.Future<Sample>>();
            for (int i = 0; i < load.requests(); i++) {
                int turn = i + 1;
                String prompt = load.prompts().get(i % load.prompts().size());
                futures.add(pool.submit(() -> one(turn, prompt)));
            }
            var samples = new ArrayList<Sample>();
            for (var future : futures) samples.add(future.get());
            long wall = System.nanoTime() - start;
            var counts = spans.flushAndCount(FLUSH_BEFORE_COUNTING);
            return new LoadReport(load.requests(), load.concurrency(), wall, samples, counts.ended(), counts.exported());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("load run interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("a load request failed unexpectedly", e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private Sample one(int turn, String prompt) {
        var request = new ChatRequest(settings.chat().model(), List.of(new ChatMessage("user", prompt)), settings.chat().temperature(), settings.chat().maxTokens());
        long start = System.nanoTime();
        var firstToken = new java.util.concurrent.atomic.AtomicLong(-1);
        AnswerSink onToken = token -> firstToken.compareAndSet(-1, System.nanoTime() - start);
        TurnResult result = chat.turn(turn, request, onToken, Cancellation.none());
        long latency = System.nanoTime() - start;
        long outputTokens = result.usage() != null ? result.usage().outputTokens() : 0;
        return new Sample(latency, firstToken.get(), outputTokens, result.ok() ? null : result.error().type);
    }
}
