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

    /** A process of its own, stopped on close, and where it listens. */
    record Server(Process process, String url) implements AutoCloseable {
        /** CPU time the process has used so far, all its threads, in microseconds. */
        long cpuMicros() {
            return cpuMicros(process.toHandle());
        }

        static long cpuMicros(ProcessHandle handle) {
            return handle.info().totalCpuDuration().map(d -> d.toNanos() / 1000).orElse(0L);
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    /** The Ollama simulator in its own JVM, answering at once (no first-token delay, no token pacing). */
    static Server simulatorProcess() throws IOException {
        return process("ollama_sim", "--first-token-ms", "0", "--tokens-per-second", "0");
    }

    /** The OTLP sink (answers 200, keeps nothing) in its own JVM, so "telemetry on" pays for real export. */
    static Server sinkProcess() throws IOException {
        return process("BenchSink");
    }

    /** A main class of this benchmark's classpath in a JVM of its own, on a free port; ready when it says "listening". */
    private static Server process(String mainClass, String... args) throws IOException {
        int port;
        try (var probe = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        var command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), mainClass, "--port", String.valueOf(port)));
        command.addAll(List.of(args));
        var process = new ProcessBuilder(command).redirectErrorStream(true).start();
        var out = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream()));
        String line = out.readLine();
        if (line == null || !line.contains("listening")) {
            process.destroyForcibly();
            fail(mainClass + " did not start: " + line);
        }
        var drain = new Thread(() -> {
            try {
                out.transferTo(java.io.Writer.nullWriter());
            } catch (IOException ignored) {
                // the simulator stopped
            }
        }, "simulator-output");
        drain.setDaemon(true);
        drain.start();
        return new Server(process, "http://127.0.0.1:" + port);
    }

    /** The machine and the JVM the figures come from: every script prints them above its table. */
    static void machine() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long memory = os instanceof com.sun.management.OperatingSystemMXBean bean ? bean.getTotalMemorySize() >> 30 : -1;
        System.out.printf("Machine: %d cores, %d GiB, %s %s; JVM: %s %s%n", Runtime.getRuntime().availableProcessors(), memory,
                System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("java.vm.name"),
                System.getProperty("java.version"));
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
            return new LoadMode(settings, chat, telemetry::flushAndCountSpans).measure();
        }
    }
}

/** The OTLP sink as a program: `BenchSink --port N`, for benchmarks that keep it out of the measured JVM. */
final class BenchSink {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[1]);
        var server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 100);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.start();
        System.out.println("OTLP sink listening on http://127.0.0.1:" + port);
    }
}
