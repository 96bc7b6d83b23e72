#!/usr/bin/env bash
# Builds roamtun's Debian package from the distribution tarball, offline, with dpkg-deb alone:
#   installers/debian/build-deb.sh [TARBALL [OUTDIR]]
# (defaults: installers/target/roamtun-*.tar.gz, installers/target). Layout: the distribution under
# /usr/share/roamtun, the launchers linked into /usr/bin, the systemd units, example configs in
# /etc/roamtun as conffiles, a 'roamtun' system user made by postinst. Prints the .deb's path.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
target="$here/../target"
tarball=${1:-$(ls "$target"/roamtun-*.tar.gz 2>/dev/null | head -n 1)}
out=${2:-$target}
[ -n "$tarball" ] && [ -f "$tarball" ] || { echo "build-deb: no distribution tarball; run 'mvn -DskipTests package' first" >&2; exit 1; }

name=$(basename "$tarball" .tar.gz)        # roamtun-0.1.0-SNAPSHOT
upstream=${name#roamtun-}
# Debian versions sort '~' before anything: 0.1.0~snapshot comes before the release 0.1.0.
version=$(echo "$upstream" | sed 's/-SNAPSHOT$/~snapshot/; s/-/~/g' | tr 'A-Z' 'a-z')

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/root"
mkdir -p "$root"
tar -xzf "$tarball" -C "$work"
dist="$work/$name"

install -d -m 0755 "$root/usr/share/roamtun" "$root/usr/bin" "$root/etc/roamtun" "$root/lib/systemd/system" \
  "$root/usr/lib/systemd/user" "$root/usr/share/doc/roamtun" "$root/DEBIAN"
cp -r "$dist/bin" "$dist/lib" "$root/usr/share/roamtun/"
chmod 0755 "$root/usr/share/roamtun/bin/client-service" "$root/usr/share/roamtun/bin/server-service"
chmod 0644 "$root/usr/share/roamtun/bin/_common.sh" "$root/usr/share/roamtun/lib/"*.jar
ln -s ../share/roamtun/bin/client-service "$root/usr/bin/client-service"
ln -s ../share/roamtun/bin/server-service "$root/usr/bin/server-service"
install -m 0644 "$dist/conf/client-service.properties" "$dist/conf/server-service.properties" "$root/etc/roamtun/"
install -m 0644 "$dist/services/systemd/roamtun-server.service" "$root/lib/systemd/system/"
install -m 0644 "$dist/services/systemd/roamtun-client.service" "$root/usr/lib/systemd/user/"
gzip -9n -c "$dist/README.md" > "$root/usr/share/doc/roamtun/README.md.gz"
chmod 0644 "$root/usr/share/doc/roamtun/README.md.gz"

# Policy's machine-readable copyright file, and a changelog (native package: changelog.gz).
cat > "$root/usr/share/doc/roamtun/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: roamtun
Source: https://github.com/roamtun/roamtun

Files: *
Copyright: 2026 The roamtun authors
License: Apache-2.0

Files: usr/share/roamtun/lib/conscrypt-*.jar usr/share/roamtun/lib/commons-cli-*.jar
 usr/share/roamtun/lib/jackson-*.jar usr/share/roamtun/lib/prometheus-metrics-*.jar
Copyright: The Android Open Source Project; The Apache Software Foundation; FasterXML, LLC;
 The Prometheus Authors
License: Apache-2.0

Files: usr/share/roamtun/lib/logback-*.jar
Copyright: QOS.ch
License: EPL-1.0 or LGPL-2.1
 On Debian systems, the complete text of the GNU Lesser General Public License version 2.1 can be
 found in /usr/share/common-licenses/LGPL-2.1.

Files: usr/share/roamtun/lib/slf4j-*.jar
Copyright: QOS.ch
License: MIT
 Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
 associated documentation files (the "Software"), to deal in the Software without restriction,
 including without limitation the rights to use, copy, modify, merge, publish, distribute,
 sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is
 furnished to do so, subject to the following conditions:
 .
 The above copyright notice and this permission notice shall be included in all copies or
 substantial portions of the Software.
 .
 THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT
 NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
 NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES
 OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
 CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.

License: Apache-2.0
 On Debian systems, the complete text of the Apache License version 2.0 can be found in
 /usr/share/common-licenses/Apache-2.0.

License: EPL-1.0
 Eclipse Public License - v 1.0, https://www.eclipse.org/legal/epl-v10.html
COPYRIGHT
chmod 0644 "$root/usr/share/doc/roamtun/copyright"
date_rfc2822=$(date -R -d "@${SOURCE_DATE_EPOCH:-$(stat -c %Y "$tarball")}")
printf 'roamtun (%s) unstable; urgency=medium\n\n  * Built from the roamtun distribution %s.\n\n -- roamtun maintainers <roamtun@example.org>  %s\n' \
  "$version" "$name" "$date_rfc2822" | gzip -9n > "$root/usr/share/doc/roamtun/changelog.gz"
chmod 0644 "$root/usr/share/doc/roamtun/changelog.gz"

installed_kib=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<CONTROL
Package: roamtun
Version: $version
Architecture: all
Maintainer: roamtun maintainers <roamtun@example.org>
Installed-Size: $installed_kib
Depends: default-jre-headless (>= 2:1.17) | java17-runtime-headless, adduser
Section: net
Priority: optional
Homepage: https://github.com/roamtun/roamtun
Description: tunnel that keeps TCP connections alive across network changes
 roamtun carries the connections of unmodified applications over one
 encrypted, multiplexed link between a client-service (on the laptop or
 phone) and a server-service (next to the backends). When the machine
 changes networks (Wi-Fi to LTE, cable pulled, DHCP renewal) the link is
 resumed from the new interface and both sides resend what the other had
 not received: applications see a pause, never a reset.
 .
 This package installs both agents, a systemd system unit for the
 server-service (run as the unprivileged user 'roamtun') and a systemd user
 unit for the client-service.
CONTROL
cat > "$root/DEBIAN/conffiles" <<CONFFILES
/etc/roamtun/client-service.properties
/etc/roamtun/server-service.properties
CONFFILES
install -m 0755 "$here/postinst" "$here/postrm" "$root/DEBIAN/"

deb="$out/roamtun_${version}_all.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
