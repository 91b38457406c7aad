/**
 * The Buildkite client's core, which the REST resources ({@code rest/}), the GraphQL queries
 * ({@code graphql/}) and the facade ({@code client/}) share: the transport with its retries and the
 * rate-limit governor's budgets ({@code ratelimit/}), pagination as a value, typed errors, the token, and
 * Buildkite's vocabulary (roles, SSO modes, privacy).
 */
package dev.kitebridge.buildkite;
