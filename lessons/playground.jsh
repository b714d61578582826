//DEPS io.opentelemetry:opentelemetry-bom:1.65.0@pom
//DEPS io.opentelemetry:opentelemetry-api
//DEPS io.opentelemetry:opentelemetry-sdk
//DEPS io.opentelemetry:opentelemetry-exporter-logging
//DEPS io.opentelemetry.semconv:opentelemetry-semconv:1.41.0
//DEPS io.opentelemetry.semconv:opentelemetry-semconv-incubating:1.41.0-alpha
//DESCRIPTION A JShell playground with the lessons' dependencies and a console-exporting SDK ready as `otel`.

// The lessons' playground: try OpenTelemetry one line at a time.
//   jbang playground                      (the catalog alias: opens JShell with this loaded)
//   jbang --interactive lessons/playground.jsh
// Ready for you: otel (an SDK printing every span as it ends and metrics on flush), tracer, meter.
// Try:
//   var span = tracer.spanBuilder("hello").startSpan();
//   span.setAttribute("llm.model", "llama3.1:8b");
//   span.end();                                          // the console line appears now
//   meter.counterBuilder("llm.requests").build().add(1);
//   flush();                                             // print the metrics
// /exit leaves.

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.logging.LoggingMetricExporter;
import io.opentelemetry.exporter.logging.LoggingSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.semconv.HttpAttributes;
import io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes;
import java.time.Duration;

// JShell ends a statement at the first line that is complete: keep each statement on one line.
// The console exporters log through java.util.logging: one short line each, on standard output.
System.setProperty("java.util.logging.SimpleFormatter.format", "   -> %5$s%n");
var exportersLog = java.util.logging.Logger.getLogger("io.opentelemetry.exporter.logging");
exportersLog.setUseParentHandlers(false);
exportersLog.addHandler(new java.util.logging.StreamHandler(System.out, new java.util.logging.SimpleFormatter()) { public synchronized void publish(java.util.logging.LogRecord r) { super.publish(r); flush(); } });

var resource = Resource.getDefault().merge(Resource.builder().put("service.name", "playground").build());
var tracerProvider = SdkTracerProvider.builder().setResource(resource).addSpanProcessor(SimpleSpanProcessor.create(LoggingSpanExporter.create())).build();
var metricReader = PeriodicMetricReader.builder(LoggingMetricExporter.create()).setInterval(Duration.ofMinutes(10)).build();
var meterProvider = SdkMeterProvider.builder().setResource(resource).registerMetricReader(metricReader).build();
OpenTelemetrySdk otel = OpenTelemetrySdk.builder().setTracerProvider(tracerProvider).setMeterProvider(meterProvider).build();
Tracer tracer = otel.getTracer("playground");
Meter meter = otel.getMeter("playground");
void flush() { meterProvider.forceFlush().join(2, java.util.concurrent.TimeUnit.SECONDS); }

System.out.println("OpenTelemetry playground ready: otel, tracer, meter, flush(). Try: tracer.spanBuilder(\"hello\").startSpan().end()");
