package dev.kitebridge.directory.orgdata;

import java.util.Optional;


/**
 * Per-organization directory data, per integrated account: the last complete build (served while
 * fresh enough) and the build in progress (resumed by later requests and by syncs).
 */
public interface OrganizationDataStore {

    /** The newest build of which the given part is complete. */
    Optional<OrganizationData> complete(String accountId, String organizationSlug, OrganizationData.Part part);

    /** The build in progress, if any. */
    Optional<OrganizationData> building(String accountId, String organizationSlug);

    /** Saves a build's progress; a build whose every part is complete becomes the complete one. */
    void save(OrganizationData data);

    /** Forgets what is kept about one organization, so that it is read again. */
    void forget(String accountId, String organizationSlug);

    /** Forgets everything about the account (when it is unlinked). */
    void deleteAccount(String accountId);
}
