#!/usr/bin/env bash
# Builds the .deb from the distribution tarball (offline, dpkg-deb) and checks it: lintian reports no
# errors; unpacked into a throwaway root its files, links, conffiles and units are where they belong and
# 'systemd-analyze verify' accepts the units; postinst, run against a stand-in adduser, makes the system
# user once (and not again on an upgrade); the launchers in the throwaway root run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fail() { echo "debian: $*" >&2; exit 1; }
for tool in dpkg-deb lintian systemd-analyze; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (Debian: apt-get install dpkg lintian systemd)"
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

deb=$("$here/../debian/build-deb.sh" "" "$work")
echo "  built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"

# lintian: errors fail the check; warnings are listed.
lintian --no-tag-display-limit --suppress-tags-from-file /dev/null "$deb" > "$work/lintian" 2>&1 || true
if grep -q '^E:' "$work/lintian"; then cat "$work/lintian" >&2; fail "lintian reports errors"; fi
echo "  lintian: no errors ($(grep -c '^W:' "$work/lintian" || true) warnings)"
grep '^W:' "$work/lintian" | sed 's/^/    /' || true

root="$work/root"
dpkg-deb -x "$deb" "$root"
dpkg-deb -e "$deb" "$work/control"
for f in usr/share/roamtun/bin/server-service usr/share/roamtun/bin/client-service usr/share/roamtun/bin/_common.sh \
         lib/systemd/system/roamtun-server.service usr/lib/systemd/user/roamtun-client.service \
         etc/roamtun/server-service.properties etc/roamtun/client-service.properties \
         usr/share/doc/roamtun/copyright usr/share/doc/roamtun/changelog.gz; do
  [ -e "$root/$f" ] || fail "the package has no /$f"
done
[ "$(readlink "$root/usr/bin/server-service")" = ../share/roamtun/bin/server-service ] || fail "/usr/bin/server-service is not a link to the distribution"
[ "$(readlink "$root/usr/bin/client-service")" = ../share/roamtun/bin/client-service ] || fail "/usr/bin/client-service is not a link to the distribution"
ls "$root/usr/share/roamtun/lib" | grep -q '^roamtun-server-service-.*\.jar$' || fail "no server-service jar in /usr/share/roamtun/lib"
if ls "$root/usr/share/roamtun/lib" | grep -Eq 'e2e|junit'; then fail "test code in the package"; fi
diff <(sort "$work/control/conffiles") <(printf '/etc/roamtun/client-service.properties\n/etc/roamtun/server-service.properties\n') \
  || fail "conffiles are not the two configs"
grep -q '^Depends: .*java17-runtime-headless' "$work/control/control" || fail "no dependency on a Java 17+ runtime"
grep -q '^User=roamtun$' "$root/lib/systemd/system/roamtun-server.service" || fail "the server unit does not run as roamtun"
for option in ProtectSystem=strict NoNewPrivileges=yes PrivateTmp=yes; do
  grep -q "^$option$" "$root/lib/systemd/system/roamtun-server.service" || fail "the server unit lacks $option"
done
echo "  files, links, conffiles, Depends and the server unit's sandbox as expected"

# systemd-analyze verify: the units as installed (ExecStart's /usr/bin/... resolves inside the root),
# beside a copy of this machine's own units (the targets they are ordered against).
cp -an /lib/systemd/system/. "$root/lib/systemd/system/" 2>/dev/null || true
mkdir -p "$root/bin" && cp /bin/kill "$root/bin/kill" # ExecReload's command comes from the system (procps)
[ -d /usr/lib/systemd/user ] && cp -an /usr/lib/systemd/user/. "$root/usr/lib/systemd/user/" 2>/dev/null || true
systemd-analyze verify --root="$root" /lib/systemd/system/roamtun-server.service > "$work/verify" 2>&1 \
  || { cat "$work/verify" >&2; fail "systemd-analyze verify refuses the server unit"; }
if grep -v '^$' "$work/verify" | grep -q .; then cat "$work/verify" >&2; fail "systemd-analyze verify complains about the server unit"; fi
# A user unit cannot be verified under --root: a copy whose ExecStart names the launcher inside the root.
mkdir -p "$work/xdg" "$work/user-unit"
sed "s|/usr/bin/client-service|$root/usr/bin/client-service|" "$root/usr/lib/systemd/user/roamtun-client.service" \
  > "$work/user-unit/roamtun-client.service"
XDG_RUNTIME_DIR="$work/xdg" systemd-analyze verify --user "$work/user-unit/roamtun-client.service" > "$work/verify" 2>&1 \
  || { cat "$work/verify" >&2; fail "systemd-analyze verify refuses the client unit"; }
if grep -v '^$' "$work/verify" | grep -q .; then cat "$work/verify" >&2; fail "systemd-analyze verify complains about the client unit"; fi
echo "  systemd-analyze verify: both units clean"

# postinst with stand-ins for getent/adduser/chown/systemctl that record what they are asked.
mkdir -p "$work/bin"
cat > "$work/bin/getent" <<'SH'
#!/bin/sh
[ -f "$RECORD.user" ] && echo "roamtun:x:999:999::/var/lib/roamtun:/usr/sbin/nologin" && exit 0
exit 2
SH
cat > "$work/bin/adduser" <<'SH'
#!/bin/sh
echo "adduser $*" >> "$RECORD"; touch "$RECORD.user"
SH
printf '#!/bin/sh\necho "chown $*" >> "$RECORD"\n' > "$work/bin/chown"
printf '#!/bin/sh\necho "systemctl $*" >> "$RECORD"\n' > "$work/bin/systemctl"
printf '#!/bin/sh\nexec /bin/mkdir "$@"\n' > "$work/bin/mkdir"
chmod +x "$work/bin/"*
sh -n "$work/control/postinst" && sh -n "$work/control/postrm" || fail "a maintainer script does not parse"
# /var/lib/roamtun is made under a stand-in root: the script's absolute paths are rewritten for the run.
sed "s|/var/lib/roamtun|$work/var/lib/roamtun|g; s|/run/systemd/system|$work/run-systemd|g" "$work/control/postinst" > "$work/postinst"
RECORD="$work/record" PATH="$work/bin:$PATH" sh "$work/postinst" configure
grep -q '^adduser --system --group .*roamtun$' "$work/record" || { cat "$work/record" >&2; fail "postinst did not make the roamtun system user"; }
[ -d "$work/var/lib/roamtun" ] || fail "postinst did not make /var/lib/roamtun"
RECORD="$work/record" PATH="$work/bin:$PATH" sh "$work/postinst" configure 0.0.9
[ "$(grep -c '^adduser' "$work/record")" = 1 ] || fail "postinst made the user again on an upgrade"
echo "  postinst: makes the system user once, and its state directory"

# The launchers as installed run (through /usr/bin's relative links).
version=$("$root/usr/bin/server-service" -V)
case $version in "server-service "[0-9]*) echo "  $version (from the package's /usr/bin)" ;; *) fail "server-service -V printed '$version'" ;; esac
