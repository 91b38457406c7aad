package dev.kitebridge.buildkite.rest;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.kitebridge.buildkite.TeamPrivacy;
import dev.kitebridge.buildkite.TeamRole;

/**
 * The fields of a team to create or change; null fields are not sent, so an update changes only
 * what is given.
 */
public record TeamChanges(
        String name,
        String description,
        TeamPrivacy privacy,
        Boolean isDefaultTeam,
        TeamRole defaultMemberRole,
        Boolean membersCanCreatePipelines,
        Boolean membersCanCreateSuites,
        Boolean membersCanCreateRegistries,
        Boolean membersCanDestroyRegistries,
        Boolean membersCanDestroyPackages) {

    public static TeamChanges named(String name) {
        return new TeamChanges(name, null, null, null, null, null, null, null, null, null);
    }

    public TeamChanges withDescription(String text) {
        return new TeamChanges(name, text, privacy, isDefaultTeam, defaultMemberRole, membersCanCreatePipelines,
                membersCanCreateSuites, membersCanCreateRegistries, membersCanDestroyRegistries, membersCanDestroyPackages);
    }

    public TeamChanges withPrivacy(TeamPrivacy value) {
        return new TeamChanges(name, description, value, isDefaultTeam, defaultMemberRole, membersCanCreatePipelines,
                membersCanCreateSuites, membersCanCreateRegistries, membersCanDestroyRegistries, membersCanDestroyPackages);
    }

    public TeamChanges withDefaultMemberRole(TeamRole value) {
        return new TeamChanges(name, description, privacy, isDefaultTeam, value, membersCanCreatePipelines,
                membersCanCreateSuites, membersCanCreateRegistries, membersCanDestroyRegistries, membersCanDestroyPackages);
    }

    /** The REST body; in bodies Buildkite spells {@code default} as {@code is_default_team}. */
    public Map<String, Object> restBody() {
        Map<String, Object> body = new LinkedHashMap<>();
        put(body, "name", name);
        put(body, "description", description);
        put(body, "privacy", privacy == null ? null : privacy.rest());
        put(body, "is_default_team", isDefaultTeam);
        put(body, "default_member_role", defaultMemberRole == null ? null : defaultMemberRole.rest());
        put(body, "members_can_create_pipelines", membersCanCreatePipelines);
        put(body, "members_can_create_suites", membersCanCreateSuites);
        put(body, "members_can_create_registries", membersCanCreateRegistries);
        put(body, "members_can_destroy_registries", membersCanDestroyRegistries);
        put(body, "members_can_destroy_packages", membersCanDestroyPackages);
        return body;
    }

    private static void put(Map<String, Object> body, String field, Object value) {
        if (value != null) {
            body.put(field, value);
        }
    }
}
