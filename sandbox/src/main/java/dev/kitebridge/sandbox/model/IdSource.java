package dev.kitebridge.sandbox.model;

import java.util.Random;
import java.util.UUID;

/** Version-4-shaped UUIDs from a seeded generator, so that one seed always builds the same world. */
public final class IdSource {

    private final Random random;

    public IdSource(long seed) {
        this.random = new Random(seed);
    }

    public synchronized String uuid() {
        long most = (random.nextLong() & ~0xF000L) | 0x4000L;
        long least = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(most, least).toString();
    }

    /**
     * An API access token as Buildkite issues them since March 2023: {@code bkua_}, a base64 id, a
     * dot and 40 hex ({@code bkua_MTA.4f6c…}).
     */
    public synchronized String apiToken() {
        String id = java.util.Base64.getEncoder().withoutPadding()
                .encodeToString(String.valueOf(1 + random.nextInt(1_000_000)).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        return "bkua_" + id + "." + hex(40);
    }

    public synchronized String hex(int length) {
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(Character.forDigit(random.nextInt(16), 16));
        }
        return out.toString();
    }
}
