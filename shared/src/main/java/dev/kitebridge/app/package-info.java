/**
 * The composition root: {@link dev.kitebridge.app.Application} assembles every service and endpoint over one
 * set of state and one Buildkite, from the parts of its {@link dev.kitebridge.app.Application.Wiring}. The
 * functions and the local dev server start here; nothing below imports it.
 */
package dev.kitebridge.app;
