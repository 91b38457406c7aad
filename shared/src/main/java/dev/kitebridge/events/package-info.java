/**
 * Change events and the event log: what sync writes (runs publish their events all at once) and the feed
 * and webhooks read ({@link dev.kitebridge.events.EventFeed}, {@link dev.kitebridge.events.Publications}).
 * Neither reader imports sync.
 */
package dev.kitebridge.events;
