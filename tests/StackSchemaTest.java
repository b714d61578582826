// The stack files that cannot run here, checked against their publishers' schemas with tools from
// the npm registry (stack/checks, installed by `.ci/run` with `npm ci`):
// - every Grafana dashboard against the `Dashboard` type of @grafana/schema (Grafana's own schema
//   types, at the version of the pinned image), compiled with tsc: an unknown key or a wrong type fails;
// - docker-compose.yml against the Compose specification's JSON schema, with dclint.
// Each check is also shown a broken copy, to prove it bites. In CI (CI=true) the tools must exist.

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class StackSchemaTest {
    private static final Path CHECKS = Harness.ROOT.resolve("stack/checks");
    private static final Path BIN = CHECKS.resolve("node_modules/.bin");

    record Run(int status, String output) {}

    @Test
    void everyDashboardMatchesGrafanasSchemaTypes() throws Exception {
        try (var dashboards = Files.list(Harness.ROOT.resolve("observability/grafana/dashboards"))) {
            for (Path dashboard : dashboards.filter(p -> p.toString().endsWith(".json")).toList()) {
                var run = typeCheck(Files.readString(dashboard));
                assertEquals(0, run.status(), dashboard.getFileName() + " does not match @grafana/schema's Dashboard:\n" + run.output());
            }
        }
    }

    @Test
    void theDashboardCheckRejectsAnUnknownKey() throws Exception {
        String dashboard = Stack.text("observability/grafana/dashboards/llm-chatbot.json");
        var run = typeCheck(dashboard.replaceFirst("\\{", "{\"titel\": \"typo\","));
        assertNotEquals(0, run.status(), run.output());
        assertTrue(run.output().contains("titel"), run.output());
    }

    @Test
    void composeFileMatchesTheComposeSpecification() throws Exception {
        var run = dclint(Harness.ROOT.resolve("docker-compose.yml"));
        assertEquals(0, run.status(), run.output());
    }

    @Test
    void theComposeCheckRejectsASchemaError() throws Exception {
        Path broken = Files.createTempFile(tools(), "compose", ".yml");
        try {
            // A misspelt healthcheck key: Compose would reject the file.
            Files.writeString(broken, Stack.text("docker-compose.yml").replace("      retries: 30", "      retires: 30"));
            var run = dclint(broken);
            assertNotEquals(0, run.status(), run.output());
            assertTrue(run.output().contains("invalid-schema") && run.output().contains("/services/loki/healthcheck"), run.output());
        } finally {
            Files.deleteIfExists(broken);
        }
    }

    /** tsc on `const dashboard: Dashboard = <the JSON>`: a literal, so tsc checks every key and type. */
    private static Run typeCheck(String dashboardJson) throws Exception {
        // Inside node_modules (ignored by git), so that the import resolves from stack/checks.
        Path dir = Files.createTempDirectory(tools(), "dashboard");
        try {
            Path source = dir.resolve("dashboard.ts");
            Files.writeString(source, "import type { Dashboard } from '@grafana/schema';\n\nexport const dashboard: Dashboard = "
                    + dashboardJson + ";\n");
            return run(BIN.resolve("tsc").toString(), "--noEmit", "--strict", "--skipLibCheck", "--moduleResolution", "bundler",
                    "--module", "esnext", "--target", "es2022", source.toString());
        } finally {
            Harness.deleteTree(dir);
        }
    }

    /**
     * The Compose schema and dclint's error-level rules. The image tags are `${VARIABLES}` resolved
     * from .env, which dclint cannot see; ComposeTest checks the resolved tags instead.
     */
    private static Run dclint(Path composeFile) throws Exception {
        tools();
        // The file goes first: --disable-rule takes a list and would swallow it.
        return run(BIN.resolve("dclint").toString(), composeFile.toString(), "--quiet", "--color=false",
                "--disable-rule", "service-image-require-explicit-tag");
    }

    private static Path tools() {
        if (!Files.isExecutable(BIN.resolve("tsc")) || !Files.isExecutable(BIN.resolve("dclint"))) {
            if ("true".equals(System.getenv("CI"))) fail("CI must install stack/checks (npm ci --prefix stack/checks): .ci/run does");
            Assumptions.abort("stack/checks is not installed: run `npm ci --prefix stack/checks`");
        }
        return CHECKS.resolve("node_modules");
    }

    private static Run run(String... command) throws IOException, InterruptedException {
        var process = new ProcessBuilder(new ArrayList<>(List.of(command))).directory(CHECKS.toFile())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail(String.join(" ", command) + " did not finish in 120 s");
        }
        return new Run(process.exitValue(), output);
    }
}
