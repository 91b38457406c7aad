package dev.kitebridge.state.aws;

import java.io.File;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;

import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * moto_server (moto 5.2, an open emulator of AWS's APIs, every service on one port) started once per
 * JVM on a free loopback port, for the Secrets Manager and SQS adapters' tests and the benchmarks.
 * It is a Python tool on the machine's image, not installed by the build: where it is not on the
 * PATH, {@link #require()} skips the test saying so, and fails it in CI, whose image has it.
 */
public final class MotoServer {

    private static final String COMMAND = "moto_server";
    /** Werkzeug's line once it listens: with port 0 it binds a free port itself, which no other process can take first. */
    private static final Pattern LISTENING = Pattern.compile("Running on http://127\\.0\\.0\\.1:(\\d+)");
    /** Generous: the Python interpreter and moto's imports start slowly on a busy machine. */
    private static final long STARTUP_MILLIS = 60_000;
    private static final AtomicInteger PREFIXES = new AtomicInteger();

    private static MotoServer instance;

    private final URI endpoint;
    private final SecretsManagerClient secrets;

    private MotoServer(URI endpoint) {
        this.endpoint = endpoint;
        this.secrets = AwsClients.secretsManager(new AwsConfig("us-east-1", "unused", "unused/", null, endpoint));
    }

    /** moto_server on the PATH, if it is there. */
    public static Optional<Path> executable() {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(dir -> !dir.isBlank())
                .map(dir -> Path.of(dir, COMMAND))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /** For a test: the running server, or the test skipped with a message naming what is missing (in CI, failed). */
    public static MotoServer require() {
        boolean present = executable().isPresent();
        String missing = COMMAND + " is not on the PATH; install moto's server (pip install 'moto[server]==5.2.*') to run this test";
        if (!present && System.getenv("CI") != null) {
            throw new AssertionError("CI's machine image must have " + COMMAND + ": " + missing);
        }
        Assumptions.assumeTrue(present, () -> "skipped: " + missing);
        return get();
    }

    /** The running server, started at the first call; for the benchmarks, which need it. */
    public static synchronized MotoServer get() {
        if (instance == null) {
            Path command = executable().orElseThrow(() -> new IllegalStateException(COMMAND + " is not on the PATH; install moto's server"
                    + " (pip install 'moto[server]==5.2.*')"));
            instance = start(command);
        }
        return instance;
    }

    public URI endpoint() {
        return endpoint;
    }

    /** A secret prefix no other caller in this JVM uses: moto's state is shared by every test of the JVM. */
    public String newSecretPrefix() {
        return AwsConfig.DEFAULT_SECRET_PREFIX + "test-" + PREFIXES.incrementAndGet() + "/";
    }

    /** The secrets under the prefix that are not scheduled for deletion, with their values, as Secrets Manager lists them. */
    public Map<String, String> liveSecrets(String prefix) {
        Map<String, String> live = new TreeMap<>();
        secrets.listSecretsPaginator(b -> b.includePlannedDeletion(false)).stream()
                .flatMap(page -> page.secretList().stream())
                .filter(secret -> secret.name().startsWith(prefix))
                .forEach(secret -> live.put(secret.name(), secrets.getSecretValue(b -> b.secretId(secret.name())).secretString()));
        return live;
    }

    private static MotoServer start(Path command) {
        try {
            Path log = Files.createTempFile("kitebridge-moto-", ".log");
            ProcessBuilder builder = new ProcessBuilder(command.toString(), "-H", "127.0.0.1", "-p", "0")
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().put("PYTHONUNBUFFERED", "1"); // the port line reaches the log at once
            Process process = builder.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(process)));
            long deadline = System.currentTimeMillis() + STARTUP_MILLIS;
            while (System.currentTimeMillis() < deadline) {
                Matcher listening = LISTENING.matcher(Files.readString(log));
                if (listening.find()) {
                    URI endpoint = URI.create("http://127.0.0.1:" + listening.group(1));
                    if (answers(endpoint)) {
                        return new MotoServer(endpoint);
                    }
                }
                if (!process.isAlive()) {
                    throw new IllegalStateException(COMMAND + " exited with " + process.exitValue() + ": " + Files.readString(log));
                }
                Thread.sleep(100);
            }
            stop(process);
            throw new IllegalStateException(COMMAND + " did not answer within " + STARTUP_MILLIS / 1000 + " s; its log: " + log);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Whether moto answers HTTP (its own API's index), not merely accepts connections. */
    private static boolean answers(URI endpoint) {
        try {
            HttpURLConnection connection = (HttpURLConnection) endpoint.resolve("/moto-api/").toURL().openConnection();
            connection.setConnectTimeout(1_000);
            connection.setReadTimeout(5_000);
            try {
                return connection.getResponseCode() == 200;
            } finally {
                connection.disconnect();
            }
        } catch (IOException notYet) {
            return false;
        }
    }

    /** The process and whatever it started (a version manager's shim may stand between). */
    private static void stop(Process process) {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
    }
}
