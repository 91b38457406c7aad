package dev.kitebridge.state.aws;

import java.time.Clock;

import dev.kitebridge.state.OrganizationDataStore;
import dev.kitebridge.state.OrganizationDataStoreContract;

class DynamoDbOrganizationDataStoreTest extends OrganizationDataStoreContract {

    private final Dynalite.Table table = Dynalite.get().newTable();

    /** A fresh store per read, so that every read goes to DynamoDB rather than the process's cache. */
    @Override
    protected OrganizationDataStore store() {
        return new DynamoDbOrganizationDataStore(table.client(), table.name(), Clock.systemUTC());
    }
}
