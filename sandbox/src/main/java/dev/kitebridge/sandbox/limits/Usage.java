package dev.kitebridge.sandbox.limits;

/** A rate-limit window as headers and 429 bodies report it; reset is in Buildkite seconds. */
public record Usage(long limit, long current, long remaining, long resetSeconds) {}
