///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS io.opentelemetry:opentelemetry-bom:1.65.0@pom
//DEPS io.opentelemetry:opentelemetry-sdk-testing
//DEPS io.opentelemetry.semconv:opentelemetry-semconv:1.41.0
//DEPS io.opentelemetry.semconv:opentelemetry-semconv-incubating:1.41.0-alpha
//DEPS org.junit.platform:junit-platform-console-standalone:1.13.4
//DEPS com.fasterxml.jackson.dataformat:jackson-dataformat-yaml:2.23.0
//DEPS io.opentelemetry.proto:opentelemetry-proto:1.11.0-alpha
//SOURCES ../chatbot_otel.java
//SOURCES ../lessons/*.java
//SOURCES ../lessons/solutions/*.java
//SOURCES Harness.java
//SOURCES Stack.java
//SOURCES OtlpReceiver.java
//SOURCES HostileServer.java
//SOURCES PrometheusApi.java
//SOURCES TlsFiles.java
//SOURCES Tmux.java
//SOURCES TinyGguf.java
//SOURCES *Test.java
//MAIN run
//DESCRIPTION Run the test suite (JUnit 5 through the console launcher); ends with "N passed, N failed".

// The test runner: JBang compiles the chatbot, the simulator and every *Test.java into one jar,
// then the JUnit console launcher scans that jar and prints the test tree.
//
//   ./jbang tests/run.java                     every test
//   ./jbang tests/run.java --fast              all but the real-server tests (no Go builds, no servers)
//   ./jbang tests/run.java SpanTreeTest        one class (several names allowed)
//   ./jbang test                               the same through the catalog alias
// (The alias is `test`, not `tests`: JBang resolves an existing folder before an alias.)

import org.junit.platform.console.ConsoleLauncher;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

class run {
    public static void main(String[] args) throws Exception {
        Path jar = Path.of(run.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        var launcherArgs = new ArrayList<>(List.of("execute", "--disable-banner", "--details=tree",
                "--disable-ansi-colors", "--fail-if-no-tests"));
        var names = new ArrayList<>(List.of(args));
        if (names.remove("--fast")) launcherArgs.add("--exclude-tag=stack");
        if (names.isEmpty()) {
            launcherArgs.add("--scan-classpath=" + jar);
        } else {
            for (String name : names) launcherArgs.add("--select-class=" + name);
        }
        var out = new PrintWriter(System.out, true);
        var err = new PrintWriter(System.err, true);
        var result = ConsoleLauncher.run(out, err, launcherArgs.toArray(String[]::new));
        var summary = result.getValue().filter(TestExecutionSummary.class::isInstance)
                .map(TestExecutionSummary.class::cast);
        if (summary.isEmpty()) {
            System.out.println("0 passed, 0 failed");
            System.exit(result.getExitCode() == 0 ? 1 : result.getExitCode());
        }
        var s = summary.get();
        long failed = s.getTestsFailedCount() + s.getContainersFailedCount();
        long skipped = s.getTestsSkippedCount() + s.getTestsAbortedCount();
        System.out.println(s.getTestsSucceededCount() + " passed, " + failed + " failed"
                + (skipped > 0 ? ", " + skipped + " skipped" : ""));
        // A run that found no test is a broken run, not a green one.
        System.exit(failed > 0 || s.getTestsFoundCount() == 0 ? 1 : 0);
    }
}
