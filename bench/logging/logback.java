///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS io.opentelemetry:opentelemetry-bom:1.65.0@pom
//DEPS io.opentelemetry:opentelemetry-api
//DEPS io.opentelemetry:opentelemetry-sdk
//DEPS io.opentelemetry.instrumentation:opentelemetry-logback-appender-1.0:2.31.1-alpha
//DEPS ch.qos.logback:logback-classic:1.5.38
//SOURCES LogFixture.java
//FILES logback.xml
//DESCRIPTION Way (b) of bench/logging.java: SLF4J + Logback, logback.xml with OpenTelemetry's appender.

// Way (b): what a Java project writes. SLF4J's API in the code, Logback behind it, configured by the
// logback.xml beside this file (OpenTelemetry's appender only), OpenTelemetryAppender.install(sdk) to
// hand it the SDK. The appender 2.31.1-alpha is the one built on OpenTelemetry 1.65.0 (its POM's API).
// Prints one line (ms from JVM start to export, classes).
//   jbang bench/logging/logback.java

import io.opentelemetry.context.Scope;
import io.opentelemetry.instrumentation.logback.appender.v1_0.OpenTelemetryAppender;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

class logback {
    public static void main(String[] args) {
        OpenTelemetrySdk sdk = LogFixture.sdk();
        OpenTelemetryAppender.install(sdk);
        Logger log = LoggerFactory.getLogger(LogFixture.SCOPE);
        try (Scope ignored = LogFixture.spanCurrent()) {
            LoggingEventBuilder event = log.atInfo().addKeyValue("otel.event.name", LogFixture.EVENT_NAME);
            LogFixture.FIELDS.forEach(event::addKeyValue);
            event.log(LogFixture.MESSAGE);
        }
        LogFixture.report(sdk);
    }
}
