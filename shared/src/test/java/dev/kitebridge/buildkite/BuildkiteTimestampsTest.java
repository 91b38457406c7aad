package dev.kitebridge.buildkite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import dev.kitebridge.buildkite.rest.AccessToken;
import dev.kitebridge.buildkite.rest.OrganizationMember;

class BuildkiteTimestampsTest {

    @Test
    void readsBothFormats() {
        assertEquals(Instant.parse("2023-03-14T00:45:16.215Z"), BuildkiteTimestamps.parse("2023-03-14T00:45:16.215Z"));
        assertEquals(Instant.parse("2025-07-16T06:07:42Z"), BuildkiteTimestamps.parse("2025-07-16 06:07:42 UTC"));
        assertEquals(Instant.parse("2025-07-16T04:07:42Z"), BuildkiteTimestamps.parse("2025-07-16T06:07:42+02:00"));
        assertNull(BuildkiteTimestamps.parse(null));
        assertThrows(IllegalArgumentException.class, () -> BuildkiteTimestamps.parse("yesterday"));
    }

    @Test
    void recordsTolerateUnknownAndMissingFields() throws Exception {
        AccessToken token = BuildkiteJson.MAPPER.readValue("""
                {"uuid":"u","scopes":["read_user"],"created_at":"2025-07-16 06:07:42 UTC","brand_new_field":{"x":1}}
                """, AccessToken.class);
        assertEquals(Instant.parse("2025-07-16T06:07:42Z"), token.createdAt());
        assertNull(token.expiresAt());
        OrganizationMember member = BuildkiteJson.MAPPER.readValue("""
                {"id":"1","name":"Huck Finn","email":"huck@example.com","role":"owner"}
                """, OrganizationMember.class);
        assertNull(member.role(), "an unknown role is read as unknown, not as a failure");
        assertNull(member.ssoMode());
    }
}
