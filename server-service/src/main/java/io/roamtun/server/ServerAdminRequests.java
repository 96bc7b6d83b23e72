package io.roamtun.server;

import io.roamtun.engine.admin.AdminSocket;
import io.roamtun.engine.loop.ShutdownWait;

/** What a server-service answers on its admin socket: {@code status}, {@code status json}, {@code drain}, {@code reload}. */
final class ServerAdminRequests implements AdminSocket.Requests {
    static final String AGENT = "server-service";

    private final ServerService service;
    private final ShutdownWait life;

    ServerAdminRequests(ServerService service, ShutdownWait life) {
        this.service = service;
        this.life = life;
    }

    @Override
    public String answer(String request) {
        return switch (request) {
            case "status" -> service.status() + "ok\n";
            case "status json" -> service.statusJson() + "ok\n";
            case "drain" -> life.drainOrStop("server-service drain") + "\nok\n";
            case "reload" -> {
                life.reload("server-service reload");
                yield "reload asked for: the server-service's log says what changed, or why it was refused\nok\n";
            }
            default -> "error: unknown request '" + request + "' (status, status json, drain, reload)\n";
        };
    }
}
