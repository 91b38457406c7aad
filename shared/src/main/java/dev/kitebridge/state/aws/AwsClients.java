package dev.kitebridge.state.aws;

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
     * Apache's HTTP client logs each request's body (a token, for Secrets Manager) and headers at
     * FINE: off, whatever level a Lambda's logging is set to. Held here, since java.util.logging
     * keeps loggers weakly and a collected one forgets its level.
     */
    private static final List<Logger> APACHE_WIRE = List.of(Logger.getLogger("org.apache.http.wire"), Logger.getLogger("org.apache.http.headers"));

    static {
        APACHE_WIRE.forEach(logger -> logger.setLevel(Level.OFF));
    }

    private AwsClients() {}

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

    private static AwsCredentialsProvider credentials(boolean standIn) {
        return standIn && System.getenv("AWS_ACCESS_KEY_ID") == null
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create("kitebridge-local", "kitebridge-local"))
                : DefaultCredentialsProvider.builder().build();
    }
}
