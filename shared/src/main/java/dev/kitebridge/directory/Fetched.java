package dev.kitebridge.directory;

import java.time.Duration;

/**
 * One record, and how old the kept organization data behind it is ({@code x-kitebridge-data-age});
 * null where everything in it was read live.
 */
public record Fetched<T>(T record, Duration dataAge) {}
