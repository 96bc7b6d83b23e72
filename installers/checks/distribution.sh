#!/usr/bin/env bash
# Checks the distribution tarball as a user gets it: unpacked in a directory whose path has a space, the
# launchers run through symlinks from another directory, both agents start and carry a stream; lib/
# holds runtime jars only; an absent or too old Java gives one clear line. Needs python3 (the backend).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tarball=$(ls "$here/../target"/roamtun-*.tar.gz 2>/dev/null | head -n 1)
[ -n "$tarball" ] || { echo "distribution: no installers/target/roamtun-*.tar.gz (mvn package builds it)" >&2; exit 1; }

fail() { echo "distribution: $*" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/roamtun dist.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

tar -xzf "$tarball" -C "$work"
dist=$(ls -d "$work"/roamtun-*/)
dist=${dist%/}
for f in bin/client-service bin/server-service bin/_common.sh conf/client-service.properties \
         conf/server-service.properties services/systemd/roamtun-server.service services/systemd/roamtun-client.service \
         services/macos/io.roamtun.client-service.plist services/windows/install-service.ps1 LICENSE README.md; do
  [ -e "$dist/$f" ] || fail "the tarball has no $f"
done
[ -x "$dist/bin/client-service" ] && [ -x "$dist/bin/server-service" ] || fail "the launchers are not executable"
ls "$dist/lib" | grep -q '^roamtun-engine-.*\.jar$' || fail "no roamtun-engine jar in lib/"
if ls "$dist/lib" | grep -Eq 'e2e|junit|test'; then fail "lib/ holds test or benchmark code: $(ls "$dist/lib" | tr '\n' ' ')"; fi
echo "  unpacked in '$dist': $(ls "$dist/lib" | wc -l) jars in lib/, no test code"

links="$work/other place"
mkdir -p "$links"
ln -s "$dist/bin/server-service" "$links/server-service"
ln -s "$dist/bin/client-service" "$links/client-service"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
backend_port=$(free_port); server_port=$(free_port); local_port=$(free_port)
python3 - "$backend_port" > "$work/backend.log" 2>&1 <<'PY' &
import socket, sys, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16)
def echo(c):
    with c:
        while True:
            b = c.recv(65536)
            if not b: break
            c.sendall(b)
while True:
    c, _ = s.accept(); threading.Thread(target=echo, args=(c,), daemon=True).start()
PY
pids+=($!)
"$links/server-service" --insecure-plaintext --listen "127.0.0.1:$server_port" --service "echo=127.0.0.1:$backend_port" \
  > "$work/server.log" 2>&1 &
pids+=($!)
"$links/client-service" --insecure-plaintext --server "127.0.0.1:$server_port" --forward "127.0.0.1:$local_port=echo" \
  --admin-socket "$work/admin.sock" > "$work/client.log" 2>&1 &
pids+=($!)
python3 - "$local_port" "$work/client.log" <<'PY' || { echo "--- server log"; cat "$work/server.log"; echo "--- client log"; cat "$work/client.log"; fail "no stream carried through the unpacked agents"; }
import os, re, socket, sys, time
port, log = int(sys.argv[1]), sys.argv[2]
deadline = time.time() + 60
while time.time() < deadline:  # the client says when its session is up
    if re.search(r"session \w+ established", open(log).read()):
        break
    time.sleep(0.1)
else:
    raise SystemExit("the client never established its session")
data = os.urandom(1 << 20)
with socket.create_connection(("127.0.0.1", port), timeout=30) as c:
    c.sendall(data); c.shutdown(socket.SHUT_WR)
    back = b""
    while True:
        b = c.recv(65536)
        if not b: break
        back += b
if back != data:
    raise SystemExit(f"echo came back with {len(back)} bytes, not the {len(data)} sent")
print("  1 MiB echoed through the unpacked agents, started through symlinks")
PY

# No Java at all, and a Java 11: one clear line each, exit 1.
mkdir -p "$work/nojava" "$work/java11/bin"
ln -s "$(command -v dirname)" "$(command -v readlink)" "$(command -v sed)" "$(command -v ls)" "$(command -v head)" \
  "$(command -v basename)" "$work/nojava/" 2>/dev/null || true
if env -u JAVA_HOME PATH="$work/nojava" /bin/bash "$links/server-service" -V > "$work/err" 2>&1; then fail "ran without any Java"; fi
grep -q "no java found" "$work/err" && [ "$(wc -l < "$work/err")" = 1 ] || { cat "$work/err" >&2; fail "no single clear line without Java"; }
echo "  without Java: $(cat "$work/err")"
printf '#!/bin/sh\necho "openjdk version \\"11.0.2\\" 2019-01-15" >&2\n' > "$work/java11/bin/java"
chmod +x "$work/java11/bin/java"
if JAVA_HOME="$work/java11" "$links/client-service" -V > "$work/err" 2>&1; then fail "ran with Java 11"; fi
grep -q "needs Java 17 or newer" "$work/err" && [ "$(wc -l < "$work/err")" = 1 ] || { cat "$work/err" >&2; fail "no single clear line for Java 11"; }
echo "  Java 11: $(cat "$work/err")"
