// Settings: the contract's defaults, Ollama's own OLLAMA_HOST rules, and a bad value stopping the
// program with exit status 2 and one line naming the variable, the value and what is allowed.

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SettingsTest {
    private static Settings parse(Map<String, String> env, String... args) {
        return Settings.parse(args, env);
    }

    @Test
    void defaultsFollowTheContract() {
        var s = parse(Map.of());
        assertEquals("llm-chatbot-otel", s.otel().serviceName());
        assertEquals("http://localhost:4318/v1/traces", s.otel().otlp().traces().endpoint().toString());
        assertEquals(Protocol.HTTP_PROTOBUF, s.otel().otlp().traces().protocol());
        assertEquals("otlp", s.otel().exporters().traces());
        assertEquals("otlp", s.otel().exporters().metrics());
        assertEquals("otlp", s.otel().exporters().logs());
        assertEquals(Duration.ofSeconds(10), s.otel().metrics().interval());
        assertEquals("parentbased_always_on", s.otel().sampling().sampler());
        assertFalse(s.otel().sdkDisabled());
        assertTrue(s.otel().captureContent(), "this kit records prompts by default, as the seed does");
        assertEquals(8192, s.otel().limits().spanAttributeValueLength());
        assertEquals("http://localhost:11434", s.ollama().endpoint().toString());
        assertEquals("llama3.1:8b", s.chat().model());
        assertEquals("INFO", s.otel().logLevel());
        assertEquals(9464, s.otel().exporters().prometheusPort());
        assertEquals("127.0.0.1", s.otel().exporters().prometheusHost());
        assertEquals(new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(120), Duration.ofSeconds(30)), s.ollama().timeouts());
    }

    @Test
    void thinkIsOllamasDefaultUnlessAFlagOrChatThinkSaysOtherwise() {
        assertNull(parse(Map.of()).chat().think());
        assertEquals(Boolean.FALSE, parse(Map.of("CHAT_THINK", "false")).chat().think());
        assertEquals(Boolean.TRUE, parse(Map.of("CHAT_THINK", "false"), "--think").chat().think(), "the flag wins");
        assertEquals(Boolean.FALSE, parse(Map.of(), "--no-think").chat().think());
        var bad = assertThrows(SettingsException.class, () -> parse(Map.of("CHAT_THINK", "maybe")));
        assertEquals("CHAT_THINK=maybe is not valid: use true or false", bad.getMessage());
    }

    @Test
    void semconvOptInIsACommaSeparatedList() {
        assertFalse(parse(Map.of()).otel().conventions().genAiLatest());
        var both = parse(Map.of("OTEL_SEMCONV_STABILITY_OPT_IN", " http , gen_ai_latest_experimental")).otel().conventions();
        assertTrue(both.genAiLatest() && both.httpStableOnly());
        assertFalse(parse(Map.of("OTEL_SEMCONV_STABILITY_OPT_IN", "http,http/dup")).otel().conventions().httpStableOnly(), "dup wins, as specified");
        assertTrue(parse(Map.of()).warnings().isEmpty());
    }

    @Test
    void timeoutsTakeDecimalSeconds() {
        assertEquals(Duration.ofMillis(500), parse(Map.of("OLLAMA_CHUNK_TIMEOUT", "0.5")).ollama().timeouts().betweenChunks());
    }

    @Test
    void resourceHasTheContractDefaults() {
        var r = parse(Map.of()).otel().resourceAttributes();
        assertEquals("llm-chatbot-otel", r.get("service.name"));
        assertEquals(chatbot_otel.VERSION, r.get("service.version"));
        assertEquals("development", r.get("deployment.environment.name"));
        assertFalse(r.get("host.name").isBlank());
    }

    @Test
    void resourceAttributesOverrideDefaultsAndServiceNameWinsOverThem() {
        var r = parse(Map.of("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=workshop,team=obs%20crew,service.name=a",
                "OTEL_SERVICE_NAME", "b")).otel().resourceAttributes();
        assertEquals("workshop", r.get("deployment.environment.name"));
        assertEquals("obs crew", r.get("team"));
        assertEquals("b", r.get("service.name"));
        assertEquals("a", parse(Map.of("OTEL_RESOURCE_ATTRIBUTES", "service.name=a")).otel().serviceName());
    }

    @Test
    void grpcMovesTheDefaultEndpointTo4317() {
        var s = parse(Map.of("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"));
        assertEquals(Protocol.GRPC, s.otel().otlp().metrics().protocol());
        assertEquals("http://localhost:4317", s.otel().otlp().logs().endpoint().toString());
    }

    @Test
    void headersAreParsedAndPercentDecoded() {
        var s = parse(Map.of("OTEL_EXPORTER_OTLP_HEADERS", "x-api-key=abc%3D%3D,x-team=obs"));
        assertEquals(Map.of("x-api-key", "abc==", "x-team", "obs"), s.otel().otlp().traces().headers());
    }

    @ParameterizedTest(name = "OLLAMA_HOST={0} -> {1}")
    @CsvSource({
            "example.com, http://example.com:11434",
            "example.com:8080, http://example.com:8080",
            "http://example.com, http://example.com",
            "https://ollama.example.com, https://ollama.example.com",
            "0.0.0.0, http://127.0.0.1:11434",
            ":11434, http://127.0.0.1:11434",
            ":8080, http://127.0.0.1:8080",
            "http://:8080, http://127.0.0.1:8080",
    })
    void ollamaHostFollowsOllamasOwnRules(String host, String endpoint) {
        assertEquals(endpoint, parse(Map.of("OLLAMA_HOST", host)).ollama().endpoint().toString());
    }

    @Test
    void explicitOllamaHostWithoutPortMeansTheSchemesPort() {
        assertEquals(80, chatbot_otel.port(parse(Map.of("OLLAMA_HOST", "http://example.com")).ollama().endpoint()));
        assertEquals(443, chatbot_otel.port(parse(Map.of("OLLAMA_HOST", "https://example.com")).ollama().endpoint()));
    }

    @Test
    void ollamaEndpointWinsOverOllamaHost() {
        var s = parse(Map.of("OLLAMA_ENDPOINT", "http://gpu-box:11434/", "OLLAMA_HOST", "other"));
        assertEquals("http://gpu-box:11434", s.ollama().endpoint().toString());
    }

    @Test
    void flagsWinOverTheEnvironment() {
        var s = parse(Map.of("OLLAMA_MODEL", "llama3.2:1b"), "--model", "qwen2.5:0.5b", "--temperature", "0.1",
                "--max-tokens", "50", "--prompt", "hi", "--simulate");
        assertEquals("qwen2.5:0.5b", s.chat().model());
        assertEquals(0.1, s.chat().temperature());
        assertEquals(50, s.chat().maxTokens());
        assertEquals("hi", s.run().prompt());
        assertTrue(s.run().simulate());
        assertNull(parse(Map.of()).chat().maxTokens());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "OTEL_TRACES_EXPORTER|bogus|use console, none, otlp",
            "OTEL_METRICS_EXPORTER|jaeger|use console, none, otlp, prometheus",
            "OTEL_LOGS_EXPORTER|loki|use console, none, otlp",
            "OTEL_EXPORTER_OTLP_PROTOCOL|http/json|send http/protobuf or grpc, not http/json",
            "OTEL_EXPORTER_OTLP_ENDPOINT|localhost:4318|use an http:// or https:// URL",
            "OTEL_TRACES_SAMPLER|sometimes|use always_off, always_on",
            "OTEL_TRACES_SAMPLER_ARG|2|use a ratio from 0 to 1",
            "OTEL_SDK_DISABLED|maybe|use true or false",
            "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT|yes|use true or false",
            "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT|-1|use a whole number from 1",
            "OTEL_METRIC_EXPORT_INTERVAL|soon|use a whole number from 1",
            "OTEL_EXPORTER_PROMETHEUS_PORT|70000|use a whole number from 0 to 65535",
            "OLLAMA_ENDPOINT|ftp://example.com|use an http:// or https:// URL",
            "LOG_LEVEL|LOUD|use DEBUG, INFO, WARN or ERROR",
            "OLLAMA_CONNECT_TIMEOUT|-1|use a number of seconds above 0 and at most 3600",
            "OLLAMA_FIRST_TOKEN_TIMEOUT|0|use a number of seconds above 0",
            "OLLAMA_CHUNK_TIMEOUT|fast|use a number of seconds above 0",
    })
    void badValueNamesTheVariableTheValueAndWhatIsAllowed(String variable, String value, String allowed) {
        var e = assertThrows(SettingsException.class, () -> parse(Map.of(variable, value)));
        assertTrue(e.getMessage().startsWith(variable + "=" + value + " is not valid: "), e.getMessage());
        assertTrue(e.getMessage().contains(allowed), e.getMessage());
    }

    @Test
    void malformedHeadersAreRefusedWithoutEchoingTheirValue() {
        var e = assertThrows(SettingsException.class,
                () -> parse(Map.of("OTEL_EXPORTER_OTLP_HEADERS", "Bearer s3cr3t")));
        assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
        assertTrue(e.getMessage().startsWith("OTEL_EXPORTER_OTLP_HEADERS is not valid"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"--frobnicate|unknown option --frobnicate", "--temperature 3|--temperature=3 is not valid",
            "--max-tokens 0|--max-tokens=0 is not valid", "--prompt|--prompt needs a value"})
    void badFlagIsOneLine(String args, String message) {
        var e = assertThrows(SettingsException.class, () -> parse(Map.of(), args.split(" ")));
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }

    @Test
    void badSettingMakesRunReturnTwoWithOneLine() {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int status = chatbot_otel.run(new String[0], Map.of("OTEL_TRACES_EXPORTER", "bogus"),
                new ByteArrayInputStream(new byte[0]), new PrintStream(out), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, status);
        assertEquals("chatbot: OTEL_TRACES_EXPORTER=bogus is not valid: use console, none, otlp\n",
                err.toString(StandardCharsets.UTF_8));
        assertEquals(0, out.size());
    }

    @Test
    void badSettingInAFreshJvmExitsWithStatusTwoAndNoStackTrace() throws Exception {
        var finished = Harness.finish(Harness.launch(Map.of("OTEL_TRACES_EXPORTER", "bogus")), 60);
        assertEquals(2, finished.status());
        assertEquals(1, finished.err().lines().count(), finished.err());
        assertTrue(finished.err().contains("OTEL_TRACES_EXPORTER=bogus"));
    }

    @Test
    void helpListsFlagsAndSettings() {
        var out = new ByteArrayOutputStream();
        int status = chatbot_otel.run(new String[] {"--help"}, Map.of(), new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));
        assertEquals(0, status);
        String help = out.toString(StandardCharsets.UTF_8);
        for (String name : new String[] {"--simulate", "--prompt", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SDK_DISABLED",
                "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "OLLAMA_ENDPOINT", "LOG_LEVEL"}) {
            assertTrue(help.contains(name), name);
        }
    }

    /** Every variable of the --help table and every honoured OTEL_* one, hostile values included: it works, or one line and exit 2. Never a stack trace. */
    @Test
    void everySettingTakesAnyValueWithoutAStackTrace() {
        var names = Settings.USAGE.lines().map(String::strip).filter(l -> l.matches("^(OTEL|OLLAMA|LOG|JAEGER|CHAT)_[A-Z_]+.*"))
                .flatMap(l -> java.util.Arrays.stream(l.split("\\s+")[0].split(","))).map(String::strip).filter(n -> !n.isEmpty())
                .flatMap(n -> n.equals("OTEL_TRACES_EXPORTER") ? java.util.stream.Stream.of(n, "OTEL_LOGS_EXPORTER", "OTEL_TRACES_SAMPLER_ARG") : java.util.stream.Stream.of(n))
                .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
        names.addAll(OtelSettings.HONOURED); // and every OTEL_* variable the settings layer reads
        assertTrue(names.size() >= 80, names.toString());
        var problems = new java.util.ArrayList<String>();
        int cases = 0;
        for (String name : names) {
            for (String value : HOSTILE_VALUES) {
                cases++;
                var outcome = runHelp(Map.of(name, value), new String[] {"--help"});
                if (outcome != null) problems.add(name + "=" + abbreviate(value) + ": " + outcome);
            }
        }
        for (String flag : List.of("--temperature", "--max-tokens", "--load", "--concurrency", "--model", "--prompt", "--prompts")) {
            for (String value : HOSTILE_VALUES) {
                cases++;
                String[] args = flag.equals("--concurrency") || flag.equals("--prompts") ? new String[] {"--load", "1", flag, value, "--help"}
                        : new String[] {flag, value, "--help"};
                var outcome = runHelp(Map.of(), args);
                if (outcome != null) problems.add(flag + " " + abbreviate(value) + ": " + outcome);
            }
        }
        assertTrue(problems.isEmpty(), problems.size() + " of " + cases + " cases:\n" + String.join("\n", problems));
    }

    static final List<String> HOSTILE_VALUES = List.of("", " ", "0", "-1", "-0", "1e3", "1e309", "1e-12", "NaN", "Infinity", "-Infinity",
            "99999999999999999999", "0x10", "1,5", "0.0000001", "65536", "70000", "true", "yes", "none", "http://", "http://:99999",
            "http://[::1", "http://h:-1", "ftp://x", "//host", "http://h/ path", "%ZZ", "k=%ZZ", "=v", "k=", "k=v,=", "\u0000",
            "\u001b[2J", "line\nbreak", "x".repeat(100_000), "http://u:p@h", "é", "😀", "-", "--help");

    /** null when the outcome is acceptable: 0 with the usage, or 2 with exactly one short line and no trace. */
    private static String runHelp(Map<String, String> env, String[] args) {
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.ByteArrayOutputStream();
        int status;
        try {
            status = chatbot_otel.run(args, env, java.io.InputStream.nullInputStream(), new java.io.PrintStream(out, true),
                    new java.io.PrintStream(err, true));
        } catch (Throwable e) {
            return "threw " + e;
        }
        String errText = err.toString();
        if (status == 0) return out.toString().startsWith("Usage:") ? null : "exit 0 without the usage";
        if (status != 2) return "exit " + status + ": " + abbreviate(errText);
        var lines = errText.lines().toList();
        if (lines.size() != 1 || !lines.get(0).startsWith("chatbot: ") || lines.get(0).length() > 400) return "not one short line: " + abbreviate(errText);
        return null;
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }
}
