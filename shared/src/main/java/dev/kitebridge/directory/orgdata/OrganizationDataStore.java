package dev.kitebridge.directory.orgdata;

import java.util.Optional;
import java.util.function.Consumer;


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

    /**
     * Saves complete data another reader confirmed (a sync run's: see {@link OrganizationDataService#confirmed}),
     * as {@link #save} does, readers seeing the same after it; where the store can, as a revision of the
     * complete data kept (what changed and the dates: a run that found nothing changed changes the
     * dates alone), which costs that rather than the data whole.
     */
    default void saveConfirmed(OrganizationData data) {
        save(data);
    }

    /**
     * Applies a change to everything kept about the organization (each complete part and the build in
     * progress, each kept write once), as one revision of each: a reader sees each either before the
     * revision or after it, never half of it. Where another writer revises the same data at once, the
     * change is applied again over theirs (so {@code change} may be called more than once, each time
     * on fresh data, and must do the same each time): neither is lost. It costs what the change
     * changed, not the whole data (see {@link OrganizationDataPatch}), until the revisions kept beside
     * the data pass a bound and they are folded into it. Nothing kept: nothing to change.
     */
    void revise(String accountId, String organizationSlug, Consumer<OrganizationData> change);

    /** Forgets what is kept about one organization, so that it is read again. */
    void forget(String accountId, String organizationSlug);

    /** Forgets everything about the account (when it is unlinked). */
    void deleteAccount(String accountId);
}
