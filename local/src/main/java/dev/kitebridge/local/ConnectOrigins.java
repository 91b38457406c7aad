package dev.kitebridge.local;

import java.util.List;

import dev.kitebridge.connect.RedirectOriginStore;
import dev.kitebridge.connect.RedirectOrigins;
import dev.kitebridge.contract.ApiError;
import dev.kitebridge.state.aws.AwsClients;
import dev.kitebridge.state.aws.AwsConfig;
import dev.kitebridge.state.aws.DynamoDbRedirectOriginStore;
import dev.kitebridge.state.aws.KitebridgeTable;

/**
 * {@code connect-origins list|set}: a tenant's allowed redirect origins (where its connect pages may
 * send customers back to) in the table the environment names, as {@code PUT /connect-settings} sets them.
 */
final class ConnectOrigins {

    private ConnectOrigins() {}

    static void run(List<String> args, java.util.function.BiFunction<List<String>, String, String> option) {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("connect-origins takes list or set");
        }
        String command = args.remove(0);
        String tenant = option.apply(args, "--tenant");
        if (tenant == null) {
            throw new IllegalArgumentException("connect-origins " + command + " needs --tenant");
        }
        AwsConfig config = AwsConfig.fromEnvironment(System.getenv())
                .orElseThrow(() -> new IllegalArgumentException("set KITEBRIDGE_TABLE (and AWS_REGION, or KITEBRIDGE_DYNAMODB_ENDPOINT "
                        + "for a stand-in) to the table the tenant's settings live in"));
        var dynamo = AwsClients.dynamoDb(config);
        if (config.dynamoDbEndpoint() != null) {
            KitebridgeTable.create(dynamo, config.table());
        }
        RedirectOriginStore origins = new DynamoDbRedirectOriginStore(dynamo, config.table());
        switch (command) {
            case "list" -> origins.origins(tenant).forEach(System.out::println);
            case "set" -> {
                List<String> kept;
                try {
                    kept = RedirectOrigins.checked(List.copyOf(args));
                } catch (ApiError e) {
                    throw new IllegalArgumentException(e.getMessage());
                }
                args.clear();
                origins.set(tenant, kept);
                System.out.println(kept.isEmpty() ? "tenant " + tenant + " allows no redirect origin"
                        : "tenant " + tenant + " allows: " + String.join(" ", kept));
            }
            default -> throw new IllegalArgumentException("connect-origins takes list or set, not " + command);
        }
    }
}
