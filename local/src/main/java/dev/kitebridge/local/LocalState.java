package dev.kitebridge.local;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.kitebridge.app.Application;
import dev.kitebridge.functions.Dependencies;
import dev.kitebridge.state.aws.AwsClients;
import dev.kitebridge.state.aws.AwsConfig;
import dev.kitebridge.state.aws.Dynalite;
import dev.kitebridge.state.aws.KitebridgeTable;

/**
 * Where the dev server keeps its state: in memory (gone when it stops), or in DynamoDB, which
 * outlives it. Never real AWS state: the dev server's key is published and its token is the
 * developer's own.
 *
 * @param environment the functions' variables as the handlers will read them
 * @param tokenFolder where tokens are kept when no Secrets Manager stand-in is named, or null
 */
record LocalState(String description, Map<String, String> environment, Path tokenFolder) {

    private static final List<FileLock> HELD = new CopyOnWriteArrayList<>();
    /** The default table of {@code --state dynamodb}. */
    static final String TABLE = "kitebridge-local";

    /** In memory: the state goes with the process. */
    static LocalState inMemory(Map<String, String> env) {
        Map<String, String> memory = new HashMap<>(env);
        memory.remove("KITEBRIDGE_TABLE");
        return new LocalState("in memory (gone when it stops)", memory, null);
    }

    /**
     * In DynamoDB: the stand-in {@code KITEBRIDGE_DYNAMODB_ENDPOINT} names, else a dynalite of its own
     * keeping its tables in {@code folder}; tokens in the Secrets Manager stand-in
     * {@code KITEBRIDGE_SECRETSMANAGER_ENDPOINT} names, else in files under {@code folder}.
     */
    static LocalState inDynamoDb(Map<String, String> env, Path folder) throws StartFailed {
        Map<String, String> state = new HashMap<>(env);
        state.putIfAbsent("KITEBRIDGE_TABLE", TABLE);
        Optional<URI> standIn = dynamoDbStandIn(env);
        URI endpoint = standIn.isPresent() ? standIn.get() : dynaliteKeepingIn(folder);
        state.put("KITEBRIDGE_DYNAMODB_ENDPOINT", endpoint.toString());
        AwsConfig config = AwsConfig.fromEnvironment(state).orElseThrow();
        KitebridgeTable.create(AwsClients.dynamoDb(config), config.table());
        Path tokens = config.secretsManagerEndpoint() == null ? folder.resolve("tokens") : null;
        return new LocalState("in DynamoDB: table " + config.table() + " at " + endpoint
                + (tokens == null ? ", tokens in Secrets Manager at " + config.secretsManagerEndpoint() : ", tokens in " + tokens),
                state, tokens);
    }

    /**
     * The state the environment names: DynamoDB if it names a table (which must be a stand-in's),
     * else memory.
     *
     * @throws IllegalArgumentException if it names a table without a DynamoDB stand-in: that is real AWS
     */
    static LocalState fromEnvironment(Map<String, String> env, Path folder) throws StartFailed {
        if (AwsConfig.fromEnvironment(env).isEmpty()) {
            return inMemory(env);
        }
        requireStandIn(env);
        return inDynamoDb(env, folder);
    }

    static void requireStandIn(Map<String, String> env) {
        if (env.get("KITEBRIDGE_TABLE") != null && dynamoDbStandIn(env).isEmpty()) {
            throw new IllegalArgumentException("the dev server keeps no state in real AWS: KITEBRIDGE_TABLE needs "
                    + "KITEBRIDGE_DYNAMODB_ENDPOINT (a stand-in such as dynalite) here, or unset it");
        }
    }

    /**
     * A dynalite of this process's keeping its tables in the folder. One process at a time may hold
     * the folder (LevelDB locks it): a second dev server is told where the first one's dynalite is, to share it.
     */
    private static URI dynaliteKeepingIn(Path folder) throws StartFailed {
        Path lock = folder.resolve("dynalite.lock");
        try {
            Files.createDirectories(folder);
            FileChannel channel = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock held;
            try {
                held = channel.tryLock();
            } catch (OverlappingFileLockException sameProcess) {
                held = null;
            }
            if (held == null) {
                String other = Files.readString(lock).strip();
                channel.close();
                throw new StartFailed("another dev server keeps its state in " + folder + " (dynalite at " + other
                        + "): stop it, or share its table with KITEBRIDGE_DYNAMODB_ENDPOINT=" + other);
            }
            HELD.add(held); // until this process ends (an unreachable channel would be closed, and its lock let go)
            // The endpoint written for a second dev server to find.
            URI endpoint = Dynalite.keepingIn(folder.resolve("dynalite")).endpoint();
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(endpoint.toString().getBytes(StandardCharsets.UTF_8)), 0);
            return endpoint;
        } catch (IOException e) {
            throw new StartFailed("cannot keep state in " + folder + ": " + e.getMessage());
        }
    }

    private static Optional<URI> dynamoDbStandIn(Map<String, String> env) {
        return Optional.ofNullable(env.get("KITEBRIDGE_DYNAMODB_ENDPOINT")).filter(e -> !e.isBlank()).map(URI::create);
    }

    /** The handlers' wiring on this state. */
    Application.Wiring wiring() {
        Application.Wiring wiring = Dependencies.fromEnvironment(environment);
        if (tokenFolder == null) {
            return wiring;
        }
        return wiring.toBuilder().tokens(new TokenFiles(tokenFolder)).build();
    }
}
