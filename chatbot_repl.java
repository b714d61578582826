// chatbot_repl.java: the read-eval-print loop. A companion of chatbot_otel.java (built by
// chatbot_companions.java): it reads prompts, keeps the conversation, prints answers as they stream.
// It sees the traced chat as "a thing that answers" and never touches OpenTelemetry itself; the telemetry of a
// turn is all in chatbot_otel.java's TracedChat.
//
// On a terminal the prompt is JLine's, as in JShell: line editing, history kept across sessions, tab
// completion of /commands and model names, Ctrl-C that clears the line. Piped, lines are read as they
// come and the output is byte for byte what it always was.

import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.TerminalBuilder;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

final class Repl implements CtrlC.Interruptible {
    private final Settings settings;
    private final Chat chat;
    private final BufferedReader in;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean interactive;
    private Screen screen;
    /** The one-line turn summary after each answer (/stats); on where it replaces the JSON log line. */
    private boolean stats;
    private final List<ChatMessage> history = new ArrayList<>();
    private String model;
    private double temperature;
    private Boolean think; // null: Ollama's default
    private int turns;
    private String lastTraceId;
    private boolean historyCapped;
    private String conversationId = UUID.randomUUID().toString();
    /** The last turn's spans as waterfall bars, by trace id (empty: /trace prints the link only). */
    private Function<String, List<Waterfall.Bar>> lastTurn = traceId -> List.of();
    private int width = 80;
    /** The turn in progress, for Ctrl-C to cancel; null at the prompt. */
    private volatile Cancellation inProgress;
    private volatile CountDownLatch turnEnded = new CountDownLatch(0);

    Repl(Settings settings, Chat chat, InputStream in, PrintStream out, PrintStream err, boolean interactive) {
        this.settings = settings;
        this.chat = chat;
        this.in = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        this.out = out;
        this.err = err;
        this.interactive = interactive;
        this.model = settings.chat().model();
        this.temperature = settings.chat().temperature();
        this.think = settings.chat().think();
        this.screen = Screen.plain(err);
    }

    /** On a terminal: stderr held while answers stream, and the JSON log line folded into the summary. */
    Repl showOn(Screen screen) {
        this.screen = screen;
        this.stats = screen.foldLogLines;
        return this;
    }

    /** Exit status: 0; for a one-shot --prompt, 1 when it failed and 130 when Ctrl-C cancelled it. */
    int run() {
        if (settings.run().prompt() != null) {
            TurnResult result = ask(settings.run().prompt(), "");
            if (result.ok()) return 0;
            return result.error().type == ErrorType.CANCELLED ? 130 : 1;
        }
        err.print(settings.banner(model));
        try (Prompts prompts = interactive ? TerminalPrompts.open(this, settings.run().historyFile(), screen) : () -> Terminal.readLine(in)) {
            while (true) {
                String line = prompts.next();
                if (line == null) break; // end of input, or Ctrl-D, or a second Ctrl-C on an empty line
                String input = line.strip();
                if (input.isEmpty()) continue;
                if (!interactive) out.println("You: " + input);
                if (input.equalsIgnoreCase("exit") || input.equalsIgnoreCase("quit")) break;
                if (input.startsWith("/")) {
                    command(input);
                } else {
                    ask(input, "Bot: ");
                }
            }
        }
        if (interactive) out.println("Bye.");
        return 0;
    }

    /**
     * Ctrl-C: during an answer it cancels that turn and the REPL goes on; at the prompt it leaves.
     * Returns true when it cancelled a turn.
     */
    @Override
    public boolean interrupt() {
        Cancellation turn = inProgress;
        if (turn != null && turn.cancelIfWaiting()) return true;
        awaitTurnEnd();
        return false;
    }

    /** A turn may still be ending its spans and writing its log record: let it (briefly), or the exit flush misses them. */
    @Override
    public void awaitTurnEnd() {
        Terminal.awaitQuietly(() -> turnEnded.await(2, TimeUnit.SECONDS));
    }

    /** One turn. The history grows only when the model answered: a failed turn is not remembered. */
    private TurnResult ask(String prompt, String answerPrefix) {
        var messages = new ArrayList<>(history);
        messages.add(new ChatMessage("user", prompt));
        var request = new ChatRequest(model, List.copyOf(messages), temperature, settings.chat().maxTokens(), conversationId, think);
        var printer = new AnswerPrinter(out, answerPrefix, interactive, model);
        var cancellation = new Cancellation();
        var ended = new CountDownLatch(1);
        turnEnded = ended;
        inProgress = cancellation;
        TurnResult result;
        screen.answerStarted();
        try {
            result = chat.turn(++turns, request, printer, cancellation);
        } finally {
            inProgress = null;
            ended.countDown();
            printer.finish();
            screen.answerEnded();
        }
        lastTraceId = result.traceId();
        if (stats && !answerPrefix.isEmpty()) out.println(AnswerPrinter.dim(Terminal.summary(result), interactive));
        if (!result.ok()) {
            err.println("error: " + result.error().getMessage());
            return result;
        }
        if (result.answer().isBlank()) err.println("note: " + Terminal.noAnswer(result.finishReason()));
        history.add(new ChatMessage("user", prompt));
        history.add(new ChatMessage("assistant", result.answer()));
        if (Terminal.keepLastTurns(history, settings.chat().historyTurns()) && !historyCapped) {
            historyCapped = true; // said once
            err.println("note: only the last " + settings.chat().historyTurns() + " turns are sent from now on (CHAT_HISTORY_TURNS)");
        }
        return result;
    }

    private void command(String input) {
        String[] parts = input.split("\\s+", 2);
        String argument = parts.length > 1 ? parts[1].strip() : "";
        switch (parts[0].toLowerCase(Locale.ROOT)) {
            case "/help" -> out.println(Terminal.COMMANDS);
            case "/model" -> {
                String problem = argument.isEmpty() ? null : ChatSettings.modelNameProblem(argument);
                if (argument.isEmpty()) {
                    out.println("Model: " + model);
                } else if (problem != null) {
                    out.println("Not a model name: " + problem + ".");
                } else {
                    model = argument;
                    out.println("Model set to " + model + ".");
                }
            }
            case "/temperature" -> Env.parseNumber(argument, 0, 2, false).ifPresentOrElse(t -> {
                temperature = t;
                out.println("Temperature set to " + t + ".");
            }, () -> out.println("Temperature must be a number from 0 to 2 (now " + temperature + ")."));
            case "/think" -> {
                switch (argument.toLowerCase(Locale.ROOT)) {
                    case "on" -> think = true;
                    case "off" -> think = false;
                    case "default" -> think = null;
                    case "" -> { }
                    default -> {
                        out.println("Use /think on, /think off or /think default.");
                        return;
                    }
                }
                out.println("Thinking: " + (think == null ? "as Ollama decides (on for models that can think)" : think ? "on" : "off") + ".");
            }
            case "/reset" -> {
                history.clear();
                conversationId = UUID.randomUUID().toString(); // a new conversation for GenAI backends too
                out.println("Started a new conversation.");
            }
            case "/trace" -> out.println(traceLink());
            case "/stats" -> {
                stats = !stats;
                out.println("Turn summary " + (stats ? "on" : "off") + ".");
            }
            case "/models" -> out.println(modelList());
            default -> out.println("Unknown command " + parts[0] + ": type /help for the list.");
        }
    }

    /** What the Ollama endpoint serves, one per line, the current model marked. */
    private String modelList() {
        try {
            var names = listModels();
            if (names.isEmpty()) return "Ollama at " + Messages.redact(settings.ollama().endpoint()) + " has no model: ollama pull " + model;
            var text = new StringBuilder();
            names.forEach(name -> text.append(name.equals(model) ? "* " : "  ").append(name).append('\n'));
            return text.toString().stripTrailing();
        } catch (OllamaException e) {
            return "Cannot list the models: " + e.getMessage();
        }
    }

    /** Model names from Ollama (/models, and tab completion after /model). */
    private List<String> listModels() throws OllamaException {
        return new OllamaClient(settings.ollama().endpoint(), settings.ollama().timeouts()).listModels(java.time.Duration.ofSeconds(3));
    }

    /** For completion: what Ollama has, or nothing when it cannot say. */
    List<String> modelNames() {
        try {
            return listModels();
        } catch (OllamaException e) {
            return List.of();
        }
    }

    private String traceLink() {
        if (turns == 0) return "No turn yet: ask something first.";
        if (lastTraceId == null) return "No trace for the last turn: telemetry is off or the turn was not sampled.";
        String link = "Trace " + lastTraceId + "\n  " + settings.otel().jaegerUi() + "/trace/" + lastTraceId;
        var bars = lastTurn.apply(lastTraceId);
        return bars.isEmpty() ? link : link + "\n" + Waterfall.render(bars, width).stripTrailing();
    }

    /** Where /trace finds the last turn's spans to draw (none: it prints the link only). */
    void drawTracesFrom(Function<String, List<Waterfall.Bar>> lastTurn, int width) {
        if (lastTurn != null) this.lastTurn = lastTurn;
        this.width = width;
    }
}

/** Where prompts come from: a terminal (JLine) or plain lines. next() is null at the end. */
interface Prompts extends AutoCloseable {
    String next();

    @Override
    default void close() {
    }
}

/**
 * The prompt on a terminal, with JLine: line editing, history in a file (CHAT_HISTORY_FILE), tab
 * completion. Ctrl-C at the prompt clears the line; on an empty line it says how to leave, and a second
 * one leaves. During an answer, Ctrl-C reaches the REPL through JLine's terminal and cancels the turn.
 */
final class TerminalPrompts implements Prompts {
    static final String HINT = "(Ctrl-C again, Ctrl-D or exit to leave)";
    private static final String PROMPT = "You: ";
    private final org.jline.terminal.Terminal terminal;
    private final LineReader reader;
    private final Screen screen;
    private boolean interruptedOnEmpty;
    private boolean ctrlCTyped;

    private TerminalPrompts(org.jline.terminal.Terminal terminal, LineReader reader, Screen screen) {
        this.terminal = terminal;
        this.reader = reader;
        this.screen = screen;
        // JLine 4.5.0 sometimes ends readLine with an interrupted read just as the ^C byte arrives, then
        // reads that byte in the next readLine: one key, two interrupts (strace: one read of \3, no
        // SIGINT). Only the key's own widget counts as a Ctrl-C; an interrupt without it is read past.
        var interrupt = reader.getBuiltinWidgets().get(LineReader.INTERRUPT);
        reader.getWidgets().put(LineReader.INTERRUPT, () -> {
            ctrlCTyped = true;
            return interrupt.apply();
        });
    }

    static TerminalPrompts open(Repl repl, java.nio.file.Path historyFile, Screen screen) {
        try {
            var terminal = TerminalBuilder.builder().system(true).build();
            terminal.handle(org.jline.terminal.Terminal.Signal.INT, signal -> repl.interrupt()); // during an answer
            var builder = LineReaderBuilder.builder().terminal(terminal).appName("chatbot").completer((reader, line, candidates) -> {
                if (line.wordIndex() == 0) {
                    Terminal.COMMAND_NAMES.forEach(name -> candidates.add(new org.jline.reader.Candidate(name)));
                } else if (line.wordIndex() == 1 && line.words().get(0).equals("/model")) {
                    repl.modelNames().forEach(name -> candidates.add(new org.jline.reader.Candidate(name)));
                }
            });
            if (historyFile != null) builder.variable(LineReader.HISTORY_FILE, Terminal.privateFile(historyFile));
            return new TerminalPrompts(terminal, builder.build(), screen);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot open the terminal", e);
        }
    }

    @Override
    public String next() {
        String typed = null;
        while (true) {
            // A warning that comes while the prompt waits (an export that failed) goes above it.
            screen.promptOpen(reader::printAbove);
            ctrlCTyped = false;
            try {
                String line = reader.readLine(PROMPT, null, (org.jline.reader.MaskingCallback) null, typed);
                interruptedOnEmpty = false;
                return line;
            } catch (UserInterruptException e) {
                if (!ctrlCTyped) { // not a key: ask again in the same place, with what was typed
                    Thread.interrupted(); // JLine keeps the flag it saw: the next read must not see it
                    typed = e.getPartialLine();
                    erasePromptAbove(PROMPT + typed);
                    continue;
                }
                typed = null;
                if (!e.getPartialLine().isEmpty()) {
                    interruptedOnEmpty = false; // the line is cleared; ask again
                } else if (interruptedOnEmpty) {
                    return null;
                } else {
                    interruptedOnEmpty = true;
                    terminal.writer().println(HINT);
                    terminal.flush();
                }
            } catch (EndOfFileException e) {
                return null;
            } finally {
                screen.promptClosed();
            }
        }
    }

    /** JLine ended the prompt's line(s) with a newline: go back up and clear them, so the prompt is drawn again in place. */
    private void erasePromptAbove(String shown) {
        int width = Math.max(1, terminal.getSize().getColumns());
        int rows = 1 + org.jline.utils.AttributedString.fromAnsi(shown).columnLength() / width;
        for (int i = 0; i < rows; i++) terminal.puts(org.jline.utils.InfoCmp.Capability.cursor_up);
        terminal.puts(org.jline.utils.InfoCmp.Capability.carriage_return);
        terminal.puts(org.jline.utils.InfoCmp.Capability.clr_eos);
        terminal.flush();
    }

    @Override
    public void close() {
        try {
            reader.getHistory().save();
            terminal.close();
        } catch (java.io.IOException e) {
            // the history could not be written: the chat is over anyway
        }
        // JLine gave SIGINT back to the JVM's default, which would end the process in the middle of the
        // exit flush: a Ctrl-C now is ignored instead (the flush is bounded anyway).
        org.jline.utils.Signals.register("INT", () -> { });
    }
}

/**
 * Prints a turn as it streams. The answer follows its prefix ("Bot: "); a thinking model's thinking
 * comes first and apart: dimmed as it streams on a terminal, and folded into one line otherwise (with
 * --prompt, where only the answer is printed, not at all). It never enters the answer or the history.
 */
final class AnswerPrinter implements AnswerSink {
    private static final String DIM = "\u001b[2m", PLAIN = "\u001b[0m";

    private final PrintStream out;
    private final String answerPrefix;
    private final boolean terminal;
    private boolean answering;
    private int thinkingPieces;
    private final WaitIndicator waiting;

    AnswerPrinter(PrintStream out, String answerPrefix, boolean terminal, String model) {
        this.out = out;
        this.answerPrefix = answerPrefix;
        this.terminal = terminal;
        this.waiting = terminal && !answerPrefix.isEmpty() ? WaitIndicator.start(out, model) : null;
    }

    static String dim(String text, boolean terminal) {
        return terminal ? DIM + text + PLAIN : text;
    }

    /** The first sign of life (a chunk of thinking or of the answer) replaces the wait indicator. */
    private void arrived() {
        if (waiting != null) waiting.stop();
    }

    @Override
    public synchronized void thinking(String piece) {
        arrived();
        if (answering) return; // thinking after the answer began: nothing to show apart any more
        if (terminal) {
            out.print((thinkingPieces == 0 ? DIM + "Thinking: " : "") + Messages.safeAnswer(piece));
            out.flush();
        }
        thinkingPieces++;
    }

    @Override
    public synchronized void text(String piece) {
        arrived();
        if (!answering) {
            answering = true;
            endThinking();
            out.print(answerPrefix);
        }
        out.print(Messages.safeAnswer(piece)); // the model's text, minus escape sequences
        out.flush();
    }

    /** After the turn: ends the line the answer (or the thinking, if no answer came) was on. */
    synchronized void finish() {
        arrived();
        if (answering) out.println();
        else endThinking();
        out.flush();
    }

    private void endThinking() {
        if (thinkingPieces == 0) return;
        if (terminal) out.println(PLAIN);
        else if (!answerPrefix.isEmpty()) out.println("(thinking... " + thinkingPieces + " chunks)");
        thinkingPieces = 0;
    }
}

/**
 * Between sending and the first chunk, on a terminal only: the seconds waited, said again every second
 * on the same line, and erased when the first chunk comes. A cold Ollama model takes 10 to 60 s to load,
 * and without it the user sees nothing at all.
 */
final class WaitIndicator {
    private static final String DIM = "\u001b[2m", PLAIN = "\u001b[0m", ERASE_LINE = "\r\u001b[2K";
    private final PrintStream out;
    private final String model;
    private final long start = System.nanoTime();
    private final java.util.concurrent.ScheduledExecutorService ticks;
    private boolean shown;
    private boolean stopped;

    private WaitIndicator(PrintStream out, String model) {
        this.out = out;
        this.model = Messages.oneLine(model, 60);
        this.ticks = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            var thread = new Thread(r, "wait-indicator");
            thread.setDaemon(true);
            return thread;
        });
    }

    static WaitIndicator start(PrintStream out, String model) {
        var indicator = new WaitIndicator(out, model);
        indicator.ticks.scheduleAtFixedRate(indicator::tick, 1, 1, TimeUnit.SECONDS); // quick answers never see it
        return indicator;
    }

    private synchronized void tick() {
        if (stopped) return;
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        out.print(ERASE_LINE + DIM + "waiting for " + model + "... " + seconds + " s (a cold model can take a minute to load)" + PLAIN);
        out.flush();
        shown = true;
    }

    synchronized void stop() {
        if (stopped) return;
        stopped = true;
        ticks.shutdownNow();
        if (shown) {
            out.print(ERASE_LINE);
            out.flush();
        }
    }
}
