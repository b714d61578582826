// chatbot_charts.java: text pictures of telemetry for a terminal with no backend: a trace as a span
// waterfall, latencies as a histogram; and what the terminal is (Tty). Plain ASCII, no colours, 80 columns unless told wider. It
// draws plain records; turning spans into them is the caller's job (chatbot_otel.java, LessonKit).
// A companion of chatbot_otel.java (in chatbot_companions.java) and of lesson 1 (//SOURCES): no
// OpenTelemetry here.

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A trace as rows of bars: each span indented under its parent, placed on one shared time axis. */
final class Waterfall {
    private Waterfall() {
    }

    /**
     * One span, as the picture needs it. parentId is null for the root (or a parent not in the set);
     * error is the error.type of a failed span, null otherwise; notes go on lines under the row.
     */
    record Bar(String id, String parentId, String name, long startNanos, long endNanos, String error, List<String> notes) {
        double millis() {
            return (endNanos - startNanos) / 1e6;
        }
    }

    /** The picture, `width` columns wide (at least 60). */
    static String render(List<Bar> bars, int width) {
        if (bars.isEmpty()) return "(no spans)\n";
        var rows = new ArrayList<Row>();
        var ids = bars.stream().map(Bar::id).toList();
        bars.stream().filter(b -> b.parentId() == null || !ids.contains(b.parentId()))
                .sorted(Comparator.comparingLong(Bar::startNanos)).forEach(root -> addTree(root, 0, bars, rows));
        long t0 = bars.stream().mapToLong(Bar::startNanos).min().orElse(0);
        long t1 = bars.stream().mapToLong(Bar::endNanos).max().orElse(t0 + 1);
        int label = Math.min(34, rows.stream().mapToInt(r -> 2 * r.depth() + r.bar().name().length()).max().orElse(10) + 1);
        int status = bars.stream().mapToInt(b -> b.error() == null ? 0 : ("  ERROR " + b.error()).length()).max().orElse(0);
        int axis = Math.max(10, width - label - 2 - 13 - status); // the rest: "|...|", "   885.9 ms", the error
        var out = new StringBuilder();
        for (Row row : rows) {
            Bar bar = row.bar();
            String name = ("  ".repeat(row.depth()) + bar.name());
            name = name.length() > label ? name.substring(0, label - 1) + "~" : name;
            out.append(pad(name, label)).append('|').append(track(bar, t0, t1, axis)).append('|')
                    .append(String.format("%10.1f ms", bar.millis()))
                    .append(bar.error() == null ? "" : "  ERROR " + bar.error()).append('\n');
            for (String note : bar.notes()) out.append(" ".repeat(2 * row.depth() + 2)).append(note).append('\n');
        }
        return out.toString();
    }

    /** The span's bar on the axis: '#' from its start offset for its duration, at least one column. */
    static String track(Bar bar, long t0, long t1, int axis) {
        double scale = axis / (double) Math.max(1, t1 - t0);
        int from = (int) Math.min(axis - 1, Math.floor((bar.startNanos() - t0) * scale));
        int to = (int) Math.max(from + 1, Math.min(axis, Math.round((bar.endNanos() - t0) * scale)));
        return " ".repeat(from) + (bar.error() == null ? "#" : "!").repeat(to - from) + " ".repeat(axis - to);
    }

    private record Row(Bar bar, int depth) {}

    private static void addTree(Bar bar, int depth, List<Bar> all, List<Row> rows) {
        rows.add(new Row(bar, depth));
        all.stream().filter(b -> bar.id().equals(b.parentId())).sorted(Comparator.comparingLong(Bar::startNanos))
                .forEach(child -> addTree(child, depth + 1, all, rows));
    }

    static String pad(String text, int width) {
        return text.length() >= width ? text : text + " ".repeat(width - text.length());
    }

}

/** What the terminal is: whether a person types there, and how wide it is. Shared with the lessons. */
final class Tty {
    private Tty() {
    }

    /** True when a person types at a terminal; piped input gets no prompts and no pauses. */
    static boolean stdinIsTerminal() {
        java.io.Console console = System.console();
        if (console == null) return false;
        try {
            // Java 22+ returns a Console even for pipes and says which it is with isTerminal().
            return (boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException olderJava) {
            return true; // before Java 22 a Console exists only for a terminal
        }
    }

    /**
     * Whether stderr is a terminal. Java cannot ask, so a shell that inherits our stderr does (test -t 2);
     * where there is no shell (Windows), the answer is no, and the JSON log lines stay as they are.
     */
    static boolean stderrIsTerminal() {
        try {
            var test = new ProcessBuilder("sh", "-c", "test -t 2").redirectError(ProcessBuilder.Redirect.INHERIT).start();
            return test.waitFor(2, java.util.concurrent.TimeUnit.SECONDS) && test.exitValue() == 0;
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The width to draw at: the terminal's ($COLUMNS) when it is wider than 80 and stdout is one. */
    static int width(boolean terminal, Map<String, String> env) {
        if (!terminal) return 80;
        try {
            return Math.max(80, Math.min(300, Integer.parseInt(env.getOrDefault("COLUMNS", "80").strip())));
        } catch (NumberFormatException e) {
            return 80;
        }
    }
}

/** Latencies as a text histogram: equal-width buckets, one bar per bucket, p50/p95/p99 marked. */
final class TextHistogram {
    private TextHistogram() {
    }

    static String render(String title, List<Long> nanos, int width, int buckets) {
        if (nanos.isEmpty()) return title + ": no values\n";
        var sorted = nanos.stream().sorted().toList();
        double min = sorted.get(0) / 1e6;
        double max = sorted.get(sorted.size() - 1) / 1e6;
        double step = Math.max((max - min) / buckets, 1e-3);
        int[] counts = new int[buckets];
        for (long n : sorted) counts[Math.min(buckets - 1, (int) ((n / 1e6 - min) / step))]++;
        var marks = new LinkedHashMap<String, Double>();
        marks.put("p50", percentile(sorted, 0.50));
        marks.put("p95", percentile(sorted, 0.95));
        marks.put("p99", percentile(sorted, 0.99));
        int most = java.util.Arrays.stream(counts).max().orElse(1);
        int barWidth = Math.max(10, width - 46); // the rest: "   10.0 - 20.0    |", the count, the marks
        var out = new StringBuilder(title).append(" (ms)\n");
        for (int i = 0; i < buckets; i++) {
            double from = min + i * step;
            double to = i == buckets - 1 ? max : from + step;
            var here = new ArrayList<String>();
            for (var mark : marks.entrySet()) {
                if (mark.getValue() >= from && (mark.getValue() < to || (i == buckets - 1 && mark.getValue() <= to))) here.add(mark.getKey());
            }
            int length = counts[i] == 0 ? 0 : Math.max(1, (int) Math.round(counts[i] * (double) barWidth / most));
            out.append(String.format("%9.1f - %-9.1f|", from, to)).append(Waterfall.pad("#".repeat(length), barWidth))
                    .append(String.format(" %5d", counts[i])).append(here.isEmpty() ? "" : "  <- " + String.join(", ", here))
                    .append('\n');
        }
        marks.forEach((name, value) -> out.append(String.format("  %s %.1f ms", name, value)));
        return out.append('\n').toString();
    }

    /** The q-quantile in milliseconds, nearest rank (as the load table computes it). */
    static double percentile(List<Long> sortedNanos, double q) {
        int rank = (int) Math.ceil(q * sortedNanos.size());
        return sortedNanos.get(Math.max(0, rank - 1)) / 1e6;
    }
}
