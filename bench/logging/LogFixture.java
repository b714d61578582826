// LogFixture: what the logging ways of bench/logging.java share. The SDK (an SdkLoggerProvider with a
// SimpleLogRecordProcessor and an exporter that only counts and keeps the first record), the span context
// made current, the turn's facts, and the report: the moment the record reached the exporter, taken
// against the JVM's start, and the classes loaded by then. Each way emits the same record: INFO, event
// llm.interaction, body "LLM request completed", three attributes, the span's trace and span ids;
// report() checks that it did, so a way that loses a fact fails instead of looking cheap.

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;

import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

final class LogFixture {
    static final String SCOPE = "chatbot";
    static final String EVENT_NAME = "llm.interaction";
    static final String MESSAGE = "LLM request completed";
    static final String MODEL = "gen_ai.request.model";
    static final String INPUT_TOKENS = "gen_ai.usage.input_tokens";
    static final String OUTPUT_TOKENS = "gen_ai.usage.output_tokens";
    static final Map<String, Object> FIELDS = fields();
    static final SpanContext SPAN = SpanContext.create("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
            TraceFlags.getSampled(), TraceState.getDefault());
    static final CountingExporter EXPORTER = new CountingExporter();

    private LogFixture() {
    }

    private static Map<String, Object> fields() {
        var fields = new LinkedHashMap<String, Object>();
        fields.put(MODEL, "llama3.2");
        fields.put(INPUT_TOKENS, 12L);
        fields.put(OUTPUT_TOKENS, 99L);
        return fields;
    }

    /** The SDK with logs only: what every way shares, so that the rows differ by the logging path alone. */
    static OpenTelemetrySdk sdk() {
        var loggerProvider = SdkLoggerProvider.builder()
                .addLogRecordProcessor(SimpleLogRecordProcessor.create(EXPORTER))
                .build();
        return OpenTelemetrySdk.builder().setLoggerProvider(loggerProvider).build();
    }

    /** The chat turn's span, current: its ids must end up on the record. */
    static Scope spanCurrent() {
        return Span.wrap(SPAN).makeCurrent();
    }

    /** Checks the record, then prints one line for bench/logging.java: ms from JVM start to export, classes loaded. */
    static void report(OpenTelemetrySdk sdk) {
        long exportedAt = EXPORTER.exportedAtMillis;
        // Read after the export: java.lang.management loads classes of its own (the same ones in every way).
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        int classes = ManagementFactory.getClassLoadingMXBean().getLoadedClassCount();
        String problem = problem(EXPORTER.count, EXPORTER.first);
        sdk.close();
        if (problem != null) {
            System.err.println("logbench: the record is not the chatbot's: " + problem);
            System.exit(1);
        }
        System.out.printf("logbench exported_ms=%d classes=%d%n", exportedAt - jvmStart, classes);
    }

    /** What the exported record lacks of the chatbot's, or null: the same facts in every way. */
    static String problem(int count, LogRecordData r) {
        if (count != 1) return count + " records exported, not 1";
        if (!EVENT_NAME.equals(r.getEventName())) return "event name " + r.getEventName();
        if (r.getSeverity() != Severity.INFO) return "severity " + r.getSeverity();
        String body = r.getBodyValue() == null ? null : r.getBodyValue().asString();
        if (!MESSAGE.equals(body)) return "body " + body;
        SpanContext span = r.getSpanContext();
        boolean sameIds = SPAN.getTraceId().equals(span.getTraceId()) && SPAN.getSpanId().equals(span.getSpanId());
        if (!sameIds) return "ids " + span;
        var attributes = r.getAttributes();
        if (!"llama3.2".equals(attributes.get(AttributeKey.stringKey(MODEL)))
                || !Long.valueOf(12).equals(attributes.get(AttributeKey.longKey(INPUT_TOKENS)))
                || !Long.valueOf(99).equals(attributes.get(AttributeKey.longKey(OUTPUT_TOKENS)))) {
            return "attributes " + attributes;
        }
        return null;
    }

    /** Counts, keeps the first record and the moment it arrived; sends nothing anywhere. */
    static final class CountingExporter implements LogRecordExporter {
        volatile int count;
        volatile long exportedAtMillis;
        volatile LogRecordData first;

        @Override
        public CompletableResultCode export(Collection<LogRecordData> records) {
            if (count == 0) {
                exportedAtMillis = System.currentTimeMillis();
                first = records.iterator().next();
            }
            count += records.size();
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }
}
