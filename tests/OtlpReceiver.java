// A collector stand-in for tests: an OTLP/HTTP server on 127.0.0.1 that decodes what the real
// exporters send with the official protobuf classes (opentelemetry-proto), keeps the raw bytes and
// headers, and can misbehave like a collector does: answer 503, or hang.

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

final class OtlpReceiver implements AutoCloseable {
    static {
        System.setProperty("sun.net.httpserver.nodelay", "true"); // see ollama_sim: no 40 ms Nagle stalls
    }

    /** One request as it arrived on the wire. */
    record Received(String path, Map<String, String> headers, byte[] body) {}

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger unavailableLeft = new AtomicInteger();
    private final AtomicInteger answered503 = new AtomicInteger();
    private volatile CountDownLatch hang;

    private final String basePath;

    private OtlpReceiver(HttpServer server, String basePath) {
        this.server = server;
        this.basePath = basePath;
    }

    /** Port 0 picks a free one; a given port lets a test bring a "crashed" collector back where it was. */
    static OtlpReceiver start(int port) {
        return start(port, "");
    }

    /** Serves OTLP under a prefix: "/otlp" plays Loki, whose OTLP endpoint is /otlp/v1/logs. */
    static OtlpReceiver start(int port, String basePath) {
        try {
            return serve(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50), basePath);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Over TLS, with this server identity; with needClientAuth, only clients the context trusts get in. */
    static OtlpReceiver startTls(javax.net.ssl.SSLContext context, boolean needClientAuth) {
        try {
            var server = com.sun.net.httpserver.HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            server.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(context) {
                @Override
                public void configure(com.sun.net.httpserver.HttpsParameters params) {
                    var parameters = context.getDefaultSSLParameters();
                    parameters.setNeedClientAuth(needClientAuth);
                    params.setSSLParameters(parameters);
                }
            });
            return serve(server, "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every path under the prefix is recorded (a signal-specific endpoint may have any path). */
    private static OtlpReceiver serve(HttpServer server, String basePath) {
        var receiver = new OtlpReceiver(server, basePath);
        server.createContext(basePath + "/", receiver::handle);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            var t = new Thread(r, "otlp-receiver");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        return receiver;
    }

    String endpoint() {
        return (server instanceof com.sun.net.httpserver.HttpsServer ? "https" : "http") + "://127.0.0.1:" + server.getAddress().getPort();
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** The next n export requests get 503 Service Unavailable, as an overloaded collector answers. */
    void answer503For(int n) {
        unavailableLeft.set(n);
    }

    int answered503() {
        return answered503.get();
    }

    /** Requests are held (no answer) until release() or close(): a collector that hangs. */
    void hang() {
        hang = new CountDownLatch(1);
    }

    void release() {
        var latch = hang;
        if (latch != null) latch.countDown();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            // The Collector's otlp_http exporter gzips by default (the Java SDK does not): unpack as a real receiver does.
            if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                try (var gzip = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(body))) {
                    body = gzip.readAllBytes();
                }
            }
            var latch = hang;
            if (latch != null) {
                try {
                    latch.await(60, TimeUnit.SECONDS); // bounded: a forgotten release() cannot wedge the suite
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (unavailableLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                answered503.incrementAndGet();
                exchange.sendResponseHeaders(503, -1);
                return;
            }
            var headers = exchange.getRequestHeaders().entrySet().stream()
                    .collect(Collectors.toMap(e -> e.getKey().toLowerCase(java.util.Locale.ROOT), e -> e.getValue().get(0), (a, b) -> a));
            received.add(new Received(exchange.getRequestURI().getPath(), headers, body));
            exchange.sendResponseHeaders(200, -1);
        }
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    /** Every byte received, for "this text never left the process" checks. */
    byte[] allBytes() {
        var out = new ByteArrayOutputStream();
        received.forEach(r -> out.writeBytes(r.body()));
        return out.toByteArray();
    }

    private List<byte[]> bodies(String signal) {
        return received.stream().filter(r -> r.path().equals(basePath + "/v1/" + signal)).map(Received::body).toList();
    }

    /** A decoded span with the resource it came with. */
    record ReceivedSpan(Resource resource, Span span) {
        String attribute(String key) {
            return stringValue(span.getAttributesList(), key);
        }
    }

    List<ReceivedSpan> spans() {
        var spans = new ArrayList<ReceivedSpan>();
        for (byte[] body : bodies("traces")) {
            try {
                for (var rs : ExportTraceServiceRequest.parseFrom(body).getResourceSpansList()) {
                    rs.getScopeSpansList().forEach(ss -> ss.getSpansList().forEach(s -> spans.add(new ReceivedSpan(rs.getResource(), s))));
                }
            } catch (IOException e) {
                throw new AssertionError("not an OTLP trace request", e);
            }
        }
        return spans;
    }

    List<LogRecord> logRecords() {
        var records = new ArrayList<LogRecord>();
        for (byte[] body : bodies("logs")) {
            try {
                ExportLogsServiceRequest.parseFrom(body).getResourceLogsList()
                        .forEach(rl -> rl.getScopeLogsList().forEach(sl -> records.addAll(sl.getLogRecordsList())));
            } catch (IOException e) {
                throw new AssertionError("not an OTLP logs request", e);
            }
        }
        return records;
    }

    /** An instrumentation scope as it arrived, for each signal that used it. */
    record ReceivedScope(String signal, String name, String version, String schemaUrl) {}

    List<ReceivedScope> scopes() {
        var scopes = new ArrayList<ReceivedScope>();
        try {
            for (byte[] body : bodies("traces")) {
                for (var rs : ExportTraceServiceRequest.parseFrom(body).getResourceSpansList()) {
                    rs.getScopeSpansList().forEach(ss -> scopes.add(new ReceivedScope("traces", ss.getScope().getName(),
                            ss.getScope().getVersion(), ss.getSchemaUrl())));
                }
            }
            for (byte[] body : bodies("metrics")) {
                for (var rm : ExportMetricsServiceRequest.parseFrom(body).getResourceMetricsList()) {
                    rm.getScopeMetricsList().forEach(sm -> scopes.add(new ReceivedScope("metrics", sm.getScope().getName(),
                            sm.getScope().getVersion(), sm.getSchemaUrl())));
                }
            }
            for (byte[] body : bodies("logs")) {
                for (var rl : ExportLogsServiceRequest.parseFrom(body).getResourceLogsList()) {
                    rl.getScopeLogsList().forEach(sl -> scopes.add(new ReceivedScope("logs", sl.getScope().getName(),
                            sl.getScope().getVersion(), sl.getSchemaUrl())));
                }
            }
        } catch (IOException e) {
            throw new AssertionError("not an OTLP request", e);
        }
        return scopes;
    }

    /** The metrics of the last metrics export (cumulative temporality: it holds the totals). */
    List<Metric> lastMetrics() {
        var all = bodies("metrics");
        if (all.isEmpty()) return List.of();
        try {
            var metrics = new ArrayList<Metric>();
            ExportMetricsServiceRequest.parseFrom(all.get(all.size() - 1)).getResourceMetricsList()
                    .forEach(rm -> rm.getScopeMetricsList().forEach(sm -> metrics.addAll(sm.getMetricsList())));
            return metrics;
        } catch (IOException e) {
            throw new AssertionError("not an OTLP metrics request", e);
        }
    }

    static java.util.Optional<AnyValue> value(List<KeyValue> attributes, String key) {
        return attributes.stream().filter(kv -> kv.getKey().equals(key)).map(KeyValue::getValue).findFirst();
    }

    static String stringValue(List<KeyValue> attributes, String key) {
        return value(attributes, key).map(v -> switch (v.getValueCase()) {
            case STRING_VALUE -> v.getStringValue();
            case INT_VALUE -> String.valueOf(v.getIntValue());
            case DOUBLE_VALUE -> String.valueOf(v.getDoubleValue());
            case BOOL_VALUE -> String.valueOf(v.getBoolValue());
            default -> v.toString();
        }).orElse(null);
    }

    @Override
    public void close() {
        release();
        server.stop(0);
    }
}
