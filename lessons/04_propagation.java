///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS io.opentelemetry:opentelemetry-bom:1.65.0@pom
//DEPS io.opentelemetry:opentelemetry-api
//DEPS io.opentelemetry:opentelemetry-sdk
//DEPS io.opentelemetry:opentelemetry-exporter-logging
//DEPS io.opentelemetry:opentelemetry-exporter-otlp
//DEPS io.opentelemetry:opentelemetry-sdk-testing
//SOURCES LessonKit.java
//DESCRIPTION Lesson 4, propagation: context across a thread pool and across processes (traceparent), and baggage.

// LESSON 4: PROPAGATION                                                              about 15 minutes
//
// Goal      Keep one trace across threads (context wrapping) and across processes (the W3C
//           `traceparent` header, injected by the client and extracted by the server); carry
//           baggage along.
// Needs     Lesson 1. Java 17+ and JBang; no collector. The "other process" is a tiny HTTP server
//           started by this script on 127.0.0.1.
// Run       jbang lessons/04_propagation.java    (--step, --otlp as in every lesson)
// You should see
//   == Step 1: Across threads: wrap the executor
//   wrapped pool:   worker span's parent <span-id>, the caller's trace: true
//   unwrapped pool: worker span's parent 0000000000000000, the caller's trace: false
//   == Step 2: Across processes: traceparent
//   client sends  traceparent: 00-<trace-id>-<span-id>-03
//   server span   trace <trace-id> (the same), parent <span-id>
//   == Step 3: Baggage: key-value pairs that travel with the context
//   client sends  baggage: app.user_tier=gold
//   server read   app.user_tier=gold
// (traceparent = version-traceid-parentid-flags; 03 = sampled + random trace id. 0000000000000000 = no parent.)
// In the chatbot   TracedChat.ollamaRequest injects traceparent into the request to Ollama. It sends no
//                  baggage and has no thread pool to wrap: a turn runs on one thread, and Ollama reads neither.
//
// Try it yourself
//   1. At the TRY marker in the server, put the received baggage value on the server span as the
//      attribute `app.user_tier`, so it shows up in Jaeger.
//   2. Remove the propagator.inject(...) line of the client. What does the server span become?
//   Solution: lessons/solutions/04_propagation.java
// Next      Lesson 5, errors: what a failed LLM call looks like in a trace and in metrics.

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;

class Lesson04Propagation {
    static final String SCOPE = "lesson-04";

    /** What the server saw: its own span's ids and the baggage that arrived. */
    record ServerView(SpanContext span, String parentSpanId, String userTier) {}

    public static void main(String[] args) throws Exception {
        var options = LessonKit.options(args);
        var otel = LessonKit.sdk(options, "lesson-04-propagation");
        LessonKit.step(options, 1, "Across threads: wrap the executor", "The context is a ThreadLocal: a pool thread lacks it.",
                () -> acrossThreads(otel));
        LessonKit.step(options, 2, "Across processes: traceparent", "The client injects its context; the server extracts it.",
                () -> acrossProcesses(otel, false));
        LessonKit.step(options, 3, "Baggage: key-value pairs that travel with the context", "Baggage rides along in its own header.",
                () -> acrossProcesses(otel, true));
        LessonKit.close(otel);
    }

    /** STEP 1. The context lives in a ThreadLocal: a plain pool thread does not see the caller's span. */
    static SpanContext[] acrossThreads(OpenTelemetry otel) {
        var tracer = otel.getTracer(SCOPE);
        var raw = Executors.newSingleThreadExecutor();
        var wrapped = Context.taskWrapping(raw); // each task runs in the context it was submitted from
        Span caller = tracer.spanBuilder("chat_interaction").startSpan();
        try (Scope ignored = caller.makeCurrent()) {
            Span inWrapped = wrapped.submit(() -> startAndEnd(otel, "generate_response")).get();
            Span inRaw = raw.submit(() -> startAndEnd(otel, "generate_response")).get();
            String callerTrace = caller.getSpanContext().getTraceId();
            System.out.println("wrapped pool:   worker span's parent " + LessonKit.parentOf(inWrapped) + ", the caller's trace: "
                    + inWrapped.getSpanContext().getTraceId().equals(callerTrace));
            System.out.println("unwrapped pool: worker span's parent " + LessonKit.parentOf(inRaw) + ", the caller's trace: "
                    + inRaw.getSpanContext().getTraceId().equals(callerTrace));
            return new SpanContext[] {caller.getSpanContext(), inWrapped.getSpanContext(), inRaw.getSpanContext()};
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        } finally {
            caller.end();
            raw.shutdown();
        }
    }

    /** STEPS 2 and 3. A CLIENT span injects its context into the request; the SERVER span extracts it. */
    static ServerView acrossProcesses(OpenTelemetry otel, boolean withBaggage) {
        var seen = new ServerView[1];
        HttpServer server = startServer(otel, seen);
        Span client = otel.getTracer(SCOPE).spanBuilder("ollama_request").setSpanKind(SpanKind.CLIENT).startSpan();
        Context context = Context.current().with(client);
        if (withBaggage) context = context.with(Baggage.builder().put("app.user_tier", "gold").build());
        try (Scope ignored = context.makeCurrent()) {
            var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/chat"));
            otel.getPropagators().getTextMapPropagator().inject(Context.current(), request, HttpRequest.Builder::header);
            var sent = request.build();
            sent.headers().map().forEach((name, values) -> {
                if (name.equals("traceparent") || name.equals("baggage")) System.out.println("client sends  " + name + ": " + values.get(0));
            });
            HttpClient.newHttpClient().send(sent, HttpResponse.BodyHandlers.discarding());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        } finally {
            client.end();
            server.stop(0);
        }
        var view = seen[0];
        System.out.println("server span   trace " + view.span().getTraceId() + (view.span().getTraceId().equals(client.getSpanContext().getTraceId())
                ? " (the same)" : " (a different one!)") + ", parent " + view.parentSpanId());
        if (withBaggage) System.out.println("server read   app.user_tier=" + view.userTier());
        return view;
    }

    /** The "other process": a server that continues the caller's trace from the request headers. */
    static HttpServer startServer(OpenTelemetry otel, ServerView[] seen) {
        try {
            var server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/api/chat", exchange -> {
                Context remote = otel.getPropagators().getTextMapPropagator().extract(Context.root(), exchange, HEADERS);
                Span span = otel.getTracer(SCOPE).spanBuilder("POST /api/chat").setSpanKind(SpanKind.SERVER).setParent(remote).startSpan();
                String tier = Baggage.fromContext(remote).getEntryValue("app.user_tier");
                // TRY: put the baggage value on the server span as app.user_tier (Try it yourself 1)
                span.end();
                seen[0] = new ServerView(span.getSpanContext(), Span.fromContext(remote).getSpanContext().getSpanId(), tier);
                byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** How the propagator reads headers from the JDK's HttpExchange. */
    static final TextMapGetter<HttpExchange> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(HttpExchange exchange) {
            return exchange.getRequestHeaders().keySet();
        }

        @Override
        public String get(HttpExchange exchange, String key) {
            return exchange == null ? null : exchange.getRequestHeaders().getFirst(key);
        }
    };

    static Span startAndEnd(OpenTelemetry otel, String name) {
        Span span = otel.getTracer(SCOPE).spanBuilder(name).startSpan();
        span.end();
        return span;
    }
}
