# Shared by the roamtun launchers: finds the built jars and a Java 17+, then runs a main class.
# Sourced, not run. Set ROAMTUN_JAVA_OPTS to replace the default JVM options.

roamtun_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
roamtun_lib="$roamtun_root/installers/target/lib"

roamtun_fail() {
  echo "$(basename "$0"): $*" >&2
  exit 1
}

roamtun_java() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    echo "$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    command -v java
  else
    roamtun_fail "no java found: install a Java 17 or newer runtime (Debian: apt-get install openjdk-17-jre-headless) or set JAVA_HOME"
  fi
}

roamtun_run() {
  local main=$1
  shift
  if ! ls "$roamtun_lib"/roamtun-*.jar >/dev/null 2>&1; then
    roamtun_fail "roamtun is not built yet: run 'mvn -q -DskipTests package' in $roamtun_root first"
  fi
  local java
  java=$(roamtun_java)
  # Every tunneled connection is a file descriptor on each side: raise the soft limit to the hard one.
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  # shellcheck disable=SC2086
  exec "$java" ${ROAMTUN_JAVA_OPTS:--Xms32m -Xmx512m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError} \
    -cp "$roamtun_lib/*" "$main" "$@"
}
