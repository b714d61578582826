///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES BenchKit.java
//SOURCES ../chatbot_otel.java
//MAIN all
//DESCRIPTION Every benchmark on one setting, and one table of the figures against their goals.

// Runs each benchmark script as a user would (./jbang bench/NAME.java) and gathers the lines where a
// script states a goal ("... goal <= 0.8 s: met"), plus the JMH per-turn cost, into one table. The
// figures are the scripts' own; this adds nothing but the gathering.
//
//   jbang bench/all.java           a small setting, about ten minutes (the README's figures come from this run)
//   jbang bench/all.java --tiny    one short run of each: checks that they all run (what CI does)

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

class all {
    private static final Pattern GOAL = Pattern.compile("^(.*?)\\s+goal (.+?): (met|NOT met)$");

    record Script(String name, List<String> small, List<String> tiny) {}

    static final List<Script> SCRIPTS = List.of(
            new Script("startup", List.of("--runs", "11"), List.of("--runs", "1")),
            new Script("exit", List.of("--exits", "3", "--turns", "200"), List.of("--exits", "1", "--turns", "20")),
            new Script("overhead", List.of("--requests", "2000", "--rounds", "5"), List.of("--requests", "40", "--rounds", "1", "--concurrency", "4")),
            new Script("telemetry_jmh", List.of(), List.of("--quick")));

    public static void main(String[] args) throws Exception {
        boolean tiny = List.of(args).contains("--tiny");
        if (args.length > (tiny ? 1 : 0)) BenchKit.fail("usage: jbang bench/all.java [--tiny]");
        Path root = BenchKit.root();
        var rows = new ArrayList<String[]>();
        for (Script script : SCRIPTS) {
            var command = new ArrayList<>(List.of("bash", root.resolve("jbang").toString(), "bench/" + script.name() + ".java"));
            command.addAll(tiny ? script.tiny() : script.small());
            System.out.println("== " + String.join(" ", command.subList(1, command.size())));
            var process = new ProcessBuilder(command).directory(root.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            var output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(30, TimeUnit.MINUTES) || process.exitValue() != 0) BenchKit.fail(script.name() + " failed:\n" + output);
            output.lines().filter(line -> !line.startsWith("#") && !line.startsWith("Iteration") && !line.isBlank())
                    .filter(line -> !script.name().equals("telemetry_jmh") || line.matches("^(turn|telemetry|Per-turn| ).*"))
                    .forEach(line -> System.out.println("  " + line)); // the script's own table
            for (String line : output.lines().toList()) {
                var goal = GOAL.matcher(line.strip());
                if (goal.matches()) rows.add(new String[] {script.name(), goal.group(1).replaceAll("\\s+", " "), goal.group(2), goal.group(3)});
                if (line.startsWith("telemetry alone (difference)")) {
                    rows.add(new String[] {script.name(), "telemetry alone per turn: " + line.substring(30).strip().replaceAll("\\s+", " us, ")
                            + " bytes", "(none)", "-"});
                }
            }
        }
        System.out.println();
        BenchKit.machine();
        System.out.printf("%-14s %-72s %-10s %s%n", "script", "figure", "goal", "met");
        for (String[] row : rows) System.out.printf("%-14s %-72s %-10s %s%n", row[0], row[1], row[2], row[3]);
    }
}
