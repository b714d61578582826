///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../chatbot_otel.java
//SOURCES BenchKit.java
//MAIN overhead
//DESCRIPTION Instrumentation overhead: the same load with telemetry on and with OTEL_SDK_DISABLED=true, alternated.

// What does the telemetry cost a chatbot under load? The same load (the chatbot's --load mode, in
// this JVM) against the simulator with no delay, once with the full SDK exporting over OTLP to a sink
// and once with OTEL_SDK_DISABLED=true, alternated round by round so that warm-up and machine noise hit
// both alike. The simulator and the sink run in processes of their own, as Ollama and a collector do:
// their work is not in the measured JVM, though they share the machine's cores.
// Goal: throughput ratio on/off >= 0.97.
//
//   jbang bench/overhead.java                                  2000 requests x 5 rounds, concurrency 8
//   jbang bench/overhead.java --requests 50 --rounds 1         a quick check (what CI runs)
//   jbang bench/overhead.java --warmup 12                      a longer warm-up (pairs of on and off loads), to
//                                                              see what is left once the JIT is done

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

class overhead {
    public static void main(String[] args) throws Exception {
        var o = BenchKit.options(args, Map.of("requests", 2000, "concurrency", 8, "rounds", 5, "warmup", 3),
                "Usage: jbang bench/overhead.java [--requests N] [--concurrency C] [--rounds R] [--warmup W]");
        int requests = o.get("requests"), concurrency = o.get("concurrency"), rounds = o.get("rounds"), warmup = o.get("warmup");
        try (var sim = BenchKit.simulatorProcess(); var sink = BenchKit.sinkProcess()) {
            Map<String, String> on = Map.of("OLLAMA_ENDPOINT", sim.url(), "OTEL_EXPORTER_OTLP_ENDPOINT", sink.url());
            Map<String, String> off = Map.of("OLLAMA_ENDPOINT", sim.url(), "OTEL_SDK_DISABLED", "true");
            // Warm-up, not counted: the JIT needs some 10,000 turns before rounds are steady; with less,
            // throughput still climbs round by round and the drift reads as (false) overhead. (Its C2
            // compilations take more CPU time than the load itself in the first seconds: -XX:+CITime.)
            for (int i = 0; i < warmup; i++) {
                BenchKit.load(on, requests, concurrency);
                BenchKit.load(off, requests, concurrency);
            }

            BenchKit.machine();
            System.out.printf("Instrumentation overhead: %d requests x %d rounds, concurrency %d, simulator with no delay and OTLP sink in processes of their own%n",
                    requests, rounds, concurrency);
            System.out.printf("%-6s %-10s %12s %9s %8s %8s %14s%n", "round", "telemetry", "requests/s", "mean ms", "p50 ms", "p99 ms", "spans dropped");
            List<Double> ratios = new ArrayList<>(), extraMicros = new ArrayList<>();
            var cpuOn = new ArrayList<Cpu>();
            var cpuOff = new ArrayList<Cpu>();
            for (int round = 1; round <= rounds; round++) {
                boolean onFirst = round % 2 == 1;
                var before = Cpu.now(sim, sink);
                var first = BenchKit.load(onFirst ? on : off, requests, concurrency);
                var middle = Cpu.now(sim, sink);
                var second = BenchKit.load(onFirst ? off : on, requests, concurrency);
                var after = Cpu.now(sim, sink);
                (onFirst ? cpuOn : cpuOff).add(middle.minus(before).perTurn(requests));
                (onFirst ? cpuOff : cpuOn).add(after.minus(middle).perTurn(requests));
                var withTelemetry = onFirst ? first : second;
                var without = onFirst ? second : first;
                row(round, "on", withTelemetry);
                row(round, "off", without);
                // Paired by round: the JIT and the machine drift between rounds, much less within one.
                ratios.add(withTelemetry.throughput() / without.throughput());
                extraMicros.add((withTelemetry.meanLatencyMillis() - without.meanLatencyMillis()) * 1000);
            }
            double ratio = BenchKit.median(ratios);
            System.out.printf("throughput ratio on/off (median of the rounds' ratios; min %.3f, max %.3f)   %.3f   goal >= 0.97: %s%n",
                    ratios.stream().min(Double::compare).orElseThrow(), ratios.stream().max(Double::compare).orElseThrow(),
                    ratio, ratio >= 0.97 ? "met" : "NOT met");
            System.out.printf("per-turn overhead (mean latency on - off, median)        %+.0f us%n", BenchKit.median(extraMicros));
            // Where the throughput goes: on saturated cores, requests/s is about cores / (CPU per turn
            // of every process), so the ratio can be no better than the CPU per turn off / on.
            System.out.printf("%nCPU per turn, microseconds, median of the rounds (all threads of each process)%n");
            System.out.printf("%-10s %10s %10s %10s %10s%n", "telemetry", "chatbot", "simulator", "OTLP sink", "all");
            Cpu on1 = Cpu.median(cpuOn), off1 = Cpu.median(cpuOff);
            cpuRow("on", on1);
            cpuRow("off", off1);
            System.out.printf("CPU off / on (the bound on the throughput ratio)        %.3f%n", off1.all() / on1.all());
        }
    }

    /** CPU time used so far by the chatbot (this JVM), the simulator and the sink, in microseconds. */
    record Cpu(double chatbot, double simulator, double sink) {
        static Cpu now(BenchKit.Server sim, BenchKit.Server sink) {
            return new Cpu(BenchKit.Server.cpuMicros(ProcessHandle.current()), sim.cpuMicros(), sink.cpuMicros());
        }

        Cpu minus(Cpu earlier) {
            return new Cpu(chatbot - earlier.chatbot, simulator - earlier.simulator, sink - earlier.sink);
        }

        Cpu perTurn(int turns) {
            return new Cpu(chatbot / turns, simulator / turns, sink / turns);
        }

        double all() {
            return chatbot + simulator + sink;
        }

        static Cpu median(List<Cpu> rounds) {
            return new Cpu(BenchKit.median(rounds.stream().map(Cpu::chatbot).toList()),
                    BenchKit.median(rounds.stream().map(Cpu::simulator).toList()),
                    BenchKit.median(rounds.stream().map(Cpu::sink).toList()));
        }
    }

    static void cpuRow(String mode, Cpu c) {
        System.out.printf("%-10s %10.0f %10.0f %10.0f %10.0f%n", mode, c.chatbot(), c.simulator(), c.sink(), c.all());
    }

    static void row(int round, String mode, LoadReport r) {
        System.out.printf("%-6d %-10s %12.1f %9.2f %8.2f %8.2f %14d%n", round, mode, r.throughput(), r.meanLatencyMillis(),
                r.latencyMillis(0.5), r.latencyMillis(0.99), Math.max(0, r.spansEnded() - r.spansExported()));
    }
}
