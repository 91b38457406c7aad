package dev.kitebridge.directory;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.kitebridge.contract.ApiError;
import dev.kitebridge.directory.model.UnifiedRole;
import dev.kitebridge.directory.model.UnifiedUser;

/**
 * The users list's filters: the questions an access review asks. Each is checked when parsed,
 * and applied to the unified records, so they mean the same whatever Buildkite API filled the field.
 */
public record UserFilters(String organizationId, String groupId, UnifiedUser.Status status, String email, String roleId,
                          Boolean twoFactorEnabled, String ssoMode, Instant lastActiveBefore) {

    public static final Set<String> NAMES = Set.of("organization_id", "group_id", "status", "email", "role",
            "is_2fa_enabled", "sso_mode", "last_active_before");

    public static UserFilters of(Map<String, String> filters) {
        String organizationId = filters.get("organization_id");
        if (organizationId != null) {
            ListQuery.requireUuid("organization_id", organizationId);
        }
        String groupId = filters.get("group_id") == null ? null : ListQuery.requireUuid("group_id", filters.get("group_id"));
        UnifiedUser.Status status = null;
        if (filters.get("status") != null) {
            status = switch (filters.get("status")) {
                case "active" -> UnifiedUser.Status.ACTIVE;
                case "invited" -> UnifiedUser.Status.INVITED;
                default -> throw ApiError.invalidRequest("status must be active or invited, not '" + filters.get("status") + "'");
            };
        }
        String role = filters.get("role");
        if (role != null && UnifiedRole.byId(role).isEmpty()) {
            throw ApiError.invalidRequest("role must be one of organization:admin, organization:member, "
                    + "team:maintainer, team:member, not '" + role + "'");
        }
        String sso = filters.get("sso_mode");
        if (sso != null && !sso.equals("required") && !sso.equals("optional")) {
            throw ApiError.invalidRequest("sso_mode must be required or optional, not '" + sso + "'");
        }
        Instant lastActiveBefore = null;
        if (filters.get("last_active_before") != null) {
            try {
                lastActiveBefore = OffsetDateTime.parse(filters.get("last_active_before")).toInstant();
            } catch (DateTimeParseException e) {
                throw ApiError.invalidRequest("last_active_before must be an ISO-8601 time such as "
                        + "2026-01-31T00:00:00Z, not '" + filters.get("last_active_before") + "'");
            }
        }
        Boolean twoFactor = filters.containsKey("is_2fa_enabled") ? ListQuery.bool(filters, "is_2fa_enabled", false) : null;
        String email = filters.get("email") == null ? null : filters.get("email").trim().toLowerCase(Locale.ROOT);
        return new UserFilters(organizationId, groupId, status, email, role, twoFactor, sso, lastActiveBefore);
    }

    /** Whether members (not only invitations) can match. */
    public boolean wantsMembers() {
        return status != UnifiedUser.Status.INVITED;
    }

    /** Whether invitations can match: they have no activity and no 2FA to filter on. */
    public boolean wantsInvitations() {
        return status != UnifiedUser.Status.ACTIVE && lastActiveBefore == null && twoFactorEnabled == null;
    }

    public boolean matches(UnifiedUser user) {
        return (groupId == null || user.groups().stream().anyMatch(g -> g.id().equals(groupId)))
                && (status == null || user.status() == status)
                && (email == null || user.emails().stream().anyMatch(e -> e.email().equalsIgnoreCase(email)))
                && (roleId == null || user.roles().stream().anyMatch(r -> r.id().equals(roleId)))
                && (twoFactorEnabled == null || twoFactorEnabled.equals(user.is2faEnabled()))
                && (ssoMode == null || ssoMode.equals(user.ssoMode()))
                && (lastActiveBefore == null || user.lastActiveAt() == null || user.lastActiveAt().isBefore(lastActiveBefore));
    }
}
