///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS io.opentelemetry:opentelemetry-bom:1.65.0@pom
//DEPS io.opentelemetry:opentelemetry-api
//DEPS io.opentelemetry:opentelemetry-sdk
//SOURCES LogFixture.java
//DESCRIPTION Way (c) of bench/logging.java: java.util.logging, a small Handler forwarding to the Logs API.

// Way (c): the JDK's own logging, no library. The code logs through java.util.logging; OtelHandler,
// some 40 lines the project keeps itself, turns each LogRecord into an OpenTelemetry record (a Map
// parameter gives the attributes; its key event.name gives the event name). Prints one line.
//   jbang bench/logging/jul.java

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.logs.LogRecordBuilder;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

class jul {
    public static void main(String[] args) {
        OpenTelemetrySdk sdk = LogFixture.sdk();
        Logger log = Logger.getLogger(LogFixture.SCOPE);
        log.setUseParentHandlers(false); // the records go to OpenTelemetry only, not to the console as well
        log.addHandler(new OtelHandler(sdk));
        try (Scope ignored = LogFixture.spanCurrent()) {
            var fields = new LinkedHashMap<String, Object>(LogFixture.FIELDS);
            fields.put("event.name", LogFixture.EVENT_NAME);
            log.log(Level.INFO, LogFixture.MESSAGE, fields);
        }
        LogFixture.report(sdk);
    }
}

/** A java.util.logging Handler that hands each record to the Logs API, in the caller's thread and context. */
final class OtelHandler extends Handler {
    private final io.opentelemetry.api.logs.Logger logger;
    private final Formatter formatter = new SimpleFormatter();

    OtelHandler(OpenTelemetry otel) {
        logger = otel.getLogsBridge().loggerBuilder(LogFixture.SCOPE).build();
    }

    @Override
    public void publish(LogRecord record) {
        if (!isLoggable(record)) return;
        LogRecordBuilder builder = logger.logRecordBuilder()
                .setTimestamp(record.getInstant())
                .setContext(Context.current())
                .setSeverity(severity(record.getLevel()))
                .setSeverityText(record.getLevel().getName())
                .setBody(formatter.formatMessage(record));
        if (record.getParameters() != null) {
            for (Object parameter : record.getParameters()) {
                if (!(parameter instanceof Map<?, ?> fields)) continue;
                fields.forEach((key, value) -> put(builder, String.valueOf(key), value));
            }
        }
        if (record.getThrown() != null) {
            builder.setAttribute(AttributeKey.stringKey("exception.type"), record.getThrown().getClass().getName());
            String message = String.valueOf(record.getThrown().getMessage());
            builder.setAttribute(AttributeKey.stringKey("exception.message"), message);
        }
        builder.emit();
    }

    private static void put(LogRecordBuilder builder, String key, Object value) {
        if (key.equals("event.name")) {
            builder.setEventName(String.valueOf(value));
        } else if (value instanceof Long || value instanceof Integer) {
            builder.setAttribute(AttributeKey.longKey(key), ((Number) value).longValue());
        } else if (value instanceof Boolean b) {
            builder.setAttribute(AttributeKey.booleanKey(key), b);
        } else {
            builder.setAttribute(AttributeKey.stringKey(key), String.valueOf(value));
        }
    }

    static Severity severity(Level level) {
        int value = level.intValue();
        if (value >= Level.SEVERE.intValue()) return Severity.ERROR;
        if (value >= Level.WARNING.intValue()) return Severity.WARN;
        if (value >= Level.INFO.intValue()) return Severity.INFO;
        if (value >= Level.FINE.intValue()) return Severity.DEBUG;
        return Severity.TRACE;
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
