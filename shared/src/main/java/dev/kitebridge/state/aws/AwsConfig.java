package dev.kitebridge.state.aws;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * Where Kitebridge's state lives in AWS, from the environment: {@code AWS_REGION} (Lambda sets
 * it), {@code KITEBRIDGE_TABLE}, {@code KITEBRIDGE_SECRET_PREFIX}, and, to point at a stand-in
 * (dynalite, LocalStack), {@code KITEBRIDGE_DYNAMODB_ENDPOINT} and
 * {@code KITEBRIDGE_SECRETSMANAGER_ENDPOINT}.
 */
public record AwsConfig(String region, String table, String secretPrefix, URI dynamoDbEndpoint, URI secretsManagerEndpoint) {

    public static final String DEFAULT_SECRET_PREFIX = "kitebridge/integrated-accounts/";

    public static Optional<AwsConfig> fromEnvironment(Map<String, String> env) {
        String table = env.get("KITEBRIDGE_TABLE");
        if (table == null || table.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(new AwsConfig(
                env.getOrDefault("AWS_REGION", "us-east-1"),
                table,
                env.getOrDefault("KITEBRIDGE_SECRET_PREFIX", DEFAULT_SECRET_PREFIX),
                uri(env.get("KITEBRIDGE_DYNAMODB_ENDPOINT")),
                uri(env.get("KITEBRIDGE_SECRETSMANAGER_ENDPOINT"))));
    }

    private static URI uri(String value) {
        return value == null || value.isBlank() ? null : URI.create(value);
    }
}
