///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES BenchKit.java
//SOURCES ../chatbot_otel.java
//MAIN startup
//DESCRIPTION One-shot turn, whole process, warm: `./jbang chatbot_otel.java --prompt hi` against an instant server, telemetry on and off.

// How long does one answer take, from pressing Enter to the shell prompt coming back? The README's
// one-shot command, run as a user runs it (warm: dependencies resolved, the jar and its CDS archive
// built once beforehand), against an Ollama simulator in its own process that answers at once, so the
// figure is the chatbot's own cost. Rows, all through ./jbang with the script's own JVM options:
//   telemetry on        no collector listening, as on a laptop without the stack
//   telemetry off       OTEL_SDK_DISABLED=true
//   launcher alone      ./jbang --version: what JBang costs before the chatbot starts
//   the JVM alone       the java command ./jbang ends up running, on and off: the chatbot without JBang
// Goals: telemetry on <= 0.8 s (median), and on/off <= 1.05.
//
//   jbang bench/startup.java                  11 runs each
//   jbang bench/startup.java --runs 2         a quick check (what CI runs)
//   jbang bench/startup.java --with -XX:TieredStopAtLevel=1
//                                             two more rows: the JVM alone with one more option (a lever to weigh)

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

class startup {
    public static void main(String[] args) throws Exception {
        // --with OPTION: two more rows, the JVM alone with one more JVM option (a lever, tried before it is kept).
        var rest = new ArrayList<String>();
        String with = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--with") && i + 1 < args.length && args[i + 1].startsWith("-") && !args[i + 1].contains(" ")) with = args[++i];
            else rest.add(args[i]);
        }
        int runs = BenchKit.options(rest.toArray(String[]::new), Map.of("runs", 11),
                "Usage: jbang bench/startup.java [--runs N] [--with JVM_OPTION]").get("runs");
        Path root = BenchKit.root();
        try (var sim = BenchKit.simulatorProcess()) {
            var oneShot = List.of("bash", root.resolve("jbang").toString(), "chatbot_otel.java", "--prompt", "hi");
            Map<String, String> on = Map.of("OLLAMA_ENDPOINT", sim.url(), "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9");
            Map<String, String> off = Map.of("OLLAMA_ENDPOINT", sim.url(), "OTEL_SDK_DISABLED", "true");
            seconds(oneShot, on, root); // warm-up: builds the jar and the CDS archives if they are missing
            seconds(oneShot, off, root);

            BenchKit.machine();
            // Interleaved, run by run: the machine's drift then hits all three rows alike, and the
            // on/off figure is the median of each run's own ratio, as bench/overhead.java does it.
            var launcher = List.of("bash", root.resolve("jbang").toString(), "--version");
            String java = jvmCommand(oneShot, root);
            var jvmAlone = List.of("bash", "-c", "exec " + java); // what ./jbang ends up running
            var jvmWith = with == null ? null : List.of("bash", "-c", "exec " + java.replaceFirst(" -classpath ", " " + with + " -classpath "));
            List<Double> onTimes = new ArrayList<>(), offTimes = new ArrayList<>(), launcherTimes = new ArrayList<>(), ratios = new ArrayList<>();
            List<Double> jvmOnTimes = new ArrayList<>(), jvmOffTimes = new ArrayList<>(), jvmRatios = new ArrayList<>();
            List<Double> withOnTimes = new ArrayList<>(), withOffTimes = new ArrayList<>(), withRatios = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                onTimes.add(seconds(oneShot, on, root));
                offTimes.add(seconds(oneShot, off, root));
                launcherTimes.add(seconds(launcher, Map.of(), root));
                jvmOnTimes.add(seconds(jvmAlone, on, root));
                jvmOffTimes.add(seconds(jvmAlone, off, root));
                ratios.add(onTimes.get(i) / offTimes.get(i));
                jvmRatios.add(jvmOnTimes.get(i) / jvmOffTimes.get(i));
                if (jvmWith != null) {
                    withOnTimes.add(seconds(jvmWith, on, root));
                    withOffTimes.add(seconds(jvmWith, off, root));
                    withRatios.add(withOnTimes.get(i) / withOffTimes.get(i));
                }
            }
            System.out.printf("One-shot turn, whole process, warm (%d runs each, interleaved; the simulator answers at once, in its own process)%n", runs);
            System.out.printf("%-52s %9s %9s %9s%n", "command", "min s", "median s", "max s");
            double withTelemetry = row("./jbang chatbot_otel.java --prompt hi", onTimes);
            row("  the same, OTEL_SDK_DISABLED=true", offTimes);
            row("./jbang --version (the launcher alone)", launcherTimes);
            row("the chatbot's JVM alone (no launcher), on", jvmOnTimes);
            row("  the same, OTEL_SDK_DISABLED=true", jvmOffTimes);
            if (jvmWith != null) {
                row("the JVM alone with " + with + ", on", withOnTimes);
                row("  the same, OTEL_SDK_DISABLED=true", withOffTimes);
            }
            ratioLine("the JVM alone: on/off", jvmRatios);
            if (jvmWith != null) ratioLine("the JVM alone with " + with + ": on/off", withRatios);
            double ratio = BenchKit.median(ratios);
            System.out.printf("telemetry on, median %.3f s     goal <= 0.8 s: %s%n", withTelemetry, withTelemetry <= 0.8 ? "met" : "NOT met");
            System.out.printf("on/off %.3f (median of the runs' ratios; min %.3f, max %.3f)   goal <= 1.05: %s%n", ratio,
                    ratios.stream().min(Double::compare).orElseThrow(), ratios.stream().max(Double::compare).orElseThrow(),
                    ratio <= 1.05 ? "met" : "NOT met");
        }
    }

    static void ratioLine(String label, List<Double> ratios) {
        System.out.printf("%s %.3f (median of the runs' ratios; min %.3f, max %.3f)%n", label, BenchKit.median(ratios),
                ratios.stream().min(Double::compare).orElseThrow(), ratios.stream().max(Double::compare).orElseThrow());
    }

    static double row(String label, List<Double> times) {
        double median = BenchKit.median(times);
        System.out.printf("%-52s %9.3f %9.3f %9.3f%n", label, times.stream().min(Double::compare).orElseThrow(), median,
                times.stream().max(Double::compare).orElseThrow());
        return median;
    }

    /** The java command line ./jbang would exec for this command (its JBANG_WRAPPER_PRINT mode), CDS archive included. */
    static String jvmCommand(List<String> command, Path root) throws Exception {
        var builder = new ProcessBuilder(command).directory(root.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("JBANG_WRAPPER_PRINT", "1");
        Process process = builder.start();
        String line = new String(process.getInputStream().readAllBytes()).strip();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0 || line.isEmpty()) {
            BenchKit.fail("./jbang did not print the command it runs: " + String.join(" ", command));
        }
        return line;
    }

    /** Seconds from start to exit: what the user waits before the shell prompt comes back. */
    static double seconds(List<String> command, Map<String, String> env, Path root) throws Exception {
        var builder = new ProcessBuilder(command).directory(root.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().putAll(env);
        long start = System.nanoTime();
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            BenchKit.fail("the command did not finish well: " + String.join(" ", command));
        }
        return (System.nanoTime() - start) / 1e9;
    }
}
