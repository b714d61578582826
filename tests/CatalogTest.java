// jbang-catalog.json: every alias points at a script that exists and describes itself the same way,
// so `jbang alias list` tells a newcomer what the script's own header says. (.ci/run builds each alias.)

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CatalogTest {
    private static final Path ROOT = Harness.ROOT;

    static JsonNode aliases() throws Exception {
        return new ObjectMapper().readTree(ROOT.resolve("jbang-catalog.json").toFile()).get("aliases");
    }

    @Test
    void chatbotAndTestAliasesExist() throws Exception {
        var names = new ArrayList<String>();
        aliases().fieldNames().forEachRemaining(names::add);
        assertTrue(names.containsAll(List.of("chatbot", "test")), names.toString());
    }

    @Test
    void everyAliasPointsAtAScriptWhoseDescriptionItRepeats() throws Exception {
        var fields = aliases().properties().iterator();
        while (fields.hasNext()) {
            var alias = fields.next();
            Path script = ROOT.resolve(alias.getValue().get("script-ref").asText());
            assertTrue(Files.exists(script), alias.getKey() + " -> " + script);
            String description = Files.readAllLines(script).stream().filter(l -> l.startsWith("//DESCRIPTION "))
                    .map(l -> l.substring("//DESCRIPTION ".length()).strip()).findFirst().orElse("(none)");
            assertEquals(description, alias.getValue().get("description").asText(), alias.getKey());
            assertTrue(Character.isLetter(alias.getKey().charAt(0)), "alias names start with a letter: " + alias.getKey());
        }
    }
}
