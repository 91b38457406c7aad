package dev.kitebridge.buildkite.graphql;

import java.time.Instant;
import java.util.List;

import dev.kitebridge.buildkite.OrganizationRole;
import dev.kitebridge.buildkite.SsoMode;

/** What to ask of an organization's members ({@link MembersQueries#list}); every filter is optional. */
public record MemberQuery(int first, String after, String order, String email, List<OrganizationRole> roles,
                          String search, Boolean twoFactorEnabled, SsoMode ssoMode, Instant inactiveSince,
                          String team, boolean withSso) {

    public static MemberQuery page(int first, String after) {
        return new MemberQuery(first, after, null, null, null, null, null, null, null, null, false);
    }

    /** Also reads each member's SSO mode (a point more per member), for organizations whose REST members lack it. */
    public MemberQuery withSso(boolean value) {
        return new MemberQuery(first, after, order, email, roles, search, twoFactorEnabled, ssoMode, inactiveSince, team, value);
    }

    public MemberQuery withOrder(String value) {
        return new MemberQuery(first, after, value, email, roles, search, twoFactorEnabled, ssoMode, inactiveSince, team, withSso);
    }

    public MemberQuery withEmail(String value) {
        return new MemberQuery(first, after, order, value, roles, search, twoFactorEnabled, ssoMode, inactiveSince, team, withSso);
    }

    public MemberQuery withRoles(List<OrganizationRole> value) {
        return new MemberQuery(first, after, order, email, value, search, twoFactorEnabled, ssoMode, inactiveSince, team, withSso);
    }

    public MemberQuery withTwoFactorEnabled(Boolean value) {
        return new MemberQuery(first, after, order, email, roles, search, value, ssoMode, inactiveSince, team, withSso);
    }

    public MemberQuery withSsoMode(SsoMode value) {
        return new MemberQuery(first, after, order, email, roles, search, twoFactorEnabled, value, inactiveSince, team, withSso);
    }

    public MemberQuery withInactiveSince(Instant value) {
        return new MemberQuery(first, after, order, email, roles, search, twoFactorEnabled, ssoMode, value, team, withSso);
    }

    public MemberQuery withTeam(String value) {
        return new MemberQuery(first, after, order, email, roles, search, twoFactorEnabled, ssoMode, inactiveSince, value, withSso);
    }
}
