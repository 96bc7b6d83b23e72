# Shared by the roamtun launchers: finds the built jars and a Java 17+, then runs a main class.
# Sourced, not run. ROAMTUN_JAVA_OPTS adds JVM options after the defaults (later ones win; a garbage
# collector named there replaces the default one).

# The jars: lib/ beside bin/ in the distribution (the tarball, the .deb); installers/target/lib in a source
# checkout after 'mvn package'.
roamtun_bin=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if ls "$roamtun_bin/../lib"/roamtun-*.jar >/dev/null 2>&1; then
  roamtun_root=$(cd "$roamtun_bin/.." && pwd)
  roamtun_lib="$roamtun_root/lib"
else
  roamtun_root=$(cd "$roamtun_bin/../.." && pwd)
  roamtun_lib="$roamtun_root/installers/target/lib"
fi
roamtun_default_opts="-Xms32m -Xmx512m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError"

roamtun_fail() {
  echo "$(basename "$0"): $*" >&2
  exit 1
}

# Sets roamtun_java, or explains what is missing and exits.
roamtun_prepare() {
  if ! ls "$roamtun_lib"/roamtun-*.jar >/dev/null 2>&1; then
    roamtun_fail "roamtun is not built yet: run 'mvn -q -DskipTests package' in $roamtun_root first"
  fi
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    roamtun_java="$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    roamtun_java=$(command -v java)
  else
    roamtun_fail "no java found: install a Java 17 or newer runtime (Debian: apt-get install openjdk-17-jre-headless) or set JAVA_HOME"
  fi
  local version
  version=$(roamtun_java_version "$roamtun_java")
  if [ -z "$version" ] || [ "${version%%.*}" -lt 17 ] 2>/dev/null; then
    roamtun_fail "roamtun needs Java 17 or newer; $roamtun_java is ${version:-of an unknown version} (set JAVA_HOME to a Java 17+)"
  fi
  # Every tunneled connection is a file descriptor on each side: raise the soft limit to the hard one.
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
}

# Prints the major.minor version of the java binary $1 ("17.0.15", "1.8.0_392" prints as "1.8..."): from the
# JDK's release file when there is one (no JVM start), else from 'java -version'.
roamtun_java_version() {
  local bin home release v
  bin=$(readlink -f "$1" 2>/dev/null || echo "$1")
  home=$(dirname "$(dirname "$bin")")
  release="$home/release"
  if [ -r "$release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\(.*\)"/\1/p' "$release")
  fi
  if [ -z "${v:-}" ]; then
    v=$("$1" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)
  fi
  case "$v" in
    1.*) echo "1" ;; # Java 8 and older call themselves 1.x
    *) echo "$v" ;;
  esac
}

# roamtun_run MAIN_CLASS ARGS...: replaces this shell with the JVM.
roamtun_run() {
  local main=$1
  shift
  roamtun_prepare
  local defaults=$roamtun_default_opts
  case " ${ROAMTUN_JAVA_OPTS:-} " in
    *" -XX:+Use"*"GC "*) defaults=${defaults/-XX:+UseSerialGC/} ;; # the JVM refuses two collectors
  esac
  # shellcheck disable=SC2086
  exec "$roamtun_java" $defaults ${ROAMTUN_JAVA_OPTS:-} -cp "$roamtun_lib/*" "$main" "$@"
}
