///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES BenchKit.java
//SOURCES ../chatbot_otel.java
//MAIN edit_rerun
//DESCRIPTION Edit, then rerun: where each second goes (launcher, dependencies, javac, jar, the CDS dump, the JVM).

// How long from saving a file to seeing its output? The README's own commands, run as a user runs them
// right after an edit, in a copy of the checkout (its tracked files, in a temp folder) so that nothing of
// yours changes. ~/.jbang and ~/.m2 are shared (dependencies resolved once); only JBang's jar cache is
// the copy's own (JBANG_CACHE_DIR_JARS, removed at the end), so your own builds stay as they are.
// Telemetry on, a collector listening: OTEL_EXPORTER_OTLP_ENDPOINT points at an OTLP sink in this JVM
// that answers 200, the other OTEL_* variables unset. Stdin is /dev/null. Scenarios, interleaved:
//   edit chatbot_otel.java   append "// edit N", then ./jbang chatbot_otel.java --simulate --prompt hi
//   edit a lesson            the same for lessons/01_spans.java, then ./jbang lessons/01_spans.java
//   edit a companion         the same for chatbot_repl.java (a //SOURCES of the chatbot), the chatbot command
//   warm one-shot            no edit: the chatbot command again
// Each scenario: the whole command's time, then its phases, from a second run of the same scenario (a new
// edit) through ./jbang --verbose, whose lines carry JBang's clock ("[jbang] [0:874] Compile: ..."):
//   launcher                 from the start to JBang's first step (dependencies, javac, jar or run)
//   dependency resolution    "Resolving artifact(s)" to "Resolved artifact(s)"
//   javac X, jar X           "Compile:" and "Package:" of each unit built, X the file it is built for
//   JBang between its steps  the rest of JBang's time, up to its "run:" line
//   the JVM                  from "run:" to the exit; on the first run after a build a //CDS script also
//                            writes its class-data archive at exit: compare the edit rows with the warm one
// A verbose run without JBang's lines (JBang not started at all) gets no breakdown: nothing is guessed.
// Goals (medians): edit -> rerun <= 2.5 s for chatbot_otel.java, <= 1.5 s for a lesson; warm one-shot <= 0.6 s.
//
//   jbang bench/edit_rerun.java              3 runs of each scenario (a few minutes)
//   jbang bench/edit_rerun.java --runs 1     a quick check (what CI runs)

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

class edit_rerun {
    /** A verbose JBang line with its clock: seconds and milliseconds since JBang started. */
    private static final Pattern TIMED = Pattern.compile("^\\[jbang\\] \\[(\\d+):(\\d{3})\\] (.*)$");
    private static final Pattern RESOLVED = Pattern.compile("Resolved artifact|Dependencies resolved");
    private static final List<String> CHAT = List.of("./jbang", "chatbot_otel.java", "--simulate", "--prompt", "hi");
    private static final List<String> LESSON = List.of("./jbang", "lessons/01_spans.java");

    private static int editCount;

    public static void main(String[] args) throws Exception {
        int runs = BenchKit.options(args, Map.of("runs", 3), "Usage: jbang bench/edit_rerun.java [--runs N]")
                .get("runs");
        Path temp = Files.createTempDirectory("edit_rerun");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(temp)));
        Path copy = copyCheckout(BenchKit.root(), temp.resolve("checkout"));
        var sink = BenchKit.sink();
        Map<String, String> env = Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", BenchKit.url(sink),
                "JBANG_CACHE_DIR_JARS", temp.resolve("jars").toString());
        var scenarios = List.of(
                new Scenario("edit chatbot_otel.java, then ./jbang chatbot_otel.java --simulate --prompt hi",
                        "chatbot_otel.java", CHAT),
                new Scenario("edit lessons/01_spans.java, then ./jbang lessons/01_spans.java",
                        "lessons/01_spans.java", LESSON),
                new Scenario("edit chatbot_repl.java (a companion), then the chatbot command",
                        "chatbot_repl.java", CHAT),
                new Scenario("warm one-shot, no edit: ./jbang chatbot_otel.java --simulate --prompt hi", null, CHAT));
        run(copy, CHAT, env); // warm-up: the copy's first builds, and any dependency not yet in ~/.m2
        run(copy, LESSON, env);

        // Interleaved, run by run, so that the machine's drift hits all scenarios alike. The warm one-shot
        // comes last: it reruns what the companion edit has just built and run once.
        for (int i = 1; i <= runs; i++) {
            System.err.printf("edit_rerun: run %d of %d%n", i, runs);
            for (Scenario scenario : scenarios) scenario.measure(copy, env);
        }
        sink.stop(0);

        BenchKit.machine();
        System.out.printf("Edit, then rerun, whole process, telemetry on, a collector listening"
                + " (%d runs each, interleaved; phases from a --verbose run of each)%n", runs);
        System.out.printf("%-66s %9s %9s %9s%n", "scenario, phase", "min s", "median s", "max s");
        for (Scenario scenario : scenarios) scenario.rows(runs);
        goal("edit -> rerun of chatbot_otel.java, median %.3f s (aim 1.5 s)", scenarios.get(0).totals(), 2.5);
        goal("edit -> rerun of a lesson, median %.3f s (aim 1.0 s)", scenarios.get(1).totals(), 1.5);
        goal("warm one-shot, telemetry on, median %.3f s", scenarios.get(3).totals(), 0.6);
    }

    /** One scenario: the file it edits before each run (null: none), the command, and what the runs took. */
    record Scenario(String title, String file, List<String> command, List<Double> totals, List<Double> verboseTotals,
            Map<String, List<Double>> phases) {
        Scenario(String title, String file, List<String> command) {
            this(title, file, command, new ArrayList<>(), new ArrayList<>(), new LinkedHashMap<>());
        }

        /** Edit and run; then edit again and run with --verbose, for the phases. */
        void measure(Path copy, Map<String, String> env) throws IOException, InterruptedException {
            edit(copy, file);
            totals.add(run(copy, command, env).seconds());
            edit(copy, file);
            var verbose = new ArrayList<>(command);
            verbose.add(1, "--verbose");
            Run run = run(copy, verbose, env);
            verboseTotals.add(run.seconds());
            run.phases().forEach((phase, seconds) -> phases.computeIfAbsent(phase, p -> new ArrayList<>())
                    .add(seconds));
        }

        void rows(int runs) {
            System.out.println(title);
            row("  the whole command", totals);
            if (phases.isEmpty()) System.out.println("  (no timed [jbang] line in the verbose runs: no breakdown)");
            phases.forEach((phase, values) -> row("  " + phase + (values.size() < runs
                    ? " (" + values.size() + " of " + runs + " runs)" : ""), values));
            row("  the --verbose run, whole (the phases add up to it)", verboseTotals);
        }
    }

    /** Seconds from start to exit, and each line of stderr with the second (since the start) it arrived. */
    record Run(double seconds, List<String> lines, List<Double> arrivals) {
        /**
         * The phases JBang's verbose lines show, in order. JBang's clock starts once its JVM is up: the
         * smallest gap between a line's arrival and its clock is when that was, after this run's start.
         */
        Map<String, Double> phases() {
            var clock = new ArrayList<Double>();
            var text = new ArrayList<String>();
            double offset = Double.MAX_VALUE;
            for (int i = 0; i < lines.size(); i++) {
                var timed = TIMED.matcher(lines.get(i));
                if (!timed.matches()) continue;
                double at = Integer.parseInt(timed.group(1)) + Integer.parseInt(timed.group(2)) / 1000.0;
                clock.add(at);
                text.add(timed.group(3));
                offset = Math.min(offset, arrivals.get(i) - at);
            }
            var steps = new LinkedHashMap<String, Double>();
            Double first = null;
            Double runAt = null;
            String unit = "";
            boolean built = false;
            boolean cds = false;
            for (int i = 0; i < text.size() && runAt == null; i++) {
                String line = text.get(i);
                String step = null;
                int end = i + 1; // a step ends with JBang's next line, dependency resolution with its "Resolved"
                if (line.startsWith("Resolving artifact") || line.startsWith("Resolving dependencies")) {
                    step = "dependency resolution";
                    while (end < text.size() && !RESOLVED.matcher(text.get(end)).lookingAt()) end++;
                } else if (line.startsWith("Building jar for ")) {
                    unit = " " + line.substring("Building jar for ".length()).replaceFirst("\\.\\.\\.$", "");
                } else if (line.startsWith("Compile: ")) {
                    step = "javac" + unit;
                    built = true;
                } else if (line.startsWith("Package: ")) {
                    step = "jar" + unit;
                } else if (line.startsWith("run: ")) {
                    runAt = clock.get(i);
                    cds = line.contains("-XX:ArchiveClassesAtExit") || line.contains("-XX:SharedArchiveFile");
                }
                if (step != null && end < text.size()) {
                    if (first == null) first = clock.get(i);
                    steps.merge(step, clock.get(end) - clock.get(i), Double::sum);
                }
            }
            var phases = new LinkedHashMap<String, Double>();
            if (first == null) first = runAt;
            if (first == null) return phases; // no step seen: nothing to divide the time by
            phases.put("launcher (start to JBang's first step)", offset + first);
            phases.putAll(steps);
            if (runAt == null) return phases;
            phases.put("JBang between its steps", runAt - first - steps.values().stream().mapToDouble(d -> d).sum());
            String jvm = !cds ? "the JVM" + (built ? ", after the build" : "")
                    : built ? "the JVM, first run after the build (writes the CDS archive)"
                    : "the JVM, no build (the CDS archive of an earlier run)";
            phases.put(jvm, seconds - offset - runAt);
            return phases;
        }
    }

    /** Runs a command from the copy's root, stdin from /dev/null; a failure, or a failed export, ends the benchmark. */
    static Run run(Path copy, List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        var builder = new ProcessBuilder(command).directory(copy.toFile()).redirectInput(new File("/dev/null"))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().keySet().removeIf(name -> name.startsWith("OTEL_"));
        builder.environment().putAll(env);
        var lines = new ArrayList<String>();
        var arrivals = new ArrayList<Double>();
        long start = System.nanoTime();
        Process process = builder.start();
        var reader = new Thread(() -> {
            try (var err = process.errorReader(StandardCharsets.UTF_8)) {
                for (String line = err.readLine(); line != null; line = err.readLine()) {
                    arrivals.add((System.nanoTime() - start) / 1e9);
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process is gone
            }
        }, "stderr");
        reader.start();
        boolean done = process.waitFor(300, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        if (!done) process.destroyForcibly();
        reader.join();
        String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        String what = String.join(" ", command);
        if (!done || process.exitValue() != 0) BenchKit.fail(what + " did not finish well:\n" + tail);
        if (lines.stream().anyMatch(line -> line.startsWith("warning:") && line.contains("export"))) {
            BenchKit.fail("telemetry export failed, though the sink takes it all: " + what + "\n" + tail);
        }
        return new Run(seconds, lines, arrivals);
    }

    /** Appends "// edit N" to a file of the copy, N new each time, so that JBang has to build again. */
    static void edit(Path copy, String file) throws IOException {
        if (file == null) return;
        Path path = copy.resolve(file);
        String separator = Files.readString(path).endsWith("\n") ? "" : "\n";
        Files.writeString(path, separator + "// edit " + ++editCount + "\n", StandardOpenOption.APPEND);
    }

    /** The checkout's tracked files (`git ls-files`, as they are in the working tree), copied into a folder. */
    static Path copyCheckout(Path root, Path to) throws IOException, InterruptedException {
        var git = new ProcessBuilder("git", "ls-files", "-z").directory(root.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String names = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (git.waitFor() != 0) BenchKit.fail("git ls-files failed in " + root);
        for (String name : names.split("\0")) {
            Path from = root.resolve(name);
            if (name.isEmpty() || !Files.isRegularFile(from)) continue; // deleted in the working tree
            Files.createDirectories(to.resolve(name).getParent());
            Files.copy(from, to.resolve(name), StandardCopyOption.COPY_ATTRIBUTES); // ./jbang stays executable
        }
        return to;
    }

    static void delete(Path folder) {
        try (var paths = Files.walk(folder)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.err.println("bench: could not remove " + folder + ": " + e.getMessage());
        }
    }

    static void row(String label, List<Double> seconds) {
        System.out.printf("%-66s %9.3f %9.3f %9.3f%n", label, seconds.stream().min(Double::compare).orElseThrow(),
                BenchKit.median(seconds), seconds.stream().max(Double::compare).orElseThrow());
    }

    /** A goal line in the form bench/all.java gathers: "<figure>  goal <= X s: met" (or NOT met). */
    static void goal(String figure, List<Double> seconds, double limit) {
        double median = BenchKit.median(seconds);
        System.out.printf("%s  goal <= %.1f s: %s%n", String.format(figure, median), limit,
                median <= limit ? "met" : "NOT met");
    }
}
