/**
 * The one clock ({@link dev.kitebridge.time.TimeSource}), injected everywhere, and the
 * {@link dev.kitebridge.time.Deadline} a call or an invocation must finish by. At the bottom of the map.
 */
package dev.kitebridge.time;
