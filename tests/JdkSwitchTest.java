// Attendees switch JDKs (sdkman, IDEs, JAVA_HOME). The chatbot's //CDS archive fits only the JVM that
// recorded it, so a switch used to greet every run with two [cds] lines. Here the chatbot runs
// through ./jbang on one JDK, then another, then back, with one JBang cache: nothing about class
// data sharing may reach the user, and ./jbang keeps one archive per JDK. Then an archive from the
// other JDK is handed over on purpose, as an installed `jbang` would do: still silent.
// Needs two JDKs of different versions; CI has 17 and 25.

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class JdkSwitchTest {

    record Jdk(String major, Path home) {}

    @Test
    void switchingJdksPrintsNothingAboutClassDataSharing() throws Exception {
        var jdks = twoJdks();
        Path cache = Files.createTempDirectory("jbang-cache");
        try {
            for (Jdk jdk : List.of(jdks.get(0), jdks.get(1), jdks.get(0), jdks.get(1))) runHelp(jdk, cache);
            var archives = archives(cache);
            assertEquals(2, archives.size(), "one archive per JDK: " + archives);

            // An installed jbang hands the one archive it keeps to whatever JDK runs next.
            Files.copy(archives.get(0), archives.get(1), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            for (Jdk jdk : jdks) runHelp(jdk, cache);
        } finally {
            Harness.deleteTree(cache);
        }
    }

    private static void runHelp(Jdk jdk, Path cache) throws Exception {
        var builder = new ProcessBuilder(Harness.ROOT.resolve("jbang").toString(), "chatbot_otel.java", "--help")
                .directory(Harness.ROOT.toFile());
        builder.environment().put("JAVA_HOME", jdk.home().toString());
        builder.environment().put("JBANG_CACHE_DIR", cache.toString());
        builder.environment().put("JBANG_WRAPPER_NO_INSTALLED", "1"); // the wrapper, even where jbang is installed
        var process = builder.start();
        var stderr = new java.util.concurrent.CompletableFuture<String>();
        new Thread(() -> stderr.complete(read(process.getErrorStream()))).start();
        String stdout = read(process.getInputStream());
        if (!process.waitFor(180, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("./jbang on Java " + jdk.major() + " did not finish");
        }
        String err = stderr.get(10, TimeUnit.SECONDS);
        assertEquals(0, process.exitValue(), "Java " + jdk.major() + ":\n" + err);
        assertTrue(stdout.startsWith("Usage: jbang chatbot_otel.java"), stdout);
        var noise = err.lines().filter(l -> !l.startsWith("[jbang] ")).toList();
        assertEquals(List.of(), noise, "Java " + jdk.major() + " printed more than JBang's own build lines");
        assertFalse(err.toLowerCase(java.util.Locale.ROOT).contains("shared archive"), err);
    }

    private static List<Path> archives(Path cache) throws IOException {
        try (var files = Files.walk(cache)) {
            return files.filter(p -> p.getFileName().toString().matches("chatbot_otel-\\d+\\.jsa")).sorted().toList();
        }
    }

    /** This test's JDK and another of a different major version, from the JDKs installed beside it. */
    private static List<Jdk> twoJdks() throws IOException {
        Path current = Path.of(ProcessHandle.current().info().command().orElseThrow()).toRealPath().getParent().getParent();
        var byMajor = new LinkedHashMap<String, Path>();
        byMajor.put(major(current), current);
        var roots = new ArrayList<Path>(List.of(current.getParent()));
        roots.add(Path.of("/usr/lib/jvm"));
        for (Path root : roots) {
            if (!Files.isDirectory(root)) continue;
            try (Stream<Path> homes = Files.list(root)) {
                for (Path home : homes.filter(h -> Files.isExecutable(h.resolve("bin/java"))).toList()) {
                    byMajor.putIfAbsent(major(home.toRealPath()), home.toRealPath());
                }
            }
        }
        if (byMajor.size() < 2) {
            if ("true".equals(System.getenv("CI"))) fail("CI runs on two JDKs and must find both: " + byMajor);
            Assumptions.abort("only one JDK installed (" + byMajor.keySet() + "): nothing to switch between");
        }
        var jdks = byMajor.entrySet().stream().map(e -> new Jdk(e.getKey(), e.getValue())).toList();
        return List.of(jdks.get(0), jdks.get(1));
    }

    private static String major(Path home) {
        try {
            for (String line : Files.readAllLines(home.resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=")) return line.replaceAll("[^0-9.]", "").split("\\.")[0];
            }
        } catch (IOException e) {
            // a JDK without a release file: keyed by its path
        }
        return home.toString();
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
