// The text pictures: a trace as a waterfall (rows, order, indentation, bar positions, errors) drawn
// from fixed timestamps, the /trace command drawing a real turn (a failed and a cancelled one too),
// and the load histogram for a known sample set.

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChartsTest {
    private static final long MS = 1_000_000;
    private Harness harness;

    @AfterEach
    void stop() {
        if (harness != null) harness.close();
    }

    /** A turn of 100 ms: the request 0-20, streaming 20-90, the log record 95-100. */
    private static List<Waterfall.Bar> turn(String errorType) {
        return List.of(
                new Waterfall.Bar("4", "1", "log_interaction", 95 * MS, 100 * MS, null, List.of()),
                new Waterfall.Bar("1", null, "chat_interaction", 0, 100 * MS, errorType, List.of()),
                new Waterfall.Bar("3", "2", "process_streaming_response", 20 * MS, 90 * MS, errorType, List.of()),
                new Waterfall.Bar("2", "1", "generate_response", 0, 90 * MS, errorType, List.of("tokens in 5, out 16")),
                new Waterfall.Bar("5", "2", "ollama_request", 0, 20 * MS, null, List.of("HTTP 200")));
    }

    @Test
    void rowsFollowTheTreeIndentedByDepthWithBarsOnOneTimeAxis() {
        var lines = Waterfall.render(turn(null), 80).lines().toList();
        assertEquals(List.of("chat_interaction", "generate_response", "tokens in 5, out 16", "ollama_request", "HTTP 200",
                "process_streaming_response", "log_interaction"), lines.stream().map(l -> l.split("\\|")[0].strip()).toList());
        assertEquals("  generate_response", lines.get(1).substring(0, 19), "one level: two spaces");
        assertEquals("    ollama_request", lines.get(3).substring(0, 18), "two levels: four spaces");
        // The axis: 80 columns less the label (31), the two bars and the duration (15): 34 columns for 100 ms.
        String axis = lines.get(0).split("\\|")[1];
        assertEquals(34, axis.length());
        assertEquals("#".repeat(34), axis, "the root spans the whole axis");
        assertEquals(" ".repeat(6) + "#".repeat(25) + " ".repeat(3), lines.get(5).split("\\|")[1], "starts at 20 ms, ends at 90 ms");
        assertEquals(" ".repeat(32) + "##", lines.get(6).split("\\|")[1], "starts at 95 ms");
        assertTrue(lines.get(0).endsWith("100.0 ms"), lines.get(0));
        assertTrue(lines.stream().allMatch(l -> l.length() <= 80), "80 columns");
    }

    @Test
    void failedSpansAreDrawnWithBangsAndNameTheirErrorType() {
        var lines = Waterfall.render(turn("timeout"), 80).lines().toList();
        assertTrue(lines.get(0).contains("|!!!!") && lines.get(0).endsWith("ERROR timeout"), lines.get(0));
        assertTrue(lines.get(3).contains("#") && !lines.get(3).contains("ERROR"), "the request itself succeeded: " + lines.get(3));
        assertTrue(lines.stream().allMatch(l -> l.length() <= 80), String.join("\n", lines));
    }

    @Test
    void widerTerminalsGetWiderPictures() {
        assertEquals(80, Tty.width(false, Map.of("COLUMNS", "200")), "not a terminal: 80");
        assertEquals(200, Tty.width(true, Map.of("COLUMNS", "200")));
        assertEquals(80, Tty.width(true, Map.of("COLUMNS", "40")), "never narrower than 80");
        var wide = Waterfall.render(turn(null), 120).lines().toList();
        assertEquals(74, wide.get(0).split("\\|")[1].length());
    }

    @Test
    void traceCommandDrawsTheLastTurnEvenWithNoExporter() {
        harness = Harness.start();
        var lastTurn = new chatbot_otel.LastTurnSpans();
        // The harness's in-memory SDK with the REPL's span processor added, as Telemetry.setup adds it.
        var provider = io.opentelemetry.sdk.trace.SdkTracerProvider.builder().addSpanProcessor(lastTurn).build();
        var otel = io.opentelemetry.sdk.OpenTelemetrySdk.builder().setTracerProvider(provider).build();
        var chat = new chatbot_otel.TracedChat(otel, new OllamaClient(harness.settings.ollama().endpoint(),
                harness.settings.ollama().timeouts()), harness.settings, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        var out = new java.io.ByteArrayOutputStream();
        var repl = new Repl(harness.settings, chat, new java.io.ByteArrayInputStream(
                "hello\n/trace\n/model no-such-model:1b\nfails\n/trace\n".getBytes()), new java.io.PrintStream(out, true),
                new java.io.PrintStream(java.io.OutputStream.nullOutputStream()), false);
        repl.drawTracesFrom(lastTurn::bars, 80);
        assertEquals(0, repl.run());
        String text = out.toString();
        for (String name : List.of("chat_interaction", "generate_response", "ollama_request", "process_streaming_response", "log_interaction")) {
            assertTrue(text.contains(name + " "), name + " in:\n" + text);
        }
        assertTrue(text.contains("tokens in ") && text.contains("first chunk after ") && text.contains("HTTP 200"), text);
        assertTrue(text.contains("ERROR model_not_found") && text.contains("HTTP 404"), "the failed turn:\n" + text);
        provider.close();
    }

    @Test
    void aCancelledTurnIsDrawnWithItsErrorType() {
        var lastTurn = new chatbot_otel.LastTurnSpans();
        try (var provider = io.opentelemetry.sdk.trace.SdkTracerProvider.builder().addSpanProcessor(lastTurn).build()) {
            var tracer = provider.get("test");
            var root = tracer.spanBuilder("chat_interaction").startSpan();
            var child = tracer.spanBuilder("process_streaming_response").setParent(io.opentelemetry.context.Context.current().with(root)).startSpan();
            child.setStatus(io.opentelemetry.api.trace.StatusCode.ERROR).setAttribute(io.opentelemetry.semconv.ErrorAttributes.ERROR_TYPE, "cancelled").end();
            root.setStatus(io.opentelemetry.api.trace.StatusCode.ERROR).setAttribute(io.opentelemetry.semconv.ErrorAttributes.ERROR_TYPE, "cancelled").end();
            var bars = lastTurn.bars(root.getSpanContext().getTraceId());
            assertEquals(2, bars.size());
            String picture = Waterfall.render(bars, 80);
            assertEquals(2, picture.lines().filter(l -> l.endsWith("ERROR cancelled")).count(), picture);
            assertEquals(List.of(), lastTurn.bars("0".repeat(32)), "only the last turn's trace");
        }
    }

    @Test
    void histogramCountsMarksPercentilesAndFitsTheWidth() {
        // 1..100 ms: ten buckets of ten values; p50 = 50 ms, p95 = 95 ms, p99 = 99 ms.
        var nanos = java.util.stream.LongStream.rangeClosed(1, 100).map(n -> n * MS).boxed().toList();
        var lines = TextHistogram.render("latency", nanos, 80, 10).lines().toList();
        assertEquals("latency (ms)", lines.get(0));
        var rows = lines.subList(1, 11);
        assertTrue(rows.stream().allMatch(r -> r.contains("#".repeat(34)) && r.contains("   10")), String.join("\n", rows));
        assertTrue(rows.get(4).endsWith("<- p50"), rows.get(4));
        assertTrue(rows.get(9).endsWith("<- p95, p99"), rows.get(9));
        assertEquals("  p50 50.0 ms  p95 95.0 ms  p99 99.0 ms", lines.get(11));
        assertTrue(lines.stream().allMatch(l -> l.length() <= 80));
    }
}
