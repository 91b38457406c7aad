/**
 * The facade: {@link dev.kitebridge.buildkite.client.BuildkiteClient}, one per session, hands out the REST
 * resources ({@code rest/}) and the GraphQL queries ({@code graphql/}) over one transport. Above both, so
 * that they and the core they share ({@code buildkite/}) never import it back.
 */
package dev.kitebridge.buildkite.client;
