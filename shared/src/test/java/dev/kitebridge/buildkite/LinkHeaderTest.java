package dev.kitebridge.buildkite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;

class LinkHeaderTest {

    @Test
    void readsBuildkitesLinkHeader() {
        String header = "<https://api.buildkite.com/v2/organizations/acme-inc/teams?page=3&per_page=30>; rel=\"next\", "
                + "<https://api.buildkite.com/v2/organizations/acme-inc/teams?page=6&per_page=30>; rel=\"last\"";
        assertEquals(Map.of("page", "3", "per_page", "30"), LinkHeader.next(header).orElseThrow().query());
        assertEquals("page=6&per_page=30", LinkHeader.find(header, "last").orElseThrow().getQuery());
    }

    @Test
    void aMissingHeaderOrNextIsTheLastPage() {
        assertTrue(LinkHeader.next(null).isEmpty());
        assertTrue(LinkHeader.next("").isEmpty());
        assertTrue(LinkHeader.next("<https://api.buildkite.com/v2/x?page=1>; rel=\"first\", <https://api.buildkite.com/v2/x?page=2>; rel=\"prev\"").isEmpty());
    }

    @Test
    void keepsFiltersAndDecodesThem() {
        PageRequest next = LinkHeader.next("<https://api.buildkite.com/v2/o/teams?user_id=a%2Bb&page=2&per_page=100>; rel=next").orElseThrow();
        assertEquals("a+b", next.query().get("user_id"));
        assertEquals("user_id=a%2Bb&page=2&per_page=100", next.encoded());
    }
}
