package dev.kitebridge.directory.orgdata;

import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;

import dev.kitebridge.buildkite.OrganizationRole;
import dev.kitebridge.buildkite.SsoMode;

/**
 * What only GraphQL tells about one organization member: 2FA, last seen, when they joined, whether
 * they are a bot or a machine user, and their avatar; keyed by the user's UUID.
 *
 * @param twoFactorEnabled null where Buildkite does not show it to the token's user
 * @param raw the GraphQL node as Buildkite sent it, for {@code remote_data}
 */
public record MemberProfile(
        String userUuid,
        String memberGraphqlId,
        OrganizationRole role,
        SsoMode ssoMode,
        Instant joinedAt,
        Instant lastSeenAt,
        Boolean twoFactorEnabled,
        boolean bot,
        boolean machineUser,
        String avatarUrl,
        JsonNode raw) {

    public MemberProfile {
        if (raw != null && raw.isNull()) {
            raw = null; // JSON's null read back into a node: no answer kept, as before it was written
        }
    }

    /** The profile after a role change made through the directory (the raw GraphQL node stays as read). */
    public MemberProfile withRole(OrganizationRole newRole) {
        return new MemberProfile(userUuid, memberGraphqlId, newRole, ssoMode, joinedAt, lastSeenAt, twoFactorEnabled, bot, machineUser,
                avatarUrl, raw);
    }

    /** The profile without its SSO mode: what a list of profiles reads where REST's members carry it. */
    public MemberProfile withoutSso() {
        return new MemberProfile(userUuid, memberGraphqlId, role, null, joinedAt, lastSeenAt, twoFactorEnabled, bot, machineUser,
                avatarUrl, raw);
    }

    /** The profile as last seen at {@code seen} (a sync keeps last seen beside the profile: see the sync's LastSeen). */
    public MemberProfile withLastSeen(Instant seen) {
        return new MemberProfile(userUuid, memberGraphqlId, role, ssoMode, joinedAt, seen, twoFactorEnabled, bot, machineUser,
                avatarUrl, raw);
    }

    /**
     * The profile with the later of its last seen and {@code seen}, kept beside it (this very profile
     * where its own is as late, or {@code seen} is null or from before it joined: an earlier membership's,
     * of a member who left and joined again). Last seen only moves on: the later is the newer reading.
     */
    public MemberProfile seenAtLatest(Instant seen) {
        if (seen == null || joinedAt != null && seen.isBefore(joinedAt) || lastSeenAt != null && !seen.isAfter(lastSeenAt)) {
            return this;
        }
        return withLastSeen(seen);
    }

    /** The profile without GraphQL's raw answer: what a snapshot keeps. */
    public MemberProfile withoutRaw() {
        return new MemberProfile(userUuid, memberGraphqlId, role, ssoMode, joinedAt, lastSeenAt, twoFactorEnabled, bot, machineUser,
                avatarUrl, null);
    }
}
