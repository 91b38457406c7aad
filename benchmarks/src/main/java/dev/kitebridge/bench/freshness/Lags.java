package dev.kitebridge.bench.freshness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Percentiles of lags (nearest rank) and their printing as minutes and seconds. */
public final class Lags {

    private Lags() {}

    /** The nearest-rank percentile {@code p} (0 &lt; p &le; 100) of {@code lags}, or null if there are none. */
    public static Duration percentile(List<Duration> lags, double p) {
        if (p <= 0 || p > 100) {
            throw new IllegalArgumentException("a percentile is in (0, 100], not " + p);
        }
        if (lags.isEmpty()) {
            return null;
        }
        List<Duration> sorted = new ArrayList<>(lags);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(rank, 1) - 1);
    }

    /** {@code m:ss}, or {@code -} for none. */
    public static String text(Duration lag) {
        if (lag == null) {
            return "-";
        }
        long seconds = lag.toSeconds();
        return String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
    }
}
