package dev.kitebridge.state.localstack;


import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.condition.EnabledIf;

import dev.kitebridge.access.AccountStore;
import dev.kitebridge.access.TokenVault;
import dev.kitebridge.buildkite.ratelimit.RateLimitGovernor;
import dev.kitebridge.buildkite.ratelimit.RateLimitGovernorContract;
import dev.kitebridge.directory.CursorStore;
import dev.kitebridge.directory.orgdata.OrganizationDataStore;
import dev.kitebridge.events.EventLog;
import dev.kitebridge.state.AccountStoreContract;
import dev.kitebridge.state.ApiKeyStoreContract;
import dev.kitebridge.state.CursorStoreContract;
import dev.kitebridge.state.DeadLetterStoreContract;
import dev.kitebridge.state.EventLogContract;
import dev.kitebridge.state.IdempotencyStoreContract;
import dev.kitebridge.state.OrganizationDataStoreContract;
import dev.kitebridge.state.SnapshotStoreContract;
import dev.kitebridge.state.SyncStoreContract;
import dev.kitebridge.state.TokenVaultContract;
import dev.kitebridge.state.WebhookStoreContract;
import dev.kitebridge.state.aws.AwsClients;
import dev.kitebridge.state.aws.AwsConfig;
import dev.kitebridge.state.aws.DynamoDbAccountStore;
import dev.kitebridge.state.aws.DynamoDbApiKeyStore;
import dev.kitebridge.state.aws.DynamoDbCursorStore;
import dev.kitebridge.state.aws.DynamoDbDeadLetterStore;
import dev.kitebridge.state.aws.DynamoDbEventLog;
import dev.kitebridge.state.aws.DynamoDbIdempotencyStore;
import dev.kitebridge.state.aws.DynamoDbOrganizationDataStore;
import dev.kitebridge.state.aws.DynamoDbRateLimitGovernor;
import dev.kitebridge.state.aws.DynamoDbSnapshotStore;
import dev.kitebridge.state.aws.DynamoDbSyncStore;
import dev.kitebridge.state.aws.DynamoDbWebhookStore;
import dev.kitebridge.state.aws.KitebridgeTable;
import dev.kitebridge.state.aws.SecretsManagerTokenVault;
import dev.kitebridge.sync.SnapshotStore;
import dev.kitebridge.sync.SyncStore;
import dev.kitebridge.tenants.ApiKeyStore;
import dev.kitebridge.tenants.IdempotencyStore;
import dev.kitebridge.time.TimeSource;
import dev.kitebridge.webhooks.DeadLetterStore;
import dev.kitebridge.webhooks.WebhookStore;

/** Every adapter's contract, against LocalStack's DynamoDB and Secrets Manager (skipped without Docker). */
@EnabledIf("dev.kitebridge.state.localstack.LocalStack#dockerAvailable")
class LocalStackAdaptersTest {

    private static AwsConfig table() {
        AwsConfig config = LocalStack.config();
        KitebridgeTable.create(AwsClients.dynamoDb(config), config.table());
        return config;
    }

    @Nested
    class Cursors extends CursorStoreContract {
        private final AwsConfig config = table();
        private final CursorStore store = new DynamoDbCursorStore(AwsClients.dynamoDb(config), config.table());

        @Override
        protected CursorStore store() {
            return store;
        }
    }

    @Nested
    class Accounts extends AccountStoreContract {
        private final AwsConfig config = table();
        private final AccountStore store = new DynamoDbAccountStore(AwsClients.dynamoDb(config), config.table());

        @Override
        protected AccountStore store() {
            return store;
        }
    }

    @Nested
    class ApiKeys extends ApiKeyStoreContract {
        private final AwsConfig config = table();
        private final ApiKeyStore store = new DynamoDbApiKeyStore(AwsClients.dynamoDb(config), config.table());

        @Override
        protected ApiKeyStore store() {
            return store;
        }
    }

    @Nested
    class IdempotencyKeys extends IdempotencyStoreContract {
        private final AwsConfig config = table();
        private final IdempotencyStore store = new DynamoDbIdempotencyStore(AwsClients.dynamoDb(config), config.table());

        @Override
        protected IdempotencyStore store() {
            return store;
        }
    }

    @Nested
    class Governor extends RateLimitGovernorContract {
        private AwsConfig config;

        @Override
        protected RateLimitGovernor newGovernor() {
            config = table();
            return new DynamoDbRateLimitGovernor(AwsClients.dynamoDb(config), config.table(), TimeSource.SYSTEM);
        }

        @Override
        protected RateLimitGovernor anotherInstance() {
            return new DynamoDbRateLimitGovernor(AwsClients.dynamoDb(config), config.table(), TimeSource.SYSTEM);
        }
    }

    @Nested
    class OrganizationData extends OrganizationDataStoreContract {
        private final AwsConfig config = table();

        @Override
        protected OrganizationDataStore store() {
            return new DynamoDbOrganizationDataStore(AwsClients.dynamoDb(config), config.table(), TimeSource.SYSTEM);
        }
    }

    @Nested
    class Snapshots extends SnapshotStoreContract {
        private final AwsConfig config = table();
        private final SnapshotStore store = new DynamoDbSnapshotStore(AwsClients.dynamoDb(config), config.table());

        @Override
        protected SnapshotStore store() {
            return store;
        }
    }

    @Nested
    class Events extends EventLogContract {
        private final AwsConfig config = table();
        private final EventLog store = new DynamoDbEventLog(AwsClients.dynamoDb(config), config.table());

        @Override
        protected EventLog store() {
            return store;
        }
    }

    @Nested
    class Syncs extends SyncStoreContract {
        private final AwsConfig config = table();
        private final SyncStore store = new DynamoDbSyncStore(AwsClients.dynamoDb(config), config.table());

        @Override
        protected SyncStore store() {
            return store;
        }
    }

    @Nested
    class Tokens extends TokenVaultContract {
        private final AwsConfig config = LocalStack.config();
        private final TokenVault vault = new SecretsManagerTokenVault(AwsClients.secretsManager(config), config.secretPrefix()
                + System.nanoTime() + "/", TimeSource.SYSTEM);

        @Override
        protected TokenVault vault() {
            return vault;
        }
    }

    @Nested
    class Webhooks extends WebhookStoreContract {
        private final AwsConfig config = table();
        private final WebhookStore store = new DynamoDbWebhookStore(AwsClients.dynamoDb(config), config.table());

        @Override
        protected WebhookStore store() {
            return store;
        }
    }

    @Nested
    class DeadLetters extends DeadLetterStoreContract {
        private final AwsConfig config = table();
        private final DeadLetterStore store = new DynamoDbDeadLetterStore(AwsClients.dynamoDb(config), config.table());

        @Override
        protected DeadLetterStore store() {
            return store;
        }
    }
}
