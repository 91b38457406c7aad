package dev.kitebridge.bench.freshness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class LagsTest {

    private static List<Duration> seconds(int... values) {
        return IntStream.of(values).mapToObj(Duration::ofSeconds).toList();
    }

    @Test
    void nearestRank() {
        List<Duration> lags = seconds(50, 10, 40, 20, 30);
        assertEquals(Duration.ofSeconds(30), Lags.percentile(lags, 50));
        assertEquals(Duration.ofSeconds(50), Lags.percentile(lags, 95));
        assertEquals(Duration.ofSeconds(50), Lags.percentile(lags, 100));
        assertEquals(Duration.ofSeconds(10), Lags.percentile(lags, 1));
        List<Duration> hundred = IntStream.rangeClosed(1, 100).mapToObj(Duration::ofSeconds).toList();
        assertEquals(Duration.ofSeconds(95), Lags.percentile(hundred, 95));
        assertEquals(Duration.ofSeconds(7), Lags.percentile(seconds(7), 50));
    }

    @Test
    void noneAndNonsense() {
        assertNull(Lags.percentile(List.of(), 50));
        assertEquals("-", Lags.text(null));
        assertEquals("2:05", Lags.text(Duration.ofSeconds(125)));
        assertThrows(IllegalArgumentException.class, () -> Lags.percentile(seconds(1), 0));
    }
}
