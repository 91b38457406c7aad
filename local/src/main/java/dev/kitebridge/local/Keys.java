package dev.kitebridge.local;

import java.util.List;

import dev.kitebridge.state.aws.AwsClients;
import dev.kitebridge.state.aws.AwsConfig;
import dev.kitebridge.state.aws.DynamoDbApiKeyStore;
import dev.kitebridge.state.aws.KitebridgeTable;
import dev.kitebridge.tenants.ApiKeyStore;
import dev.kitebridge.tenants.ApiKeys;
import dev.kitebridge.time.TimeSource;

/**
 * {@code keys create|list|revoke}: tenants' API keys in the table the environment names
 * ({@code KITEBRIDGE_TABLE}, {@code AWS_REGION}, and {@code KITEBRIDGE_DYNAMODB_ENDPOINT} for a
 * stand-in). A new key is printed once; only its hash is kept.
 */
final class Keys {

    private Keys() {}

    static void run(List<String> args, java.util.function.BiFunction<List<String>, String, String> option) {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("keys takes create, list or revoke");
        }
        String command = args.remove(0);
        AwsConfig config = AwsConfig.fromEnvironment(System.getenv())
                .orElseThrow(() -> new IllegalArgumentException("set KITEBRIDGE_TABLE (and AWS_REGION, or KITEBRIDGE_DYNAMODB_ENDPOINT "
                        + "for a stand-in) to the table the keys live in"));
        var dynamo = AwsClients.dynamoDb(config);
        if (config.dynamoDbEndpoint() != null) {
            KitebridgeTable.create(dynamo, config.table()); // a stand-in starts empty; in AWS, template.yaml makes the table
        }
        ApiKeys keys = new ApiKeys(new DynamoDbApiKeyStore(dynamo, config.table()), TimeSource.SYSTEM);
        String tenant = option.apply(args, "--tenant");
        if (tenant == null) {
            throw new IllegalArgumentException("keys " + command + " needs --tenant");
        }
        switch (command) {
            case "create" -> {
                ApiKeyStore.NewKey key = keys.create(tenant, option.apply(args, "--label"));
                System.out.println("API key for tenant " + tenant + " (shown once; only its hash is kept):");
                System.out.println(key.secret());
            }
            case "list" -> {
                for (ApiKeyStore.StoredKey key : keys.list(tenant)) {
                    System.out.println(key.prefix() + "…  " + key.createdAt() + "  " + (key.label() == null ? "" : key.label()));
                }
            }
            case "revoke" -> {
                String prefix = option.apply(args, "--prefix");
                if (prefix == null) {
                    throw new IllegalArgumentException("keys revoke needs --prefix (see keys list)");
                }
                System.out.println(keys.revoke(tenant, prefix) ? "revoked " + prefix + "…" : "tenant " + tenant + " has no key " + prefix + "…");
            }
            default -> throw new IllegalArgumentException("keys takes create, list or revoke, not " + command);
        }
    }
}
