/**
 * Reaching Buildkite as an integrated account: the account ({@link dev.kitebridge.access.IntegratedAccount}),
 * its ports ({@link dev.kitebridge.access.AccountStore}, {@link dev.kitebridge.access.TokenVault}), and
 * {@link dev.kitebridge.access.BuildkiteAccess}, which opens a {@link dev.kitebridge.access.Session} (one client,
 * one budget, one deadline) for a request. The directory, proxy, sync and accounts services all stand on it.
 */
package dev.kitebridge.access;
