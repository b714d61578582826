// Every PromQL expression the project shows (README, dashboard, alert rules) names only series
// that the telemetry contract produces; a renamed metric breaks this test, not a workshop.

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PromqlNamesTest {
    private static void onlyContractSeries(List<String> expressions) {
        assertFalse(expressions.isEmpty());
        for (String expression : expressions) {
            var named = Stack.seriesNamedIn(expression);
            assertFalse(named.isEmpty(), "names no series of the project: " + expression);
            for (String series : named) {
                assertTrue(Stack.CONTRACT_SERIES.contains(series), series + " is not produced (in: " + expression + ")");
            }
        }
    }

    @Test
    void readmeShowsTheSeedsFourQueries() {
        assertEquals(List.of(
                "rate(llm_requests_total[5m])",
                "rate(llm_request_duration_seconds_sum[5m]) / rate(llm_request_duration_seconds_count[5m])",
                "rate(llm_tokens_total[1m]) * 60",
                "rate(llm_errors_total[5m])"), Stack.readmeQueries().subList(0, 4));
    }

    @Test
    void readmeQueriesNameOnlyContractSeries() {
        onlyContractSeries(Stack.readmeQueries());
    }

    @Test
    void dashboardQueriesNameOnlyContractSeries() {
        onlyContractSeries(Stack.dashboardQueries());
    }

    @Test
    void alertRulesNameOnlyContractSeries() {
        var expressions = new ArrayList<String>();
        for (String e : Stack.alertExpressions()) if (!e.contains("up{")) expressions.add(e);
        onlyContractSeries(expressions);
    }

    @Test
    void theCheckCatchesAMisspelledSeries() {
        var named = Stack.seriesNamedIn("sum by (gen_ai_token_type) (rate(llm_request_total{model=\"x\"}[5m]))");
        assertEquals(List.of("llm_request_total"), List.copyOf(named));
        assertFalse(Stack.CONTRACT_SERIES.contains("llm_request_total"));
    }
}
