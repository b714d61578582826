// A language model small enough to write from nothing, for the real-Ollama test: a GGUF (version 3)
// file of the llama architecture with two layers of random weights and a byte-level vocabulary.
// Its answers are gibberish; what the test needs from it is that a real Ollama loads it, runs it
// and reports real token counts and timings, as it does for any model.
//
// The file layout follows the GGUF specification (ggml's docs/gguf.md): a header, key-value
// metadata, one info block per tensor, then the tensor data, each part aligned to 32 bytes.
// The vocabulary is GPT-2's byte-level one (tokenizer.ggml.model "gpt2"): one token per byte,
// spelled with GPT-2's byte-to-character table, plus a few merges and the two control tokens.

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

final class TinyGguf {
    /** The model's size: small enough to load in milliseconds, big enough to be a real transformer. */
    record Shape(int embedding, int layers, int heads, int feedForward, int context) {
        static final Shape TINY = new Shape(64, 2, 4, 128, 2048);
    }

    static final String[] MERGES = {"Ġ t", "h e", "i n", "Ġ a"};
    static final String BOS = "<|bos|>";
    static final String EOS = "<|eos|>";

    private static final int ALIGNMENT = 32;
    // GGUF metadata value types and ggml tensor types, from the specification.
    private static final int UINT32 = 4, INT32 = 5, FLOAT32 = 6, BOOL = 7, STRING = 8, ARRAY = 9;
    private static final int GGML_F32 = 0;
    private static final int TOKEN_NORMAL = 1, TOKEN_CONTROL = 3;

    private TinyGguf() {
    }

    /** The vocabulary: 256 byte tokens, one per merge, then BOS and EOS. */
    static List<String> vocabulary() {
        var tokens = new ArrayList<String>();
        for (int b = 0; b < 256; b++) tokens.add(byteToken(b));
        for (String merge : MERGES) tokens.add(merge.replace(" ", ""));
        tokens.add(BOS);
        tokens.add(EOS);
        return tokens;
    }

    /**
     * GPT-2's table: printable bytes stand for themselves, the others are shifted above U+0100 in
     * byte order, so that every byte is one visible character (a space is "Ġ", U+0120).
     */
    static String byteToken(int b) {
        boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        if (printable) return String.valueOf((char) b);
        int shifted = 0;
        for (int i = 0; i < b; i++) {
            boolean p = (i >= '!' && i <= '~') || (i >= 0xA1 && i <= 0xAC) || (i >= 0xAE && i <= 0xFF);
            if (!p) shifted++;
        }
        return String.valueOf((char) (256 + shifted));
    }

    /** Writes the model to {@code file}; the same seed gives the same bytes. */
    static void write(Path file, long seed) throws IOException {
        write(file, Shape.TINY, seed);
    }

    static void write(Path file, Shape shape, long seed) throws IOException {
        List<String> vocabulary = vocabulary();
        Map<String, long[]> tensors = tensorShapes(shape, vocabulary.size());

        var header = new Buffer();
        header.bytes("GGUF".getBytes(StandardCharsets.US_ASCII));
        header.u32(3);
        header.u64(tensors.size());
        var metadata = metadata(shape, vocabulary);
        header.u64(metadata.count);
        header.bytes(metadata.buffer.toByteArray());

        long offset = 0;
        for (var tensor : tensors.entrySet()) {
            header.string(tensor.getKey());
            long[] dims = tensor.getValue();
            header.u32(dims.length);
            for (long dim : dims) header.u64(dim);
            header.u32(GGML_F32);
            header.u64(offset);
            offset += aligned(elements(dims) * Float.BYTES);
        }
        header.padTo(ALIGNMENT);

        var random = new Random(seed);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(header.toByteArray());
            for (var tensor : tensors.entrySet()) {
                long count = elements(tensor.getValue());
                boolean norm = tensor.getKey().endsWith("norm.weight");
                var data = ByteBuffer.allocate((int) aligned(count * Float.BYTES)).order(ByteOrder.LITTLE_ENDIAN);
                // Norm weights of one leave the activations as they are; the rest is small noise.
                for (long i = 0; i < count; i++) data.putFloat(norm ? 1f : (float) (random.nextGaussian() * 0.05));
                out.write(data.array());
            }
        }
    }

    /** ggml's shapes: the first dimension is the input width, the second the output width. */
    private static Map<String, long[]> tensorShapes(Shape s, int vocabularySize) {
        var tensors = new LinkedHashMap<String, long[]>();
        tensors.put("token_embd.weight", new long[] {s.embedding(), vocabularySize});
        for (int layer = 0; layer < s.layers(); layer++) {
            String blk = "blk." + layer + ".";
            tensors.put(blk + "attn_norm.weight", new long[] {s.embedding()});
            for (String part : List.of("attn_q", "attn_k", "attn_v", "attn_output")) {
                tensors.put(blk + part + ".weight", new long[] {s.embedding(), s.embedding()});
            }
            tensors.put(blk + "ffn_norm.weight", new long[] {s.embedding()});
            tensors.put(blk + "ffn_gate.weight", new long[] {s.embedding(), s.feedForward()});
            tensors.put(blk + "ffn_up.weight", new long[] {s.embedding(), s.feedForward()});
            tensors.put(blk + "ffn_down.weight", new long[] {s.feedForward(), s.embedding()});
        }
        tensors.put("output_norm.weight", new long[] {s.embedding()});
        tensors.put("output.weight", new long[] {s.embedding(), vocabularySize});
        return tensors;
    }

    private record Metadata(Buffer buffer, int count) {}

    private static Metadata metadata(Shape s, List<String> vocabulary) {
        var kv = new Buffer();
        int count = 0;
        kv.key("general.architecture").type(STRING).string("llama"); count++;
        kv.key("general.name").type(STRING).string("tiny-random-llama"); count++;
        kv.key("general.file_type").type(UINT32).u32(0); count++; // all F32
        kv.key("general.alignment").type(UINT32).u32(ALIGNMENT); count++;
        kv.key("llama.context_length").type(UINT32).u32(s.context()); count++;
        kv.key("llama.embedding_length").type(UINT32).u32(s.embedding()); count++;
        kv.key("llama.block_count").type(UINT32).u32(s.layers()); count++;
        kv.key("llama.feed_forward_length").type(UINT32).u32(s.feedForward()); count++;
        kv.key("llama.attention.head_count").type(UINT32).u32(s.heads()); count++;
        kv.key("llama.attention.head_count_kv").type(UINT32).u32(s.heads()); count++;
        kv.key("llama.rope.dimension_count").type(UINT32).u32(s.embedding() / s.heads()); count++;
        kv.key("llama.attention.layer_norm_rms_epsilon").type(FLOAT32).f32(1e-5f); count++;
        kv.key("llama.vocab_size").type(UINT32).u32(vocabulary.size()); count++;
        kv.key("tokenizer.ggml.model").type(STRING).string("gpt2"); count++;
        kv.key("tokenizer.ggml.pre").type(STRING).string("default"); count++;
        kv.key("tokenizer.ggml.tokens").type(ARRAY).u32(STRING).u64(vocabulary.size());
        for (String token : vocabulary) kv.string(token);
        count++;
        kv.key("tokenizer.ggml.token_type").type(ARRAY).u32(INT32).u64(vocabulary.size());
        for (String token : vocabulary) kv.u32(token.equals(BOS) || token.equals(EOS) ? TOKEN_CONTROL : TOKEN_NORMAL);
        count++;
        kv.key("tokenizer.ggml.merges").type(ARRAY).u32(STRING).u64(MERGES.length);
        for (String merge : MERGES) kv.string(merge);
        count++;
        kv.key("tokenizer.ggml.bos_token_id").type(UINT32).u32(vocabulary.indexOf(BOS)); count++;
        kv.key("tokenizer.ggml.eos_token_id").type(UINT32).u32(vocabulary.indexOf(EOS)); count++;
        kv.key("tokenizer.ggml.add_bos_token").type(BOOL).u8(1); count++;
        return new Metadata(kv, count);
    }

    private static long elements(long[] dims) {
        long n = 1;
        for (long dim : dims) n *= dim;
        return n;
    }

    private static long aligned(long size) {
        return (size + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    /** Little-endian writes, as GGUF stores every number. */
    private static final class Buffer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);

        Buffer key(String key) {
            return string(key);
        }

        Buffer type(int type) {
            return u32(type);
        }

        Buffer string(String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            u64(utf8.length);
            return bytes(utf8);
        }

        Buffer u8(int v) {
            out.write(v);
            return this;
        }

        Buffer u32(int v) {
            return number(Integer.BYTES, b -> b.putInt(v));
        }

        Buffer u64(long v) {
            return number(Long.BYTES, b -> b.putLong(v));
        }

        Buffer f32(float v) {
            return number(Float.BYTES, b -> b.putFloat(v));
        }

        private Buffer number(int size, java.util.function.Consumer<ByteBuffer> put) {
            scratch.clear();
            put.accept(scratch);
            out.write(scratch.array(), 0, size);
            return this;
        }

        Buffer bytes(byte[] b) {
            out.write(b, 0, b.length);
            return this;
        }

        void padTo(int alignment) {
            while (out.size() % alignment != 0) out.write(0);
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }
}
