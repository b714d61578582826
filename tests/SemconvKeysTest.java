// The chatbot takes every semantic-convention key from the published constants, as lesson 7 teaches,
// and spells by hand only what no constant covers. This holds it to that: any key spelled by hand in
// chatbot_otel.java that the semconv artifacts publish (and do not deprecate) fails here.

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.semconv.ErrorAttributes;
import io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes;
import io.opentelemetry.semconv.incubating.HttpIncubatingAttributes;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SemconvKeysTest {

    /** Every published key, by name, with whether its constant is deprecated. */
    private static Map<String, Boolean> publishedKeys() throws Exception {
        var keys = new HashMap<String, Boolean>();
        for (Class<?> anchor : new Class<?>[] {ErrorAttributes.class, GenAiIncubatingAttributes.class}) {
            Path jar = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            try (var file = new JarFile(jar.toFile())) {
                for (var entry : java.util.Collections.list(file.entries())) {
                    String name = entry.getName();
                    if (!name.endsWith("Attributes.class") || name.contains("$")) continue;
                    Class<?> type = Class.forName(name.replace('/', '.').replace(".class", ""));
                    for (Field field : type.getFields()) {
                        if (!Modifier.isStatic(field.getModifiers()) || field.getType() != AttributeKey.class) continue;
                        var key = (AttributeKey<?>) field.get(null);
                        keys.merge(key.getKey(), field.isAnnotationPresent(Deprecated.class), Boolean::logicalAnd);
                    }
                }
            }
        }
        return keys;
    }

    @Test
    void noPublishedKeyIsSpelledByHand() throws Exception {
        var published = publishedKeys();
        assertTrue(published.size() > 500, "the semconv artifacts were read: " + published.size() + " keys");
        String source = Files.readString(Harness.ROOT.resolve("chatbot_otel.java"));
        var handSpelled = Pattern.compile("AttributeKey\\.\\w+Key\\(\"([^\"]+)\"\\)").matcher(source);
        int count = 0;
        while (handSpelled.find()) {
            count++;
            String key = handSpelled.group(1);
            assertFalse(Boolean.FALSE.equals(published.get(key)),
                    key + " is spelled by hand in chatbot_otel.java, but the semconv artifacts publish it: use the constant");
        }
        assertTrue(count >= 14, "the reference chatbot's own keys are spelled by hand: " + count);
    }

    @Test
    @SuppressWarnings("deprecation") // the point: the deprecated names the reference chatbot still uses
    void theDeprecatedKeysKeptBesideTheirSuccessorsAreThePublishedOnes() {
        assertSame(GenAiIncubatingAttributes.GEN_AI_SYSTEM, chatbot_otel.Keys.GEN_AI_SYSTEM);
        assertSame(HttpIncubatingAttributes.HTTP_METHOD, chatbot_otel.Keys.HTTP_METHOD);
        assertSame(HttpIncubatingAttributes.HTTP_URL, chatbot_otel.Keys.HTTP_URL);
        assertSame(HttpIncubatingAttributes.HTTP_STATUS_CODE, chatbot_otel.Keys.HTTP_STATUS_CODE);
    }
}
