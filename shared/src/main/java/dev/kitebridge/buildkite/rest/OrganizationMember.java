package dev.kitebridge.buildkite.rest;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import dev.kitebridge.buildkite.OrganizationRole;
import dev.kitebridge.buildkite.SsoMode;

/**
 * A member of an organization; {@code id} is the user UUID. {@code role} and {@code sso_mode}
 * arrived in 2026 and may be missing (older API versions); {@code sso_mode} is shown only to
 * admins and to the member themself.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record OrganizationMember(String id, String name, String email, OrganizationRole role, SsoMode ssoMode) {}
