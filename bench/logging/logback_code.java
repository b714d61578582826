///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS io.opentelemetry:opentelemetry-bom:1.65.0@pom
//DEPS io.opentelemetry:opentelemetry-api
//DEPS io.opentelemetry:opentelemetry-sdk
//DEPS io.opentelemetry.instrumentation:opentelemetry-logback-appender-1.0:2.31.1-alpha
//DEPS ch.qos.logback:logback-classic:1.5.38
//SOURCES LogFixture.java
//DESCRIPTION Way (b) of bench/logging.java configured in code, as lesson 8 does: no logback.xml to parse.

// Way (b), configured in code as lessons/08_logs.java does (step 4): no logback.xml, so Logback falls
// back to its basic console set-up, which this replaces with OpenTelemetry's appender. Prints one line.
//   jbang bench/logging/logback_code.java

import ch.qos.logback.classic.LoggerContext;
import io.opentelemetry.context.Scope;
import io.opentelemetry.instrumentation.logback.appender.v1_0.OpenTelemetryAppender;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

class logback_code {
    public static void main(String[] args) {
        OpenTelemetrySdk sdk = LogFixture.sdk();
        var context = (LoggerContext) LoggerFactory.getILoggerFactory();
        var root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders(); // the console appender of Logback's basic set-up
        var appender = new OpenTelemetryAppender();
        appender.setKeyValuePairAttributesIncluded("*"); // every key-value pair becomes an attribute
        appender.setContext(context);
        appender.start();
        root.addAppender(appender);
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
