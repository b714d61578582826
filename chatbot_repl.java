// chatbot_repl.java: the read-eval-print loop. A companion of chatbot_otel.java (pulled in with
// //SOURCES): it reads prompts, keeps the conversation, prints answers as they stream. It sees the
// traced chat as "a thing that answers" and never touches HTTP or OpenTelemetry itself; the telemetry
// of a turn is all in chatbot_otel.java's TracedChat.

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

final class Repl {
    private final Settings settings;
    private final chatbot_otel.TracedChat chat;
    private final BufferedReader in;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean interactive;
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

    Repl(Settings settings, chatbot_otel.TracedChat chat, InputStream in, PrintStream out, PrintStream err, boolean interactive) {
        this.settings = settings;
        this.chat = chat;
        this.in = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        this.out = out;
        this.err = err;
        this.interactive = interactive;
        this.model = settings.chat().model();
        this.temperature = settings.chat().temperature();
        this.think = settings.chat().think();
    }

    /** Exit status: 0; for a one-shot --prompt, 1 when it failed and 130 when Ctrl-C cancelled it. */
    int run() {
        if (settings.run().prompt() != null) {
            TurnResult result = ask(settings.run().prompt(), "");
            if (result.ok()) return 0;
            return result.error().type == ErrorType.CANCELLED ? 130 : 1;
        }
        err.print(settings.banner(model));
        while (true) {
            if (interactive) {
                out.print("You: ");
                out.flush();
            }
            String line = Terminal.readLine(in);
            if (line == null) break; // end of input
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
        if (interactive) out.println("Bye.");
        return 0;
    }

    /**
     * Ctrl-C: during an answer it cancels that turn and the REPL goes on; at the prompt it leaves.
     * Returns true when it cancelled a turn.
     */
    boolean interrupt() {
        Cancellation turn = inProgress;
        if (turn != null && turn.cancelIfWaiting()) return true;
        awaitTurnEnd();
        return false;
    }

    /** A turn may still be ending its spans and writing its log record: let it (briefly), or the exit flush misses them. */
    void awaitTurnEnd() {
        Terminal.awaitQuietly(() -> turnEnded.await(2, TimeUnit.SECONDS));
    }

    /** One turn. The history grows only when the model answered: a failed turn is not remembered. */
    private TurnResult ask(String prompt, String answerPrefix) {
        var messages = new ArrayList<>(history);
        messages.add(new ChatMessage("user", prompt));
        var request = new ChatRequest(model, List.copyOf(messages), temperature, settings.chat().maxTokens(), conversationId, think);
        var printer = new AnswerPrinter(out, answerPrefix, interactive);
        var cancellation = new Cancellation();
        var ended = new CountDownLatch(1);
        turnEnded = ended;
        inProgress = cancellation;
        TurnResult result;
        try {
            result = chat.turn(++turns, request, printer, cancellation);
        } finally {
            inProgress = null;
            ended.countDown();
        }
        lastTraceId = result.traceId();
        printer.finish();
        if (!result.ok()) {
            err.println("error: " + result.error().getMessage());
            return result;
        }
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
            default -> out.println("Unknown command " + parts[0] + ": type /help for the list.");
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

    AnswerPrinter(PrintStream out, String answerPrefix, boolean terminal) {
        this.out = out;
        this.answerPrefix = answerPrefix;
        this.terminal = terminal;
    }

    @Override
    public void thinking(String piece) {
        if (answering) return; // thinking after the answer began: nothing to show apart any more
        if (terminal) {
            out.print((thinkingPieces == 0 ? DIM + "Thinking: " : "") + Messages.safeAnswer(piece));
            out.flush();
        }
        thinkingPieces++;
    }

    @Override
    public void text(String piece) {
        if (!answering) {
            answering = true;
            endThinking();
            out.print(answerPrefix);
        }
        out.print(Messages.safeAnswer(piece)); // the model's text, minus escape sequences
        out.flush();
    }

    /** After the turn: ends the line the answer (or the thinking, if no answer came) was on. */
    void finish() {
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
