///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS io.opentelemetry:opentelemetry-bom:1.65.0@pom
//DEPS io.opentelemetry:opentelemetry-api
//DEPS io.opentelemetry:opentelemetry-sdk
//SOURCES LogFixture.java
//DESCRIPTION Way (a) of bench/logging.java: the Logs Bridge API called directly, as chatbot_otel.java does.

// Way (a): no logging library. The code builds the record itself through the Logs Bridge API, as
// chatbot_otel.java's StructuredLog.emit does. Prints one line (ms from JVM start to export, classes).
//   jbang bench/logging/bridge.java

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;

import java.time.Instant;

class bridge {
    public static void main(String[] args) {
        OpenTelemetrySdk sdk = LogFixture.sdk();
        Logger logger = sdk.getLogsBridge().loggerBuilder(LogFixture.SCOPE).build();
        try (Scope ignored = LogFixture.spanCurrent()) {
            AttributesBuilder attributes = Attributes.builder();
            LogFixture.FIELDS.forEach((key, value) -> {
                if (value instanceof Long n) attributes.put(key, n);
                else attributes.put(key, String.valueOf(value));
            });
            logger.logRecordBuilder()
                    .setEventName(LogFixture.EVENT_NAME)
                    .setTimestamp(Instant.now())
                    .setContext(Context.current())
                    .setSeverity(Severity.INFO)
                    .setSeverityText("INFO")
                    .setBody(LogFixture.MESSAGE)
                    .setAllAttributes(attributes.build())
                    .emit();
        }
        LogFixture.report(sdk);
    }
}
