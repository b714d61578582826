// chatbot_env.java: the one reader of the environment, shared by both settings files
// (chatbot_settings.java, chatbot_otel_settings.java). No OpenTelemetry here. Every bad value
// becomes one SettingsException naming the variable; only main turns it into a line and exit 2.

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

/** A setting with a value that cannot be used; its message is the one line the user reads. */
final class SettingsException extends RuntimeException {
    SettingsException(String message) {
        super(message);
    }
}

/**
 * The one reader of the environment. Every setting goes through these few parsers, and every bad
 * value becomes one SettingsException that names the variable, shows the value and says what works.
 */
record Env(Map<String, String> vars, List<String> warnings) {

    Env(Map<String, String> vars) {
        this(vars, new ArrayList<>());
    }

    /**
     * A setting that is not (all) honoured: said once at start-up, never silently dropped. The value is
     * not shown: it may be a secret the chatbot does not know to hide.
     */
    void warn(String name, String what) {
        warnings.add(name + ": " + what);
    }

    /** The trimmed value, or the fallback when unset or blank. */
    String text(String name, String fallback) {
        String v = vars.get(name);
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    /** The one line for a bad value: the value shown escaped, capped, and with any URL credentials hidden. */
    SettingsException invalid(String name, String allowed) {
        return new SettingsException(name + "=" + shown(vars.get(name)) + " is not valid: " + allowed);
    }

    static String shown(String value) {
        return Messages.oneLine(Messages.redactUserInfo(String.valueOf(value).strip()), 80);
    }

    String choice(String name, String fallback, Set<String> allowed) {
        String v = text(name, fallback).toLowerCase(Locale.ROOT);
        if (allowed.contains(v)) return v;
        throw invalid(name, "use " + String.join(", ", allowed.stream().sorted().toList()));
    }

    boolean bool(String name, boolean fallback) {
        Boolean v = optionalBool(name);
        return v == null ? fallback : v;
    }

    /** true, false, or null when the variable is not set. */
    Boolean optionalBool(String name) {
        String v = text(name, null);
        if (v == null) return null;
        if (v.equalsIgnoreCase("true")) return true;
        if (v.equalsIgnoreCase("false")) return false;
        throw invalid(name, "use true or false");
    }

    double number(String name, double fallback, double min, double max, String allowed) {
        String v = text(name, null);
        if (v == null) return fallback;
        return parseNumber(v, min, max, false).orElseThrow(() -> invalid(name, allowed));
    }

    int whole(String name, int fallback, int min, int max) {
        String v = text(name, null);
        if (v == null) return fallback;
        return (int) parseNumber(v, min, max, true).orElseThrow(() -> invalid(name, "use a whole number from " + min + " to " + max));
    }

    /** A duration in seconds (decimals allowed: 0.5), from 1 ms to an hour. */
    Duration seconds(String name, double fallback) {
        double s = number(name, fallback, 0.001, 3600, "use a number of seconds above 0 and at most 3600, e.g. 30 or 0.5");
        return Duration.ofNanos(Math.round(s * 1e9));
    }

    /**
     * The one number parser: a finite number within [min, max], and a whole one when asked. Exponent
     * forms pass (1e3), NaN and Infinity do not; empty when the text is no such number.
     */
    static OptionalDouble parseNumber(String text, double min, double max, boolean whole) {
        try {
            double d = Double.parseDouble(text.strip());
            boolean fits = Double.isFinite(d) && d >= min && d <= max && (!whole || d == Math.rint(d));
            return fits ? OptionalDouble.of(d) : OptionalDouble.empty();
        } catch (NumberFormatException e) {
            return OptionalDouble.empty();
        }
    }

    /** An http(s) URL without a trailing slash. */
    URI url(String name, String fallback) {
        String v = text(name, fallback);
        URI uri = parseHttpUrl(name, v, v);
        String s = uri.toString();
        return s.endsWith("/") ? URI.create(s.substring(0, s.length() - 1)) : uri;
    }

    static URI parseHttpUrl(String name, String shown, String url) {
        try {
            URI uri = new URI(url);
            boolean http = "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
            if (http && uri.getHost() != null && uri.getPort() <= 65535) return uri;
        } catch (URISyntaxException ignored) {
            // reported below
        }
        String example = name.startsWith("OLLAMA") ? "http://localhost:11434" : name.startsWith("JAEGER") ? "http://localhost:16686"
                : "http://localhost:4318";
        throw new SettingsException(name + "=" + shown(shown) + " is not valid: use an http:// or https:// URL, e.g. " + example);
    }

    /** The OTEL_*_HEADERS / OTEL_RESOURCE_ATTRIBUTES format: k=v pairs, comma separated, values percent-encoded. */
    Map<String, String> pairs(String name) {
        String v = text(name, null);
        var result = new LinkedHashMap<String, String>();
        if (v == null) return result;
        for (String pair : v.split(",")) {
            int eq = pair.indexOf('=');
            if (pair.isBlank()) continue;
            // Never echo the value: OTLP headers carry API keys.
            var problem = new SettingsException(name + " is not valid: expected key=value pairs separated by commas,"
                    + " values percent-encoded");
            if (eq <= 0 || pair.substring(0, eq).isBlank()) throw problem;
            String key = pair.substring(0, eq).trim(), value;
            try {
                value = URLDecoder.decode(pair.substring(eq + 1).trim(), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException badPercentEncoding) {
                throw problem;
            }
            // HTTP allows visible ASCII, spaces and tabs in a header; anything else would make the exporter
            // fail later, with the value (an API key) in its message. Say so now, never showing it.
            if (name.endsWith("_HEADERS") && !(key.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != ':')
                    && value.chars().allMatch(c -> c == '\t' || (c >= 0x20 && c < 0x7f)))) {
                throw new SettingsException(name + " is not valid: header " + Messages.oneLine(key, 40)
                        + " has a character HTTP does not allow in a header (its value is not shown)");
            }
            result.put(key, value);
        }
        return result;
    }
}
