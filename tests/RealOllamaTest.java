// The chatbot against a real Ollama: the server built from its Go module by stack/build.sh (the
// version in .env's OLLAMA_GO_MODULE, CPU only), serving a model this test writes itself
// (TinyGguf: two layers of random weights, a byte-level vocabulary) and loads with `ollama create`
// from a Modelfile, as a user loads any GGUF file. The answers are gibberish; what is checked is
// what the simulator can only imitate: the protocol, Ollama's own counts and timings on the span,
// its errors, and the span tree around them.
//
// Outside CI the test is skipped when the build cannot run (no Go, no C compiler, no headers);
// in CI (CI=true) it must run.

import com.fasterxml.jackson.databind.JsonNode;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

@Tag("stack")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealOllamaTest {
    /** What the Modelfile sets: a short answer ends by its length, so every turn is quick. */
    private static final int NUM_PREDICT = 12;
    private static final String MODEL = "tiny-random";
    /** The same weights behind a template with thinking tags: Ollama then calls it a thinking model. */
    private static final String THINKER = "tiny-thinker";
    private static final String MISSING_MODEL = "no-such-model";
    private static final Duration WAIT = Duration.ofSeconds(60);

    private Path workDir;
    private Process ollama;
    private Path ollamaLog;
    private String ollamaUrl;
    private OtlpReceiver collector;
    private Harness.Finished chatbot;
    /** The chatbot's turns, in the order typed: one trace each. */
    private List<Turn> turns;

    record Turn(Span root, Map<String, Span> byName) {
        Span client() {
            return byName.get("generate_response");
        }
    }

    @BeforeAll
    void startOllamaCreateTheModelAndChat() throws Exception {
        Path binary = Stack.builtServers("ollama").get("ollama");
        workDir = Files.createTempDirectory("real-ollama");
        int port = Harness.closedPort();
        ollamaUrl = "http://127.0.0.1:" + port;
        ollamaLog = workDir.resolve("ollama.log");
        var serve = new ProcessBuilder(binary.toString(), "serve").redirectErrorStream(true).redirectOutput(ollamaLog.toFile());
        serve.environment().putAll(ollamaEnvironment(port));
        ollama = serve.start();
        waitFor("Ollama's /api/version", () -> PrometheusApi.get(ollamaUrl + "/api/version").statusCode() == 200);

        createTheModels(binary, port);

        collector = OtlpReceiver.start(0);
        var process = Harness.launch(Map.of(
                "OLLAMA_HOST", "127.0.0.1:" + port, // Ollama's own variable, as a user of the CLI has it set
                "OLLAMA_MODEL", MODEL,
                "OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint()));
        process.getOutputStream().write(String.join("\n",
                "Hello there",
                "/model " + MISSING_MODEL,
                "Are you there?",
                "/model " + MODEL,
                "/think on",
                "Think first",
                "/think default",
                "One more time",
                "/model " + THINKER,
                "Think it over",
                "exit", "").getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush();
        chatbot = Harness.finish(process, 180);
        turns = turns();
    }

    /** A private Ollama: its own port, model folder and home (where it keeps its key pair), one model at a time. */
    private Map<String, String> ollamaEnvironment(int port) {
        return Map.of(
                "OLLAMA_HOST", "127.0.0.1:" + port,
                "OLLAMA_MODELS", workDir.resolve("models").toString(),
                "HOME", workDir.toString(),
                "OLLAMA_NUM_PARALLEL", "1",
                "OLLAMA_NO_CLOUD", "1",
                "OLLAMA_MAX_LOADED_MODELS", "1");
    }

    /**
     * The models, as a user brings any GGUF file to Ollama: a Modelfile and `ollama create`. The
     * thinker's template has Ollama's thinking tags, so Ollama turns thinking on by default, ends the
     * prompt with <think> and streams everything the model says as thinking until </think>, which
     * random weights never say: its answers are all thinking, cut by num_predict.
     */
    private void createTheModels(Path binary, int port) throws Exception {
        TinyGguf.write(workDir.resolve("tiny.gguf"), 42);
        create(binary, port, MODEL, "{{- range .Messages }}<|{{ .Role }}|>{{ .Content }}\n{{ end }}<|assistant|>");
        create(binary, port, THINKER, "{{- range .Messages }}<|{{ .Role }}|>{{ if .Thinking }}<think>{{ .Thinking }}</think>{{ end }}"
                + "{{ .Content }}\n{{ end }}<|assistant|>{{ if $.Think }}<think>{{ end }}");
    }

    private void create(Path binary, int port, String name, String template) throws Exception {
        Path modelfile = workDir.resolve(name + ".Modelfile");
        Files.writeString(modelfile, String.join("\n",
                "FROM ./tiny.gguf",
                "TEMPLATE \"\"\"" + template + "\"\"\"",
                "PARAMETER num_predict " + NUM_PREDICT,
                "PARAMETER num_ctx 512",
                "PARAMETER seed 42", ""));
        var create = new ProcessBuilder(binary.toString(), "create", name, "-f", modelfile.toString())
                .directory(workDir.toFile()).redirectErrorStream(true);
        create.environment().putAll(ollamaEnvironment(port));
        var process = create.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("ollama create did not finish in 120 s:\n" + output);
        }
        assertEquals(0, process.exitValue(), "ollama create " + name + " failed:\n" + output + "\n" + logTail());
    }

    @AfterAll
    void stop() throws Exception {
        if (collector != null) collector.close();
        if (ollama != null) {
            ollama.destroy(); // SIGTERM: Ollama stops its runner too
            if (!ollama.waitFor(20, TimeUnit.SECONDS)) ollama.destroyForcibly();
        }
        // The runner is Ollama's child; should it outlive its parent, it goes too.
        ProcessHandle.allProcesses().filter(p -> p.info().arguments().map(a -> String.join(" ", a).contains(workDir.toString())).orElse(false))
                .forEach(ProcessHandle::destroyForcibly);
        if (workDir != null) Harness.deleteTree(workDir);
    }

    @Test
    void theSessionEndsCleanlyAndEveryTurnIsOneTraceWithItsSpanTree() {
        assertEquals(0, chatbot.status(), chatbot.err());
        assertEquals(5, turns.size(), "five prompts typed: " + chatbot.out() + chatbot.err());
        for (Turn turn : turns) {
            boolean answered = turn.client().getStatus().getCode() != Status.StatusCode.STATUS_CODE_ERROR;
            // A refused request has no stream to process: four spans instead of five.
            var expected = new java.util.ArrayList<>(List.of("chat_interaction", "generate_response", "log_interaction", "ollama_request"));
            if (answered) expected.add("process_streaming_response");
            assertEquals(expected, turn.byName().keySet().stream().sorted().toList());
            var ids = turn.byName().values().stream().collect(Collectors.toMap(Span::getName, Span::getSpanId));
            assertEquals(ids.get("chat_interaction"), turn.byName().get("generate_response").getParentSpanId());
            assertEquals(ids.get("generate_response"), turn.byName().get("ollama_request").getParentSpanId());
            assertEquals(ids.get("chat_interaction"), turn.byName().get("log_interaction").getParentSpanId());
            if (answered) assertEquals(ids.get("generate_response"), turn.byName().get("process_streaming_response").getParentSpanId());
        }
    }

    @Test
    void aStreamedAnswerCarriesOllamasOwnCountsAndTimings() {
        Turn first = turns.get(0);
        Span client = first.client();
        assertEquals(Status.StatusCode.STATUS_CODE_UNSET, client.getStatus().getCode(), chatbot.err());
        long input = longAttr(client, "gen_ai.usage.input_tokens").orElseThrow();
        long output = longAttr(client, "gen_ai.usage.output_tokens").orElseThrow();
        // The byte-level vocabulary makes a token of nearly every byte of the templated prompt.
        assertTrue(input >= "<|user|>Hello there\n<|assistant|>".length() / 2, "input tokens " + input);
        assertTrue(output >= 1 && output <= NUM_PREDICT, "output tokens " + output);
        assertFalse(boolAttr(client, "llm.tokens.estimated"), "Ollama sent counts: nothing is estimated");
        assertEquals(input + output, longAttr(client, "llm.tokens.total").orElseThrow());
        String finish = stringAttrs(client, "gen_ai.response.finish_reasons").get(0);
        assertTrue(finish.equals("length") || finish.equals("stop"), finish);
        if (output == NUM_PREDICT) assertEquals("length", finish, "num_predict reached");
        assertEquals(MODEL, stringAttr(client, "gen_ai.response.model"), "Ollama's chat answer names the model as asked");
        for (String timing : List.of("ollama.total_duration_ms", "ollama.load_duration_ms", "ollama.prompt_eval_duration_ms", "ollama.eval_duration_ms")) {
            assertTrue(doubleAttr(client, timing) > 0, timing + " on " + client.getAttributesList());
        }
        assertTrue(doubleAttr(client, "ollama.total_duration_ms") <= durationMs(client) + 1,
                "Ollama's own total fits inside the client span that waited for it");
        assertTrue(longAttr(first.byName().get("process_streaming_response"), "llm.stream.chunks").orElseThrow() >= 1);
    }

    @Test
    void aThinkingModelsThinkingIsShownApartAndAnAnswerCutWhileThinkingIsSaidNotFailed() {
        Turn thought = turns.get(4);
        Span client = thought.client();
        assertEquals(THINKER, stringAttr(client, "gen_ai.request.model"));
        assertEquals(Status.StatusCode.STATUS_CODE_UNSET, client.getStatus().getCode(), chatbot.err());
        assertEquals(List.of("length"), stringAttrs(client, "gen_ai.response.finish_reasons"));
        assertEquals(NUM_PREDICT, longAttr(client, "gen_ai.usage.output_tokens").orElseThrow(), "Ollama counts thinking as output");
        assertTrue(longAttr(thought.byName().get("process_streaming_response"), "llm.thinking.chunks").orElseThrow() >= 1);
        assertTrue(doubleAttr(client, "gen_ai.response.time_to_first_chunk") > 0, "the first chunk was thinking");
        assertTrue(attr(client, "llm.time_to_first_token").isEmpty(), "no answer token came, so no time to it");
        assertTrue(chatbot.out().contains("(thinking... "), chatbot.out());
        assertTrue(chatbot.err().contains("note: no answer: the model reached its output limit before answering"), chatbot.err());
    }

    @Test
    void theConversationGrowsOnTheServerToo() {
        long first = longAttr(turns.get(0).client(), "gen_ai.usage.input_tokens").orElseThrow();
        long later = longAttr(turns.get(3).client(), "gen_ai.usage.input_tokens").orElseThrow();
        assertTrue(later > first, "the last turn sends the whole history: " + first + " then " + later);
    }

    @Test
    void aMissingModelIsAnErrorSpanWithOllamasVerdictAndTheReplGoesOn() {
        Span client = turns.get(1).client();
        assertEquals(Status.StatusCode.STATUS_CODE_ERROR, client.getStatus().getCode());
        assertEquals(MISSING_MODEL, stringAttr(client, "gen_ai.request.model"));
        assertEquals("model_not_found", stringAttr(client, "error.type"));
        assertTrue(chatbot.err().contains("error: model '" + MISSING_MODEL + "' is not available"), chatbot.err());
        assertEquals(MODEL, stringAttr(turns.get(2).client(), "gen_ai.request.model"), "/model switched back");
    }

    @Test
    void thinkingOnAModelThatCannotThinkIsOllamasOwn400WithAHint() {
        Span client = turns.get(2).client();
        assertEquals(Status.StatusCode.STATUS_CODE_ERROR, client.getStatus().getCode());
        assertEquals("http_error", stringAttr(client, "error.type"));
        assertTrue(chatbot.err().contains("error: Ollama answered HTTP 400: \"" + MODEL + "\" does not support thinking. Turn thinking off"),
                chatbot.err());
        assertEquals(Status.StatusCode.STATUS_CODE_UNSET, turns.get(3).client().getStatus().getCode(),
                "with /think default the next turn succeeds: " + chatbot.err());
    }

    /**
     * The official client, the same calls, two servers: what it parsed from the simulator and from
     * Ollama must have the same fields of the same JSON types, scenario by scenario. The only
     * differences allowed are explained in KNOWN; any other is a place where the simulator is wrong.
     */
    @Test
    void theOfficialClientParsesTheSameFieldsFromTheSimulatorAsFromOllama() throws Exception {
        JsonNode real = OllamaClientContractTest.runClient(ollamaUrl, Map.of("CONTRACT_MODEL", MODEL, "CONTRACT_THINKING_MODEL", THINKER));
        JsonNode simulated;
        try (var sim = ollama_sim.Server.start(ollama_sim.Options.instant())) {
            simulated = OllamaClientContractTest.runClient(sim.baseUrl(), Map.of());
        }
        var differences = new TreeSet<String>();
        real.fieldNames().forEachRemaining(scenario -> {
            Map<String, String> ours = fieldTypes(simulated.get(scenario)), theirs = fieldTypes(real.get(scenario));
            for (String path : union(ours.keySet(), theirs.keySet())) {
                String difference = scenario + " " + path + ": simulator " + ours.getOrDefault(path, "absent")
                        + ", Ollama " + theirs.getOrDefault(path, "absent");
                if (!Objects.equals(ours.get(path), theirs.get(path)) && KNOWN.stream().noneMatch(k -> k.explains(scenario, path, ours, theirs))) {
                    differences.add(difference);
                }
            }
        });
        assertEquals(Set.of(), differences, "fields the simulator gets wrong");
        assertEquals(simulated.get("missingModel"), real.get("missingModel"), "the client's error for a missing model, word for word");
        assertEquals(simulated.at("/show/ok/capabilities"), real.at("/show/ok/capabilities"), "a thinking model says so in show");
        assertFalse(real.at("/thinkingStream/ok/thinking").asText().isEmpty(), "Ollama streamed thinking: " + real.get("thinkingStream"));
    }

    /** A difference between the simulator and a real Ollama that is not a fault of the simulator. */
    record Known(String scenario, String pathPrefix, String why) {
        boolean explains(String scenario, String path, Map<String, String> ours, Map<String, String> theirs) {
            return this.scenario.equals(scenario) && path.startsWith(pathPrefix) && !ours.containsKey(path);
        }
    }

    static final List<Known> KNOWN = List.of(
            new Known("show", ".ok.model_info.", "a real file has its architecture's own metadata; the simulator lists what every file has"),
            new Known("show", ".ok.tensors", "the simulator has no weights, so no tensors to list"));

    /** JSON path to type, with the architecture's name in model_info keys written as {arch}, and one element per array. */
    private static Map<String, String> fieldTypes(JsonNode node) {
        var types = new TreeMap<String, String>();
        String arch = node.path("ok").path("model_info").path("general.architecture").asText("");
        collect(node, "", arch, types);
        return types;
    }

    private static void collect(JsonNode node, String path, String arch, Map<String, String> types) {
        if (node.isObject()) {
            node.fields().forEachRemaining(f -> collect(f.getValue(), path + "." + (arch.isEmpty() ? f.getKey()
                    : f.getKey().replaceFirst("^" + java.util.regex.Pattern.quote(arch) + "\\.", "{arch}.")), arch, types));
        } else if (node.isArray() && !node.isEmpty() && node.get(0).isContainerNode()) {
            collect(node.get(0), path + "[]", arch, types);
        } else {
            types.put(path, node.isNumber() ? "number" : node.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        var all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }

    private List<Turn> turns() {
        var spans = collector.spans().stream().map(OtlpReceiver.ReceivedSpan::span).toList();
        var byTrace = spans.stream().collect(Collectors.groupingBy(s -> s.getTraceId()));
        return byTrace.values().stream()
                .map(trace -> new Turn(trace.stream().filter(s -> s.getName().equals("chat_interaction")).findFirst().orElseThrow(),
                        trace.stream().collect(Collectors.toMap(Span::getName, s -> s))))
                .sorted(Comparator.comparingLong(t -> t.root().getStartTimeUnixNano()))
                .toList();
    }

    private static Optional<AnyValue> attr(Span span, String key) {
        return OtlpReceiver.value(span.getAttributesList(), key);
    }

    private static Optional<Long> longAttr(Span span, String key) {
        return attr(span, key).map(AnyValue::getIntValue);
    }

    private static double doubleAttr(Span span, String key) {
        return attr(span, key).map(v -> v.hasDoubleValue() ? v.getDoubleValue() : v.getIntValue()).orElse(-1.0);
    }

    private static boolean boolAttr(Span span, String key) {
        return attr(span, key).map(AnyValue::getBoolValue).orElse(false);
    }

    private static String stringAttr(Span span, String key) {
        return OtlpReceiver.stringValue(span.getAttributesList(), key);
    }

    private static List<String> stringAttrs(Span span, String key) {
        return attr(span, key).map(v -> v.getArrayValue().getValuesList().stream().map(AnyValue::getStringValue).toList()).orElse(List.of());
    }

    private static double durationMs(Span span) {
        return (span.getEndTimeUnixNano() - span.getStartTimeUnixNano()) / 1e6;
    }

    private void waitFor(String what, PrometheusApi.Check check) throws Exception {
        PrometheusApi.waitFor(what, WAIT, () -> {
            if (!ollama.isAlive()) fail("ollama serve exited:\n" + logTail());
            return true;
        }, check, this::logTail);
    }

    private String logTail() {
        try {
            String text = Files.readString(ollamaLog);
            return text.length() <= 4000 ? text : text.substring(text.length() - 4000);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
