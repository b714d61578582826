// A real terminal for tests: the chatbot runs in a tmux pane (a pseudo-terminal), keys are typed with
// send-keys and the screen is read with capture-pane. Every wait is for something on the screen, bounded
// in time; the tmux server is private to the test (its own socket) and killed at the end.

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

final class Tmux implements AutoCloseable {
    private final String socket = "chatbot-test-" + UUID.randomUUID().toString().substring(0, 8);

    /** Starts the chatbot (the classes of this test run) in a 100x40 pane; the shell says EXIT=<status> when it ends. */
    static Tmux chatbot(Map<String, String> env, String... args) {
        var tmux = new Tmux();
        var command = new StringBuilder("env");
        env.forEach((name, value) -> command.append(' ').append(name).append('=').append(quote(value)));
        command.append(' ').append(quote(ProcessHandle.current().info().command().orElse("java")))
                .append(" --enable-native-access=ALL-UNNAMED") // as chatbot_otel.java's //RUNTIME_OPTIONS say
                .append(" -cp ").append(quote(System.getProperty("java.class.path"))).append(" chatbot_otel");
        for (String arg : args) command.append(' ').append(quote(arg));
        command.append("; echo EXIT=$?; sleep 60");
        tmux.run("new-session", "-d", "-s", "chat", "-x", "100", "-y", "40", command.toString());
        return tmux;
    }

    private static String quote(String text) {
        return "'" + text.replace("'", "'\\''") + "'";
    }

    /** Keys as tmux names them: text, or Enter, Up, Left, Tab, C-c, C-d. */
    void send(String... keys) {
        var command = new ArrayList<>(List.of("send-keys", "-t", "chat"));
        command.addAll(List.of(keys));
        run(command.toArray(String[]::new));
    }

    /** Text typed as it is (no key names). */
    void type(String text) {
        run("send-keys", "-t", "chat", "-l", text);
    }

    /** The screen, wrapped lines joined. */
    String screen() {
        return run("capture-pane", "-t", "chat", "-p", "-J");
    }

    /** Waits until the screen shows what is asked, at most `seconds`; the screen then, or an AssertionError with it. */
    String waitFor(String what, Predicate<String> shows, int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String screen = screen();
        while (!shows.test(screen)) {
            if (System.nanoTime() > deadline) throw new AssertionError("the terminal never showed " + what + ":\n" + screen);
            try {
                Thread.sleep(50); // polling the pane: tmux has no way to notify
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what);
            }
            screen = screen();
        }
        return screen;
    }

    String waitFor(String text, int seconds) {
        return waitFor("'" + text + "'", screen -> screen.contains(text), seconds);
    }

    private String run(String... arguments) {
        var command = new ArrayList<>(List.of("tmux", "-L", socket));
        command.addAll(List.of(arguments));
        try {
            var process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new AssertionError("tmux " + String.join(" ", arguments) + " failed: " + output);
            }
            return output;
        } catch (IOException e) {
            throw new AssertionError("tmux is needed for the terminal tests (apt-get install tmux): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * Kills the tmux server, then waits (bounded) for the chatbot in the pane to be gone: on its way out
     * it writes its history file, and the test's temporary folder must not be deleted under it.
     */
    @Override
    public void close() {
        List<ProcessHandle> pane = new ArrayList<>();
        try {
            long shell = Long.parseLong(run("display-message", "-p", "-t", "chat", "#{pane_pid}").strip());
            ProcessHandle.of(shell).ifPresent(p -> {
                pane.add(p);
                p.descendants().forEach(pane::add);
            });
        } catch (AssertionError | NumberFormatException e) {
            // no pane any more: nothing to wait for
        }
        try {
            new ProcessBuilder("tmux", "-L", socket, "kill-server").start().waitFor(10, TimeUnit.SECONDS);
            for (ProcessHandle process : pane) process.onExit().get(10, TimeUnit.SECONDS);
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // no tmux, or a process that would not go: the test's own assertions have spoken already
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
