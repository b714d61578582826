// The chatbot spells its keys by hand in one class (so a rename is one edit). This checks the
// spelling against the published semantic-convention constants: a typo fails here, not in Jaeger.

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.semconv.ErrorAttributes;
import io.opentelemetry.semconv.HttpAttributes;
import io.opentelemetry.semconv.ServerAttributes;
import io.opentelemetry.semconv.UrlAttributes;
import io.opentelemetry.semconv.incubating.GenAiIncubatingAttributes;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SemconvKeysTest {
    private static void same(AttributeKey<?> published, AttributeKey<?> ours) {
        assertEquals(published.getKey(), ours.getKey());
        assertEquals(published.getType(), ours.getType(), ours.getKey());
    }

    @Test
    @SuppressWarnings("deprecation") // gen_ai.system is deprecated in favour of gen_ai.provider.name; we send both
    void genAiKeysMatchSemanticConventions141() {
        same(GenAiIncubatingAttributes.GEN_AI_OPERATION_NAME, chatbot_otel.Keys.GEN_AI_OPERATION_NAME);
        same(GenAiIncubatingAttributes.GEN_AI_PROVIDER_NAME, chatbot_otel.Keys.GEN_AI_PROVIDER_NAME);
        same(GenAiIncubatingAttributes.GEN_AI_SYSTEM, chatbot_otel.Keys.GEN_AI_SYSTEM);
        same(GenAiIncubatingAttributes.GEN_AI_CONVERSATION_ID, chatbot_otel.Keys.GEN_AI_CONVERSATION_ID);
        same(GenAiIncubatingAttributes.GEN_AI_REQUEST_MODEL, chatbot_otel.Keys.GEN_AI_REQUEST_MODEL);
        same(GenAiIncubatingAttributes.GEN_AI_RESPONSE_MODEL, chatbot_otel.Keys.GEN_AI_RESPONSE_MODEL);
        same(GenAiIncubatingAttributes.GEN_AI_REQUEST_TEMPERATURE, chatbot_otel.Keys.GEN_AI_REQUEST_TEMPERATURE);
        same(GenAiIncubatingAttributes.GEN_AI_REQUEST_MAX_TOKENS, chatbot_otel.Keys.GEN_AI_REQUEST_MAX_TOKENS);
        same(GenAiIncubatingAttributes.GEN_AI_REQUEST_STREAM, chatbot_otel.Keys.GEN_AI_REQUEST_STREAM);
        same(GenAiIncubatingAttributes.GEN_AI_RESPONSE_FINISH_REASONS, chatbot_otel.Keys.GEN_AI_RESPONSE_FINISH_REASONS);
        same(GenAiIncubatingAttributes.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK, chatbot_otel.Keys.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK);
        same(GenAiIncubatingAttributes.GEN_AI_USAGE_INPUT_TOKENS, chatbot_otel.Keys.GEN_AI_USAGE_INPUT_TOKENS);
        same(GenAiIncubatingAttributes.GEN_AI_USAGE_OUTPUT_TOKENS, chatbot_otel.Keys.GEN_AI_USAGE_OUTPUT_TOKENS);
        same(GenAiIncubatingAttributes.GEN_AI_TOKEN_TYPE, chatbot_otel.Keys.GEN_AI_TOKEN_TYPE);
    }

    @Test
    void httpServerAndErrorKeysMatchStableConventions() {
        same(ServerAttributes.SERVER_ADDRESS, chatbot_otel.Keys.SERVER_ADDRESS);
        same(ServerAttributes.SERVER_PORT, chatbot_otel.Keys.SERVER_PORT);
        same(ErrorAttributes.ERROR_TYPE, chatbot_otel.Keys.ERROR_TYPE);
        same(HttpAttributes.HTTP_REQUEST_METHOD, chatbot_otel.Keys.HTTP_REQUEST_METHOD);
        same(HttpAttributes.HTTP_RESPONSE_STATUS_CODE, chatbot_otel.Keys.HTTP_RESPONSE_STATUS_CODE);
        same(UrlAttributes.URL_FULL, chatbot_otel.Keys.URL_FULL);
    }
}
