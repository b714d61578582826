// Grafana provisioning: datasources with fixed uids that link to each other, a dashboard that only
// names provisioned datasources, and the folders the compose file mounts.

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GrafanaTest {
    private static final String DATASOURCES = "observability/grafana/provisioning/datasources/datasources.yaml";
    private final JsonNode datasources = Stack.yaml(DATASOURCES).get("datasources");
    private final JsonNode dashboard = Stack.json("observability/grafana/dashboards/llm-chatbot.json");

    private Map<String, JsonNode> byUid() {
        var map = new HashMap<String, JsonNode>();
        datasources.forEach(ds -> map.put(ds.get("uid").asText(), ds));
        return map;
    }

    @Test
    void prometheusJaegerAndLokiHaveFixedUids() {
        assertEquals(Set.of("prometheus", "jaeger", "loki"), byUid().keySet());
    }

    @Test
    void datasourceUrlsPointAtComposeServicesAndTheirPorts() {
        var services = Stack.compose().get("services");
        for (JsonNode ds : datasources) {
            URI url = URI.create(ds.get("url").asText());
            assertTrue(services.has(url.getHost()), ds.get("name") + " -> " + url);
            assertTrue(services.get(url.getHost()).get("ports").toString().contains(":" + url.getPort() + "\""), url.toString());
        }
    }

    @Test
    void tracesLinkToLogsAndLogsLinkToTraces() {
        var uids = byUid();
        assertEquals("loki", uids.get("jaeger").get("jsonData").get("tracesToLogsV2").get("datasourceUid").asText());
        var derived = uids.get("loki").get("jsonData").get("derivedFields").get(0);
        assertEquals("jaeger", derived.get("datasourceUid").asText());
        assertEquals("trace_id", derived.get("matcherRegex").asText());
        assertEquals("jaeger", uids.get("prometheus").get("jsonData").get("exemplarTraceIdDestinations").get(0).get("datasourceUid").asText());
    }

    @Test
    void provisioningEscapesEveryDollarSign() {
        // Grafana expands ${VAR} from its environment in provisioning files; template variables need $$.
        for (String line : Stack.text(DATASOURCES).lines().toList()) {
            if (line.strip().startsWith("#")) continue;
            assertFalse(line.replace("$$", "").contains("$"), "an unescaped $ in " + DATASOURCES + ": " + line);
        }
    }

    @Test
    void dashboardNamesOnlyProvisionedDatasources() {
        var provisioned = byUid().keySet();
        var used = new HashSet<String>();
        for (JsonNode panel : dashboard.get("panels")) {
            used.add(panel.get("datasource").get("uid").asText());
            panel.path("targets").forEach(t -> used.add(t.get("datasource").get("uid").asText()));
        }
        assertTrue(provisioned.containsAll(used), used + " vs " + provisioned);
    }

    @Test
    void dashboardShowsWhatTheIssueAsksFor() {
        var titles = new HashSet<String>();
        dashboard.get("panels").forEach(p -> titles.add(p.get("title").asText()));
        assertEquals(Set.of("Request rate", "Latency p50 / p95 / p99", "Time to first token p50 / p95", "Tokens per minute",
                "Error rate by type", "Requests in flight", "Chatbot logs"), titles);
    }

    @Test
    void dashboardFolderIsMountedWhereTheProviderAndHomePageLook() {
        var grafana = Stack.compose().get("services").get("grafana");
        String path = Stack.yaml("observability/grafana/provisioning/dashboards/dashboards.yaml")
                .get("providers").get(0).get("options").get("path").asText();
        assertTrue(grafana.get("volumes").toString().contains("./observability/grafana/dashboards:" + path + ":ro"));
        String home = grafana.get("environment").get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH").asText();
        assertEquals(path + "/llm-chatbot.json", home);
        assertTrue(grafana.get("volumes").toString().contains("./observability/grafana/provisioning:/etc/grafana/provisioning:ro"));
    }

    @Test
    void panelsDoNotOverlap() {
        var cells = new HashSet<String>();
        for (JsonNode panel : dashboard.get("panels")) {
            var g = panel.get("gridPos");
            for (int x = g.get("x").asInt(); x < g.get("x").asInt() + g.get("w").asInt(); x++) {
                for (int y = g.get("y").asInt(); y < g.get("y").asInt() + g.get("h").asInt(); y++) {
                    assertTrue(cells.add(x + "," + y), panel.get("title") + " overlaps at " + x + "," + y);
                }
            }
        }
    }
}
