// BenchKit: what the benchmark scripts share. Options parsing, an OTLP sink that accepts and drops
// everything (so "telemetry on" pays for real export, without a collector), the repository root,
// a median, and one load run of the chatbot's own code, in-process.

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

final class BenchKit {
    static {
        System.setProperty("sun.net.httpserver.nodelay", "true"); // see ollama_sim: no 40 ms Nagle stalls
    }

    private BenchKit() {
    }

    /** --name value options over defaults; an unknown option or a bad number is one line and exit 2. */
    static Map<String, Integer> options(String[] args, Map<String, Integer> defaults, String usage) {
        var values = new HashMap<>(defaults);
        for (int i = 0; i < args.length; i++) {
            String name = args[i].replaceFirst("^--", "");
            if (args[i].equals("--help")) {
                System.out.println(usage);
                System.exit(0);
            }
            if (!args[i].startsWith("--") || !defaults.containsKey(name) || i + 1 >= args.length) fail("unknown option " + args[i] + "\n" + usage);
            try {
                int n = Integer.parseInt(args[++i]);
                if (n < 1) throw new NumberFormatException();
                values.put(name, n);
            } catch (NumberFormatException e) {
                fail("--" + name + "=" + args[i] + " is not valid: use a whole number above 0");
            }
        }
        return values;
    }

    static void fail(String message) {
        System.err.println("bench: " + message);
        System.exit(2);
    }

    /** An OTLP/HTTP endpoint that answers 200 to everything and keeps nothing. */
    static HttpServer sink() {
        try {
            var server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
            server.createContext("/", exchange -> {
                exchange.getRequestBody().readAllBytes();
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            server.setExecutor(Executors.newCachedThreadPool(r -> {
                var t = new Thread(r, "otlp-sink");
                t.setDaemon(true);
                return t;
            }));
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String url(HttpServer server) {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The repository root: the folder holding jbang-catalog.json, from the working directory up. */
    static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("jbang-catalog.json"))) dir = dir.getParent();
        if (dir == null) fail("run the benchmarks from inside the repository");
        return dir;
    }

    static double median(List<Double> values) {
        var sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    /** One load run of the chatbot's own code (settings, SDK, client, traced chat), in this JVM. */
    static LoadReport load(Map<String, String> env, int requests, int concurrency) {
        var settings = Settings.parse(new String[] {"--load", String.valueOf(requests),
                "--concurrency", String.valueOf(concurrency)}, env);
        try (var telemetry = chatbot_otel.Telemetry.setup(settings, QUIET)) {
            var client = new OllamaClient(settings.ollama().endpoint(), settings.ollama().timeouts());
            var chat = new chatbot_otel.TracedChat(telemetry.openTelemetry(), client, settings, QUIET);
            return new LoadMode(settings, chat, telemetry).measure();
        }
    }
}
