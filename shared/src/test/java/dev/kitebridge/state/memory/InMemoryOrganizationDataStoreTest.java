package dev.kitebridge.state.memory;

import dev.kitebridge.directory.orgdata.OrganizationDataStore;
import dev.kitebridge.state.OrganizationDataStoreContract;

class InMemoryOrganizationDataStoreTest extends OrganizationDataStoreContract {

    private final InMemoryOrganizationDataStore store = new InMemoryOrganizationDataStore();

    @Override
    protected OrganizationDataStore store() {
        return store;
    }
}
