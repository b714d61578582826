// TLS material for tests, made with the JDK's own keytool: a server identity for 127.0.0.1 and a
// client identity, each as the PEM files the OTEL_EXPORTER_OTLP_*CERTIFICATE / _CLIENT_KEY variables
// name, plus an SSLContext for a test server that trusts the client.

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

record TlsFiles(Path serverCertificate, Path clientKey, Path clientCertificate, SSLContext serverContext) {
    private static final char[] PASSWORD = "changeit".toCharArray();

    static TlsFiles create(Path dir) throws Exception {
        KeyStore server = identity(dir, "server", "CN=127.0.0.1", "ip:127.0.0.1");
        KeyStore client = identity(dir, "client", "CN=chatbot-test-client", "dns:client");
        Path serverPem = pem(dir.resolve("server.crt"), "CERTIFICATE", server.getCertificate("server").getEncoded());
        Path clientCertPem = pem(dir.resolve("client.crt"), "CERTIFICATE", client.getCertificate("client").getEncoded());
        Path clientKeyPem = pem(dir.resolve("client.key"), "PRIVATE KEY", ((PrivateKey) client.getKey("client", PASSWORD)).getEncoded());
        // The server presents its identity and trusts the client's certificate, and nothing else.
        var keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(server, PASSWORD);
        var trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("client", client.getCertificate("client"));
        var trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        var context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
        return new TlsFiles(serverPem, clientKeyPem, clientCertPem, context);
    }

    private static KeyStore identity(Path dir, String alias, String name, String san) throws Exception {
        Path store = dir.resolve(alias + ".p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        var process = new ProcessBuilder(keytool, "-genkeypair", "-alias", alias, "-keyalg", "RSA", "-keysize", "2048",
                "-validity", "2", "-dname", name, "-ext", "SAN=" + san, "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", new String(PASSWORD)).redirectErrorStream(true).start();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + new String(process.getInputStream().readAllBytes()));
        }
        var keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keyStore.load(in, PASSWORD);
        }
        return keyStore;
    }

    private static Path pem(Path file, String type, byte[] der) throws Exception {
        String body = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der);
        return Files.writeString(file, "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n");
    }
}
