// chatbot_settings.java: the chatbot's settings, read once at start-up from the environment and the
// command line. A companion of chatbot_otel.java (built with the others by chatbot_companions.java):
// no OpenTelemetry here.
// A bad value stops the program before the first prompt with one line naming the variable, the
// value and what is allowed (exit status 2). Nothing outside this file reads System.getenv.

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

/** A problem found while starting (a port in use): reported as one line, exit status 1. */
final class StartupException extends RuntimeException {
    StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}

/** The in-process Ollama simulator behind --simulate; a no-op holder otherwise. */
record Simulator(ollama_sim.Server server) implements AutoCloseable {
    static final int PORT = 11435; // next to Ollama's 11434
    static Simulator startIf(boolean wanted) {
        if (!wanted) return new Simulator(null);
        try {
            // One port for every run, so server.port and the metric series it labels stay the same;
            // any free port when another program has it.
            return new Simulator(ollama_sim.Server.start(ollama_sim.Options.defaults().withPort(PORT)));
        } catch (IOException busy) {
            try {
                return new Simulator(ollama_sim.Server.start(ollama_sim.Options.defaults().withPort(0)));
            } catch (IOException e) {
                throw new StartupException("could not start the Ollama simulator: " + e.getMessage(), e);
            }
        }
    }

    /** The settings, with Ollama where the simulator listens when one runs. */
    Settings pointAt(Settings settings) {
        return server == null ? settings : settings.withOllamaEndpoint(URI.create(server.baseUrl()));
    }

    @Override
    public void close() {
        if (server != null) server.close();
    }
}


/** Every setting, in four groups: the telemetry, Ollama, the chat, and how this run goes. */
record Settings(OtelSettings otel, OllamaSettings ollama, ChatSettings chat, RunSettings run, List<String> warnings) {

        static final String DEFAULT_MODEL = "llama3.1:8b";
    static final double DEFAULT_TEMPERATURE = 0.7;

    static final String USAGE = """
            Usage: jbang chatbot_otel.java [options]

            Options:
              --simulate           chat with the built-in Ollama simulator (no Ollama needed)
              --prompt TEXT        answer one prompt, print the answer and exit
              --model NAME         Ollama model (default: OLLAMA_MODEL or llama3.1:8b)
              --temperature X      sampling temperature, 0 to 2 (default 0.7)
              --max-tokens N       cap the answer length (Ollama's num_predict)
              --think, --no-think  ask a thinking model to think first, or not (default: as Ollama decides)
              --load N             load mode: N one-turn requests, then a table of throughput and latency
              --concurrency C      load mode: requests in flight at once (default 4)
              --prompts FILE       load mode: one prompt per line (default: eight built-in prompts)
              --help               this text

            Settings (environment):
              OTEL_SERVICE_NAME                     service name (llm-chatbot-otel)
              OTEL_RESOURCE_ATTRIBUTES              k=v,k=v merged into the resource
              OTEL_EXPORTER_OTLP_ENDPOINT           collector URL (http://localhost:4318; 4317 for grpc)
              OTEL_EXPORTER_OTLP_PROTOCOL           http/protobuf (default) or grpc
              OTEL_EXPORTER_OTLP_HEADERS            k=v,k=v sent with every export (API keys)
              OTEL_EXPORTER_OTLP_COMPRESSION        gzip or none; also _TIMEOUT (ms), _CERTIFICATE, _CLIENT_KEY,
                                                    _CLIENT_CERTIFICATE (PEM files), and per signal:
                                                    OTEL_EXPORTER_OTLP_{TRACES,METRICS,LOGS}_ENDPOINT (full URL), ...
              OTEL_TRACES_EXPORTER, OTEL_LOGS_EXPORTER   otlp (default), console, none
              OTEL_METRICS_EXPORTER                 otlp (default), console, prometheus, none
              OTEL_EXPORTER_PROMETHEUS_HOST, _PORT  where 'prometheus' serves /metrics (127.0.0.1, 9464)
              OTEL_METRIC_EXPORT_INTERVAL           metric push interval in ms (10000)
              OTEL_TRACES_SAMPLER, OTEL_TRACES_SAMPLER_ARG   parentbased_always_on (default), traceidratio, ...
              OTEL_PROPAGATORS                      tracecontext,baggage (default), or none
              OTEL_BSP_*, OTEL_BLRP_*, OTEL_*_LIMIT and the rest of the specification's: see TELEMETRY.md
              OTEL_SDK_DISABLED                     true: no telemetry, the chat still works
              OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT   false: keep prompts and answers out of telemetry
              OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT     longer attribute values are truncated (8192)
              OTEL_SEMCONV_STABILITY_OPT_IN         gen_ai_latest_experimental: the newest GenAI conventions;
                                                    http: stable HTTP names only (comma-separated)
              OLLAMA_ENDPOINT                       Ollama URL (http://localhost:11434; OLLAMA_HOST is honoured)
              OLLAMA_MODEL                          model name (llama3.1:8b)
              CHAT_HISTORY_TURNS                    past turns sent with each prompt; older ones are dropped (20)
              CHAT_THINK                            true or false: Ollama's think field (unset: as Ollama decides)
              CHAT_HISTORY_FILE                     where the terminal keeps past prompts (~/.cache/llm-chatbot-otel/history;
                                                    none: nowhere)
              OLLAMA_CONNECT_TIMEOUT                seconds to connect to Ollama (5)
              OLLAMA_FIRST_TOKEN_TIMEOUT            seconds to wait for the first token (120: cold model loads are slow)
              OLLAMA_CHUNK_TIMEOUT                  seconds to wait between two chunks of an answer (30)
              OLLAMA_REQUEST_TIMEOUT                seconds a whole answer may take (600)
              LOG_LEVEL                             DEBUG, INFO (default), WARN, ERROR
              JAEGER_UI                             base URL for /trace links (http://localhost:16686)
            """;

    static Settings parse(String[] args, Map<String, String> environment) {
        var env = new Env(environment);
        var flags = Flags.parse(args);
        return new Settings(OtelSettings.read(env), OllamaSettings.read(env),
                ChatSettings.read(env, flags),
                new RunSettings(flags.simulate(), flags.prompt(), flags.load(), flags.help(), RunSettings.historyFile(env)),
                List.copyOf(env.warnings()));
    }

    /** Where each signal goes, one line each (shown by --help and the banner). */
    String telemetryDestinations() {
        if (otel.sdkDisabled()) return "Telemetry is off (OTEL_SDK_DISABLED=true).\n";
        var text = new StringBuilder("Telemetry for service ").append(otel.serviceName()).append(":\n");
        otel.destinations().forEach((signal, where) -> text.append(String.format("  %-8s %s%n", signal, where)));
        return text.toString();
    }

    /** What the REPL says at start: the model, where Ollama is, and where the telemetry goes. */
    String banner(String model) {
        var text = new StringBuilder(String.format("LLM chatbot with OpenTelemetry %s: model %s at %s%s%n", OtelSettings.SERVICE_VERSION,
                Messages.oneLine(model, 100), Messages.redact(ollama.endpoint()), run.simulate() ? " (simulated)" : ""));
        text.append(telemetryDestinations());
        if (!otel.sdkDisabled()) {
            if (otel.captureContent()) {
                text.append("Prompts and answers are recorded in spans; set "
                        + "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=false to keep them out.\n");
            }
        }
        return text.append("Type /help for commands, exit to leave.\n").toString();
    }

    /** The same settings with Ollama elsewhere: where the simulator listens, when one runs. */
    Settings withOllamaEndpoint(URI endpoint) {
        return new Settings(otel, new OllamaSettings(endpoint, ollama.timeouts()), chat, run, warnings);
    }
}

/** Where Ollama is and how long to wait for it. */
record OllamaSettings(URI endpoint, Timeouts timeouts) {
    static OllamaSettings read(Env env) {
        return new OllamaSettings(endpoint(env), new Timeouts(env.seconds("OLLAMA_CONNECT_TIMEOUT", 5),
                env.seconds("OLLAMA_FIRST_TOKEN_TIMEOUT", 120), env.seconds("OLLAMA_CHUNK_TIMEOUT", 30),
                env.seconds("OLLAMA_REQUEST_TIMEOUT", Timeouts.DEFAULT_REQUEST.toSeconds())));
    }

    /** OLLAMA_ENDPOINT, else Ollama's own OLLAMA_HOST rules: scheme optional, bare host gets 11434. */
    private static URI endpoint(Env env) {
        if (env.text("OLLAMA_ENDPOINT", null) != null) return env.url("OLLAMA_ENDPOINT", null);
        String host = env.text("OLLAMA_HOST", null);
        if (host == null) return URI.create("http://localhost:11434");
        // Ollama's own forms: host, host:port, :port (this machine), each with or without a scheme.
        if (host.startsWith(":")) host = "127.0.0.1" + host;
        host = host.replace("://:", "://127.0.0.1:");
        String url = host.contains("://") ? host : "http://" + host;
        URI uri = Env.parseHttpUrl("OLLAMA_HOST", host, url);
        if (!host.contains("://") && uri.getPort() == -1) uri = URI.create(url + ":11434");
        if (uri.getHost().equals("0.0.0.0")) uri = URI.create(uri.toString().replace("0.0.0.0", "127.0.0.1"));
        return uri;
    }
}

/**
 * The model and how it samples, how many past turns are sent along, and whether a model that can think
 * should (null: as Ollama decides, which is yes for models that can); flags win over the environment.
 */
record ChatSettings(String model, double temperature, Integer maxTokens, int historyTurns, Boolean think) {
    static final int MAX_MODEL_NAME = OllamaClient.MAX_MODEL_NAME;

    ChatSettings(String model, double temperature, Integer maxTokens) {
        this(model, temperature, maxTokens, 20, null);
    }

    static ChatSettings read(Env env, Flags flags) {
        String model = flags.model() != null ? flags.model() : env.text("OLLAMA_MODEL", Settings.DEFAULT_MODEL);
        String problem = modelNameProblem(model);
        if (problem != null) throw new SettingsException((flags.model() != null ? "--model" : "OLLAMA_MODEL") + " is not valid: " + problem);
        return new ChatSettings(model, flags.temperature() != null ? flags.temperature() : Settings.DEFAULT_TEMPERATURE,
                flags.maxTokens(), env.whole("CHAT_HISTORY_TURNS", 20, 0, 10_000),
                flags.think() != null ? flags.think() : env.optionalBool("CHAT_THINK"));
    }

    /** Why a model name cannot be used (it becomes a metric label), or null when it can. */
    static String modelNameProblem(String model) {
        if (model.length() > MAX_MODEL_NAME) return "a model name has at most " + MAX_MODEL_NAME + " characters";
        if (model.isBlank() || !model.equals(Messages.oneLine(model, MAX_MODEL_NAME))) return "a model name has no control characters";
        return null;
    }
}

/** How this run goes: simulated or not, one prompt, load mode, or just --help; where the prompt history is kept (null: nowhere). */
record RunSettings(boolean simulate, String prompt, Load load, boolean help, java.nio.file.Path historyFile) {
    RunSettings(boolean simulate, String prompt, Load load, boolean help) {
        this(simulate, prompt, load, help, null);
    }

    /** CHAT_HISTORY_FILE, or ~/.cache/llm-chatbot-otel/history ($XDG_CACHE_HOME honoured); none turns it off. */
    static java.nio.file.Path historyFile(Env env) {
        String cache = env.text("XDG_CACHE_HOME", env.text("HOME", null) == null ? null : env.text("HOME", null) + "/.cache");
        String file = env.text("CHAT_HISTORY_FILE", cache == null ? "none" : cache + "/llm-chatbot-otel/history");
        if (file.equalsIgnoreCase("none")) return null;
        try {
            return java.nio.file.Path.of(file);
        } catch (java.nio.file.InvalidPathException e) {
            throw env.invalid("CHAT_HISTORY_FILE", "use a file path, or none");
        }
    }
}

/** Load mode: N independent one-turn requests, C at a time, prompts taken round-robin. */
record Load(int requests, int concurrency, List<String> prompts) {
    static final List<String> BUILT_IN = List.of(
            "What is OpenTelemetry?", "Explain a span in one sentence.", "Why do histograms beat averages for latency?",
            "What does a trace id identify?", "Name three signals of observability.", "What is a semantic convention?",
            "How should an LLM call be sampled?", "What is time to first token?");

    /** One prompt per non-blank line of the file, or the built-in ones. */
    static List<String> prompts(String file) {
        if (file == null) return BUILT_IN;
        try {
            var lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of(file), StandardCharsets.UTF_8).stream()
                    .map(String::strip).filter(l -> !l.isEmpty()).toList();
            if (lines.isEmpty()) throw new SettingsException("--prompts=" + Env.shown(file) + " is not valid: the file has no prompt in it");
            return lines;
        } catch (IOException | java.io.UncheckedIOException | java.nio.file.InvalidPathException e) {
            throw new SettingsException("--prompts=" + Env.shown(file) + " is not valid: cannot read it (" + Messages.oneLine(Messages.rootMessage(e), 120) + ")");
        }
    }
}

/** Command-line flags; they win over the environment. */
record Flags(boolean simulate, String prompt, String model, Double temperature, Integer maxTokens, Boolean think,
             boolean help, Load load) {
    static Flags parse(String[] args) {
        boolean simulate = false, help = false;
        String prompt = null, model = null, promptsFile = null;
        Double temperature = null;
        Integer maxTokens = null, loadRequests = null, concurrency = null;
        Boolean think = null;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            switch (flag) {
                case "--simulate" -> simulate = true;
                case "--help", "-h" -> help = true;
                case "--prompt" -> prompt = value(args, ++i, flag);
                case "--model" -> model = value(args, ++i, flag);
                case "--temperature" -> temperature = number(flag, value(args, ++i, flag), 0, 2, "use a number from 0 to 2");
                case "--max-tokens" -> maxTokens = whole(flag, value(args, ++i, flag), 1, Integer.MAX_VALUE);
                case "--think" -> think = true;
                case "--no-think" -> think = false;
                case "--load" -> loadRequests = whole(flag, value(args, ++i, flag), 1, 1_000_000);
                case "--concurrency" -> concurrency = whole(flag, value(args, ++i, flag), 1, 1024);
                case "--prompts" -> promptsFile = value(args, ++i, flag);
                default -> throw new SettingsException("unknown option " + flag + " (see --help)");
            }
        }
        if (prompt != null && prompt.isBlank()) throw new SettingsException("--prompt needs a non-empty text");
        if (model != null && model.isBlank()) throw new SettingsException("--model needs a non-empty name");
        if (loadRequests == null && (concurrency != null || promptsFile != null)) {
            throw new SettingsException("--concurrency and --prompts go with --load N");
        }
        if (loadRequests != null && prompt != null) throw new SettingsException("--load and --prompt do not go together");
        Load load = loadRequests == null ? null
                : new Load(loadRequests, concurrency == null ? 4 : concurrency, Load.prompts(promptsFile));
        return new Flags(simulate, prompt, model, temperature, maxTokens, think, help, load);
    }

    private static double number(String flag, String text, double min, double max, String allowed) {
        return Env.parseNumber(text, min, max, false).orElseThrow(
                () -> new SettingsException(flag + "=" + Env.shown(text) + " is not valid: " + allowed));
    }

    private static int whole(String flag, String text, int min, int max) {
        return (int) Env.parseNumber(text, min, max, true).orElseThrow(() -> new SettingsException(flag + "=" + Env.shown(text)
                + " is not valid: " + (max == Integer.MAX_VALUE ? "use a whole number above " + (min - 1) : "use a whole number from " + min + " to " + max)));
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) throw new SettingsException(flag + " needs a value (see --help)");
        return args[i];
    }
}
