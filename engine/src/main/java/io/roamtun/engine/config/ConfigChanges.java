package io.roamtun.engine.config;

import java.util.List;
import java.util.Objects;

/** The lines a reload logs: one per setting that changed, "what before -> after". */
public final class ConfigChanges {
    private ConfigChanges() {}

    /** Adds "{@code what} before -> after" to {@code changes} when the two differ. */
    public static void note(List<String> changes, String what, Object before, Object after) {
        if (!Objects.equals(before, after)) {
            changes.add(what + " " + before + " -> " + after);
        }
    }
}
