// The benchmark scripts are not tests: their figures come from runs on a quiet machine (README,
// "Performance"). CI only checks that each one still runs on a tiny setting and prints its table,
// so that none rots between measurements.

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchScriptsTest {
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "bench/overhead.java|--requests 40 --rounds 1 --concurrency 4|throughput ratio on/off",
            "bench/startup.java|--runs 1|on/off",
            "bench/exit.java|--exits 1 --turns 20|ratio down/up",
            "bench/telemetry_jmh.java|--quick|telemetry alone (difference)",
    })
    void runsOnATinySettingAndPrintsItsTable(String script, String args, String lastTableLine) throws Exception {
        var command = new ArrayList<>(List.of("bash", Harness.ROOT.resolve("jbang").toString(), script));
        command.addAll(List.of(args.split(" ")));
        var process = new ProcessBuilder(command).directory(Harness.ROOT.toFile()).start();
        var run = Harness.finish(process, 600);
        assertEquals(0, run.status(), run.err() + run.out());
        assertTrue(run.out().contains(lastTableLine), run.out());
    }

    @ParameterizedTest
    @CsvSource({"bench/overhead.java", "bench/exit.java"})
    void badOptionIsOneLineAndExitTwo(String script) throws Exception {
        var process = new ProcessBuilder("bash", Harness.ROOT.resolve("jbang").toString(), script, "--requests", "many")
                .directory(Harness.ROOT.toFile()).start();
        var run = Harness.finish(process, 300);
        assertEquals(2, run.status());
        assertTrue(run.err().lines().anyMatch(l -> l.startsWith("bench: ")), run.err());
        assertTrue(run.err().lines().noneMatch(l -> l.startsWith("\tat ")), run.err());
    }
}
