// chatbot_ollama.java: the chatbot's Ollama client, plain HTTP and NDJSON. A companion of
// chatbot_otel.java (built with the others by chatbot_companions.java): no OpenTelemetry in here.
//
// POST /api/chat with "stream": true, then one JSON object per line until a chunk says
// "done": true. It takes the headers to send (that is how the trace context gets in: the traced
// chat injects `traceparent`) and turns every failure into one OllamaException whose type is the
// telemetry contract's error.type.

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

record ChatMessage(String role, String content) {}

/**
 * One request to Ollama, and the conversation it belongs to (a new id after /reset, one per load request).
 * `think` is Ollama's field: true or false, or null to leave it to Ollama (which thinks when the model can).
 */
record ChatRequest(String model, List<ChatMessage> messages, double temperature, Integer maxTokens, String conversationId,
                   Boolean think) {
    /** A request that starts a conversation of its own. */
    ChatRequest(String model, List<ChatMessage> messages, double temperature, Integer maxTokens) {
        this(model, messages, temperature, maxTokens, java.util.UUID.randomUUID().toString(), null);
    }

    String lastUserPrompt() {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).role().equals("user")) return messages.get(i).content();
        }
        return "";
    }
}

/**
 * One NDJSON line; the counts and durations (ns) are only on the final chunk, and optional there. A
 * thinking model streams `thinking` text first, with empty content, then the answer.
 */
record ChatChunk(String model, String content, String thinking, boolean done, String doneReason,
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

/**
 * How long to wait for Ollama: to connect, for the first token (a cold model load is slow), between
 * two chunks, and for the whole answer (so a server that drips chunks cannot hold a turn forever).
 */
record Timeouts(Duration connect, Duration firstToken, Duration betweenChunks, Duration request) {
    static final Duration DEFAULT_REQUEST = Duration.ofMinutes(10);

    Timeouts(Duration connect, Duration firstToken, Duration betweenChunks) {
        this(connect, firstToken, betweenChunks, DEFAULT_REQUEST);
    }
}

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

/** One ObjectMapper for the whole program: it is thread-safe once configured, and the first one is slow to make. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final java.util.concurrent.atomic.AtomicBoolean STARTED = new java.util.concurrent.atomic.AtomicBoolean();

    private Json() {
    }

    /** Makes the mapper on a thread of its own, once per program, so that start-up goes on meanwhile. */
    static void startInBackground() {
        if (STARTED.compareAndSet(false, true)) Daemon.supply("json-start", () -> MAPPER);
    }
}

/** Work done on a daemon thread of its own, its result (or failure) in a future. */
final class Daemon {
    private Daemon() {
    }

    static <T> java.util.concurrent.CompletableFuture<T> supply(String name, java.util.function.Supplier<T> work) {
        var result = new java.util.concurrent.CompletableFuture<T>();
        var thread = new Thread(() -> {
            try {
                result.complete(work.get());
            } catch (RuntimeException | Error e) {
                result.completeExceptionally(e);
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        return result;
    }
}

final class OllamaClient implements Ollama {
    /** Ollama's longest names (host/namespace/model:tag) stay far below this; it keeps metric labels short. */
    static final int MAX_MODEL_NAME = 200;

    private final URI endpoint;
    private final URI chatUri;
    private final Timeouts timeouts;

    /**
     * The connections are the JDK's plain HttpURLConnection rather than its HttpClient. HttpClient
     * sets up TLS when it is built, even for http:// URLs (about 0.3 s in a fresh JVM), and its
     * selector thread, parked in native code, makes the JVM wait another 0.3 s when it exits: both
     * are in every one-shot run. Jackson's first ObjectMapper (about 0.25 s) is started on a thread
     * of its own here, while the main thread wires the SDK.
     */
    OllamaClient(URI endpoint, Timeouts timeouts) {
        this.endpoint = endpoint;
        this.chatUri = URI.create(endpoint + "/api/chat");
        this.timeouts = timeouts;
        Json.startInBackground();
    }

    /**
     * HttpURLConnection keeps at most 5 idle connections per server (the JDK's http.maxConnections,
     * read once per JVM, when the first connection is made). Load mode runs more requests at once, and
     * each should reuse its connection rather than open a new one per request. A value the user set
     * stays.
     */
    static void keepAliveUpTo(int connections) {
        if (System.getProperty("http.maxConnections") == null && connections > 5) {
            System.setProperty("http.maxConnections", String.valueOf(connections));
        }
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
     * The names of the models Ollama has (GET /api/tags), for /models and tab completion. What the
     * server sends is untrusted: at most 64 KiB is read, names are cut and stripped of control
     * characters, and any failure is an OllamaException with a one-line reason.
     */
    List<String> listModels(Duration timeout) throws OllamaException {
        try {
            var connection = connect(URI.create(endpoint + "/api/tags"), "GET", timeout);
            try {
                int status = connection.getResponseCode();
                if (status != 200) {
                    throw new OllamaException(ErrorType.HTTP_ERROR, "Ollama answered HTTP " + status + " to /api/tags", status, null);
                }
                byte[] body;
                try (var in = connection.getInputStream()) {
                    body = in.readNBytes(64 * 1024);
                }
                var names = new java.util.ArrayList<String>();
                for (JsonNode model : Json.MAPPER.readTree(body).path("models")) {
                    String name = Messages.oneLine(model.path("name").asText(""), OllamaClient.MAX_MODEL_NAME);
                    if (!name.isBlank()) names.add(name);
                }
                return List.copyOf(names);
            } finally {
                connection.disconnect();
            }
        } catch (JsonProcessingException e) {
            throw new OllamaException(ErrorType.INVALID_RESPONSE, "Ollama's model list is not the JSON it sends", 200, e);
        } catch (IOException e) {
            throw sendFailure(e);
        }
    }

    /** A connection to Ollama: no proxy and no redirects, as Ollama is reached directly. */
    private HttpURLConnection connect(URI uri, String method, Duration readTimeout) throws IOException {
        var connection = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
        connection.setRequestMethod(method);
        connection.setInstanceFollowRedirects(false);
        connection.setUseCaches(false);
        connection.setConnectTimeout(millis(timeouts.connect()));
        connection.setReadTimeout(millis(readTimeout));
        return connection;
    }

    private static int millis(Duration duration) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, duration.toMillis()));
    }

    /**
     * Sends the request and returns once the response headers are in; the body is read by the caller.
     * The first-token limit is one deadline counted from the send: Ollama sends its headers with the
     * first token, so waiting for the headers and then for the first chunk spend the same budget.
     * Connecting, sending and waiting for the headers block, so they run on a thread of their own:
     * the turn stops waiting at the deadline or on Ctrl-C, and disconnect() ends the blocked call.
     */
    @Override
    public ChatStream openChat(ChatRequest request, Map<String, String> headers, Cancellation cancellation) throws OllamaException {
        byte[] body = requestBody(request);
        long firstTokenDeadline = System.nanoTime() + timeouts.firstToken().toNanos();
        HttpURLConnection connection;
        try {
            // The socket's own read time-out only frees a reader that nobody waits for any more:
            // the turn's limits are kept by ChatStream, which gives up long before it.
            connection = connect(chatUri, "POST", timeouts.firstToken().plus(timeouts.betweenChunks()));
        } catch (IOException e) {
            throw sendFailure(e);
        }
        connection.setRequestProperty("Content-Type", "application/json");
        connection.setRequestProperty("Accept", "application/x-ndjson");
        headers.forEach(connection::setRequestProperty);
        connection.setDoOutput(true);
        connection.setFixedLengthStreamingMode(body.length); // streamed, so never sent a second time
        var sent = Daemon.supply("ollama-send", () -> {
            try {
                try (var out = connection.getOutputStream()) {
                    out.write(body);
                }
                return connection.getResponseCode();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        int status;
        try {
            java.util.concurrent.CompletableFuture.anyOf(sent, cancellation.signal)
                    .get(timeouts.firstToken().toMillis(), TimeUnit.MILLISECONDS);
            if (!sent.isDone()) {
                connection.disconnect();
                throw cancellation.exception();
            }
            status = sent.join();
        } catch (java.util.concurrent.TimeoutException e) {
            connection.disconnect();
            throw new OllamaException(ErrorType.TIMEOUT, ChatStream.noFirstToken(timeouts), 0, e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.CompletionException e) {
            throw sendFailure(unwrap(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            connection.disconnect();
            throw cancellation.exception();
        }
        if (status / 100 != 2) {
            var error = httpError(request, status, connection.getErrorStream());
            connection.disconnect();
            throw error;
        }
        try {
            return new ChatStream(status, connection.getInputStream(), timeouts, firstTokenDeadline, cancellation);
        } catch (IOException e) {
            throw sendFailure(e);
        }
    }

    private static Throwable unwrap(Throwable e) {
        while ((e instanceof java.util.concurrent.CompletionException || e instanceof java.util.concurrent.ExecutionException
                || e instanceof UncheckedIOException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /** Where Ollama is, as the user may read it: credentials in the URL never shown. */
    private String where() {
        return Messages.redact(endpoint);
    }

    /** The one place where a failed send becomes an error.type. */
    private OllamaException sendFailure(Throwable cause) {
        if (cause instanceof SocketTimeoutException && String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT).contains("connect")) {
            return new OllamaException(ErrorType.TIMEOUT, "Ollama at " + where() + " did not accept the connection within "
                    + Messages.describe(timeouts.connect()) + " (OLLAMA_CONNECT_TIMEOUT)", 0, cause);
        }
        if (cause instanceof SocketTimeoutException) {
            return new OllamaException(ErrorType.TIMEOUT, "Ollama at " + where() + " timed out", 0, cause);
        }
        // Refused, unknown host, or the connection dropped before the headers.
        String reason = cause instanceof ConnectException ? "connection refused"
                : Messages.oneLine(Messages.redactUserInfo(Messages.rootMessage(cause)), 120);
        return new OllamaException(ErrorType.CONNECTION_ERROR, "cannot reach Ollama at " + where() + " (" + reason
                + "). Start it with 'ollama serve', or run the chatbot with --simulate.", 0, cause);
    }

    /**
     * A non-2xx answer. model_not_found only when Ollama's own JSON error says the model is missing
     * (its chat handler answers 404 `{"error":"model 'X' not found"}`); any other 404 means the URL is
     * not Ollama's API, most often a base URL with /api or /v1 at the end.
     */
    private OllamaException httpError(ChatRequest request, int status, InputStream errorBody) {
        String raw = errorBody == null ? "" : bodyText(errorBody);
        String ollamaError = ollamaError(raw);
        String shown = Messages.oneLine(ollamaError != null ? ollamaError : raw.strip(), Messages.SERVER_TEXT_LIMIT);
        if (status == 404 && ollamaError != null && OLLAMA_MODEL_MISSING.matcher(ollamaError).find()) {
            String model = Messages.oneLine(request.model(), 100);
            return new OllamaException(ErrorType.MODEL_NOT_FOUND, "model '" + model + "' is not available at " + where()
                    + ": run 'ollama pull " + model + "' or choose another with /model", status, null);
        }
        String hint = status == 404 ? ". Is OLLAMA_ENDPOINT Ollama's base URL, with no /api or /v1 (now " + where() + ")?"
                : status == 400 && shown.endsWith("does not support thinking") ? ". Turn thinking off: /think off, or --no-think" : "";
        return new OllamaException(ErrorType.HTTP_ERROR, "Ollama answered HTTP " + status
                + (shown.isEmpty() ? "" : ": " + shown) + hint, status, null);
    }

    /** Ollama's wording for a missing model: `model 'X' not found` (chat) or `model "X" not found, ...`. */
    private static final java.util.regex.Pattern OLLAMA_MODEL_MISSING = java.util.regex.Pattern.compile("^model ['\"].*['\"] not found");

    /** The first 4 KiB of an error body: enough for any message, bounded whatever the server sends. */
    private static String bodyText(InputStream body) {
        try (body) {
            return new String(body.readNBytes(4096), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** The `error` text of Ollama's JSON error body, or null when the body is no such JSON. */
    private static String ollamaError(String body) {
        try {
            JsonNode error = Json.MAPPER.readTree(body).path("error");
            return error.isTextual() ? error.asText() : null;
        } catch (JsonProcessingException notJson) {
            return null;
        }
    }

    private static byte[] requestBody(ChatRequest request) {
        var body = Json.MAPPER.createObjectNode();
        body.put("model", request.model());
        var messages = body.putArray("messages");
        request.messages().forEach(m -> messages.addObject().put("role", m.role()).put("content", m.content()));
        body.put("stream", true);
        if (request.think() != null) body.put("think", request.think());
        var options = body.putObject("options");
        options.put("temperature", request.temperature());
        if (request.maxTokens() != null) options.put("num_predict", request.maxTokens());
        try {
            return Json.MAPPER.writeValueAsBytes(body);
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
    private static final Object END = new Object();
    private static final Object CANCELLED = new Object();
    private static final Object TOO_LONG = new Object();
    /** One NDJSON line is a few hundred bytes; a longer one than this is not a chat chunk. */
    static final int MAX_LINE_BYTES = 1 << 20;
    /** A whole answer: far beyond any model's output, and a bound on what a server can make us hold. */
    static final long MAX_STREAM_BYTES = 64L << 20;

    private final int status;
    private final InputStream body;
    private final Timeouts timeouts;
    private final long firstTokenDeadline;
    private final long requestDeadline;
    private final Cancellation cancellation;
    /** Bounded: a server faster than the terminal waits for us instead of filling memory. */
    private final java.util.concurrent.BlockingQueue<Object> lines = new java.util.concurrent.LinkedBlockingQueue<>(256);
    private final Thread pump = new Thread(this::pump, "ollama-stream");
    private boolean first = true;

    ChatStream(int status, InputStream body, Timeouts timeouts, long firstTokenDeadline, Cancellation cancellation) {
        this.status = status;
        this.body = body;
        this.timeouts = timeouts;
        this.firstTokenDeadline = firstTokenDeadline;
        this.requestDeadline = firstTokenDeadline - timeouts.firstToken().toNanos() + timeouts.request().toNanos();
        this.cancellation = cancellation;
        pump.setDaemon(true);
        pump.start();
        cancellation.onCancel(() -> lines.offer(CANCELLED));
    }

    /**
     * Reads lines as bytes up to '\n', each under MAX_LINE_BYTES, all together at most MAX_STREAM_BYTES.
     * It reads blocks rather than bytes: the stream's reads take a lock each, and this loop was the
     * turn's busiest code in a profile of load mode.
     */
    private void pump() {
        try (InputStream in = body) {
            byte[] block = new byte[8192];
            var line = new java.io.ByteArrayOutputStream();
            long total = 0;
            for (int n = in.read(block); n != -1; n = in.read(block)) {
                total += n;
                if (total > MAX_STREAM_BYTES) {
                    lines.put(TOO_LONG);
                    return;
                }
                int start = 0;
                for (int i = 0; i <= n; i++) {
                    if (i < n && block[i] != '\n') continue;
                    if (line.size() + (i - start) >= MAX_LINE_BYTES) { // the line so far, this piece included
                        lines.put(TOO_LONG);
                        return;
                    }
                    line.write(block, start, i - start);
                    if (i == n) break; // the block ended inside a line: the next block goes on with it
                    lines.put(line.toString(StandardCharsets.UTF_8));
                    line.reset();
                    start = i + 1;
                }
            }
            if (line.size() > 0) lines.put(line.toString(StandardCharsets.UTF_8));
            lines.put(END);
        } catch (IOException e) {
            lines.offer(e);
        } catch (InterruptedException closed) {
            // the turn is over (close() interrupts us): nobody reads what is left
        }
    }

    int status() {
        return status;
    }

    /** The next chunk; a stream that ends before `done: true` is an error, not a short answer. */
    ChatChunk next() throws OllamaException {
        while (true) {
            if (cancellation.isCancelled()) throw cancellation.exception();
            long now = System.nanoTime();
            long phase = first ? firstTokenDeadline - now : timeouts.betweenChunks().toNanos();
            long waitNanos = Math.min(phase, requestDeadline - now);
            Object item;
            try {
                item = lines.poll(Math.max(0, waitNanos), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw cancellation.exception();
            }
            if (item == null) throw timedOut();
            if (item == CANCELLED) throw cancellation.exception();
            if (item == END) {
                throw new OllamaException(ErrorType.STREAM_INTERRUPTED, "the answer stream ended before the model finished", status, null);
            }
            if (item == TOO_LONG) {
                throw new OllamaException(ErrorType.INVALID_RESPONSE, "Ollama sent a line over " + (MAX_LINE_BYTES >> 20)
                        + " MiB, or an answer over " + (MAX_STREAM_BYTES >> 20) + " MiB: not a chat stream", status, null);
            }
            if (item instanceof IOException e) {
                throw new OllamaException(ErrorType.STREAM_INTERRUPTED, "the answer stream broke off: "
                        + Messages.oneLine(Messages.rootMessage(e), 120), status, e);
            }
            String line = ((String) item).strip();
            if (line.isEmpty()) continue;
            first = false;
            return parse(line);
        }
    }

    private OllamaException timedOut() {
        if (System.nanoTime() - requestDeadline >= 0) {
            return new OllamaException(ErrorType.TIMEOUT, "the answer took longer than " + Messages.describe(timeouts.request())
                    + " (OLLAMA_REQUEST_TIMEOUT)", status, null);
        }
        return new OllamaException(ErrorType.TIMEOUT, first ? noFirstToken(timeouts) : "the answer stalled: no chunk within "
                + Messages.describe(timeouts.betweenChunks()) + " (OLLAMA_CHUNK_TIMEOUT)", status, null);
    }

    /** The same words whether the headers or the first chunk were late: it is one limit. */
    static String noFirstToken(Timeouts timeouts) {
        return "no first token within " + Messages.describe(timeouts.firstToken()) + " (OLLAMA_FIRST_TOKEN_TIMEOUT)";
    }

    private ChatChunk parse(String line) throws OllamaException {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw invalid(line, e);
        }
        if (!node.isObject()) throw invalid(line, null);
        // Once streaming has started Ollama keeps status 200 and reports failures as a line.
        if (node.hasNonNull("error")) {
            throw new OllamaException(ErrorType.STREAM_INTERRUPTED, "Ollama reported an error mid-answer: "
                    + Messages.oneLine(node.get("error").asText(), Messages.SERVER_TEXT_LIMIT), status, null);
        }
        return new ChatChunk(
                node.path("model").asText(""),
                node.path("message").path("content").asText(""),
                node.path("message").path("thinking").asText(""),
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
        String shown = Messages.oneLine(line, 80);
        return new OllamaException(ErrorType.INVALID_RESPONSE, "Ollama sent a line that is not a chat chunk: " + shown, status, cause);
    }

    private static String textOrNull(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asText() : null;
    }

    private static Long longOrNull(JsonNode node, String field) {
        return node.hasNonNull(field) && node.get(field).canConvertToLong() ? node.get(field).asLong() : null;
    }

    /**
     * The pump closes the body itself, on its way out. Closing it from here could wait: the body's
     * reads and its close take the same lock, and the pump may be blocked in a read. Interrupted, the
     * pump leaves at its next line (at once while it waits for room in the queue), so Ollama sees the
     * connection close and stops generating; a server that sends nothing more is cut off by the
     * socket's read time-out.
     */
    @Override
    public void close() {
        pump.interrupt();
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

    /**
     * A URL as it may be shown or exported: user and password replaced by REDACTED, as the HTTP
     * semantic conventions ask of url.full. A URL setting can carry credentials; they never leave.
     */
    static String redact(URI uri) {
        return uri.getRawUserInfo() == null ? uri.toString() : redactUserInfo(uri.toString());
    }

    /** The same for text that may not parse as a URI (a bad setting, an error message). */
    static String redactUserInfo(String text) {
        return text.replaceAll("(?<=://)[^/@\\s]*@", "REDACTED:REDACTED@");
    }

    /** Longest server text shown in one message. */
    static final int SERVER_TEXT_LIMIT = 300;

    /**
     * Text from a server, made safe for one line of our output: control characters and escape
     * sequences shown escaped (so none can move the cursor, clear the screen or start a new line
     * that looks like one of our log records), and capped in length.
     */
    static String oneLine(String text, int limit) {
        String escaped = escapeControls(text, false);
        return escaped.length() > limit ? escaped.substring(0, limit) + "..." : escaped;
    }

    /** An answer token: its newlines and tabs stay, every other control character is shown escaped. */
    static String safeAnswer(String token) {
        return escapeControls(token, true);
    }

    private static String escapeControls(String text, boolean keepLayout) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029)
                    && !(keepLayout && (c == '\n' || c == '\t'));
            if (control && out == null) out = new StringBuilder(text.length() + 8).append(text, 0, i);
            if (out == null) continue;
            if (!control) out.append(c);
            else if (c == '\n') out.append("\\n");
            else if (c == '\r') out.append("\\r");
            else if (c == '\t') out.append("\\t");
            else out.append(String.format("\\u%04x", (int) c));
        }
        return out == null ? text : out.toString();
    }

    /** 500 ms, 30 s: a limit as a person reads it. */
    static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}

// ---- What a turn learned, as the traced chat and the REPL pass it around ----

/** Where a turn's streamed text goes: the answer, and a thinking model's thinking (ignored unless asked for). */
interface AnswerSink {
    void text(String piece);

    default void thinking(String piece) {
    }
}

/**
 * One chat turn, whoever answers it: what the REPL and load mode talk to. chatbot_otel.java's
 * TracedChat is the one that traces it, so the companions never see OpenTelemetry.
 */
interface Chat {
    TurnResult turn(int turnNumber, ChatRequest request, AnswerSink onToken, Cancellation cancellation);
}

/**
 * What the REPL gets back from a turn: the answer or the error, the trace to look it up (null if none),
 * and its timings in ns (first answer token -1 when none came).
 */
record TurnResult(String answer, String traceId, Usage usage, OllamaException error, long firstTokenNanos, long durationNanos,
                  String finishReason) {
    TurnResult(String answer, String traceId, Usage usage, OllamaException error) {
        this(answer, traceId, usage, error, -1, 0, null);
    }

    boolean ok() {
        return error == null;
    }
}

/** Counts from Ollama's final chunk, or estimated when the stream did not carry them. */
record Usage(long inputTokens, long outputTokens, boolean estimated) {
    long total() {
        return inputTokens + outputTokens;
    }
}

/** How the LLM call ended: an error, or the token usage of the answer. */
record Outcome(OllamaException error, Usage usage, long durationNanos) {}

/** Everything the streaming phase learned; the parts after a failure stay as far as they got. */
final class StreamProgress {
    final StringBuilder answer = new StringBuilder();
    final StringBuilder thinking = new StringBuilder(); // shown apart, never added to the history
    int chunks;
    int contentChunks;
    int thinkingChunks;
    long firstChunkNanos = -1;
    /** The first chunk of the answer itself: later than the first chunk when the model thinks first. */
    long firstAnswerNanos = -1;
    /** Time between consecutive chunks, for gen_ai.client.operation.time_per_output_chunk. */
    long[] gapNanos = new long[64];
    int gaps;
    String responseModel; // as the first chunk named it
    ChatChunk last;

    void chunkArrived(long nanosSinceRequest, long nanosSincePrevious, String model) {
        chunks++;
        if (firstChunkNanos < 0) {
            firstChunkNanos = nanosSinceRequest;
            responseModel = model;
            return;
        }
        if (gaps == gapNanos.length) gapNanos = java.util.Arrays.copyOf(gapNanos, gaps * 2);
        gapNanos[gaps++] = nanosSincePrevious;
    }
}
