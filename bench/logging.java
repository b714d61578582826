///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES BenchKit.java
//SOURCES ../chatbot_otel.java
//MAIN logging
//DESCRIPTION The logging path at start-up: Logs Bridge API by hand, SLF4J + Logback + appender, java.util.logging.

// What does the way the chatbot logs cost when it starts? The chatbot builds its llm.interaction record
// through the Logs Bridge API itself; a Java developer would log through SLF4J + Logback with
// OpenTelemetry's Logback appender (lesson 8), or through java.util.logging with a Handler of their own.
// Each way is a script in bench/logging/ that builds the same SDK (an SdkLoggerProvider, a
// SimpleLogRecordProcessor, an exporter that only counts: no I/O), makes a span context current and
// emits the same record once (INFO, event llm.interaction, body, three attributes, the span's ids; the
// script checks what reached the exporter and fails if a fact is lost). The ways:
//   (a)  Logs Bridge API called directly                          bench/logging/bridge.java (the chatbot)
//   (b)  SLF4J + Logback 1.5.38 + opentelemetry-logback-appender-1.0 2.31.1-alpha (the one built on
//        OpenTelemetry 1.65.0), logback.xml, OpenTelemetryAppender.install(sdk)   bench/logging/logback.java
//   (b') the same, Logback configured in code as lesson 8 does      bench/logging/logback_code.java
//   (c)  java.util.logging + a Handler forwarding to the Logs API   bench/logging/jul.java
// Each is built once into a temporary folder (./jbang build --build-dir), then run as a fresh JVM with
// the java running this script: `java OPTIONS -cp CLASSPATH MAIN`, run by run interleaved, under two
// sets of JVM options: -XX:+UseSerialGC (what the chatbot runs with) and the same plus
// -XX:TieredStopAtLevel=1. Per way:
//   to export   ms from the JVM's start (RuntimeMXBean) until the record reached the exporter
//   classes     classes loaded by then (read through java.lang.management, which adds its own, alike in
//               every way)
//   extra jars  the jars on the way's classpath that are not on (a)'s, and their size
// Left out in every way: the JSON line the chatbot also prints to stderr, and an application CDS
// archive (the chatbot's //CDS would make every row cheaper; the JDK's own archive is on).
//
//   jbang bench/logging.java              7 runs of each way under each set of options (about a minute)
//   jbang bench/logging.java --runs 1     a quick check

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

class logging {
    private static final Pattern REPORT = Pattern.compile("^logbench exported_ms=(\\d+) classes=(\\d+)$");

    /** One way: its script, and once built, the classpath it runs with and what it adds to (a)'s. */
    record Way(String label, String script, List<String> classpath, List<String> extraJars, long extraBytes) {
        String main() {
            return script.replaceFirst("\\.java$", "");
        }
    }

    /** The figures of one way under one set of JVM options, run by run. */
    record Figures(List<Double> millis, List<Double> classes) {
        Figures() {
            this(new ArrayList<>(), new ArrayList<>());
        }
    }

    static final List<String[]> WAYS = List.of(
            new String[] {"(a) Logs Bridge API, by hand (the chatbot)", "bridge.java"},
            new String[] {"(b) SLF4J + Logback + appender, logback.xml", "logback.java"},
            new String[] {"(b') the same, configured in code (lesson 8)", "logback_code.java"},
            new String[] {"(c) java.util.logging + a Handler", "jul.java"});

    static final List<List<String>> OPTIONS = List.of(List.of("-XX:+UseSerialGC"),
            List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));

    public static void main(String[] args) throws Exception {
        int runs = BenchKit.options(args, Map.of("runs", 7), "Usage: jbang bench/logging.java [--runs N]").get("runs");
        Path root = BenchKit.root();
        Path temp = Files.createTempDirectory("logbench");
        try {
            String java = ProcessHandle.current().info().command().orElse("java");
            var ways = build(root, temp);
            for (Way way : ways) child(java, OPTIONS.get(0), way); // warm-up: the jars into the page cache

            var figures = new ArrayList<List<Figures>>(); // [options][way]
            for (int o = 0; o < OPTIONS.size(); o++) figures.add(ways.stream().map(w -> new Figures()).toList());
            for (int run = 0; run < runs; run++) {
                for (int o = 0; o < OPTIONS.size(); o++) {
                    for (int k = 0; k < ways.size(); k++) {
                        int w = (k + run) % ways.size(); // each run starts with another way: no way always goes first
                        long[] report = child(java, OPTIONS.get(o), ways.get(w));
                        figures.get(o).get(w).millis().add((double) report[0]);
                        figures.get(o).get(w).classes().add((double) report[1]);
                    }
                }
            }

            BenchKit.machine();
            System.out.printf("Logging path at start-up: JVM start to one record exported (%d runs each, interleaved;%n"
                    + "OpenTelemetry SDK 1.65.0, an exporter that only counts)%n", runs);
            for (int o = 0; o < OPTIONS.size(); o++) {
                String options = String.join(" ", OPTIONS.get(o));
                System.out.printf("%njava %s%n", options + (o == 0 ? "  (the chatbot's)" : ""));
                System.out.printf("%-46s %7s %7s %7s %8s %8s %7s %12s%n", "way", "min ms", "med ms", "max ms", "vs (a)",
                        "classes", "vs (a)", "extra jars");
                List<Figures> row = figures.get(o);
                double baseMillis = BenchKit.median(row.get(0).millis());
                double baseClasses = BenchKit.median(row.get(0).classes());
                for (int w = 0; w < ways.size(); w++) {
                    Way way = ways.get(w);
                    List<Double> millis = row.get(w).millis();
                    double median = BenchKit.median(millis);
                    double classes = BenchKit.median(row.get(w).classes());
                    System.out.printf("%-46s %7.0f %7.0f %7.0f %+8.0f %8.0f %+7.0f %12s%n", way.label(), min(millis),
                            median, max(millis), median - baseMillis, classes, classes - baseClasses, jars(way));
                }
            }
            System.out.println();
            var listed = new HashSet<List<String>>();
            for (Way way : ways) {
                if (way.extraJars().isEmpty() || !listed.add(way.extraJars())) continue;
                String who = String.join(", ", ways.stream().filter(other -> other.extraJars().equals(way.extraJars()))
                        .map(other -> other.label().substring(0, other.label().indexOf(' '))).toList());
                System.out.printf("extra jars of %s:%n", who);
                var line = new StringBuilder(" ");
                for (String jar : way.extraJars()) {
                    if (line.length() + jar.length() > 110) {
                        System.out.println(line);
                        line = new StringBuilder(" ");
                    }
                    line.append(' ').append(jar);
                }
                System.out.println(line);
            }
            System.out.println();
            List<Figures> chatbots = figures.get(0);
            double base = BenchKit.median(chatbots.get(0).millis());
            for (int w = 0; w < ways.size(); w++) {
                Way way = ways.get(w);
                double median = BenchKit.median(chatbots.get(w).millis());
                System.out.printf("%s: median %.3f s to export (%+.3f s on (a)), %.0f classes, "
                        + "extra jars %s%n", way.label(), median / 1000, (median - base) / 1000,
                        BenchKit.median(chatbots.get(w).classes()), jars(way));
            }
        } finally {
            try (Stream<Path> files = Files.walk(temp)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    /** Builds each way's script into the temporary folder; its classpath, and the jars it adds to (a)'s. */
    static List<Way> build(Path root, Path temp) throws Exception {
        var ways = new ArrayList<Way>();
        var base = new HashSet<String>();
        for (String[] w : WAYS) {
            String script = "bench/logging/" + w[1];
            Path dir = temp.resolve(w[1].replaceFirst("\\.java$", ""));
            jbang(root, "build", "--build-dir", dir.toString(), script);
            var classpath = List.of(jbang(root, "info", "classpath", "--build-dir", dir.toString(), script).strip()
                    .split(File.pathSeparator));
            // the script's own jar is in dir; the rest are the libraries it declares
            var libraries = classpath.stream().filter(entry -> !Path.of(entry).startsWith(dir)).toList();
            if (ways.isEmpty()) base.addAll(libraries);
            var extra = libraries.stream().filter(entry -> !base.contains(entry)).toList();
            long bytes = 0;
            for (String jar : extra) bytes += Files.size(Path.of(jar));
            var names = extra.stream().map(jar -> Path.of(jar).getFileName().toString()).toList();
            ways.add(new Way(w[0], w[1], classpath, names, bytes));
        }
        return ways;
    }

    static String jbang(Path root, String... args) throws Exception {
        var command = new ArrayList<>(List.of("bash", root.resolve("jbang").toString(), "--quiet"));
        command.addAll(List.of(args));
        Path err = Files.createTempFile("logbench", ".err");
        try {
            Process process = new ProcessBuilder(command).directory(root.toFile()).redirectError(err.toFile()).start();
            String out = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(300, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                BenchKit.fail("./jbang " + String.join(" ", args) + " failed:\n" + Files.readString(err) + out);
            }
            return out;
        } finally {
            Files.deleteIfExists(err);
        }
    }

    /** One fresh JVM of one way: {ms from JVM start to export, classes loaded}. */
    static long[] child(String java, List<String> options, Way way) throws Exception {
        var command = new ArrayList<>(List.of(java));
        command.addAll(options);
        command.addAll(List.of("-cp", String.join(File.pathSeparator, way.classpath()), way.main()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            BenchKit.fail(way.script() + " failed:\n" + out);
        }
        var report = out.lines().map(REPORT::matcher).filter(Matcher::matches).findFirst();
        if (report.isEmpty()) BenchKit.fail(way.script() + " printed no report:\n" + out);
        return new long[] {Long.parseLong(report.get().group(1)), Long.parseLong(report.get().group(2))};
    }

    static String jars(Way way) {
        if (way.extraJars().isEmpty()) return "none";
        return String.format("%d, %d KiB", way.extraJars().size(), way.extraBytes() / 1024);
    }

    static double min(List<Double> values) {
        return values.stream().min(Double::compare).orElseThrow();
    }

    static double max(List<Double> values) {
        return values.stream().max(Double::compare).orElseThrow();
    }
}
