package dev.kitebridge.state.memory;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.kitebridge.directory.orgdata.OrganizationData;
import dev.kitebridge.directory.orgdata.OrganizationDataStore;

/** Organization data in memory, for tests, the local dev server and one Lambda instance. */
public final class InMemoryOrganizationDataStore implements OrganizationDataStore {

    private record Key(String accountId, String organizationSlug) {}

    private final Map<Key, OrganizationData> building = new ConcurrentHashMap<>();
    private final Map<Key, Map<OrganizationData.Part, OrganizationData>> complete = new ConcurrentHashMap<>();

    @Override
    public Optional<OrganizationData> complete(String accountId, String organizationSlug, OrganizationData.Part part) {
        return Optional.ofNullable(complete.getOrDefault(new Key(accountId, organizationSlug), Map.of()).get(part));
    }

    @Override
    public Optional<OrganizationData> building(String accountId, String organizationSlug) {
        return Optional.ofNullable(building.get(new Key(accountId, organizationSlug)));
    }

    @Override
    public void save(OrganizationData data) {
        Key key = new Key(data.accountId(), data.organizationSlug());
        for (OrganizationData.Part part : OrganizationData.Part.values()) {
            if (data.isComplete(part)) {
                complete.computeIfAbsent(key, k -> new ConcurrentHashMap<>()).put(part, data);
            }
        }
        boolean done = data.isComplete(OrganizationData.Part.PROFILES) && data.isComplete(OrganizationData.Part.ROSTERS);
        if (done) {
            building.remove(key, data);
        } else {
            building.put(key, data);
        }
    }

    @Override
    public void forget(String accountId, String organizationSlug) {
        building.remove(new Key(accountId, organizationSlug));
        complete.remove(new Key(accountId, organizationSlug));
    }

    @Override
    public void deleteAccount(String accountId) {
        building.keySet().removeIf(k -> k.accountId().equals(accountId));
        complete.keySet().removeIf(k -> k.accountId().equals(accountId));
    }
}
