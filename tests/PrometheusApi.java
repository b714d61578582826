// Prometheus's HTTP API as the stack tests read it, and a bounded wait for a condition: shared by
// PrometheusIntegrationTest (the chatbot scraped directly) and RealStackTest (through the Collector).

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.fail;

final class PrometheusApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String url;

    PrometheusApi(String url) {
        this.url = url;
    }

    /** The result vector of an instant query; a query Prometheus rejects fails the test. */
    List<JsonNode> query(String promql) throws Exception {
        var response = get(url + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        var body = JSON.readTree(response.body());
        if (!body.path("status").asText().equals("success")) throw new AssertionError(promql + ": " + response.body());
        var result = new ArrayList<JsonNode>();
        body.get("data").get("result").forEach(result::add);
        return result;
    }

    /** The first sample's value; NaN when the query returned nothing. */
    double value(String promql) throws Exception {
        var result = query(promql);
        return result.isEmpty() ? Double.NaN : Double.parseDouble(result.get(0).get("value").get(1).asText());
    }

    /** For counters: the value as a whole number (-1 when absent). */
    long scalar(String promql) throws Exception {
        double v = value(promql);
        return Double.isNaN(v) ? -1 : Math.round(v);
    }

    /** Every query returns data once `$__rate_interval` (Grafana's) is replaced by 1m; the empty ones, listed. */
    List<String> withoutData(List<String> queries) throws Exception {
        var empty = new ArrayList<String>();
        for (String query : queries) {
            if (query(query.replace("$__rate_interval", "1m")).isEmpty()) empty.add(query);
        }
        return empty;
    }

    static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    interface Check {
        boolean holds() throws Exception;
    }

    /**
     * Polls until the condition holds, at most `wait`; `alive` fails the test at once when a server
     * died. A refused connection while a server starts counts as "not yet". `context` says what the
     * servers logged, for the failure message.
     */
    static void waitFor(String what, Duration wait, Check alive, Check check, Supplier<String> context) throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            alive.holds();
            try {
                if (check.holds()) return;
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        fail("timed out waiting for: " + what + "\n" + context.get());
    }
}
