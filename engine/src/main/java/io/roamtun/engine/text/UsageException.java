package io.roamtun.engine.text;

/** A flag or config value is wrong. The message is one line naming the problem; the agent exits with 2. */
public final class UsageException extends Exception {
    public static final int EXIT_CODE = 2;

    public UsageException(String message) {
        super(message, null, false, false);
    }
}
