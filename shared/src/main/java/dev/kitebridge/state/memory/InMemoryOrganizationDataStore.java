package dev.kitebridge.state.memory;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import dev.kitebridge.directory.orgdata.OrganizationData;
import dev.kitebridge.directory.orgdata.OrganizationDataStore;

/**
 * Organization data in memory, for tests, the local dev server and one Lambda instance. A revision
 * works on copies and puts them in place only if nothing was saved or revised meanwhile (else it
 * goes again over what was), as the DynamoDB adapter's patches do.
 */
public final class InMemoryOrganizationDataStore implements OrganizationDataStore {

    private record Key(String accountId, String organizationSlug) {}

    private final Map<Key, OrganizationData> building = new ConcurrentHashMap<>();
    private final Map<Key, Map<OrganizationData.Part, OrganizationData>> complete = new ConcurrentHashMap<>();
    /** Bumped by every save, revision and forget of an organization: a revision made from an older one goes again. */
    private final Map<Key, Long> versions = new ConcurrentHashMap<>();

    @Override
    public Optional<OrganizationData> complete(String accountId, String organizationSlug, OrganizationData.Part part) {
        return Optional.ofNullable(complete.getOrDefault(new Key(accountId, organizationSlug), Map.of()).get(part));
    }

    @Override
    public Optional<OrganizationData> building(String accountId, String organizationSlug) {
        return Optional.ofNullable(building.get(new Key(accountId, organizationSlug)));
    }

    @Override
    public synchronized void save(OrganizationData data) {
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
        versions.merge(key, 1L, Long::sum);
    }

    @Override
    public void revise(String accountId, String organizationSlug, Consumer<OrganizationData> change) {
        Key key = new Key(accountId, organizationSlug);
        while (true) {
            long version;
            List<OrganizationData> kept = new ArrayList<>();
            synchronized (this) {
                version = versions.getOrDefault(key, 0L);
                complete.getOrDefault(key, Map.of()).values().forEach(kept::add);
                building(accountId, organizationSlug).ifPresent(kept::add);
            }
            if (kept.isEmpty()) {
                return;
            }
            Map<OrganizationData, OrganizationData> revised = new IdentityHashMap<>();
            for (OrganizationData data : kept) {
                revised.computeIfAbsent(data, d -> {
                    OrganizationData copy = OrganizationData.restore(d.snapshot());
                    change.accept(copy);
                    return copy;
                });
            }
            synchronized (this) {
                if (versions.getOrDefault(key, 0L) != version) {
                    continue; // saved or revised meanwhile: the change goes again over that
                }
                complete.getOrDefault(key, Map.of()).replaceAll((part, data) -> revised.getOrDefault(data, data));
                building.computeIfPresent(key, (k, data) -> revised.getOrDefault(data, data));
                versions.merge(key, 1L, Long::sum);
                return;
            }
        }
    }

    @Override
    public synchronized void forget(String accountId, String organizationSlug) {
        Key key = new Key(accountId, organizationSlug);
        building.remove(key);
        complete.remove(key);
        versions.merge(key, 1L, Long::sum);
    }

    @Override
    public synchronized void deleteAccount(String accountId) {
        building.keySet().removeIf(k -> k.accountId().equals(accountId));
        complete.keySet().removeIf(k -> k.accountId().equals(accountId));
        versions.replaceAll((k, v) -> k.accountId().equals(accountId) ? v + 1 : v);
    }
}
