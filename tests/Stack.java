// Reading the observability stack's files, shared by the stack tests: YAML and JSON as trees, the
// compose file's ${VARIABLES} resolved from .env, and the PromQL the project shows its users.

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

final class Stack {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();

    private Stack() {
    }

    /** CI=true: a test that cannot run its real servers fails there instead of skipping. */
    static boolean inCi() {
        return "true".equals(System.getenv("CI"));
    }

    /**
     * The named servers from stack/build.sh (instant when cached; minutes the first time), by name.
     * Outside CI a build that cannot run (Go or a C compiler missing) skips the test; in CI it fails it.
     */
    static Map<String, Path> builtServers(String... names) throws Exception {
        var command = new ArrayList<>(List.of("bash", Harness.ROOT.resolve("stack/build.sh").toString()));
        command.addAll(List.of(names));
        var build = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(build.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!build.waitFor(40, java.util.concurrent.TimeUnit.MINUTES)) {
            build.destroyForcibly();
            org.junit.jupiter.api.Assertions.fail("stack/build.sh did not finish in 40 minutes");
        }
        if (build.exitValue() != 0) {
            if (inCi()) org.junit.jupiter.api.Assertions.fail("stack/build.sh failed (see its output above)");
            org.junit.jupiter.api.Assumptions.abort("stack/build.sh could not build " + String.join(", ", names) + "; run it to see why");
        }
        var paths = new LinkedHashMap<String, Path>();
        for (String line : out.lines().toList()) {
            int eq = line.indexOf('=');
            if (eq > 0) paths.put(line.substring(0, eq), Path.of(line.substring(eq + 1)));
        }
        org.junit.jupiter.api.Assertions.assertEquals(Set.of(names), paths.keySet(), out);
        return paths;
    }

    static JsonNode yaml(String relativePath) {
        try {
            return YAML.readTree(Harness.ROOT.resolve(relativePath).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode json(String relativePath) {
        try {
            return JSON.readTree(Harness.ROOT.resolve(relativePath).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(String relativePath) {
        try {
            return Files.readString(Harness.ROOT.resolve(relativePath));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode compose() {
        return yaml("docker-compose.yml");
    }

    static JsonNode collector() {
        return yaml("otel-collector-config.yaml");
    }

    /** KEY=VALUE lines of .env. */
    static Map<String, String> dotEnv() {
        var env = new LinkedHashMap<String, String>();
        for (String line : text(".env").lines().toList()) {
            if (line.isBlank() || line.startsWith("#")) continue;
            int eq = line.indexOf('=');
            env.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
        }
        return env;
    }

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Z0-9_]+)(:-([^}]*))?}");

    /** Compose's interpolation: ${NAME} from .env, ${NAME:-default} falling back to the default. */
    static String resolve(String value) {
        var env = dotEnv();
        Matcher m = VARIABLE.matcher(value);
        var out = new StringBuilder();
        while (m.find()) {
            String replacement = env.getOrDefault(m.group(1), m.group(3));
            if (replacement == null) throw new AssertionError("${" + m.group(1) + "} is not set in .env and has no default");
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    static int port(String hostPort) {
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1).replaceAll("\\D.*", ""));
    }

    /** Every PromQL query the README shows: the lines of its ```promql blocks that are not comments. */
    static List<String> readmeQueries() {
        var queries = new ArrayList<String>();
        boolean inBlock = false;
        for (String line : text("README.md").lines().toList()) {
            if (line.strip().startsWith("```")) {
                inBlock = line.strip().equals("```promql");
                continue;
            }
            if (inBlock && !line.isBlank() && !line.strip().startsWith("#")) queries.add(line.strip());
        }
        return queries;
    }

    /** Every Prometheus query of the dashboard. */
    static List<String> dashboardQueries() {
        var queries = new ArrayList<String>();
        for (JsonNode panel : json("observability/grafana/dashboards/llm-chatbot.json").get("panels")) {
            for (JsonNode target : panel.path("targets")) {
                if (target.path("datasource").path("uid").asText().equals("prometheus")) queries.add(target.get("expr").asText());
            }
        }
        return queries;
    }

    static List<String> alertExpressions() {
        var expressions = new ArrayList<String>();
        for (JsonNode group : yaml("observability/prometheus/alerts.yml").get("groups")) {
            for (JsonNode rule : group.get("rules")) expressions.add(rule.get("expr").asText());
        }
        return expressions;
    }

    /**
     * The Prometheus series TELEMETRY.md promises: counters get `_total`, histograms
     * `_bucket`/`_sum`/`_count`, units in seconds get `_seconds`, `{...}` units vanish.
     */
    static final Set<String> CONTRACT_SERIES = contractSeries();

    private static Set<String> contractSeries() {
        var series = new TreeSet<String>(List.of("llm_requests_total", "llm_tokens_total", "llm_errors_total", "llm_queue_size"));
        for (String histogram : List.of("llm_request_duration_seconds", "llm_time_to_first_token_seconds", "gen_ai_client_operation_duration_seconds",
                "gen_ai_client_token_usage", "gen_ai_client_operation_time_to_first_chunk_seconds",
                "gen_ai_client_operation_time_per_output_chunk_seconds")) {
            for (String suffix : List.of("_bucket", "_sum", "_count")) series.add(histogram + suffix);
        }
        return series;
    }

    private static final Pattern LABEL_MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern GROUPINGS = Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern PROJECT_SERIES = Pattern.compile("\\b(?:llm|gen_ai)_[a-z0-9_]+\\b");

    /** The project's series an expression names (label matchers and by/without groupings left out). */
    static Set<String> seriesNamedIn(String promql) {
        String stripped = GROUPINGS.matcher(LABEL_MATCHERS.matcher(promql).replaceAll("")).replaceAll("");
        var names = new TreeSet<String>();
        Matcher m = PROJECT_SERIES.matcher(stripped);
        while (m.find()) names.add(m.group());
        return names;
    }
}
