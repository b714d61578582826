///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS org.openjdk.jmh:jmh-core:1.37
//DEPS org.openjdk.jmh:jmh-generator-annprocess:1.37
//SOURCES ../chatbot_otel.java
//SOURCES TurnFixture.java
//SOURCES BenchKit.java
//MAIN bench.telemetry_jmh
//DESCRIPTION JMH: the per-turn cost of the telemetry alone (span tree, metrics, log record), in microseconds and bytes.

// The cost of the telemetry alone: one chat turn of the real TracedChat against a canned Ollama
// answer (the NDJSON a model streams, from memory), with the SDK from the chatbot's own
// Telemetry.setup (batch processors, periodic reader, OTLP export to a sink in another process)
// versus OTEL_SDK_DISABLED=true. The difference is what the telemetry costs one turn: time (JMH
// average) and bytes allocated in this JVM, export included (JMH's gc profiler). The turn itself is in
// TurnFixture.java.
//
//   jbang bench/telemetry_jmh.java              1 fork, 3 x 1 s warm-up, 5 x 1 s measurement
//   jbang bench/telemetry_jmh.java --quick      in-process, 1 short iteration (what CI runs)

package bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class telemetry_jmh {
    @Param({"sdk", "noop"})
    public String telemetry;

    private Supplier<Object> turn;

    @Setup
    @SuppressWarnings("unchecked")
    public void setUp() throws ReflectiveOperationException {
        // Java cannot name a default-package class from a package: load the fixture once, by name.
        turn = (Supplier<Object>) Class.forName("TurnFixture").getConstructor(Boolean.class).newInstance(telemetry.equals("sdk"));
    }

    @TearDown
    public void tearDown() throws Exception {
        ((AutoCloseable) turn).close();
    }

    @Benchmark
    public Object turn() {
        return turn.get();
    }

    public static void main(String[] args) throws Exception {
        boolean quick = List.of(args).contains("--quick");
        if (args.length > (quick ? 1 : 0)) {
            System.err.println("bench: usage: jbang bench/telemetry_jmh.java [--quick]");
            System.exit(2);
        }
        var options = new OptionsBuilder().include(telemetry_jmh.class.getName() + ".turn").addProfiler("gc")
                .forks(quick ? 0 : 1).warmupIterations(quick ? 0 : 3).measurementIterations(quick ? 1 : 5)
                .warmupTime(TimeValue.seconds(1)).measurementTime(quick ? TimeValue.milliseconds(300) : TimeValue.seconds(1))
                .shouldFailOnError(true).build();
        var results = new HashMap<String, RunResult>();
        for (RunResult r : new Runner(options).run()) results.put(r.getParams().getParam("telemetry"), r);
        double sdkMicros = results.get("sdk").getPrimaryResult().getScore();
        double noopMicros = results.get("noop").getPrimaryResult().getScore();
        double sdkBytes = results.get("sdk").getSecondaryResults().get("gc.alloc.rate.norm").getScore();
        double noopBytes = results.get("noop").getSecondaryResults().get("gc.alloc.rate.norm").getScore();
        System.out.printf("%nPer-turn cost of the telemetry (one chat turn: 5 spans, 9 instruments, 1 log record)%n");
        System.out.printf("%-30s %12s %14s%n", "", "us / turn", "bytes / turn");
        System.out.printf("%-30s %12.1f %14.0f%n", "turn with the SDK", sdkMicros, sdkBytes);
        System.out.printf("%-30s %12.1f %14.0f%n", "turn with OpenTelemetry.noop()", noopMicros, noopBytes);
        System.out.printf("%-30s %12.1f %14.0f%n", "telemetry alone (difference)", sdkMicros - noopMicros, sdkBytes - noopBytes);
    }
}
