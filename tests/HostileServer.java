// A server that says exactly what a test scripts, byte by byte: status lines, headers, partial lines,
// pauses, an endless line, a close in the middle. The friendly simulator (ollama_sim.java) speaks
// Ollama's protocol correctly; this one is for everything a bad or hostile server can send instead.
// It binds 127.0.0.1 on a free port, reads each request whole, then plays the script; every pause
// and every loop is bounded, and close() stops it.

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

final class HostileServer implements AutoCloseable {

    /** What the server does for each request, step by step. */
    static final class Script {
        interface Step {
            void play(OutputStream out) throws IOException, InterruptedException;
        }

        private final List<Step> steps = new ArrayList<>();

        /** Raw bytes, exactly as given. */
        Script send(String text) {
            steps.add(out -> {
                out.write(text.getBytes(StandardCharsets.UTF_8));
                out.flush();
            });
            return this;
        }

        /** A response head with the status, a content type, and a body that ends when the connection closes. */
        Script head(int status, String contentType) {
            return send("HTTP/1.1 " + status + " X\r\nContent-Type: " + contentType + "\r\nConnection: close\r\n\r\n");
        }

        /** A whole response with a body of known length. */
        Script respond(int status, String contentType, String body) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            return send("HTTP/1.1 " + status + " X\r\nContent-Type: " + contentType + "\r\nContent-Length: " + bytes.length
                    + "\r\nConnection: close\r\n\r\n" + body);
        }

        Script pause(long millis) {
            steps.add(out -> Thread.sleep(millis));
            return this;
        }

        /** The same line again and again, `every` ms apart, at most `times` (the test's own bound). */
        Script drip(String line, long every, int times) {
            steps.add(out -> {
                for (int i = 0; i < times; i++) {
                    out.write(line.getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    Thread.sleep(every);
                }
            });
            return this;
        }

        /** `bytes` bytes of 'x' with no newline: one endless line. */
        Script endlessLine(long bytes) {
            steps.add(out -> {
                byte[] block = "x".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
                for (long sent = 0; sent < bytes; sent += block.length) out.write(block);
                out.flush();
            });
            return this;
        }
    }

    private final ServerSocket socket;
    private final Script script;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        var t = new Thread(r, "hostile-server");
        t.setDaemon(true);
        return t;
    });
    private final List<String> requests = new CopyOnWriteArrayList<>();

    private HostileServer(ServerSocket socket, Script script) {
        this.socket = socket;
        this.script = script;
    }

    static HostileServer start(Script script) throws IOException {
        var server = new HostileServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), script);
        server.pool.submit(server::accept);
        return server;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + socket.getLocalPort();
    }

    /** The request heads and bodies received, in order. */
    List<String> requests() {
        return List.copyOf(requests);
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                pool.submit(() -> serve(client));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            requests.add(readRequest(client.getInputStream()));
            var out = client.getOutputStream();
            for (var step : script.steps) step.play(out);
        } catch (IOException | InterruptedException gone) {
            // the client hung up, or the test is over
        }
    }

    /** Reads the head up to the blank line, then Content-Length bytes of body. */
    private static String readRequest(InputStream in) throws IOException {
        var head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b == -1) break;
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : text.split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) length = Integer.parseInt(line.substring(15).strip());
        }
        return text + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        pool.shutdownNow();
    }
}
