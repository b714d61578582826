// docker-compose.yml and .env: current pinned images, loopback-only ports, read-only configs,
// health-gated start-up, healthchecks that can run in their image. No Docker engine runs here, so
// the file is checked as data; the Collector and Jaeger themselves run in RealStackTest.

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ComposeTest {
    private final JsonNode compose = Stack.compose();
    private final JsonNode services = compose.get("services");

    private List<String> serviceNames() {
        var names = new ArrayList<String>();
        services.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void runsTheCollectorJaegerPrometheusLokiGrafanaAndOptionallyOllama() {
        assertEquals(List.of("otel-collector", "jaeger", "prometheus", "loki", "grafana", "ollama"), serviceNames());
        assertEquals("ollama", services.get("ollama").get("profiles").get(0).asText());
    }

    @Test
    void hasNoObsoleteVersionKey() {
        assertFalse(compose.has("version"));
    }

    @Test
    void everyImageComesFromDotEnvPinnedToAReleaseTag() {
        for (String name : serviceNames()) {
            String raw = services.get(name).get("image").asText();
            assertTrue(raw.matches("\\$\\{[A-Z_]+}"), name + ": image tags live in .env, not " + raw);
            String image = Stack.resolve(raw);
            String tag = image.substring(image.lastIndexOf(':') + 1);
            assertTrue(image.contains(":") && !tag.equals("latest") && tag.matches("v?\\d+\\.\\d+\\.\\d+"), name + ": " + image);
        }
    }

    @Test
    void imagesAreTheCurrentGenerationsNotTheRemovedOnes() {
        var env = Stack.dotEnv();
        assertTrue(env.get("OTEL_COLLECTOR_IMAGE").startsWith("otel/opentelemetry-collector-contrib:"));
        assertTrue(env.get("JAEGER_IMAGE").startsWith("jaegertracing/jaeger:2."), "Jaeger v1 (all-in-one) reached end of life");
        assertTrue(env.get("PROMETHEUS_IMAGE").startsWith("prom/prometheus:v3."));
        assertTrue(env.get("LOKI_IMAGE").startsWith("grafana/loki:3."));
    }

    @Test
    void everyPublishedPortIsBoundToLoopback() {
        for (String name : serviceNames()) {
            for (JsonNode port : services.get(name).path("ports")) {
                assertTrue(port.asText().startsWith("127.0.0.1:"), name + " publishes " + port.asText());
            }
        }
    }

    @Test
    void configurationIsMountedReadOnlyFromTheRepository() {
        for (String name : serviceNames()) {
            for (JsonNode volume : services.get(name).path("volumes")) {
                String v = volume.asText();
                if (!v.startsWith("./")) continue; // named volumes hold data, not configuration
                assertTrue(v.endsWith(":ro"), name + " mounts " + v + " writable");
                String source = v.substring(2, v.indexOf(':'));
                assertTrue(Files.exists(Harness.ROOT.resolve(source)), name + " mounts missing " + source);
            }
        }
    }

    /** What an image is built on and the programs a healthcheck could run in it, with where each fact was read. */
    record ImageFacts(String base, Set<String> programs, String source) {}

    static final Map<String, ImageFacts> IMAGES = Map.of(
            "otel-collector", new ImageFacts("scratch", Set.of("/otelcol-contrib"),
                    "opentelemetry-collector-releases, distributions/otelcol-contrib/Dockerfile (FROM scratch)"),
            "jaeger", new ImageFacts("alpine 3.22", Set.of("/cmd/jaeger/jaeger-linux", "sh", "wget"),
                    "jaegertracing/jaeger tag v2.13.0, scripts/build/docker/base/Dockerfile (alpine, busybox wget)"),
            "prometheus", new ImageFacts("quay.io/prometheus/busybox", Set.of("/bin/prometheus", "/bin/promtool", "sh", "wget"),
                    "prometheus/prometheus, Dockerfile (FROM quay.io/prometheus/busybox)"),
            "loki", new ImageFacts("gcr.io/distroless/static:nonroot", Set.of("/usr/bin/loki"),
                    "grafana/loki issue 20149 (busybox removed in 3.6.0); PR 20313 adds `loki -health` (2026-01), PR 20683 uses it in compose"),
            "grafana", new ImageFacts("alpine", Set.of("grafana", "sh", "wget"),
                    "Grafana docs, 'Grafana Docker image': the default image is Alpine based (busybox wget)"),
            "ollama", new ImageFacts("ubuntu", Set.of("/bin/ollama", "ollama", "sh"),
                    "ollama/ollama, Dockerfile (FROM ubuntu, the ollama binary on PATH)"));

    @Test
    void everyHealthcheckRunsAProgramItsImageHas() {
        assertEquals(Set.copyOf(serviceNames()), IMAGES.keySet(), "a service without image facts");
        for (String name : serviceNames()) {
            var check = services.get(name).path("healthcheck").path("test");
            if (check.isMissingNode()) continue;
            assertEquals("CMD", check.get(0).asText(), name + ": CMD-SHELL needs a shell; run the program directly");
            String program = check.get(1).asText();
            var facts = IMAGES.get(name);
            assertTrue(facts.programs().contains(program),
                    name + " runs `" + program + "`, which " + facts.base() + " lacks (" + facts.source() + ")");
        }
    }

    @Test
    void servicesWhoseImageCanRunACheckHaveOneAndStartInOrder() {
        // The collector image is FROM scratch: its one program is the collector, with no health command.
        for (String name : serviceNames()) {
            if (!name.equals("otel-collector")) assertTrue(services.get(name).has("healthcheck"), name);
        }
        for (String name : serviceNames()) {
            var dependsOn = services.get(name).path("depends_on");
            dependsOn.properties().forEach(dep -> {
                String condition = dep.getValue().get("condition").asText();
                assertTrue(Set.of("service_healthy", "service_started").contains(condition), name + " -> " + dep.getKey());
                if (condition.equals("service_healthy")) {
                    assertTrue(services.get(dep.getKey()).has("healthcheck"), dep.getKey() + " has no healthcheck to wait for");
                }
            });
        }
    }

    @Test
    void collectorGetsItsConfigAndPublishesOtlpPorts() {
        var collector = services.get("otel-collector");
        assertTrue(collector.get("command").toString().contains("/etc/otelcol-contrib/config.yaml"));
        assertTrue(collector.get("volumes").get(0).asText().startsWith("./otel-collector-config.yaml:/etc/otelcol-contrib/config.yaml"));
        var ports = collector.get("ports").toString();
        assertTrue(ports.contains("127.0.0.1:4317:4317") && ports.contains("127.0.0.1:4318:4318"), ports);
    }

    @Test
    void jaegerDoesNotClaimTheCollectorsOtlpPorts() {
        var ports = services.get("jaeger").get("ports").toString();
        assertFalse(ports.contains(":4317") || ports.contains(":4318"), ports);
    }

    @Test
    void grafanaAdminPasswordComesFromTheEnvironmentWithADefault() {
        String password = services.get("grafana").get("environment").get("GF_SECURITY_ADMIN_PASSWORD").asText();
        assertTrue(password.matches("\\$\\{GRAFANA_ADMIN_PASSWORD:-[^}]+}"), password);
    }
}
