# Shared by the roamtun launchers: finds the built jars and a Java 17+, then runs a main class.
# Sourced, not run. Set ROAMTUN_JAVA_OPTS to replace the default JVM options.

roamtun_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
roamtun_lib="$roamtun_root/installers/target/lib"
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
  # Every tunneled connection is a file descriptor on each side: raise the soft limit to the hard one.
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
}

# roamtun_run MAIN_CLASS ARGS...: replaces this shell with the JVM.
roamtun_run() {
  local main=$1
  shift
  roamtun_prepare
  # shellcheck disable=SC2086
  exec "$roamtun_java" ${ROAMTUN_JAVA_OPTS:-$roamtun_default_opts} -cp "$roamtun_lib/*" "$main" "$@"
}
