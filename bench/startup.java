///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES BenchKit.java
//SOURCES ../chatbot_otel.java
//MAIN startup
//DESCRIPTION Warm start to the first answer: `./jbang chatbot_otel.java --simulate --prompt hi`, median of several runs.

// How long from pressing Enter to the first word of the answer? Runs the README's command as a
// user does (a warm start: dependencies resolved and the jar built once beforehand), and for
// comparison the same program with `java -cp` directly, which skips JBang's own launcher JVM.
// The simulator's 150 ms "time to first token" is part of both. Goal: median <= 1.0 s (./jbang).
//
//   jbang bench/startup.java                  7 runs each
//   jbang bench/startup.java --runs 2         a quick check (what CI runs)

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

class startup {
    public static void main(String[] args) throws Exception {
        int runs = BenchKit.options(args, Map.of("runs", 7), "Usage: jbang bench/startup.java [--runs N]").get("runs");
        Path root = BenchKit.root();
        var jbang = List.of("bash", root.resolve("jbang").toString(), "chatbot_otel.java", "--simulate", "--prompt", "hi");
        var direct = List.of(ProcessHandle.current().info().command().orElse("java"), "-cp", System.getProperty("java.class.path"),
                "chatbot_otel", "--simulate", "--prompt", "hi");
        firstByteSeconds(jbang, root); // warm-up: builds the jar and the CDS archives if they are missing

        System.out.printf("Warm start to the first answer (%d runs each; the simulator thinks 150 ms before answering)%n", runs);
        System.out.printf("%-42s %10s %10s %10s%n", "command", "median s", "min s", "max s");
        double jbangMedian = row("./jbang chatbot_otel.java --simulate --prompt hi", jbang, root, runs);
        row("java -cp ... chatbot_otel (no JBang launcher)", direct, root, runs);
        System.out.printf("goal <= 1.0 s for ./jbang: %s%n", jbangMedian <= 1.0 ? "met" : "NOT met");
    }

    static double row(String label, List<String> command, Path root, int runs) throws Exception {
        var times = new ArrayList<Double>();
        for (int i = 0; i < runs; i++) times.add(firstByteSeconds(command, root));
        double median = BenchKit.median(times);
        System.out.printf("%-42s %10.3f %10.3f %10.3f%n", label, median, times.stream().min(Double::compare).orElseThrow(),
                times.stream().max(Double::compare).orElseThrow());
        return median;
    }

    /** Seconds from start to the first byte on stdout (the first token of the answer). */
    static double firstByteSeconds(List<String> command, Path root) throws Exception {
        var builder = new ProcessBuilder(command).directory(root.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9"); // nobody listens: as on a laptop without the stack
        long start = System.nanoTime();
        Process process = builder.start();
        int first = process.getInputStream().read();
        double seconds = (System.nanoTime() - start) / 1e9;
        process.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        if (!process.waitFor(60, TimeUnit.SECONDS) || first < 0 || process.exitValue() != 0) {
            process.destroyForcibly();
            BenchKit.fail("the chatbot did not answer: " + String.join(" ", command));
        }
        return seconds;
    }
}
