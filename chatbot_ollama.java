// chatbot_ollama.java: the chatbot's Ollama client, plain HTTP and NDJSON. A companion of
// chatbot_otel.java (pulled in with //SOURCES): no OpenTelemetry in here.
//
// POST /api/chat with "stream": true, then one JSON object per line until a chunk says
// "done": true. It takes the headers to send (that is how the trace context gets in: the traced
// chat injects `traceparent`) and turns every failure into one OllamaException whose type is the
// telemetry contract's error.type.

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

record ChatMessage(String role, String content) {}

record ChatRequest(String model, List<ChatMessage> messages, double temperature, Integer maxTokens) {
    String lastUserPrompt() {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).role().equals("user")) return messages.get(i).content();
        }
        return "";
    }
}

/** One NDJSON line; the counts and durations (ns) are only on the final chunk, and optional there. */
record ChatChunk(String model, String content, boolean done, String doneReason,
                 Long promptEvalCount, Long evalCount, Long totalDuration, Long loadDuration,
                 Long promptEvalDuration, Long evalDuration) {}

enum ErrorType {
    CONNECTION_ERROR, TIMEOUT, MODEL_NOT_FOUND, HTTP_ERROR, INVALID_RESPONSE, STREAM_INTERRUPTED, CANCELLED;

    /** The low-cardinality value of `error.type` and `error_type`. */
    String value() {
        return name().toLowerCase(Locale.ROOT);
    }
}

final class OllamaException extends Exception {
    final ErrorType type;
    final int httpStatus; // 0 when no response arrived

    OllamaException(ErrorType type, String message, int httpStatus, Throwable cause) {
        super(message, cause);
        this.type = type;
        this.httpStatus = httpStatus;
    }
}

/** How long to wait for Ollama: to connect, for the first token (a cold model load is slow), between chunks. */
record Timeouts(Duration connect, Duration firstToken, Duration betweenChunks) {}

/** Ctrl-C for one turn: whoever waits on Ollama also watches this, so a cancel is noticed at once. */
final class Cancellation {
    final java.util.concurrent.CompletableFuture<Void> signal = new java.util.concurrent.CompletableFuture<>();
    private final AtomicBoolean waiting = new AtomicBoolean(true);

    static Cancellation none() {
        return new Cancellation();
    }

    void cancel() {
        signal.complete(null);
    }

    /** Cancels if the turn is still waiting on Ollama; false once the answer is complete (or failed). */
    boolean cancelIfWaiting() {
        if (!waiting.get()) return false;
        cancel();
        return true;
    }

    /** The exchange with Ollama is over: a Ctrl-C from now on is not about this turn. */
    void finished() {
        waiting.set(false);
    }

    boolean isCancelled() {
        return signal.isDone();
    }

    void onCancel(Runnable action) {
        signal.thenRun(action);
    }

    OllamaException exception() {
        return new OllamaException(ErrorType.CANCELLED, "cancelled (Ctrl-C); the partial answer is not added to the conversation", 0, null);
    }
}

/**
 * What the traced chat needs from Ollama. OllamaClient is the real one; a benchmark plugs in a
 * canned answer here to time the telemetry without the network.
 */
interface Ollama {
    URI endpoint();

    URI chatUri();

    ChatStream openChat(ChatRequest request, Map<String, String> headers, Cancellation cancellation) throws OllamaException;
}

final class OllamaClient implements Ollama {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final URI endpoint;
    private final URI chatUri;
    private final Timeouts timeouts;

    OllamaClient(URI endpoint, Timeouts timeouts) {
        this.endpoint = endpoint;
        this.chatUri = URI.create(endpoint + "/api/chat");
        this.timeouts = timeouts;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1) // Ollama speaks HTTP/1.1; skip the h2c upgrade dance
                .connectTimeout(timeouts.connect())
                .build();
    }

    @Override
    public URI endpoint() {
        return endpoint;
    }

    @Override
    public URI chatUri() {
        return chatUri;
    }

    /**
     * Sends the request and returns once the response headers are in; the body is read by the caller.
     * The first-token limit is one deadline counted from the send: Ollama sends its headers with the
     * first token, so waiting for the headers and then for the first chunk spend the same budget.
     */
    @Override
    public ChatStream openChat(ChatRequest request, Map<String, String> headers, Cancellation cancellation) throws OllamaException {
        var builder = HttpRequest.newBuilder(chatUri)
                .header("Content-Type", "application/json")
                .header("Accept", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofByteArray(requestBody(request)));
        headers.forEach(builder::header);
        long firstTokenDeadline = System.nanoTime() + timeouts.firstToken().toNanos();
        var pending = http.sendAsync(builder.build(), HttpResponse.BodyHandlers.ofInputStream());
        HttpResponse<InputStream> response;
        try {
            java.util.concurrent.CompletableFuture.anyOf(pending, cancellation.signal)
                    .get(timeouts.firstToken().toMillis(), TimeUnit.MILLISECONDS);
            if (!pending.isDone()) {
                pending.cancel(true);
                throw cancellation.exception();
            }
            response = pending.join();
        } catch (java.util.concurrent.TimeoutException e) {
            pending.cancel(true);
            throw new OllamaException(ErrorType.TIMEOUT, ChatStream.noFirstToken(timeouts), 0, e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.CompletionException e) {
            throw sendFailure(e.getCause() != null ? e.getCause() : e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pending.cancel(true);
            throw cancellation.exception();
        }
        if (response.statusCode() / 100 != 2) throw httpError(request, response);
        return new ChatStream(response.statusCode(), response.body(), timeouts, firstTokenDeadline, cancellation);
    }

    /** The one place where a failed send becomes an error.type. */
    private OllamaException sendFailure(Throwable cause) {
        if (cause instanceof HttpConnectTimeoutException) {
            return new OllamaException(ErrorType.TIMEOUT, "Ollama at " + endpoint + " did not accept the connection within "
                    + Messages.describe(timeouts.connect()) + " (OLLAMA_CONNECT_TIMEOUT)", 0, cause);
        }
        if (cause instanceof HttpTimeoutException) {
            return new OllamaException(ErrorType.TIMEOUT, "Ollama at " + endpoint + " timed out", 0, cause);
        }
        // Refused, unknown host, or the connection dropped before the headers.
        String reason = cause instanceof ConnectException ? "connection refused" : Messages.rootMessage(cause);
        return new OllamaException(ErrorType.CONNECTION_ERROR, "cannot reach Ollama at " + endpoint + " (" + reason
                + "). Start it with 'ollama serve', or run the chatbot with --simulate.", 0, cause);
    }

    private OllamaException httpError(ChatRequest request, HttpResponse<InputStream> response) {
        String error = errorText(response.body());
        int status = response.statusCode();
        if (status == 404 && error.contains("not found")) {
            return new OllamaException(ErrorType.MODEL_NOT_FOUND, "model '" + request.model() + "' is not available at "
                    + endpoint + ": run 'ollama pull " + request.model() + "' or choose another with /model", status, null);
        }
        return new OllamaException(ErrorType.HTTP_ERROR, "Ollama answered HTTP " + status
                + (error.isEmpty() ? "" : ": " + error), status, null);
    }

    private static String errorText(InputStream body) {
        try (body) {
            String text = new String(body.readNBytes(4096), StandardCharsets.UTF_8);
            try {
                return JSON.readTree(text).path("error").asText(text.strip());
            } catch (JsonProcessingException notJson) {
                return text.strip();
            }
        } catch (IOException e) {
            return "";
        }
    }

    private static byte[] requestBody(ChatRequest request) {
        var body = JSON.createObjectNode();
        body.put("model", request.model());
        var messages = body.putArray("messages");
        request.messages().forEach(m -> messages.addObject().put("role", m.role()).put("content", m.content()));
        body.put("stream", true);
        var options = body.putObject("options");
        options.put("temperature", request.temperature());
        if (request.maxTokens() != null) options.put("num_predict", request.maxTokens());
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}


/**
 * The NDJSON body of one answer, read a chunk at a time with a time-out per chunk. A blocked read
 * cannot be timed out or interrupted, so a small daemon thread pumps lines into a queue and the
 * turn waits on the queue: for a line, the end of the stream, a time-out, or a Ctrl-C.
 */
final class ChatStream implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Object END = new Object();
    private static final Object CANCELLED = new Object();

    private final int status;
    private final InputStream body;
    private final Timeouts timeouts;
    private final long firstTokenDeadline;
    private final Cancellation cancellation;
    private final java.util.concurrent.BlockingQueue<Object> lines = new java.util.concurrent.LinkedBlockingQueue<>();
    private boolean first = true;

    ChatStream(int status, InputStream body, Timeouts timeouts, long firstTokenDeadline, Cancellation cancellation) {
        this.status = status;
        this.body = body;
        this.timeouts = timeouts;
        this.firstTokenDeadline = firstTokenDeadline;
        this.cancellation = cancellation;
        var pump = new Thread(this::pump, "ollama-stream");
        pump.setDaemon(true);
        pump.start();
        cancellation.onCancel(() -> lines.offer(CANCELLED));
    }

    private void pump() {
        try (var reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) lines.offer(line);
            lines.offer(END);
        } catch (IOException e) {
            lines.offer(e);
        }
    }

    int status() {
        return status;
    }

    /** The next chunk; a stream that ends before `done: true` is an error, not a short answer. */
    ChatChunk next() throws OllamaException {
        while (true) {
            long waitNanos = first ? firstTokenDeadline - System.nanoTime() : timeouts.betweenChunks().toNanos();
            Object item;
            try {
                item = lines.poll(Math.max(0, waitNanos), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw cancellation.exception();
            }
            if (item == null) {
                throw new OllamaException(ErrorType.TIMEOUT, first ? noFirstToken(timeouts)
                        : "the answer stalled: no chunk within " + Messages.describe(timeouts.betweenChunks()) + " (OLLAMA_CHUNK_TIMEOUT)", status, null);
            }
            if (item == CANCELLED) throw cancellation.exception();
            if (item == END) {
                throw new OllamaException(ErrorType.STREAM_INTERRUPTED, "the answer stream ended before the model finished", status, null);
            }
            if (item instanceof IOException e) {
                throw new OllamaException(ErrorType.STREAM_INTERRUPTED, "the answer stream broke off: " + Messages.rootMessage(e), status, e);
            }
            String line = (String) item;
            if (line.isBlank()) continue;
            first = false;
            return parse(line);
        }
    }

    /** The same words whether the headers or the first chunk were late: it is one limit. */
    static String noFirstToken(Timeouts timeouts) {
        return "no first token within " + Messages.describe(timeouts.firstToken()) + " (OLLAMA_FIRST_TOKEN_TIMEOUT)";
    }

    private ChatChunk parse(String line) throws OllamaException {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw invalid(line, e);
        }
        if (!node.isObject()) throw invalid(line, null);
        // Once streaming has started Ollama keeps status 200 and reports failures as a line.
        if (node.hasNonNull("error")) {
            throw new OllamaException(ErrorType.STREAM_INTERRUPTED, "Ollama reported an error mid-answer: "
                    + node.get("error").asText(), status, null);
        }
        return new ChatChunk(
                node.path("model").asText(""),
                node.path("message").path("content").asText(""),
                node.path("done").asBoolean(false),
                textOrNull(node, "done_reason"),
                longOrNull(node, "prompt_eval_count"),
                longOrNull(node, "eval_count"),
                longOrNull(node, "total_duration"),
                longOrNull(node, "load_duration"),
                longOrNull(node, "prompt_eval_duration"),
                longOrNull(node, "eval_duration"));
    }

    private OllamaException invalid(String line, Exception cause) {
        String shown = line.length() > 80 ? line.substring(0, 80) + "..." : line;
        return new OllamaException(ErrorType.INVALID_RESPONSE, "Ollama sent a line that is not a chat chunk: " + shown, status, cause);
    }

    private static String textOrNull(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asText() : null;
    }

    private static Long longOrNull(JsonNode node, String field) {
        return node.hasNonNull(field) && node.get(field).canConvertToLong() ? node.get(field).asLong() : null;
    }

    /** Closing the body tells the HTTP client to drop the connection: a stalled Ollama stops streaming to us. */
    @Override
    public void close() {
        try {
            body.close();
        } catch (IOException ignored) {
            // closing a finished or broken stream: nothing left to tell anyone
        }
    }
}

/** Small text helpers shared by the companions and the chatbot. */
final class Messages {
    private Messages() {
    }

    /** The innermost cause's message: what actually went wrong, without the wrapping. */
    static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }

    /** 500 ms, 30 s: a limit as a person reads it. */
    static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
