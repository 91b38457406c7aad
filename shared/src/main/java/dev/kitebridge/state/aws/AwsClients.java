package dev.kitebridge.state.aws;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The SDK clients, built once per process with an explicit region and credentials provider, so
 * that little is discovered at the first request (cold starts). The HTTP client is the one the
 * deployment packages carry (Apache's), which the SDK finds through its service loader (the benchmarks put
 * others beside it and name one with the system property
 * {@code software.amazon.awssdk.http.service.impl}; README, "Cold start, measured"). Credentials come from
 * the SDK's default chain: Lambda puts them in environment variables, but under SnapStart in the
 * container-credentials endpoint, which only the chain finds. A stand-in endpoint gets fixed test
 * credentials.
 */
public final class AwsClients {

    /**
     * Apache's HTTP client logs whole requests and answers (a Secrets Manager answer holds a token)
     * to these loggers at debug levels: they are off whatever level the rest of logging is set to.
     * Held here, as java.util.logging keeps loggers weakly and would forget the level.
     */
    private static final List<Logger> SILENCED = silenced("org.apache.http.wire", "org.apache.http.headers");

    private AwsClients() {}

    private static List<Logger> silenced(String... names) {
        List<Logger> loggers = new ArrayList<>();
        for (String name : names) {
            Logger logger = Logger.getLogger(name);
            logger.setLevel(Level.OFF);
            loggers.add(logger);
        }
        return loggers;
    }

    public static DynamoDbClient dynamoDb(AwsConfig config) {
        var builder = DynamoDbClient.builder()
                .region(Region.of(config.region()))
                .credentialsProvider(credentials(config.dynamoDbEndpoint() != null));
        if (config.dynamoDbEndpoint() != null) {
            builder.endpointOverride(config.dynamoDbEndpoint());
        }
        return builder.build();
    }

    public static SecretsManagerClient secretsManager(AwsConfig config) {
        var builder = SecretsManagerClient.builder()
                .region(Region.of(config.region()))
                .credentialsProvider(credentials(config.secretsManagerEndpoint() != null));
        if (config.secretsManagerEndpoint() != null) {
            builder.endpointOverride(config.secretsManagerEndpoint());
        }
        return builder.build();
    }

    /** The sync queue's client: built where a run is queued, by the sync functions only. */
    public static SqsClient sqs(AwsConfig config, URI endpoint) {
        var builder = SqsClient.builder()
                .region(Region.of(config.region()))
                .credentialsProvider(credentials(endpoint != null));
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        }
        return builder.build();
    }

    private static AwsCredentialsProvider credentials(boolean standIn) {
        return standIn && System.getenv("AWS_ACCESS_KEY_ID") == null
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create("kitebridge-local", "kitebridge-local"))
                : DefaultChain.PROVIDER;
    }

    /** One credentials chain for every client of the process: it finds and caches the credentials once, not once per client. */
    private static final class DefaultChain {
        static final AwsCredentialsProvider PROVIDER = DefaultCredentialsProvider.builder().build();
    }
}
