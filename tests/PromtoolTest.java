// The alert rules checked by Prometheus's own tool: `promtool check rules` parses them, and
// `promtool test rules` runs observability/prometheus/alerts.test.yml, where every alert has a
// scenario it fires on and a healthy series it stays quiet on. In CI (CI=true) promtool must exist.

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class PromtoolTest {
    private static final Path RULES_DIR = Harness.ROOT.resolve("observability/prometheus");

    @Test
    void promtoolAcceptsTheRules() throws Exception {
        var result = promtool("check", "rules", "alerts.yml");
        assertTrue(result.contains("SUCCESS"), result);
    }

    @Test
    void everyAlertPassesItsUnitTests() throws Exception {
        var result = promtool("test", "rules", "alerts.test.yml");
        assertTrue(result.contains("SUCCESS"), result);
    }

    @Test
    void everyAlertHasAFiringAndAQuietCase() {
        var alerts = new TreeSet<String>();
        for (JsonNode group : Stack.yaml("observability/prometheus/alerts.yml").get("groups")) {
            group.get("rules").forEach(r -> alerts.add(r.get("alert").asText()));
        }
        var fires = new TreeSet<String>();
        var quiet = new TreeSet<String>();
        for (JsonNode test : Stack.yaml("observability/prometheus/alerts.test.yml").get("tests")) {
            for (JsonNode check : test.get("alert_rule_test")) {
                String name = check.get("alertname").asText();
                (check.get("exp_alerts").isEmpty() ? quiet : fires).add(name);
            }
        }
        assertEquals(alerts, fires, "alerts with a scenario they fire on");
        assertEquals(alerts, quiet, "alerts with a case they stay quiet on");
    }

    private static String promtool(String... args) throws Exception {
        var binary = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(dir -> Path.of(dir, "promtool")).filter(Files::isExecutable).findFirst();
        if (binary.isEmpty()) {
            if ("true".equals(System.getenv("CI"))) fail("CI must install promtool (apt-get install prometheus): .ci/run does");
            Assumptions.abort("no `promtool` on PATH: install it (apt-get install prometheus) to run this test");
        }
        var command = new ArrayList<>(List.of(binary.get().toString()));
        command.addAll(List.of(args));
        var process = new ProcessBuilder(command).directory(RULES_DIR.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "promtool did not finish");
        assertEquals(0, process.exitValue(), output);
        return output;
    }
}
