///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS com.fasterxml.jackson.core:jackson-databind:2.23.0
//DESCRIPTION An Ollama-compatible simulator: real HTTP, real NDJSON streaming, deterministic answers.

// A stand-in for Ollama (https://github.com/ollama/ollama/blob/main/docs/api.md) so the chatbot,
// the lessons and the tests run on a machine with no model. It speaks the same wire format:
//   POST /api/chat   streaming NDJSON (or one JSON object with "stream": false)
//   GET  /api/tags   the models it pretends to have
//   POST /api/generate, /api/show; GET /api/ps
//   GET  /api/version
// Answers are deterministic for a given prompt, token counts match what was streamed, and the
// `traceparent` header of every request is remembered so tests can check trace propagation.
// A thinking model (qwen3:0.6b by default) streams `message.thinking` chunks before its answer, as
// Ollama does for models that can think unless the request says "think": false; "think": true to a
// model that cannot think gets Ollama's 400.
//
// Where it follows Ollama's source (server/routes.go, api/types.go; read 2026-11-25):
//   missing model           404 {"error":"model 'X' not found"}                     ChatHandler
//   think to a non-thinker  400 {"error":"\"X\" does not support thinking"}          ChatHandler
//   no messages             200, done_reason "load", empty content                  ChatHandler
//   option of a wrong type  500 {"error":"option \"temperature\" must be of type float32"}  Options.FromMap via handleScheduleError
//   keep_alive "bogus"      400 {"error":"time: invalid duration \"bogus\""}        Duration.UnmarshalJSON, request binding
//   num_predict reached     done_reason "length", eval_count = num_predict (thinking included)
//   unknown route           404 text/plain "404 page not found"                     gin's default
//   wrong method            405 text/plain "405 method not allowed"                 gin, HandleMethodNotAllowed = true
//   timings                 prompt_eval_duration = the first-token wait, eval_duration = the generation,
//                           load_duration on every answer (the scheduler's wait; longer on a model's
//                           first use), in both streaming and one-object replies
//   generate's `context`    the token ids of prompt and answer, unless raw              GenerateHandler
//   /api/tags               full entries: 64-hex digest, details with family, families, parameter_size, ...
//   /api/generate           the same answers with `response` (and `thinking`) instead of `message`;
//                           an empty prompt answers done_reason "load"                GenerateHandler
//   /api/show               details, model_info (the keys every GGUF file has), capabilities
//                           (completion, thinking); no tensors: there are no weights  ShowHandler
//   /api/version            the release followed, OLLAMA_VERSION, with "-sim"
//   /api/ps                 the models loaded so far, with expires_at 5 minutes ahead PsHandler
// Not simulated: tool calls. tests/RealOllamaTest.java runs the official client against a real Ollama
// and this simulator and compares what it parsed, field by field.
//
//   jbang ollama_sim.java --port 11434                 # a fake Ollama for the chatbot
//   jbang ollama_sim.java --first-token-ms 800 --tokens-per-second 8   # a slow "model"
//   jbang ollama_sim.java --fault stall                # misbehave: see Fault below
//   curl -d http_500 localhost:11434/sim/fault         # switch faults while it runs (-d none to heal)

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class ollama_sim {
    /** The Ollama release whose source the simulator follows: the image pinned in .env (a test keeps them equal). */
    static final String OLLAMA_VERSION = "0.32.6";

    static {
        // Real Ollama (Go) sets TCP_NODELAY; the JDK's HttpServer does not, and then every small chunk
        // waits for Nagle and delayed ACK: about 40 ms a request. The JDK reads this once per JVM.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("ollama_sim: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (options == null) {
            System.out.println(Options.USAGE);
            return;
        }
        var server = Server.start(options);
        System.out.printf("Ollama simulator listening on %s (models: %s)%n",
                server.baseUrl(), String.join(", ", options.models()));
        System.out.println("Point the chatbot at it: OLLAMA_ENDPOINT=" + server.baseUrl()
                + " jbang chatbot_otel.java   (Ctrl-C stops the simulator)");
        if (options.fault().fault() != Fault.NONE) {
            System.out.println("Fault: " + options.fault().fault().name().toLowerCase(java.util.Locale.ROOT)
                    + (options.fault().fault() == Fault.REFUSE ? " (not listening: restart without --fault to heal)"
                    : "; heal it with: curl -d none " + server.baseUrl() + "/sim/fault"));
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        Thread.currentThread().join();
    }

    // ---------------------------------------------------------------------------------------
    // Options: what the simulator pretends to be, and how fast it "thinks".
    // ---------------------------------------------------------------------------------------

    /** @param firstTokenMillis delay before the first chunk (Ollama's prompt evaluation)
     *  @param tokensPerSecond  streaming rate; 0 means as fast as possible */
    public record Options(int port, List<String> models, long firstTokenMillis, double tokensPerSecond, FaultPlan fault) {
        static final String USAGE = """
                Usage: jbang ollama_sim.java [--port N] [--model NAME]... [--first-token-ms N] [--tokens-per-second N]
                                             [--fault NAME [--fault-after N] [--fault-delay-ms N]]
                  --port               port on 127.0.0.1 (default 11434; 0 picks a free one)
                  --model              a model name to serve (repeatable; default llama3.1:8b, llama3.2:1b and
                                       qwen3:0.6b, which thinks: qwen3, deepseek-r1 and gpt-oss names do)
                  --first-token-ms     delay before the first chunk (default 150)
                  --tokens-per-second  streaming rate, 0 for no delay (default 40)
                  --fault              misbehave on every chat request, one of:
                                         refuse        stop listening (connections are refused)
                                         reset         close the connection before any response
                                         slow_first    hold the first chunk back for --fault-delay-ms
                                         stall         stop for --fault-delay-ms after --fault-after chunks
                                         http_500      answer 500 with an {"error": ...} body
                                         not_json      send a line that is not JSON after --fault-after chunks
                                         cut           end the stream after --fault-after chunks, before done
                                         error_line    send {"error": ...} after --fault-after chunks
                  --fault-after        chunks sent before the fault (default 3)
                  --fault-delay-ms     how long slow_first and stall wait (default 600000)
                At run time: curl -d stall localhost:PORT/sim/fault  (-d none heals it)""";

        public Options(int port, List<String> models, long firstTokenMillis, double tokensPerSecond) {
            this(port, models, firstTokenMillis, tokensPerSecond, FaultPlan.NONE);
        }

        public static Options defaults() {
            return new Options(11434, List.of("llama3.1:8b", "llama3.2:1b", "qwen3:0.6b"), 150, 40);
        }

        /** Zero delays, a free port: what tests and benchmarks want. */
        public static Options instant() {
            return defaults().withPort(0).withTiming(0, 0);
        }

        public Options withPort(int newPort) {
            return new Options(newPort, models, firstTokenMillis, tokensPerSecond, fault);
        }

        public Options withTiming(long firstTokenMs, double tps) {
            return new Options(port, models, firstTokenMs, tps, fault);
        }

        /** Returns null when --help was asked for. */
        static Options parse(String[] args) {
            var d = defaults();
            int port = d.port();
            var models = new ArrayList<String>();
            long firstToken = d.firstTokenMillis();
            double tps = d.tokensPerSecond();
            Fault fault = Fault.NONE;
            int faultAfter = FaultPlan.NONE.afterChunks();
            long faultDelay = FaultPlan.NONE.delayMillis();
            for (int i = 0; i < args.length; i++) {
                String flag = args[i];
                if (flag.equals("--help") || flag.equals("-h")) return null;
                if (i + 1 >= args.length) throw new IllegalArgumentException(flag + " needs a value (see --help)");
                String value = args[++i];
                switch (flag) {
                    case "--port" -> port = parseNumber(flag, value, 0, 65535);
                    case "--model" -> models.add(normalizeModel(value));
                    case "--first-token-ms" -> firstToken = parseNumber(flag, value, 0, 600_000);
                    case "--tokens-per-second" -> tps = parseNumber(flag, value, 0, 100_000);
                    case "--fault" -> fault = Fault.parse(value);
                    case "--fault-after" -> faultAfter = parseNumber(flag, value, 0, 100_000);
                    case "--fault-delay-ms" -> faultDelay = parseNumber(flag, value, 0, 3_600_000);
                    default -> throw new IllegalArgumentException("unknown option " + flag + " (see --help)");
                }
            }
            return new Options(port, models.isEmpty() ? d.models() : List.copyOf(models), firstToken, tps,
                    new FaultPlan(fault, faultAfter, faultDelay));
        }

        private static int parseNumber(String flag, String value, int min, int max) {
            try {
                int n = Integer.parseInt(value.trim());
                if (n >= min && n <= max) return n;
            } catch (NumberFormatException ignored) {
                // fall through to the message below
            }
            throw new IllegalArgumentException(flag + "=" + value + " is not valid: use a whole number from " + min + " to " + max);
        }
    }

    /** The model families that can think, as Ollama's capabilities say of them. */
    private static final List<String> THINKING_FAMILIES = List.of("qwen3", "deepseek-r1", "gpt-oss");

    static boolean canThink(String model) {
        String family = normalizeModel(model).split(":", 2)[0];
        return THINKING_FAMILIES.contains(family.substring(family.lastIndexOf('/') + 1));
    }

    /** Option types as Ollama's api.Options.FromMap checks them; the message it returns, or null. */
    static String optionProblem(JsonNode options) {
        for (String name : List.of("temperature", "top_p", "min_p", "typical_p", "repeat_penalty", "presence_penalty", "frequency_penalty")) {
            if (options.has(name) && !options.get(name).isNull() && !options.get(name).isNumber()) {
                return "option \"" + name + "\" must be of type float32";
            }
        }
        for (String name : List.of("num_predict", "num_ctx", "top_k", "seed", "repeat_last_n", "num_keep", "num_batch", "num_gpu", "num_thread")) {
            if (options.has(name) && !options.get(name).isNull() && !options.get(name).isNumber()) {
                return "option \"" + name + "\" must be of type integer";
            }
        }
        return null;
    }

    /** Go's time.ParseDuration syntax, which Ollama uses for a keep_alive string ("5m", "1h30m", "-1s", "0"). */
    private static final Pattern GO_DURATION = Pattern.compile("[-+]?(0|((\\d+(\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h))+)");

    /** The request-binding error Ollama answers 400 with for keep_alive, or null. */
    static String keepAliveProblem(JsonNode keepAlive) {
        if (keepAlive.isMissingNode() || keepAlive.isNull() || keepAlive.isNumber()) return null;
        if (!keepAlive.isTextual()) return "Unsupported type: '" + (keepAlive.isBoolean() ? "bool" : keepAlive.isArray() ? "[]interface {}" : "map[string]interface {}") + "'";
        return GO_DURATION.matcher(keepAlive.asText()).matches() ? null : "time: invalid duration \"" + keepAlive.asText() + "\"";
    }

    /** A 64-hex digest, as Ollama lists models: deterministic per name. */
    static String digest(String name) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(name.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String family(String name) {
        String base = normalizeModel(name).split(":", 2)[0];
        return base.startsWith("llama") ? "llama" : base.replaceAll("[^a-z0-9]+$", "");
    }

    static String parameterSize(String name) {
        String tag = normalizeModel(name).split(":", 2)[1];
        return tag.matches("[0-9.]+[bm]") ? tag.toUpperCase(java.util.Locale.ROOT) : "8B";
    }

    /** Ollama treats "llama3.1" as "llama3.1:latest"; so do we. */
    static String normalizeModel(String name) {
        return name.contains(":") ? name : name + ":latest";
    }

    // ---------------------------------------------------------------------------------------
    // Faults: the ways a model server goes wrong, to be switched on one at a time.
    // ---------------------------------------------------------------------------------------

    public enum Fault {
        NONE, REFUSE, RESET, SLOW_FIRST, STALL, HTTP_500, NOT_JSON, CUT, ERROR_LINE;

        static Fault parse(String name) {
            try {
                return valueOf(name.strip().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--fault=" + name + " is not valid: use one of "
                        + java.util.Arrays.stream(values()).map(f -> f.name().toLowerCase(java.util.Locale.ROOT)).toList());
            }
        }
    }

    /** A fault, after how many chunks it strikes (mid-stream faults), and how long it waits (slow_first, stall). */
    public record FaultPlan(Fault fault, int afterChunks, long delayMillis) {
        public static final FaultPlan NONE = new FaultPlan(Fault.NONE, 3, 600_000);

        public static FaultPlan of(Fault fault) {
            return new FaultPlan(fault, NONE.afterChunks(), NONE.delayMillis());
        }
    }

    // ---------------------------------------------------------------------------------------
    // Replies: deterministic text, split into tokens the way a tokenizer streams them.
    // ---------------------------------------------------------------------------------------

    /** What one /api/chat call served: tests compare the chatbot's telemetry with it. */
    public record ServedReply(String model, String content, int promptTokens, int outputTokens,
                              int messageCount, String traceparent, String thinking) {}

    private static final String[] ANSWERS = {
            "I'm a simulated model, so I answer instantly and never hallucinate telemetry.",
            "Every answer I stream becomes a span tree: chat_interaction, generate_response, ollama_request.",
            "Tokens are counted exactly, so the llm_tokens_total series matches what you read here.",
            "Observability is being able to ask new questions of your system without shipping new code.",
            "A histogram of time to first token tells you more about user experience than an average ever will.",
    };

    private static final Pattern TOKEN = Pattern.compile("\\s*\\S+");

    /** The answer to a prompt: always the same for the same prompt. */
    public static String answerFor(String prompt) {
        String trimmed = prompt.strip();
        String topic = trimmed.length() > 60 ? trimmed.substring(0, 60) + "..." : trimmed;
        String canned = ANSWERS[Math.floorMod(trimmed.hashCode(), ANSWERS.length)];
        return "You said \"" + topic + "\". " + canned;
    }

    /** What a thinking model thinks before it answers: as deterministic as the answer. */
    public static String thinkingFor(String prompt) {
        String trimmed = prompt.strip();
        return "The user wrote " + trimmed.split("\\s+").length + " words. I should answer in one sentence and mention telemetry.";
    }

    /** Word-ish pieces with their leading space, like the pieces a real model streams. */
    public static List<String> tokenize(String text) {
        var tokens = new ArrayList<String>();
        Matcher m = TOKEN.matcher(text);
        while (m.find()) tokens.add(m.group());
        return tokens;
    }

    /** Prompt tokens: the words of every message plus a few for the chat template, as real models count. */
    public static int countPromptTokens(List<String> messageContents) {
        int count = 0;
        for (String content : messageContents) count += tokenize(content).size() + 4;
        return count;
    }

    // ---------------------------------------------------------------------------------------
    // Server: the JDK's HttpServer on loopback, one handler per Ollama endpoint.
    // ---------------------------------------------------------------------------------------

    public static final class Server implements AutoCloseable {
        private static final ObjectMapper JSON = new ObjectMapper();

        private final ExecutorService executor;
        private final Options options;
        private final int port;
        private final List<ServedReply> served = new CopyOnWriteArrayList<>();
        private final Map<String, Boolean> loaded = new ConcurrentHashMap<>();
        private volatile FaultPlan fault;
        private volatile String lastUserPrompt;
        private HttpServer http; // null while refusing connections

        private Server(ExecutorService executor, Options options, int port) {
            this.executor = executor;
            this.options = options;
            this.port = port;
            this.fault = options.fault();
        }

        public static Server start(Options options) throws IOException {
            // Daemon threads: a simulator started inside the chatbot must never keep the JVM alive.
            ExecutorService executor = Executors.newCachedThreadPool(r -> {
                var t = new Thread(r, "ollama-sim");
                t.setDaemon(true);
                return t;
            });
            HttpServer http = listen(options.port(), executor);
            var server = new Server(executor, options, http.getAddress().getPort());
            server.serve(http);
            if (options.fault().fault() == Fault.REFUSE) server.setFault(options.fault());
            return server;
        }

        private static HttpServer listen(int port, ExecutorService executor) throws IOException {
            var http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
            http.setExecutor(executor);
            return http;
        }

        private synchronized void serve(HttpServer server) {
            server.createContext("/api/chat", this::handleChat);
            server.createContext("/api/tags", this::handleTags);
            server.createContext("/api/generate", this::handleGenerate);
            server.createContext("/api/show", this::handleShow);
            server.createContext("/api/ps", this::handlePs);
            server.createContext("/api/version", ex -> sendJson(ex, 200, Map.of("version", OLLAMA_VERSION + "-sim")));
            server.createContext("/sim/fault", this::handleFault);
            server.createContext("/", ex -> sendText(ex, 404, "404 page not found")); // gin's own body, as Ollama sends it
            server.start();
            http = server;
        }

        public int port() {
            return port;
        }

        public String baseUrl() {
            return "http://127.0.0.1:" + port;
        }

        /** Every chat reply served so far, oldest first. */
        public List<ServedReply> served() {
            return List.copyOf(served);
        }

        /** The last user message received, exactly as it arrived (tests check what the chatbot sent). */
        public String lastUserPrompt() {
            return lastUserPrompt;
        }

        public FaultPlan fault() {
            return fault;
        }

        /** Switches the fault for the next requests; `refuse` closes the listening socket, any other fault reopens it. */
        public synchronized void setFault(FaultPlan plan) {
            fault = plan;
            if (plan.fault() == Fault.REFUSE && http != null) {
                http.stop(0);
                http = null;
            } else if (plan.fault() != Fault.REFUSE && http == null) {
                try {
                    serve(listen(port, executor));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException("could not listen on port " + port + " again", e);
                }
            }
        }

        @Override
        public synchronized void close() {
            if (http != null) http.stop(0);
            http = null;
            executor.shutdownNow();
        }

        private void handleFault(HttpExchange ex) throws IOException {
            try (ex) {
                if (ex.getRequestMethod().equals("POST")) {
                    try {
                        var name = new String(ex.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                        var current = fault;
                        var next = new FaultPlan(Fault.parse(name), current.afterChunks(), current.delayMillis());
                        // Answer first: `refuse` closes this very listener.
                        sendJson(ex, 200, Map.of("fault", next.fault().name().toLowerCase(java.util.Locale.ROOT)));
                        setFault(next);
                    } catch (IllegalArgumentException e) {
                        sendJson(ex, 400, Map.of("error", e.getMessage()));
                    }
                } else {
                    sendJson(ex, 200, Map.of("fault", fault.fault().name().toLowerCase(java.util.Locale.ROOT)));
                }
            }
        }

        private void handleTags(HttpExchange ex) throws IOException {
            var models = options.models().stream().map(name -> Map.of(
                    "name", name, "model", name, "modified_at", "2026-01-01T00:00:00Z",
                    "size", 4_920_753_328L, "digest", digest(name), "details", details(name))).toList();
            sendJson(ex, 200, Map.of("models", models));
        }

        private void handleChat(HttpExchange ex) throws IOException {
            try (ex) {
                if (!ex.getRequestMethod().equals("POST")) {
                    sendText(ex, 405, "405 method not allowed"); // gin's HandleMethodNotAllowed body
                    return;
                }
                JsonNode body;
                try {
                    body = JSON.readTree(ex.getRequestBody());
                } catch (IOException e) {
                    sendJson(ex, 400, Map.of("error", "invalid JSON in request body"));
                    return;
                }
                String keepAliveProblem = keepAliveProblem(body.path("keep_alive"));
                if (keepAliveProblem != null) { // Ollama fails to bind the request: 400
                    sendJson(ex, 400, Map.of("error", keepAliveProblem));
                    return;
                }
                String model = body.path("model").asText("");
                if (model.isEmpty()) {
                    sendJson(ex, 400, Map.of("error", "model is required"));
                    return;
                }
                if (!options.models().contains(normalizeModel(model))) {
                    sendJson(ex, 404, Map.of("error", "model '" + model + "' not found")); // Ollama's chat handler's words
                    return;
                }
                JsonNode think = body.path("think");
                if (think.isBoolean() && think.asBoolean() && !canThink(model)) {
                    sendJson(ex, 400, Map.of("error", "\"" + model + "\" does not support thinking"));
                    return;
                }
                boolean thinks = canThink(model) && !(think.isBoolean() && !think.asBoolean());
                String optionProblem = optionProblem(body.path("options"));
                if (optionProblem != null) { // Ollama's api.Options.FromMap, reported through handleScheduleError: 500
                    sendJson(ex, 500, Map.of("error", optionProblem));
                    return;
                }
                if (body.path("messages").isEmpty()) { // Ollama loads the model and says so: done_reason "load"
                    ObjectNode loaded = chunkBase(model);
                    loaded.putObject("message").put("role", "assistant").put("content", "");
                    loaded.put("done", true).put("done_reason", "load");
                    sendJson(ex, 200, loaded);
                    return;
                }
                int numPredict = body.path("options").path("num_predict").asInt(-1);
                FaultPlan plan = fault;
                if (plan.fault() == Fault.RESET) {
                    // Close without a status line: the client sees the connection drop before any response.
                    ex.getResponseBody().close();
                    return;
                }
                if (plan.fault() == Fault.HTTP_500) {
                    sendJson(ex, 500, Map.of("error", "simulated failure: the model runner crashed"));
                    return;
                }
                var contents = new ArrayList<String>();
                String lastUser = "";
                for (JsonNode message : body.path("messages")) {
                    String content = message.path("content").asText("");
                    contents.add(content);
                    if (message.path("role").asText().equals("user")) lastUser = content;
                }
                lastUserPrompt = lastUser;
                String answer = answerFor(lastUser);
                String thinking = thinks ? thinkingFor(lastUser) : "";
                var tokens = tokenize(answer);
                var thoughts = tokenize(thinking);
                boolean cut = numPredict >= 0 && thoughts.size() + tokens.size() > numPredict; // num_predict counts all output
                if (cut) {
                    thoughts = thoughts.subList(0, Math.min(thoughts.size(), numPredict));
                    tokens = tokens.subList(0, numPredict - thoughts.size());
                    answer = String.join("", tokens).strip();
                    thinking = String.join("", thoughts).strip();
                }
                String doneReason = cut ? "length" : "stop";
                int promptTokens = countPromptTokens(contents);
                int evalCount = tokens.size() + thoughts.size(); // Ollama counts thinking tokens as output
                served.add(new ServedReply(model, answer, promptTokens, evalCount, contents.size(),
                        ex.getRequestHeaders().getFirst("traceparent"), thinking));
                boolean stream = body.path("stream").asBoolean(true);
                if (stream) {
                    streamReply(ex, model, thoughts, tokens, promptTokens, plan, doneReason);
                } else {
                    long start = System.nanoTime();
                    long loadNanos = loadNanos(model, start);
                    sleepMillis(options.firstTokenMillis()); // prompt evaluation
                    long evalStart = System.nanoTime();
                    sleepMillis((long) (evalCount * millisPerToken())); // generation
                    ObjectNode reply = finalChunk(model, answer, promptTokens, evalCount, start, loadNanos, evalStart, doneReason);
                    if (thinks) ((ObjectNode) reply.get("message")).put("thinking", thinking);
                    sendJson(ex, 200, reply);
                }
            }
        }

        private void streamReply(HttpExchange ex, String model, List<String> thoughts, List<String> tokens, int promptTokens,
                                 FaultPlan plan, String doneReason) throws IOException {
            long start = System.nanoTime();
            long loadNanos = loadNanos(model, start);
            ex.getResponseHeaders().set("Content-Type", "application/x-ndjson");
            ex.sendResponseHeaders(200, 0); // 0 = chunked transfer encoding
            OutputStream out = ex.getResponseBody();
            sleepMillis(plan.fault() == Fault.SLOW_FIRST ? plan.delayMillis() : options.firstTokenMillis());
            long evalStart = System.nanoTime();
            for (String thought : thoughts) { // thinking first, with empty content
                ObjectNode chunk = chunkBase(model);
                chunk.putObject("message").put("role", "assistant").put("content", "").put("thinking", thought);
                chunk.put("done", false);
                writeLine(out, chunk);
                sleepMillis((long) millisPerToken());
            }
            for (int i = 0; i < tokens.size(); i++) {
                if (i == plan.afterChunks() && midStreamFault(out, plan)) return;
                ObjectNode chunk = chunkBase(model);
                chunk.putObject("message").put("role", "assistant").put("content", tokens.get(i));
                chunk.put("done", false);
                writeLine(out, chunk);
                sleepMillis((long) millisPerToken());
            }
            writeLine(out, finalChunk(model, "", promptTokens, thoughts.size() + tokens.size(), start, loadNanos, evalStart, doneReason));
        }

        /** Returns true when the stream must end here (the exchange is closed by the caller's try). */
        private static boolean midStreamFault(OutputStream out, FaultPlan plan) throws IOException {
            switch (plan.fault()) {
                case STALL -> sleepMillis(plan.delayMillis());
                case NOT_JSON -> {
                    out.write("<html>502 Bad Gateway</html>\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    out.flush();
                    return true;
                }
                case CUT -> {
                    return true;
                }
                case ERROR_LINE -> {
                    writeLine(out, JSON.createObjectNode().put("error", "simulated failure: out of memory while generating"));
                    return true;
                }
                default -> {
                    return false;
                }
            }
            return false;
        }

        /**
         * Ollama's load_duration is the time its scheduler took to hand the request a runner
         * (checkpointLoaded - checkpointStart in routes.go): never zero, milliseconds and more when the
         * model has to be loaded first, microseconds when it is loaded already.
         */
        private long loadNanos(String model, long start) {
            long loading = loaded.putIfAbsent(model, true) == null ? 5_000_000L : 0L;
            return loading + Math.max(1, System.nanoTime() - start);
        }

        /** The last chunk carries the counts and timings (ns); Ollama omits zero-valued fields. */
        private ObjectNode finalChunk(String model, String content, int promptTokens, int evalCount,
                                      long start, long loadNanos, long evalStart, String doneReason) {
            long now = System.nanoTime();
            ObjectNode chunk = chunkBase(model);
            chunk.putObject("message").put("role", "assistant").put("content", content);
            chunk.put("done", true);
            chunk.put("done_reason", doneReason); // "length" when num_predict cut the answer
            chunk.put("total_duration", Math.max(1, now - start) + loadNanos);
            chunk.put("load_duration", loadNanos);
            chunk.put("prompt_eval_count", promptTokens);
            chunk.put("prompt_eval_duration", Math.max(1, evalStart - start));
            chunk.put("eval_count", evalCount);
            chunk.put("eval_duration", Math.max(1, now - evalStart));
            return chunk;
        }

        /** POST /api/generate: a prompt instead of messages, `response` instead of `message` (GenerateHandler). */
        private void handleGenerate(HttpExchange ex) throws IOException {
            try (ex) {
                if (!ex.getRequestMethod().equals("POST")) {
                    sendText(ex, 405, "405 method not allowed");
                    return;
                }
                JsonNode body = JSON.readTree(ex.getRequestBody());
                String model = body.path("model").asText("");
                if (!options.models().contains(normalizeModel(model))) {
                    sendJson(ex, 404, Map.of("error", "model '" + model + "' not found"));
                    return;
                }
                String prompt = body.path("prompt").asText("");
                boolean raw = body.path("raw").asBoolean(false);
                if (prompt.isEmpty()) { // Ollama loads the model and says so
                    sendJson(ex, 200, chunkBase(model).put("response", "").put("done", true).put("done_reason", "load"));
                    return;
                }
                JsonNode think = body.path("think");
                boolean thinks = canThink(model) && !(think.isBoolean() && !think.asBoolean());
                var tokens = tokenize(answerFor(prompt));
                var thoughts = thinks ? tokenize(thinkingFor(prompt)) : List.<String>of();
                long start = System.nanoTime();
                long loadNanos = loadNanos(model, start);
                sleepMillis(options.firstTokenMillis());
                long evalStart = System.nanoTime();
                int promptTokens = countPromptTokens(List.of(prompt));
                if (!body.path("stream").asBoolean(true)) {
                    sleepMillis((long) ((thoughts.size() + tokens.size()) * millisPerToken()));
                    ObjectNode reply = generateFinal(model, String.join("", tokens).strip(), promptTokens, thoughts.size() + tokens.size(),
                            start, loadNanos, evalStart, raw ? null : context(prompt, thoughts, tokens));
                    if (thinks) reply.put("thinking", String.join("", thoughts).strip());
                    sendJson(ex, 200, reply);
                    return;
                }
                ex.getResponseHeaders().set("Content-Type", "application/x-ndjson");
                ex.sendResponseHeaders(200, 0);
                OutputStream out = ex.getResponseBody();
                for (String thought : thoughts) writeLine(out, chunkBase(model).put("response", "").put("thinking", thought).put("done", false));
                for (String token : tokens) {
                    writeLine(out, chunkBase(model).put("response", token).put("done", false));
                    sleepMillis((long) millisPerToken());
                }
                writeLine(out, generateFinal(model, "", promptTokens, thoughts.size() + tokens.size(), start, loadNanos, evalStart,
                        raw ? null : context(prompt, thoughts, tokens)));
            }
        }

        private ObjectNode generateFinal(String model, String response, int promptTokens, int evalCount, long start, long loadNanos,
                                         long evalStart, List<Integer> context) {
            ObjectNode chat = finalChunk(model, "", promptTokens, evalCount, start, loadNanos, evalStart, "stop");
            chat.remove("message");
            ObjectNode reply = chunkBase(model).put("response", response);
            for (var field : chat.properties()) {
                if (!field.getKey().equals("model") && !field.getKey().equals("created_at")) reply.set(field.getKey(), field.getValue());
            }
            if (context != null) context.forEach(reply.putArray("context")::add);
            return reply;
        }

        /**
         * The deprecated `context` of a generate answer: Ollama tokenizes prompt and answer (thinking
         * included) and sends the token ids, so a client can continue without a chat history. Here
         * an id per simulated token, the same for the same text.
         */
        private static List<Integer> context(String prompt, List<String> thoughts, List<String> tokens) {
            var ids = new ArrayList<Integer>();
            for (var part : List.of(tokenize(prompt), thoughts, tokens)) {
                for (String token : part) ids.add(Math.floorMod(token.hashCode(), 32_000));
            }
            return ids;
        }

        /** POST /api/show: the model's card; capabilities say whether it can think (ShowHandler). */
        private void handleShow(HttpExchange ex) throws IOException {
            try (ex) {
                if (!ex.getRequestMethod().equals("POST")) {
                    sendText(ex, 405, "405 method not allowed");
                    return;
                }
                JsonNode body = JSON.readTree(ex.getRequestBody());
                String name = body.path("model").asText(body.path("name").asText(""));
                if (!options.models().contains(normalizeModel(name))) {
                    sendJson(ex, 404, Map.of("error", "model '" + name + "' not found"));
                    return;
                }
                String family = family(name);
                var capabilities = canThink(name) ? List.of("completion", "thinking") : List.of("completion");
                sendJson(ex, 200, Map.of("modelfile", "# Modelfile generated by the simulator\nFROM " + normalizeModel(name) + "\n",
                        "parameters", "temperature 0.7", "template", "{{ .Prompt }}",
                        "details", details(name), "model_info", modelInfo(name),
                        "capabilities", capabilities, "modified_at", "2026-01-01T00:00:00Z"));
            }
        }

        /** GET /api/ps: the models loaded so far, each kept for 5 minutes (PsHandler). */
        private void handlePs(HttpExchange ex) throws IOException {
            try (ex) {
                var models = loaded.keySet().stream().sorted().map(name -> Map.of("name", normalizeModel(name), "model", normalizeModel(name),
                        "size", 5_500_000_000L, "digest", digest(normalizeModel(name)), "details", details(name),
                        "expires_at", Instant.now().plusSeconds(300).toString(), "size_vram", 0, "context_length", 4096)).toList();
                sendJson(ex, 200, Map.of("models", models));
            }
        }

        /**
         * The GGUF metadata, as ShowHandler lists it (arrays left out unless verbose). A real file has
         * many more keys, all of the architecture's own; these are the ones every file has.
         */
        private static Map<String, Object> modelInfo(String name) {
            String family = family(name);
            String size = parameterSize(name);
            double units = Double.parseDouble(size.substring(0, size.length() - 1)) * (size.endsWith("M") ? 1e6 : 1e9);
            return Map.of("general.architecture", family, "general.file_type", 15, // Q4_K_M
                    "general.parameter_count", (long) units, family + ".context_length", 131072,
                    family + ".block_count", 28, family + ".embedding_length", 1024);
        }

        private static Map<String, Object> details(String name) {
            return Map.of("parent_model", "", "format", "gguf", "family", family(name), "families", List.of(family(name)),
                    "parameter_size", parameterSize(name), "quantization_level", "Q4_K_M");
        }

        private static ObjectNode chunkBase(String model) {
            ObjectNode chunk = JSON.createObjectNode();
            chunk.put("model", model);
            chunk.put("created_at", Instant.now().toString());
            return chunk;
        }

        private double millisPerToken() {
            return options.tokensPerSecond() <= 0 ? 0 : 1000.0 / options.tokensPerSecond();
        }

        private static void writeLine(OutputStream out, JsonNode node) throws IOException {
            out.write(JSON.writeValueAsBytes(node));
            out.write('\n');
            out.flush(); // one chunk on the wire per token, as Ollama does
        }

        /** Plain text, as Ollama's router (gin) answers unknown routes and wrong methods. */
        private static void sendText(HttpExchange ex, int status, String text) throws IOException {
            byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/plain");
            ex.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }

        private void sendJson(HttpExchange ex, int status, Object body) throws IOException {
            byte[] bytes = JSON.writeValueAsBytes(body);
            ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            ex.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }

        /** Simulated model latency: the one place this project sleeps on purpose. */
        private static void sleepMillis(long millis) {
            if (millis <= 0) return;
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
