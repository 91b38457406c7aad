package dev.kitebridge.state.aws;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * dynalite (an open implementation of DynamoDB's API, installed from npm into tools/dynalite by the
 * build) started once per JVM on a free port, and a fresh table per caller: for the tests, the
 * benchmarks and the local dev server, never for Lambda: test support, in shared's test-jar beside
 * {@link MotoServer}.
 */
public final class Dynalite {

    private static Dynalite instance;
    private static final AtomicInteger TABLES = new AtomicInteger();

    private final Process process;
    private final URI endpoint;

    private Dynalite(Process process, URI endpoint) {
        this.process = process;
        this.endpoint = endpoint;
    }

    public static synchronized Dynalite get() {
        if (instance == null) {
            instance = start(null);
        }
        return instance;
    }

    /**
     * A dynalite of its own that keeps its tables in a folder (LevelDB), so that they outlive the
     * process: the dev server's {@code --state dynamodb}. One process at a time may hold a folder.
     */
    public static Dynalite keepingIn(Path folder) {
        return start(folder);
    }

    public URI endpoint() {
        return endpoint;
    }

    /** A client for it; the table it creates is new and empty. */
    public Table newTable() {
        AwsConfig config = new AwsConfig("us-east-1", "kitebridge-test-" + TABLES.incrementAndGet(), "test/accounts/", endpoint, null);
        DynamoDbClient client = AwsClients.dynamoDb(config);
        KitebridgeTable.create(client, config.table());
        return new Table(client, config.table(), config);
    }

    public record Table(DynamoDbClient client, String name, AwsConfig config) {}

    private static Dynalite start(Path folder) {
        String cli = System.getProperty("kitebridge.dynalite", "tools/dynalite/node_modules/dynalite/cli.js");
        if (cli == null || !Files.isRegularFile(Path.of(cli))) {
            throw new IllegalStateException("dynalite is not installed at " + cli + "; install it with: (cd tools/dynalite && npm ci)");
        }
        try {
            int port;
            try (ServerSocket free = new ServerSocket(0)) {
                port = free.getLocalPort();
            }
            // Tables are ready at once (dynalite's default imitates DynamoDB's seconds of CREATING).
            List<String> command = new ArrayList<>(List.of("node", cli, "--port", Integer.toString(port),
                    "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"));
            if (folder != null) {
                Files.createDirectories(folder);
                command.addAll(List.of("--path", folder.toString()));
            }
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(new File(System.getProperty("java.io.tmpdir"), "kitebridge-dynalite-" + port + ".log"))
                    .start();
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
            long deadline = System.currentTimeMillis() + 15_000;
            while (System.currentTimeMillis() < deadline) {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                    return new Dynalite(process, URI.create("http://127.0.0.1:" + port));
                } catch (IOException notYet) {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("dynalite exited with " + process.exitValue()
                                + (folder == null ? "" : " (is another process keeping its tables in " + folder + "?)"));
                    }
                    Thread.sleep(100);
                }
            }
            process.destroy();
            throw new IllegalStateException("dynalite did not start within 15 s");
        } catch (IOException e) {
            throw new IllegalStateException("cannot start dynalite (is Node.js installed?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
