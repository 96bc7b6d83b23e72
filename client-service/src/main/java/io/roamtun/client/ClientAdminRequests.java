package io.roamtun.client;

import io.roamtun.engine.admin.AdminSocket;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** What a client-service answers on its admin socket: {@code status}, {@code reload}, {@code switch IFNAME}. */
final class ClientAdminRequests implements AdminSocket.Requests {
    private static final long SWITCH_TIMEOUT_SECONDS = 30;
    /** The default admin socket's instance name when there is neither --instance nor --config. */
    static final String DEFAULT_INSTANCE = "client-service";
    static final String AGENT = "client-service";

    private final ClientService service;

    ClientAdminRequests(ClientService service) {
        this.service = service;
    }

    @Override
    public String answer(String request) throws InterruptedException {
        if (request.equals("status")) {
            return service.status() + "ok\n";
        }
        if (request.equals("status json")) {
            return service.statusJson() + "ok\n";
        }
        if (request.equals("reload")) {
            String line = service.reloadNow();
            return line.startsWith("error: ") ? line + "\n" : line + "\nok\n";
        }
        if (request.startsWith("switch ")) {
            String name = request.substring("switch ".length()).trim();
            try {
                return service.switchTo(name).get(SWITCH_TIMEOUT_SECONDS, TimeUnit.SECONDS) + "\nok\n";
            } catch (ExecutionException e) {
                return "error: " + e.getCause().getMessage() + "\n";
            } catch (TimeoutException e) {
                return "error: the switch to " + name + " did not complete within " + SWITCH_TIMEOUT_SECONDS + " s\n";
            }
        }
        return "error: unknown request '" + request + "' (status, status json, switch IFNAME, reload)\n";
    }
}
