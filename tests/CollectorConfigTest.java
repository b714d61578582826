// otel-collector-config.yaml: every pipeline names defined components, none that the Collector
// removed or renamed, and endpoints that match the services and the Prometheus scrape config.

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CollectorConfigTest {
    private final JsonNode config = Stack.collector();
    private final JsonNode pipelines = config.get("service").get("pipelines");

    /** Removed from the contrib distribution (jaeger in v0.85, logging in v0.111, no loki exporter), or
     *  renamed in v0.144 (otlp -> otlp_grpc, otlphttp -> otlp_http): with a 0.159 pin, use the new names. */
    private static final Set<String> GONE_EXPORTERS = Set.of("jaeger", "logging", "loki", "otlp", "otlphttp");

    private static String type(String componentId) {
        return componentId.contains("/") ? componentId.substring(0, componentId.indexOf('/')) : componentId;
    }

    @Test
    void hasTracesMetricsAndLogsPipelines() {
        // The OTLP receiver answers 404 on /v1/logs unless a logs pipeline uses it.
        for (String signal : List.of("traces", "metrics", "logs")) {
            assertEquals("otlp", pipelines.get(signal).get("receivers").get(0).asText(), signal);
        }
    }

    @Test
    void everyPipelineComponentIsDefined() {
        pipelines.properties().forEach(pipeline -> {
            for (String section : List.of("receivers", "processors", "exporters")) {
                for (JsonNode id : pipeline.getValue().path(section)) {
                    assertTrue(config.path(section).has(id.asText()), pipeline.getKey() + " uses undefined " + section + " " + id.asText());
                }
            }
        });
        for (JsonNode extension : config.get("service").get("extensions")) {
            assertTrue(config.get("extensions").has(extension.asText()), extension.asText());
        }
    }

    @Test
    void usesNoRemovedOrRenamedExporter() {
        config.get("exporters").fieldNames().forEachRemaining(id ->
                assertFalse(GONE_EXPORTERS.contains(type(id)), "exporter " + id + " is removed or renamed"));
    }

    @Test
    void memoryLimiterComesFirstAndBatchFollows() {
        pipelines.properties().forEach(pipeline -> {
            var processors = new ArrayList<String>();
            pipeline.getValue().get("processors").forEach(p -> processors.add(p.asText()));
            assertEquals(List.of("memory_limiter", "batch"), processors, pipeline.getKey());
        });
    }

    @Test
    void receiversListenOnAllInterfacesInsideTheContainer() {
        var protocols = config.get("receivers").get("otlp").get("protocols");
        assertEquals("0.0.0.0:4317", protocols.get("grpc").get("endpoint").asText());
        assertEquals("0.0.0.0:4318", protocols.get("http").get("endpoint").asText());
        assertEquals("0.0.0.0:13133", config.get("extensions").get("health_check").get("endpoint").asText());
    }

    @Test
    void debugExporterIsAvailableForDockerComposeLogs() {
        assertTrue(config.get("exporters").has("debug"));
    }

    @Test
    void tracesGoToJaegersOtlpPort() {
        var jaeger = config.get("exporters").get("otlp_grpc/jaeger");
        assertEquals("jaeger:4317", jaeger.get("endpoint").asText());
        assertTrue(Stack.compose().get("services").has("jaeger"));
        assertTrue(pipelines.get("traces").get("exporters").toString().contains("otlp_grpc/jaeger"));
    }

    @Test
    void logsGoToLokisNativeOtlpEndpoint() {
        assertEquals("http://loki:3100/otlp", config.get("exporters").get("otlp_http/loki").get("endpoint").asText());
        assertTrue(Stack.compose().get("services").get("loki").get("ports").get(0).asText().endsWith(":3100"));
        assertEquals(3100, Stack.yaml("observability/loki/loki-config.yaml").get("server").get("http_listen_port").asInt());
        assertTrue(pipelines.get("logs").get("exporters").toString().contains("otlp_http/loki"));
    }

    @Test
    void prometheusScrapesExactlyTheExportersPort() {
        var exporter = config.get("exporters").get("prometheus");
        assertFalse(exporter.has("namespace"), "a namespace would prefix every series the seed's PromQL names");
        int exporterPort = Stack.port(exporter.get("endpoint").asText());
        var job = Stack.yaml("observability/prometheus/prometheus.yml").get("scrape_configs").get(0);
        assertEquals("otel-collector:" + exporterPort, job.get("static_configs").get(0).get("targets").get(0).asText());
        assertTrue(job.get("honor_labels").asBoolean());
        assertTrue(pipelines.get("metrics").get("exporters").toString().contains("\"prometheus\""));
    }

    @Test
    void prometheusRuleFileIsMounted() {
        var rules = Stack.yaml("observability/prometheus/prometheus.yml").get("rule_files").get(0).asText();
        assertTrue(Stack.compose().get("services").get("prometheus").get("volumes").toString().contains(":" + rules + ":ro"), rules);
    }

    @Test
    void lokiUsesTheSchemaItsOtlpEndpointNeeds() {
        var loki = Stack.yaml("observability/loki/loki-config.yaml");
        var schema = loki.get("schema_config").get("configs").get(0);
        assertEquals("v13", schema.get("schema").asText());
        assertEquals("tsdb", schema.get("store").asText());
        assertTrue(loki.get("limits_config").get("allow_structured_metadata").asBoolean());
    }
}
