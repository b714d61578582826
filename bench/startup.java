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
            // Interleaved, run by run: the machine's drift then hits all rows alike, and each on/off
            // figure is the median of each run's own ratio, as bench/overhead.java does it.
            String java = jvmCommand(oneShot, root);
            var whole = new OnOff(oneShot);
            var launcher = new ArrayList<Double>();
            var jvmAlone = new OnOff(List.of("bash", "-c", "exec " + java)); // what ./jbang ends up running
            var jvmWith = with == null ? null : new OnOff(List.of("bash", "-c", "exec " + java.replaceFirst(" -classpath ", " " + with + " -classpath ")));
            for (int i = 0; i < runs; i++) {
                whole.run(on, off, root);
                launcher.add(seconds(List.of("bash", root.resolve("jbang").toString(), "--version"), Map.of(), root));
                jvmAlone.run(on, off, root);
                if (jvmWith != null) jvmWith.run(on, off, root);
            }
            System.out.printf("One-shot turn, whole process, warm (%d runs each, interleaved; the simulator answers at once, in its own process)%n", runs);
            System.out.printf("%-52s %9s %9s %9s%n", "command", "min s", "median s", "max s");
            double withTelemetry = whole.rows("./jbang chatbot_otel.java --prompt hi");
            row("./jbang --version (the launcher alone)", launcher);
            jvmAlone.rows("the chatbot's JVM alone (no launcher), on");
            if (jvmWith != null) jvmWith.rows("the JVM alone with " + with + ", on");
            System.out.println(jvmAlone.ratioLine("the JVM alone: on/off"));
            if (jvmWith != null) System.out.println(jvmWith.ratioLine("the JVM alone with " + with + ": on/off"));
            System.out.printf("telemetry on, median %.3f s     goal <= 0.8 s: %s%n", withTelemetry, withTelemetry <= 0.8 ? "met" : "NOT met");
            System.out.printf("%s   goal <= 1.05: %s%n", whole.ratioLine("on/off"), whole.ratio() <= 1.05 ? "met" : "NOT met");
        }
    }

    /** One command run with telemetry on and off, back to back: the times of each, and each run's ratio. */
    record OnOff(List<String> command, List<Double> on, List<Double> off, List<Double> ratios) {
        OnOff(List<String> command) {
            this(command, new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }

        void run(Map<String, String> onEnv, Map<String, String> offEnv, Path root) throws Exception {
            on.add(seconds(command, onEnv, root));
            off.add(seconds(command, offEnv, root));
            ratios.add(on.get(on.size() - 1) / off.get(off.size() - 1));
        }

        /** The two rows; returns the median with telemetry on. */
        double rows(String label) {
            double median = row(label, on);
            row("  the same, OTEL_SDK_DISABLED=true", off);
            return median;
        }

        double ratio() {
            return BenchKit.median(ratios);
        }

        String ratioLine(String label) {
            return String.format("%s %.3f (median of the runs' ratios; min %.3f, max %.3f)", label, ratio(),
                    ratios.stream().min(Double::compare).orElseThrow(), ratios.stream().max(Double::compare).orElseThrow());
        }
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
