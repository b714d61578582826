// The README's "Where to look in the code" table names methods of chatbot_otel.java; each must exist,
// so a rename cannot leave a reader looking for a method that is gone. It also holds the file to its
// shape: all of the OpenTelemetry code, reading top-down, short enough to read.

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WhereToLookTest {

    /** `Class.method` pairs from the table's second column. */
    private static List<String[]> namedMethods() {
        String readme = Stack.text("README.md");
        int start = readme.indexOf("### Where to look in the code");
        String section = readme.substring(start, readme.indexOf("\n## ", start));
        var names = new ArrayList<String[]>();
        for (String row : section.lines().filter(l -> l.startsWith("| ") && !l.startsWith("| concept")).toList()) {
            String where = row.substring(row.lastIndexOf("|", row.length() - 2));
            var m = Pattern.compile("`(\\w+)\\.(\\w+)`").matcher(where);
            while (m.find()) names.add(new String[] {m.group(1), m.group(2)});
        }
        return names;
    }

    @Test
    void everyMethodTheTableNamesExists() throws Exception {
        var named = namedMethods();
        assertTrue(named.size() >= 12, "the table names the concepts: " + named.size());
        for (String[] name : named) {
            Class<?> type = Class.forName("chatbot_otel$" + name[0]);
            boolean exists = name[0].equals(name[1]) ? type.getDeclaredConstructors().length > 0
                    : Arrays.stream(type.getDeclaredMethods()).anyMatch(m -> m.getName().equals(name[1]));
            assertTrue(exists, name[0] + "." + name[1] + " is named in the README but does not exist");
        }
    }

    @Test
    void theTeachingFileIsShortAndSpansComeEarly() throws Exception {
        var lines = Files.readAllLines(Harness.ROOT.resolve("chatbot_otel.java"));
        // 1,200 lines and line 500 before lines were held to 120 columns and each semconv key got its own
        // import (issue 28): the same code, wrapped, reads as 1,300 and 575.
        assertTrue(lines.size() <= 1300, "chatbot_otel.java has " + lines.size() + " lines");
        int firstSpan = 0;
        while (!lines.get(firstSpan).contains("spanBuilder(")) firstSpan++;
        assertTrue(firstSpan + 1 <= 575, "the first spanBuilder is at line " + (firstSpan + 1));
    }

    @Test
    void companionsHoldNoOpenTelemetry() throws Exception {
        for (String companion : List.of("chatbot_settings.java", "chatbot_ollama.java", "chatbot_terminal.java", "chatbot_load.java", "chatbot_repl.java", "chatbot_otel_settings.java")) {
            String text = Files.readString(Harness.ROOT.resolve(companion));
            assertFalse(text.contains("import io.opentelemetry"), companion + " imports OpenTelemetry: it belongs in chatbot_otel.java");
        }
    }
}
