/**
 * Adapters only: {@code aws/} (DynamoDB, Secrets Manager, SQS) and {@code memory/} (tests, tools, the dev
 * server) implement the ports that live beside the domain owning them (access/, tenants/, directory/,
 * connect/, events/, sync/, webhooks/, buildkite/ratelimit/).
 */
package dev.kitebridge.state;
