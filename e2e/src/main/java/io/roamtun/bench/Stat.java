package io.roamtun.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Repeated measurements of one figure: shown as the median with the min–max of the runs. */
final class Stat {
    private final List<Double> values = new ArrayList<>();

    void add(double value) {
        values.add(value);
    }

    boolean isEmpty() {
        return values.isEmpty();
    }

    double median() {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    double min() {
        return Collections.min(values);
    }

    double max() {
        return Collections.max(values);
    }

    String format(int decimals) {
        if (values.isEmpty()) {
            return "-";
        }
        String f = "%." + decimals + "f";
        if (values.size() == 1) {
            return String.format(Locale.ROOT, f, median());
        }
        return String.format(Locale.ROOT, f + " (" + f + "–" + f + ")", median(), min(), max());
    }
}
