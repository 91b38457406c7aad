package dev.kitebridge.state;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.kitebridge.connect.RedirectOriginStore;

/** What every RedirectOriginStore adapter must do; each adapter's test extends this. */
public abstract class RedirectOriginStoreContract {

    protected abstract RedirectOriginStore store();

    @Test
    void aTenantsOriginsAreItsOwnInTheOrderSet() {
        assertEquals(List.of(), store().origins("tenant-a"));
        store().set("tenant-a", List.of("https://z.example.com", "https://a.example.com", "http://localhost:8080"));
        assertEquals(List.of("https://z.example.com", "https://a.example.com", "http://localhost:8080"), store().origins("tenant-a"));
        assertEquals(List.of(), store().origins("tenant-b"));
        store().set("tenant-a", List.of("https://b.example.com"));
        assertEquals(List.of("https://b.example.com"), store().origins("tenant-a"));
        store().set("tenant-a", List.of());
        assertEquals(List.of(), store().origins("tenant-a"));
    }
}
