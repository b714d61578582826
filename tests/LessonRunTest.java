// Every lesson and every solution runs as a learner runs it (a fresh JVM, no terminal), with --step
// (which must not pause without a terminal) and with --otlp (which must reach a collector); and every
// lesson follows the shared template, so none can drift unnoticed before a workshop.

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LessonRunTest {
    /** file name -> main class; the solutions' classes add "Solution". */
    static final Map<String, String> LESSONS = Map.of(
            "01_spans.java", "Lesson01Spans", "02_attributes.java", "Lesson02Attributes", "03_metrics.java", "Lesson03Metrics",
            "04_propagation.java", "Lesson04Propagation", "05_errors.java", "Lesson05Errors", "06_exporters.java", "Lesson06Exporters",
            "07_semconv.java", "Lesson07Semconv", "08_logs.java", "Lesson08Logs");
    private static final Map<String, String> NO_OTLP_ENV = Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9");

    static Stream<String> lessons() {
        return LESSONS.values().stream().sorted();
    }

    static Stream<String> lessonsAndSolutions() {
        return lessons().flatMap(c -> Stream.of(c, c + "Solution"));
    }

    static Stream<String> lessonFiles() {
        return LESSONS.keySet().stream().sorted();
    }

    @ParameterizedTest
    @MethodSource("lessonsAndSolutions")
    void runsToTheEndWithoutATerminal(String mainClass) throws Exception {
        var run = Harness.finish(Harness.launchClass(mainClass, NO_OTLP_ENV), 60);
        assertEquals(0, run.status(), run.err() + run.out());
        assertTrue(run.out().contains("== Step 1: "), run.out());
        String all = run.out() + run.err();
        assertFalse(all.contains("\tat ") || all.contains("Exception in thread"), "a stack trace:\n" + all);
    }

    @ParameterizedTest
    @MethodSource("lessons")
    void stepModeDoesNotPauseWithoutATerminal(String mainClass) throws Exception {
        var run = Harness.finish(Harness.launchClass(mainClass, NO_OTLP_ENV, "--step"), 60);
        assertEquals(0, run.status(), run.err());
        assertFalse(run.out().contains("press Enter"), run.out());
    }

    @ParameterizedTest
    @MethodSource("lessons")
    void otlpFlagSendsTheTelemetryToACollector(String mainClass) throws Exception {
        var paths = new CopyOnWriteArrayList<String>();
        var collector = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        collector.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            paths.add(exchange.getRequestURI().getPath());
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
        try {
            var run = Harness.finish(Harness.launchClass(mainClass,
                    Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + collector.getAddress().getPort()), "--otlp"), 60);
            assertEquals(0, run.status(), run.err());
            assertFalse(paths.isEmpty(), "nothing reached the collector; output:\n" + run.out());
            assertTrue(paths.stream().allMatch(p -> p.startsWith("/v1/")), paths.toString());
            // The lesson says where it sent and that the collector took it.
            String said = mainClass.equals("Lesson06Exporters") ? "OtlpHttpSpanExporter: accepted"
                    : "OTLP/HTTP to http://127.0.0.1:" + collector.getAddress().getPort() + ":";
            assertTrue(run.out().contains(said) && run.out().contains("accepted"), run.out());
        } finally {
            collector.stop(0);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Lesson01Spans", "Lesson08Logs"})
    void otlpWithNoCollectorSaysSoAndStillEnds(String mainClass) throws Exception {
        var run = Harness.finish(Harness.launchClass(mainClass, NO_OTLP_ENV, "--otlp"), 60);
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("OTLP/HTTP to http://127.0.0.1:9:"), run.out());
        assertTrue(run.out().lines().anyMatch(l -> l.startsWith("   traces: failed")), run.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Lesson01Spans", "Lesson07Semconv"})
    void unknownOptionIsOneLineAndExitTwo(String mainClass) throws Exception {
        var run = Harness.finish(Harness.launchClass(mainClass, NO_OTLP_ENV, "--fast"), 60);
        assertEquals(2, run.status());
        assertEquals(List.of("lesson: unknown option --fast (use --step, --otlp or nothing)"), run.err().lines().toList());
    }

    @org.junit.jupiter.api.Test
    void playgroundOpensJShellWithAReadySdk() throws Exception {
        // Through ./jbang, as a learner opens it: JShell reads the lines below from standard input.
        var process = new ProcessBuilder("bash", Harness.ROOT.resolve("jbang").toString(), "--interactive", "lessons/playground.jsh")
                .directory(Harness.ROOT.toFile()).start();
        process.getOutputStream().write("tracer.spanBuilder(\"from-the-playground\").startSpan().end()\n/exit\n"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        var run = Harness.finish(process, 180);
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("OpenTelemetry playground ready"), run.out());
        assertTrue(run.out().contains("-> 'from-the-playground' : "), run.out());
        assertFalse(run.out().contains("Error:"), run.out());
    }

    /**
     * The lesson's "You should see" block, line by line, must appear in its real output, in order
     * (other lines may come between). Placeholders: <trace-id>, <span-id>, <n> (a number), and ...
     * (anything). So the block cannot drift from what the lesson prints.
     */
    @ParameterizedTest
    @MethodSource("lessonFiles")
    void youShouldSeeMatchesTheRealOutput(String file) throws Exception {
        var expected = youShouldSee(Files.readString(Harness.ROOT.resolve("lessons").resolve(file)));
        assertFalse(expected.isEmpty(), file);
        var run = Harness.finish(Harness.launchClass(LESSONS.get(file), NO_OTLP_ENV), 60);
        var actual = run.out().lines().map(String::strip).toList();
        int at = 0;
        for (String line : expected) {
            var pattern = Pattern.compile(toRegex(line));
            while (at < actual.size() && !pattern.matcher(actual.get(at)).matches()) at++;
            assertTrue(at < actual.size(), file + ": \"" + line + "\" is not in the output (in order):\n" + run.out());
            at++;
        }
    }

    static List<String> youShouldSee(String source) {
        var lines = source.lines().toList();
        int start = lines.indexOf("// You should see") + 1;
        var block = new java.util.ArrayList<String>();
        for (int i = start; i > 0 && i < lines.size() && lines.get(i).startsWith("//   "); i++) block.add(lines.get(i).substring(5).strip());
        return block;
    }

    static String toRegex(String line) {
        String regex = Pattern.quote(line);
        for (var placeholder : Map.of("<trace-id>", "[0-9a-f]{32}", "<span-id>", "[0-9a-f]{16}", "<n>", "[0-9]+(?:\\.[0-9]+)?",
                "...", ".*").entrySet()) {
            regex = regex.replace(placeholder.getKey(), "\\E" + placeholder.getValue() + "\\Q");
        }
        return regex;
    }

    /** Each lesson names the chatbot method that does the same thing, and that method exists. */
    @ParameterizedTest
    @MethodSource("lessonFiles")
    void endsByNamingTheChatbotMethodThatDoesTheSame(String file) throws Exception {
        String text = Files.readString(Harness.ROOT.resolve("lessons").resolve(file));
        var line = text.lines().filter(l -> l.startsWith("// In the chatbot ")).findFirst();
        assertTrue(line.isPresent(), file + " lacks a line '// In the chatbot ...'");
        var names = Pattern.compile("\\b([A-Z]\\w+)\\.(\\w+)\\b").matcher(line.get().replaceAll("\\S+\\.java", ""));
        int found = 0;
        while (names.find()) {
            Class<?> type = Class.forName("chatbot_otel$" + names.group(1));
            String method = names.group(2);
            assertTrue(java.util.Arrays.stream(type.getDeclaredMethods()).anyMatch(m -> m.getName().equals(method))
                    || type.getSimpleName().equals(method), file + ": " + names.group() + " does not exist in chatbot_otel.java");
            found++;
        }
        assertTrue(found > 0 || line.get().contains("does not use"), file + ": name a method (Class.method) or say why not");
    }

    private static final Pattern STEP_CALL = Pattern.compile("LessonKit\\.step\\(options, (\\d+), \"((?:[^\"\\\\]|\\\\.)*)\"");

    @ParameterizedTest
    @MethodSource("lessonFiles")
    void followsTheLessonTemplate(String file) throws Exception {
        Path path = Harness.ROOT.resolve("lessons").resolve(file);
        String text = Files.readString(path);
        for (String heading : List.of("// Goal ", "// Needs ", "// Run ", "// You should see", "// Try it yourself", "// Next ",
                "// TRY: ", "//DESCRIPTION Lesson ")) {
            assertTrue(text.contains(heading), file + " lacks " + heading.strip());
        }
        var steps = STEP_CALL.matcher(text).results().toList();
        assertFalse(steps.isEmpty());
        for (int i = 0; i < steps.size(); i++) {
            String number = String.valueOf(i + 1);
            assertEquals(number, steps.get(i).group(1), file + ": steps are numbered in order");
            assertTrue(text.contains("/** STEP " + number + ".") || text.contains("STEPS " + number) || text.contains(" and " + number + "."),
                    file + ": step " + number + " has no STEP marker on its method");
            assertTrue(text.contains("== Step " + number + ": " + steps.get(i).group(2).replace("\\\"", "\"")),
                    file + ": \"You should see\" does not show step " + number + " (" + steps.get(i).group(2) + ")");
        }
        assertTrue(Files.exists(Harness.ROOT.resolve("lessons/solutions").resolve(file)), file + " has no solution");
        assertTrue(Files.readAllLines(path).size() <= 180, file + " is too long for one sitting");
    }
}
