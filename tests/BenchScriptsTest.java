// The benchmark scripts are not tests: their figures come from runs on a quiet machine (README,
// "Performance"). CI only checks that each one still runs on a tiny setting and prints its table,
// so that none rots between measurements.

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchScriptsTest {
    /** bench/all.java runs every script on its tiny setting: each must run and state its figures in the table. */
    @org.junit.jupiter.api.Test
    void everyScriptRunsOnATinySettingAndReportsInOneTable() throws Exception {
        var process = new ProcessBuilder("bash", Harness.ROOT.resolve("jbang").toString(), "bench/all.java", "--tiny")
                .directory(Harness.ROOT.toFile()).start();
        var run = Harness.finish(process, 900);
        assertEquals(0, run.status(), run.err() + run.out());
        String table = run.out().substring(run.out().indexOf("script "));
        for (String row : List.of("startup        telemetry on, median", "startup        on/off", "exit           exit, collector not listening",
                "exit           ratio down/up", "overhead       throughput ratio on/off", "telemetry_jmh  telemetry alone per turn")) {
            assertTrue(table.contains(row), "no row '" + row + "' in:\n" + table);
        }
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
