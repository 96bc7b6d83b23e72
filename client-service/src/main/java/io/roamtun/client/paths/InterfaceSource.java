package io.roamtun.client.paths;

import java.io.IOException;
import java.util.List;

/** Where the interface table comes from: the OS, or a script in tests. */
public interface InterfaceSource {
    List<InterfaceSnapshot> read() throws IOException;
}
