// chatbot_terminal.java: what the chatbot needs from the terminal and the JVM, none of it about
// OpenTelemetry. A companion of chatbot_otel.java (built with the others by chatbot_companions.java):
// Ctrl-C, whether a person is typing, the SDK's own export errors as one readable line, and a bounded exit flush.

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;

final class Terminal {
    private Terminal() {
    }

    /**
     * Runs the program so that nothing unexpected reaches the user as a stack trace, on any thread:
     * one line, exit status 1 (the full trace with LOG_LEVEL=DEBUG).
     */
    static int withoutStackTraces(java.util.function.IntSupplier program) {
        boolean debug = "DEBUG".equalsIgnoreCase(System.getenv("LOG_LEVEL"));
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> report(e, debug));
        try {
            return program.getAsInt();
        } catch (Throwable e) { // an Error too: OutOfMemoryError, StackOverflowError
            report(e, debug);
            return 1;
        }
    }

    private static void report(Throwable e, boolean debug) {
        if (debug) e.printStackTrace();
        else System.err.println("chatbot: internal error: " + Messages.oneLine(String.valueOf(e), 200) + " (LOG_LEVEL=DEBUG shows where)");
    }

    interface Wait {
        void await() throws InterruptedException;
    }

    /** Waits, and on an interrupt keeps the flag set for the caller instead of throwing. */
    static void awaitQuietly(Wait wait) {
        try {
            wait.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static final String COMMANDS = """
            Commands:
              /help               this list
              /model NAME         switch model (e.g. /model llama3.2:1b)
              /models             the models Ollama serves
              /temperature X      sampling temperature, 0 to 2
              /think on|off       ask a thinking model to think first, or not (/think default: as Ollama decides)
              /stats              a one-line summary after each answer: tokens, first token, total, trace (on/off)
              /reset              forget the conversation and start a new one
              /trace              the last turn's trace: its Jaeger link, and its spans drawn as a waterfall
              exit, quit          leave (so does Ctrl-D)""";

    /** What tab completes at the start of a line. */
    static final java.util.List<String> COMMAND_NAMES = java.util.List.of("/help", "/model", "/models", "/temperature",
            "/think", "/reset", "/trace", "/stats", "exit", "quit");

    /**
     * Why a turn that succeeded showed no answer. A thinking model with a small output limit (Ollama's
     * num_predict, --max-tokens here) can spend all of it thinking: Ollama then ends with done_reason
     * "length" and no answer text, which is not an error but needs saying.
     */
    static String noAnswer(String finishReason) {
        return "length".equals(finishReason)
                ? "no answer: the model reached its output limit before answering (thinking counts toward it: raise --max-tokens or the model's num_predict, or try /think off)"
                : "the model's answer was empty";
    }

    /** A turn in one line: tokens in and out (~ when estimated), time to the first answer token, total, trace. */
    static String summary(TurnResult turn) {
        var parts = new java.util.ArrayList<String>();
        if (turn.usage() != null) {
            String about = turn.usage().estimated() ? "~" : "";
            parts.add(about + turn.usage().inputTokens() + " in, " + about + turn.usage().outputTokens() + " out");
        }
        if (turn.firstTokenNanos() >= 0) parts.add(String.format("first token %.2f s", turn.firstTokenNanos() / 1e9));
        parts.add(String.format("%.2f s", turn.durationNanos() / 1e9));
        if (!turn.ok()) parts.add(turn.error().type.value());
        if (turn.traceId() != null) parts.add("trace " + turn.traceId());
        return "  (" + String.join(" · ", parts) + ")";
    }

    /** The history file, made readable by its owner only before anything is written to it: prompts can be private. */
    static java.nio.file.Path privateFile(java.nio.file.Path file) {
        try {
            java.nio.file.Files.createDirectories(file.toAbsolutePath().getParent());
            if (!java.nio.file.Files.exists(file)) java.nio.file.Files.createFile(file);
            java.nio.file.Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (java.io.IOException | UnsupportedOperationException e) {
            // not POSIX (Windows), or not writable: JLine keeps the history in memory and says nothing
        }
        return file;
    }

    /**
     * One line of input, ended by '\n' ("\r\n" too); null at the end of input. A '\r' inside a line
     * is a space: a pasted carriage return must not split one prompt into two turns.
     */
    static String readLine(java.io.Reader in) {
        try {
            var line = new StringBuilder();
            int c;
            while ((c = in.read()) != -1 && c != '\n') line.append((char) c);
            if (c == -1 && line.length() == 0) return null;
            int end = line.length();
            if (end > 0 && line.charAt(end - 1) == '\r') line.setLength(end - 1);
            return line.toString().replace('\r', ' ');
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /** Drops the oldest turns (a user and an assistant message each) beyond `turns`; true when it dropped any. */
    static boolean keepLastTurns(java.util.List<ChatMessage> history, int turns) {
        boolean dropped = history.size() > 2 * turns;
        while (history.size() > 2 * turns) history.subList(0, 2).clear();
        return dropped;
    }
}

/**
 * Signals. Java's default for SIGINT ends the JVM, running shutdown hooks (the telemetry flush). We want
 * more: during an answer, Ctrl-C cancels just that turn (error.type=cancelled) and the REPL goes on.
 * On a terminal, JLine reads Ctrl-C at the prompt and its terminal passes SIGINT on during an answer
 * (TerminalPrompts); piped, Ctrl-C at the prompt leaves, through the hooks. JLine's Signals reaches the
 * JDK's signal API (jdk.unsupported) by reflection, so no compiler flag is needed.
 */
final class CtrlC {
    /** What a signal acts on: the turn in progress (the REPL is one). */
    interface Interruptible {
        /** Cancels the turn in progress; false when there was none. */
        boolean interrupt();

        /** Waits (boundedly) until the turn in progress has ended and recorded its telemetry. */
        void awaitTurnEnd();
    }

    private CtrlC() {
    }

    /** On a terminal, JLine owns SIGINT; TERM and HUP are ours in both modes. */
    static void install(Interruptible repl, boolean terminal) {
        if (!terminal) handle("INT", () -> {
            if (!repl.interrupt()) System.exit(130); // 128 + SIGINT, as shells report it
        });
        // SIGTERM (kill, docker stop) and SIGHUP (the terminal closed): end the turn like Ctrl-C, so its
        // spans, metrics and log record say `cancelled` and get flushed, then leave.
        handle("TERM", () -> leave(repl, 143));
        handle("HUP", () -> leave(repl, 129));
    }

    private static void leave(Interruptible repl, int status) {
        repl.interrupt();
        repl.awaitTurnEnd();
        System.exit(status);
    }

    private static void handle(String name, Runnable handler) {
        // Where a signal does not exist (some Windows consoles) JLine registers nothing: the signal keeps
        // its disposition, and the JVM's own exit still flushes.
        org.jline.utils.Signals.register(name, handler);
    }
}

/**
 * The SDK reports export failures through java.util.logging, one stack trace per failed batch. With
 * no collector running that would bury the chat, so the first problem is shown as one line and the
 * rest are swallowed (all of them, with stack traces, at LOG_LEVEL=DEBUG). Console exporters also
 * log through java.util.logging; their lines pass through untouched.
 */
final class ExportProblems extends Handler {
    // java.util.logging holds loggers weakly: keep ours, or its configuration is lost to GC.
    private static final java.util.logging.Logger OTEL_LOGGER = java.util.logging.Logger.getLogger("io.opentelemetry");
    private static final String CONSOLE_EXPORTERS = "io.opentelemetry.exporter.logging";

    private final PrintStream err;
    private final boolean debug;
    private final java.util.Map<String, String> destinations; // signal -> where it goes, secrets hidden
    private final AtomicBoolean warned = new AtomicBoolean();
    private final SimpleFormatter formatter = new SimpleFormatter();

    private final java.util.Collection<String> secrets;

    private ExportProblems(PrintStream err, boolean debug, java.util.Map<String, String> destinations, java.util.Collection<String> secrets) {
        this.err = err;
        this.debug = debug;
        this.destinations = destinations;
        this.secrets = java.util.List.copyOf(secrets);
    }

    static void install(PrintStream err, OtelSettings otel) {
        boolean debug = otel.logLevel().equals("DEBUG");
        for (Handler old : OTEL_LOGGER.getHandlers()) OTEL_LOGGER.removeHandler(old);
        OTEL_LOGGER.setUseParentHandlers(false);
        OTEL_LOGGER.setLevel(debug ? Level.FINE : Level.INFO);
        var secrets = otel.otlp().all().stream().flatMap(o -> o.headers().values().stream()).toList();
        OTEL_LOGGER.addHandler(new ExportProblems(err, debug, otel.destinations(), secrets));
    }

    @Override
    public void publish(LogRecord record) {
        if (record.getLoggerName() != null && record.getLoggerName().startsWith(CONSOLE_EXPORTERS)
                && record.getLevel().intValue() < Level.WARNING.intValue()) {
            err.println(formatter.formatMessage(record));
        } else if (debug) {
            err.print(scrub(formatter.format(record)));
        } else if (record.getLevel().intValue() >= Level.WARNING.intValue() && warned.compareAndSet(false, true)) {
            String signal = signal(formatter.formatMessage(record) + " " + record.getLoggerName());
            err.println("warning: " + signal + " export (" + destinations.get(signal) + ") failed (" + oneLine(record)
                    + "). Is the collector running? The chat goes on; further export errors are not shown.");
        }
    }

    /** Which signal failed, from the SDK's wording ("Failed to export spans/metrics/logs"). */
    private static String signal(String problem) {
        String text = problem.toLowerCase(java.util.Locale.ROOT);
        return text.contains("metric") ? "metrics" : text.contains("log") ? "logs" : "traces";
    }

    private String oneLine(LogRecord record) {
        String text = record.getThrown() != null ? reason(record.getThrown()) : formatter.formatMessage(record);
        return Messages.oneLine(scrub(text.replaceAll("\\s+", " ").strip()), 160);
    }

    /** The JDK's HttpClient says a refused connection with a bare ConnectException: say it in words. */
    private static String reason(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException) return "connection refused";
            if (t instanceof java.net.http.HttpConnectTimeoutException) return "no connection within the timeout";
        }
        return Messages.rootMessage(thrown);
    }

    /** Header values (API keys) and URL credentials never reach the terminal, even inside an error. */
    private String scrub(String text) {
        for (String secret : secrets) if (secret.length() >= 4) text = text.replace(secret, "REDACTED");
        return Messages.redactUserInfo(text);
    }

    @Override
    public void flush() {
        err.flush();
    }

    @Override
    public void close() {
        flush();
    }
}

/**
 * The exit flush: run once, whoever asks first (`exit` on the main thread, or the shutdown hook that
 * Ctrl-C and SIGTERM run), and never for longer than its budget. A second caller waits for the
 * first instead of returning at once: returning would let the JVM halt when the hooks end, cutting
 * the flush short. The flush runs on its own daemon thread because what it waits on (an export to a
 * collector that hangs) may not stop when asked.
 */
final class ExitFlush implements Runnable {
    private final Runnable flush;
    private final Duration budget;
    private final AtomicBoolean started = new AtomicBoolean();
    private final CountDownLatch done = new CountDownLatch(1);
    private final Thread hook = new Thread(this, "telemetry-shutdown");

    private ExitFlush(Runnable flush, Duration budget) {
        this.flush = flush;
        this.budget = budget;
    }

    /** The flush, registered as a shutdown hook too: Ctrl-C skips try-with-resources. */
    static ExitFlush onExit(Runnable flush, Duration budget) {
        var exitFlush = new ExitFlush(flush, budget);
        Runtime.getRuntime().addShutdownHook(exitFlush.hook);
        return exitFlush;
    }

    @Override
    public void run() {
        if (!started.compareAndSet(false, true)) {
            Terminal.awaitQuietly(() -> done.await(budget.toMillis() + 200, TimeUnit.MILLISECONDS));
            return;
        }
        try {
            var worker = new Thread(flush, "telemetry-flush");
            worker.setDaemon(true);
            worker.start();
            Terminal.awaitQuietly(() -> worker.join(budget.toMillis()));
            // Only now: until the flush is over, a Ctrl-C must find the hook, and the hook waits for us.
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // we are the hook, or the JVM is exiting anyway
        } finally {
            done.countDown();
        }
    }
}

/**
 * One screen discipline for a terminal: what is printed on stderr while an answer streams (an export
 * warning from the SDK's thread) waits until the answer's line has ended, so it never splits an answer.
 * Piped or redirected, lines pass straight through, byte for byte as before.
 */
final class Screen {
    private final PrintStream err;
    private final boolean holdDuringAnswers;
    private final java.util.List<String> held = new java.util.ArrayList<>();
    private boolean answering;
    /** While the prompt waits for input, a line goes above it; the prompt and what was typed are drawn again below. */
    private java.util.function.Consumer<String> above;
    /** Whether the per-turn JSON log line is folded into a one-line summary (stdout and stderr both a terminal). */
    final boolean foldLogLines;

    private Screen(PrintStream err, boolean holdDuringAnswers, boolean foldLogLines) {
        this.err = err;
        this.holdDuringAnswers = holdDuringAnswers;
        this.foldLogLines = foldLogLines;
    }

    static Screen plain(PrintStream err) {
        return new Screen(err, false, false);
    }

    /** For a terminal on stdin and stdout; the JSON line is folded only when stderr is that terminal too. */
    static Screen terminal(PrintStream err) {
        return new Screen(err, true, Tty.stderrIsTerminal());
    }

    /** Where everything bound for stderr goes: line by line, held while an answer streams. */
    PrintStream err() {
        if (!holdDuringAnswers) return err;
        var lines = new java.io.ByteArrayOutputStream() {
            @Override
            public synchronized void write(int b) {
                if (b == '\n') {
                    line(toString(java.nio.charset.StandardCharsets.UTF_8));
                    reset();
                } else {
                    super.write(b);
                }
            }

            @Override
            public synchronized void write(byte[] bytes, int offset, int length) {
                for (int i = offset; i < offset + length; i++) write(bytes[i]);
            }
        };
        return new PrintStream(lines, true, java.nio.charset.StandardCharsets.UTF_8);
    }

    private synchronized void line(String line) {
        if (answering) held.add(line);
        else if (above != null) above.accept(line);
        else err.println(line);
    }

    synchronized void promptOpen(java.util.function.Consumer<String> printAbove) {
        above = printAbove;
    }

    synchronized void promptClosed() {
        above = null;
    }

    synchronized void answerStarted() {
        answering = true;
    }

    /** The answer's line has ended: what waited is printed now, each line on its own. */
    synchronized void answerEnded() {
        answering = false;
        held.forEach(err::println);
        held.clear();
        err.flush();
    }
}
