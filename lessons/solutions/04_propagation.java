///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES ../04_propagation.java
//MAIN Lesson04PropagationSolution
//DESCRIPTION Lesson 4 solution: the server puts the received baggage on its span.

// Solution to lesson 4, "Try it yourself".
// Run       jbang lessons/solutions/04_propagation.java
// 1. Baggage is not an attribute: it travels with the context, and nothing records it unless you
//    copy it onto a span, as startServer does below.
// 2. Without inject(), the request carries no traceparent: the server extracts an empty context and
//    its span starts a new trace, disconnected from the client's.

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

class Lesson04PropagationSolution {
    static final AttributeKey<String> USER_TIER = AttributeKey.stringKey("app.user_tier");

    public static void main(String[] args) throws Exception {
        var options = LessonKit.options(args);
        var otel = LessonKit.sdk(options, "lesson-04-propagation");
        LessonKit.step(options, 1, "Solution 1: baggage copied onto the server span", () -> callWithBaggage(otel));
        LessonKit.close(otel);
    }

    /** Returns the server span, which now carries app.user_tier. */
    static Span callWithBaggage(OpenTelemetry otel) {
        var serverSpan = new Span[1];
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", exchange -> {
                Context remote = otel.getPropagators().getTextMapPropagator().extract(Context.root(), exchange, Lesson04Propagation.HEADERS);
                Span span = otel.getTracer(Lesson04Propagation.SCOPE).spanBuilder("POST /api/chat").setSpanKind(SpanKind.SERVER)
                        .setParent(remote).setAttribute(USER_TIER, Baggage.fromContext(remote).getEntryValue("app.user_tier")).startSpan();
                span.end();
                serverSpan[0] = span;
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            });
            server.start();
            Span client = otel.getTracer(Lesson04Propagation.SCOPE).spanBuilder("ollama_request").setSpanKind(SpanKind.CLIENT).startSpan();
            try (Scope ignored = Context.current().with(client).with(Baggage.builder().put("app.user_tier", "gold").build()).makeCurrent()) {
                var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"));
                otel.getPropagators().getTextMapPropagator().inject(Context.current(), request, HttpRequest.Builder::header);
                HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.discarding());
            } finally {
                client.end();
                server.stop(0);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        if (serverSpan[0] instanceof io.opentelemetry.sdk.trace.ReadableSpan recorded) { // what the SDK recorded
            System.out.println("server span app.user_tier = " + recorded.getAttribute(USER_TIER));
        }
        return serverSpan[0];
    }
}
