///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES BenchKit.java
//SOURCES ../chatbot_otel.java
//MAIN exit
//DESCRIPTION Exit time with no collector (and a hanging one), and turn latency with the collector down versus up.

// Two promises, measured. `exit` returns within 2 s even when no collector listens or one hangs
// (the last flush is bounded). And a collector that is down does not slow the chat: turn latency
// with the collector down versus up (ratio goal <= 1.05), turns alternated in blocks.
//
//   jbang bench/exit.java                            5 exits per case, 400 turns per side
//   jbang bench/exit.java --exits 1 --turns 20       a quick check (what CI runs)

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

class exit {
    public static void main(String[] args) throws Exception {
        var o = BenchKit.options(args, Map.of("exits", 5, "turns", 400), "Usage: jbang bench/exit.java [--exits N] [--turns N]");
        int closedPort;
        try (var probe = new ServerSocket(0)) {
            closedPort = probe.getLocalPort();
        }
        try (var hanging = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            var held = new CopyOnWriteArrayList<Socket>();
            var acceptor = new Thread(() -> {
                try {
                    while (true) held.add(hanging.accept()); // accept, read nothing, answer nothing
                } catch (Exception closed) {
                    // the benchmark is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();

            System.out.printf("Exit time after typing `exit` (%d runs each; goal <= 2 s)%n", o.get("exits"));
            System.out.printf("%-28s %10s %10s%n", "collector", "median s", "max s");
            double down = exitRow("not listening", "http://127.0.0.1:" + closedPort, o.get("exits"));
            double hang = exitRow("hanging (accepts, never answers)", "http://127.0.0.1:" + hanging.getLocalPort(), o.get("exits"));
            System.out.printf("exit, collector not listening, median %.3f s   goal <= 2 s: %s%n", down, down <= 2 ? "met" : "NOT met");
            System.out.printf("exit, collector hanging, median %.3f s   goal <= 2 s: %s%n", hang, hang <= 2 ? "met" : "NOT met");
        }
        latencyDownVersusUp(closedPort, o.get("turns"));
    }

    static double exitRow(String label, String endpoint, int runs) throws Exception {
        var times = new ArrayList<Double>();
        for (int i = 0; i < runs; i++) times.add(exitSeconds(endpoint));
        System.out.printf("%-28s %10.3f %10.3f%n", label, BenchKit.median(times), times.stream().max(Double::compare).orElseThrow());
        return BenchKit.median(times);
    }

    /** Starts the REPL, asks one question, waits for the answer, types `exit`: seconds until the process is gone. */
    static double exitSeconds(String otlpEndpoint) throws Exception {
        var builder = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp", System.getProperty("java.class.path"),
                "chatbot_otel", "--simulate").redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("OTEL_EXPORTER_OTLP_ENDPOINT", otlpEndpoint);
        Process process = builder.start();
        var in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        var out = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        out.write("hi\n");
        out.flush();
        for (String line = in.readLine(); line != null && !line.startsWith("Bot: "); line = in.readLine()) { }
        long start = System.nanoTime();
        out.write("exit\n");
        out.flush();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            BenchKit.fail("the chatbot did not exit within 30 s");
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** Same turns, alternated in blocks, with the OTLP endpoint refusing versus accepting. */
    static void latencyDownVersusUp(int closedPort, int turns) {
        try (var sim = ollama_sim.Server.start(ollama_sim.Options.instant())) {
            var sink = BenchKit.sink();
            var down = Map.of("OLLAMA_ENDPOINT", sim.baseUrl(), "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + closedPort);
            var up = Map.of("OLLAMA_ENDPOINT", sim.baseUrl(), "OTEL_EXPORTER_OTLP_ENDPOINT", BenchKit.url(sink));
            BenchKit.load(up, Math.min(turns, 200), 1); // warm-up
            int blocks = Math.max(1, turns / 50);
            List<Double> downMs = new ArrayList<>(), upMs = new ArrayList<>();
            for (int b = 0; b < blocks; b++) {
                // Alternate which side goes first, so that order effects (GC after the previous SDK's
                // shutdown, JIT) do not all land on one side.
                if (b % 2 == 0) {
                    downMs.add(BenchKit.load(down, turns / blocks, 1).meanLatencyMillis());
                    upMs.add(BenchKit.load(up, turns / blocks, 1).meanLatencyMillis());
                } else {
                    upMs.add(BenchKit.load(up, turns / blocks, 1).meanLatencyMillis());
                    downMs.add(BenchKit.load(down, turns / blocks, 1).meanLatencyMillis());
                }
            }
            double ratio = BenchKit.median(downMs) / BenchKit.median(upMs);
            System.out.printf("%nTurn latency, one turn at a time (%d turns per side, in %d blocks)%n", turns, blocks);
            System.out.printf("%-28s %10.3f ms%n", "collector up", BenchKit.median(upMs));
            System.out.printf("%-28s %10.3f ms%n", "collector down", BenchKit.median(downMs));
            System.out.printf("ratio down/up %.3f   goal <= 1.05: %s%n", ratio, ratio <= 1.05 ? "met" : "NOT met");
            sink.stop(0);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
