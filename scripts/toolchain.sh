#!/usr/bin/env bash
# scripts/toolchain.sh — builds, caches and runs the Temporal servers kybao needs.
#
# Everything is built once and cached OUTSIDE the clone, keyed by version, so CI
# runs and later sessions reuse it. Every subcommand is idempotent: a second run
# finds the cache and returns at once. Paths go to stdout, progress to stderr.
#
# Cache root: ${KYBAO_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kybao}
#   temporal-cli-v1.5.1/temporal          Temporal CLI, `go install …/cmd/temporal@v1.5.1`
#                                          (later tags can't be installed with go install)
#   temporal-test-server-<ver>/            Java time-skipping test server (io.temporal:temporal-test-server)
#     lib/*.jar                            runtime classpath, resolved with Maven
#     lib/kybao-test-server-<hash>.jar     our main class, scripts/test-server/KybaoTestServer.java,
#                                          compiled with javac (<hash>: of that source, so an edit
#                                          rebuilds jar + archive + wrapper; the Maven jars are kept)
#     app-cds.jsa                          AppCDS archive (made by a training run), for fast JVM start
#     test-server                          wrapper to hand to @temporalio/testing (existing-path);
#                                          written last, so its presence means "complete"
#   maven-repository/                      Maven's download cache for the above
#   .locks/                                flock files that serialise concurrent builds
#
# Environment:
#   KYBAO_CACHE_DIR              cache root (see above)
#   KYBAO_TEMPORAL_CLI           use this `temporal` executable instead of building one
#   KYBAO_TEST_SERVER_VERSION    override the pinned temporal-test-server version
#   KYBAO_TEST_SERVER_JAVA_OPTS  extra JVM options the test-server wrapper passes to java
#   KYBAO_TEST_SERVER_START      read by the test server at start-up, not by this script: an ISO-8601
#                                instant with offset (2014-11-01T00:00:00+07:00, …Z) at which the
#                                server's clock starts instead of now (see KybaoTestServer.java)
#   JAVA_HOME                    JDK to use for the test server (else `java` on PATH)
#
# The dev server (`dev-server`) keeps its state in ./.data/temporal.db (repo root) by
# default, its pid in ./.data/temporal.pid and its log in ./.data/temporal.log.
set -euo pipefail

TEMPORAL_CLI_VERSION=v1.5.1
TEMPORAL_CLI_MODULE=github.com/temporalio/cli/cmd/temporal
TEST_SERVER_VERSION=${KYBAO_TEST_SERVER_VERSION:-1.38.0}
# SLF4J binding so the test server doesn't print "Failed to load class StaticLoggerBinder".
SLF4J_NOP_VERSION=1.7.36
MAVEN_DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1

CACHE=${KYBAO_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kybao}
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA_DIR=$REPO_ROOT/.data
PID_FILE=$DATA_DIR/temporal.pid
LOG_FILE=$DATA_DIR/temporal.log

log() { printf 'toolchain: %s\n' "$*" >&2; }
die() { printf 'toolchain: error: %s\n' "$*" >&2; exit 1; }

usage() {
  cat <<EOF
Usage: scripts/toolchain.sh <command> [options]

Commands:
  cli                 Print the path of a \`temporal\` CLI binary (built and cached on first use;
                      \$KYBAO_TEMPORAL_CLI overrides it).
  test-server         Print the path of the Java time-skipping test server wrapper
                      (io.temporal:temporal-test-server $TEST_SERVER_VERSION), for
                      TestWorkflowEnvironment.createTimeSkipping({ server: { executable:
                      { type: 'existing-path', path } } }). Its clock starts at
                      \$KYBAO_TEST_SERVER_START (e.g. 2014-11-01T00:00:00+07:00) if set, else now.
  dev-server [--db FILE] [--port 7233] [--ui-port 8233]
                      Start \`temporal server start-dev\` in the background (no-op if a server
                      already answers on the port) and wait until it is healthy.
                      Default db: .data/temporal.db; pid: .data/temporal.pid; log: .data/temporal.log.
  stop-dev-server     Stop the dev server recorded in .data/temporal.pid.
  all                 cli + test-server (prints both paths).
  help, -h, --help    Show this help.

Cache: $CACHE
EOF
}

# with_lock NAME CMD...: run CMD holding an exclusive lock (if flock is available).
with_lock() {
  local name=$1; shift
  mkdir -p "$CACHE/.locks"
  if ! command -v flock >/dev/null 2>&1; then "$@"; return; fi
  local fd
  exec {fd}>"$CACHE/.locks/$name.lock"
  if ! flock -n "$fd"; then
    log "waiting for another toolchain.sh to finish building $name ..."
    flock "$fd"
  fi
  local rc=0
  "$@" || rc=$?
  exec {fd}>&-
  return "$rc"
}

tcp_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# ---------------------------------------------------------------------------------------------
# cli
# ---------------------------------------------------------------------------------------------
CLI_DIR=$CACHE/temporal-cli-$TEMPORAL_CLI_VERSION
CLI_BIN=$CLI_DIR/temporal

cli_ok() { [[ -f $CLI_BIN && -x $CLI_BIN ]] && "$CLI_BIN" --version >/dev/null 2>&1; }

# pids of `go install` processes building the temporal CLI (e.g. one started by hand or by
# another tool straight into $CLI_DIR — that one is not atomic, so wait for it to finish).
foreign_cli_builds() {
  pgrep -f "go install .*github.com/temporalio/cli/cmd/temporal" 2>/dev/null || true
}

build_cli() {
  cli_ok && return 0
  local waited=0 pids
  while pids=$(foreign_cli_builds) && [[ -n $pids ]]; do
    if (( waited % 15 == 0 )); then
      log "a 'go install' of the temporal CLI is already running (pid ${pids//$'\n'/ }); waiting for it (${waited}s) ..."
    fi
    if (( waited >= 3600 )); then die "gave up waiting for the running 'go install' after ${waited}s"; fi
    sleep 3; waited=$((waited + 3))
  done
  if cli_ok; then log "temporal CLI finished building: $CLI_BIN"; return 0; fi

  command -v go >/dev/null 2>&1 ||
    die "Go is not installed, so the temporal CLI can't be built; install Go or set KYBAO_TEMPORAL_CLI=/path/to/temporal"
  mkdir -p "$CLI_DIR"
  local tmp
  tmp=$(mktemp -d "$CACHE/.tmp.temporal-cli-$TEMPORAL_CLI_VERSION.XXXXXX")
  log "building temporal CLI $TEMPORAL_CLI_VERSION with '$(go version)' (takes a few minutes the first time) ..."
  if ! GOBIN=$tmp go install "$TEMPORAL_CLI_MODULE@$TEMPORAL_CLI_VERSION" >&2; then
    rm -rf "$tmp"
    die "go install $TEMPORAL_CLI_MODULE@$TEMPORAL_CLI_VERSION failed"
  fi
  "$tmp/temporal" --version >/dev/null || { rm -rf "$tmp"; die "the freshly built temporal CLI does not run"; }
  mv -f "$tmp/temporal" "$CLI_BIN"   # same filesystem: atomic rename
  rm -rf "$tmp"
  log "temporal CLI installed: $CLI_BIN ($("$CLI_BIN" --version))"
}

cmd_cli() {
  if [[ -n ${KYBAO_TEMPORAL_CLI:-} ]]; then
    [[ -f $KYBAO_TEMPORAL_CLI && -x $KYBAO_TEMPORAL_CLI ]] ||
      die "KYBAO_TEMPORAL_CLI=$KYBAO_TEMPORAL_CLI is not an existing executable file"
    printf '%s\n' "$KYBAO_TEMPORAL_CLI"
    return
  fi
  if ! cli_ok; then with_lock "temporal-cli-$TEMPORAL_CLI_VERSION" build_cli; fi
  printf '%s\n' "$CLI_BIN"
}

# ---------------------------------------------------------------------------------------------
# test-server
# ---------------------------------------------------------------------------------------------
TS_DIR=$CACHE/temporal-test-server-$TEST_SERVER_VERSION
TS_WRAPPER=$TS_DIR/test-server
TS_JSA=$TS_DIR/app-cds.jsa
# Our main (scripts/test-server/KybaoTestServer.java): the stock io.temporal.testserver.TestServer
# plus $KYBAO_TEST_SERVER_START. Its jar, TS_APP_JAR, is set by ts_init (needs the source's hash).
TS_SRC=$REPO_ROOT/scripts/test-server/KybaoTestServer.java
TS_MAIN=kybao.testserver.KybaoTestServer
TS_APP_JAR=
# Instant the AppCDS training run starts the clock at (exercises the parsing path too).
TS_TRAINING_START=2014-11-01T00:00:00+07:00
TS_JVM_FLAGS=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xshare:auto)

resolve_java() {
  local j
  if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then j=$JAVA_HOME/bin/java
  else j=$(command -v java) || die "java not found (install a JDK >= 11, or set JAVA_HOME)"; fi
  readlink -f "$j" 2>/dev/null || printf '%s\n' "$j"
}

ts_init() { # sets TS_APP_JAR from the hash of the main class's source
  [[ -f $TS_SRC ]] || die "$TS_SRC is missing (the test server's main class)"
  local sum
  if command -v sha256sum >/dev/null 2>&1; then sum=$(sha256sum <"$TS_SRC")
  else sum=$(shasum -a 256 <"$TS_SRC") || die "neither sha256sum nor shasum is available"; fi
  TS_APP_JAR=$TS_DIR/lib/kybao-test-server-${sum:0:16}.jar
}

ts_lib_classpath() { # the Maven jars, sorted, absolute (not ours: stale ones may linger)
  local jar jars=()
  for jar in "$TS_DIR"/lib/*.jar; do
    [[ -e $jar && $(basename "$jar") != kybao-test-server-*.jar ]] && jars+=("$jar")
  done
  (( ${#jars[@]} )) || return 1
  local IFS=:
  printf '%s\n' "${jars[*]}"
}

ts_classpath() { # the CDS archive requires exactly the same classpath later
  local lib
  lib=$(ts_lib_classpath) || return 1
  printf '%s:%s\n' "$lib" "$TS_APP_JAR"
}

# Complete and current: the wrapper runs the jar built from today's source, and the JVM and the
# AppCDS archive (which also pins every jar's size and mtime) still match.
# Bump when the wrapper's text changes, so cached wrappers are rewritten.
TS_WRAPPER_FORMAT=2
ts_ok() {
  [[ -x $TS_WRAPPER && -f $TS_APP_JAR ]] && grep -qF -- "$TS_APP_JAR" "$TS_WRAPPER" &&
    grep -qF -- "kybao-wrapper-format: $TS_WRAPPER_FORMAT" "$TS_WRAPPER" &&
    "$TS_WRAPPER" --selfcheck >/dev/null 2>&1
}

ts_resolve_jars() {
  command -v mvn >/dev/null 2>&1 || die "Maven (mvn) is needed to fetch io.temporal:temporal-test-server"
  local tmp
  tmp=$(mktemp -d "$CACHE/.tmp.temporal-test-server-$TEST_SERVER_VERSION.XXXXXX")
  chmod 755 "$tmp"
  cat >"$tmp/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- generated by kybao scripts/toolchain.sh: resolves the temporal-test-server runtime classpath -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>kybao.toolchain</groupId>
  <artifactId>temporal-test-server-classpath</artifactId>
  <version>$TEST_SERVER_VERSION</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>$TEST_SERVER_VERSION</version>
    </dependency>
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-nop</artifactId>
      <version>$SLF4J_NOP_VERSION</version>
    </dependency>
  </dependencies>
</project>
EOF
  log "resolving io.temporal:temporal-test-server:$TEST_SERVER_VERSION with Maven ..."
  # (Maven's output goes to a log: Debian's Maven 3.8 prints stray colour codes even with -q.)
  if ! mvn -B -q -f "$tmp/pom.xml" -Dmaven.repo.local="$CACHE/maven-repository" \
      "$MAVEN_DEPENDENCY_PLUGIN:copy-dependencies" -DincludeScope=runtime -DoutputDirectory="$tmp/lib" \
      >"$tmp/maven.log" 2>&1; then
    sed 's/\x1b\[[0-9;]*m//g' "$tmp/maven.log" | tail -n 30 >&2
    rm -rf "$tmp"
    die "Maven could not resolve io.temporal:temporal-test-server:$TEST_SERVER_VERSION (try KYBAO_TEST_SERVER_VERSION=<older version>)"
  fi
  ls "$tmp/lib/temporal-test-server-$TEST_SERVER_VERSION.jar" >/dev/null 2>&1 ||
    { rm -rf "$tmp"; die "Maven did not produce temporal-test-server-$TEST_SERVER_VERSION.jar"; }
  rm -rf "$TS_DIR"            # an incomplete earlier attempt (no wrapper): nobody can be using it
  mv "$tmp" "$TS_DIR"         # same filesystem: atomic rename
  local jars=("$TS_DIR"/lib/*.jar)
  log "${#jars[@]} jars in $TS_DIR/lib"
}

# Compile $TS_SRC against the Maven jars into $TS_APP_JAR (kept if already there: it is
# installed by an atomic rename, so it is complete).
ts_build_app_jar() {
  local java=$1 javac jar tmp lib
  [[ -f $TS_APP_JAR ]] && return 0
  javac=$(dirname "$java")/javac
  [[ -x $javac ]] || javac=$(command -v javac) ||
    die "javac not found: compiling $TS_SRC needs a JDK, not just a JRE (install one, or set JAVA_HOME)"
  jar=$(dirname "$javac")/jar
  [[ -x $jar ]] || jar=$(command -v jar) || die "the JDK tool 'jar' was not found next to $javac nor on PATH"
  lib=$(ts_lib_classpath) || die "no jars in $TS_DIR/lib"
  tmp=$(mktemp -d "$TS_DIR/.tmp.kybao-test-server.XXXXXX")
  log "compiling ${TS_SRC#"$REPO_ROOT"/} -> $TS_APP_JAR ..."
  # --release 11: runs on any JVM the test server supports, whichever JDK's javac this is.
  if ! "$javac" --release 11 -encoding UTF-8 -Xlint:all,-path,-options -cp "$lib" -d "$tmp/classes" "$TS_SRC" >&2 ||
     ! "$jar" cf "$tmp/app.jar" -C "$tmp/classes" . >&2; then
    rm -rf "$tmp"
    die "could not compile $TS_SRC"
  fi
  mv -f "$tmp/app.jar" "$TS_APP_JAR"   # same filesystem: atomic rename
  rm -rf "$tmp"
}

# Send one unary gRPC request (message given as raw protobuf bytes, < 256 bytes, no NULs).
grpc_call() { # port method [message]
  local msg=${3:-} LC_ALL=C
  # shellcheck disable=SC2059 # the format string is a generated \xNN escape
  { printf '\x00\x00\x00\x00'; printf "\\x$(printf %02x "${#msg}")"; printf '%s' "$msg"; } |
    curl -s --max-time 3 --http2-prior-knowledge -H 'content-type: application/grpc' -H 'te: trailers' \
      --data-binary @- -o /dev/null "http://127.0.0.1:$1/$2" || true
}
pb() { # field-number string  -> length-delimited protobuf field (string/bytes/message, < 128 bytes)
  local LC_ALL=C
  # shellcheck disable=SC2059 # the format string is a generated \xNN escape
  printf "\\x$(printf %02x $(( ($1 << 3) | 2 )))\\x$(printf %02x "${#2}")"
  printf '%s' "$2"
}

# Training run: start the server with -XX:ArchiveClassesAtExit, exercise it, stop it (the JVM
# writes the archive at exit). Output: $TS_JSA.
ts_train_cds() {
  local java=$1 cp=$2 port pid ok=0 train_log=$TS_DIR/cds-training.log
  rm -f "$TS_JSA" "$TS_JSA.tmp"
  for _ in 1 2 3; do
    port=$(( 20000 + RANDOM % 40000 ))
    tcp_open 127.0.0.1 "$port" && continue
    log "building AppCDS archive (training run on port $port) ..."
    KYBAO_TEST_SERVER_START=$TS_TRAINING_START \
      "$java" -XX:ArchiveClassesAtExit="$TS_JSA.tmp" "${TS_JVM_FLAGS[@]}" -cp "$cp" "$TS_MAIN" "$port" \
      </dev/null >"$train_log" 2>&1 &
    pid=$!
    local _
    for _ in $(seq 1 300); do
      if tcp_open 127.0.0.1 "$port"; then ok=1; break; fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if (( ok )); then break; fi
    kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  done
  if (( ! ok )); then log "warning: training run did not come up (see $train_log); no AppCDS archive"; return 0; fi

  if command -v curl >/dev/null 2>&1; then
    # Exercise the request paths a test run uses first (Netty/HTTP2, gRPC, protobuf, services).
    local ns wf ex
    ns=$(pb 1 default)
    wf=kybao-cds-training
    ex=$(pb 1 "$wf")
    grpc_call "$port" grpc.health.v1.Health/Check
    grpc_call "$port" temporal.api.workflowservice.v1.WorkflowService/GetSystemInfo
    grpc_call "$port" temporal.api.workflowservice.v1.WorkflowService/DescribeNamespace "$ns"
    grpc_call "$port" temporal.api.testservice.v1.TestService/LockTimeSkipping
    grpc_call "$port" temporal.api.testservice.v1.TestService/UnlockTimeSkipping
    grpc_call "$port" temporal.api.testservice.v1.TestService/GetCurrentTime
    grpc_call "$port" temporal.api.workflowservice.v1.WorkflowService/StartWorkflowExecution \
      "$ns$(pb 2 "$wf")$(pb 3 "$(pb 1 CdsTraining)")$(pb 4 "$(pb 1 cds-training)")$(pb 9 toolchain)$(pb 10 "$wf-request")"
    grpc_call "$port" temporal.api.workflowservice.v1.WorkflowService/PollWorkflowTaskQueue \
      "$ns$(pb 2 "$(pb 1 cds-training)")$(pb 3 toolchain)"
    grpc_call "$port" temporal.api.workflowservice.v1.WorkflowService/DescribeWorkflowExecution "$ns$(pb 2 "$ex")"
    grpc_call "$port" temporal.api.workflowservice.v1.WorkflowService/GetWorkflowExecutionHistory "$ns$(pb 2 "$ex")"
    grpc_call "$port" temporal.api.workflowservice.v1.WorkflowService/TerminateWorkflowExecution "$ns$(pb 2 "$ex")$(pb 3 'done')"
  fi
  kill -TERM "$pid" 2>/dev/null || true   # SIGTERM -> orderly JVM exit -> archive is dumped
  wait "$pid" 2>/dev/null || true
  if [[ -s $TS_JSA.tmp ]] && "$java" -XX:SharedArchiveFile="$TS_JSA.tmp" -Xshare:on -cp "$cp" -version >/dev/null 2>&1; then
    mv -f "$TS_JSA.tmp" "$TS_JSA"
    log "AppCDS archive: $TS_JSA ($(du -h "$TS_JSA" | cut -f1))"
  else
    rm -f "$TS_JSA.tmp"
    log "warning: could not build a usable AppCDS archive (see $train_log); the test server will start slower"
  fi
}

ts_write_wrapper() {
  local java=$1 cp=$2 cds_flag=()
  [[ -f $TS_JSA ]] && cds_flag=("-XX:SharedArchiveFile=$TS_JSA")
  local q_java q_cp q_flags
  q_java=$(printf '%q' "$java"); q_cp=$(printf '%q' "$cp")
  q_flags=$(printf '%q ' "${cds_flag[@]}" "${TS_JVM_FLAGS[@]}")
  cat >"$TS_WRAPPER.tmp" <<EOF
#!/usr/bin/env bash
# Generated by kybao scripts/toolchain.sh — do not edit (re-run \`scripts/toolchain.sh test-server\`).
# Java time-skipping test server io.temporal:temporal-test-server:$TEST_SERVER_VERSION.
# @temporalio/testing spawns this (no shell) as: test-server <port> [extraArgs...]
# The Java main ($TS_MAIN, built from scripts/test-server/KybaoTestServer.java;
# like the stock io.temporal.testserver.TestServer) accepts only: <port> [--enable-time-skipping],
# so any other argument is dropped with a warning.
# Environment: KYBAO_TEST_SERVER_START=<ISO-8601 instant with offset, e.g. 2014-11-01T00:00:00+07:00>
# starts the server's clock there instead of now (unset/empty: now; malformed: error, exit 2);
# the extra argument --start=<instant> sets it too (jest cannot change a child's environment).
# kybao-wrapper-format: $TS_WRAPPER_FORMAT
# \`test-server --selfcheck\` checks that the JVM and the AppCDS archive still match.
java=$q_java
[[ -x \$java ]] || java=java
if [[ \${1:-} == --selfcheck ]]; then
  exec "\$java" $q_flags${cds_flag:+-Xshare:on }-cp $q_cp -version
fi
if [[ \$# -lt 1 || ! \$1 =~ ^[0-9]+\$ ]]; then
  echo "usage: \$0 <port> [--enable-time-skipping]" >&2
  exit 2
fi
args=("\$1"); shift
skip=
for a in "\$@"; do
  if [[ \$a == --enable-time-skipping ]]; then skip=\$a
  # Jest sandboxes process.env, so tests pass the start instant as an extra argument instead.
  elif [[ \$a == --start=* ]]; then export KYBAO_TEST_SERVER_START="\${a#--start=}"
  else echo "test-server: ignoring argument not supported by the Java test server: \$a" >&2; fi
done
[[ -n \$skip ]] && args+=("\$skip")
# exec: the SDK kills this pid on teardown, so it must be the JVM itself.
exec "\$java" $q_flags\${KYBAO_TEST_SERVER_JAVA_OPTS:-} -cp $q_cp $TS_MAIN "\${args[@]}"
EOF
  chmod +x "$TS_WRAPPER.tmp"
  mv -f "$TS_WRAPPER.tmp" "$TS_WRAPPER"
}

build_test_server() {
  ts_ok && return 0
  local java cp jar
  java=$(resolve_java)
  if [[ ! -f $TS_DIR/lib/temporal-test-server-$TEST_SERVER_VERSION.jar ]]; then
    ts_resolve_jars
  elif [[ ! -f $TS_APP_JAR ]] || ! grep -qsF -- "$TS_APP_JAR" "$TS_WRAPPER"; then
    log "the test server's main class (${TS_SRC#"$REPO_ROOT"/}) is not built yet or has changed; building its jar, the AppCDS archive and the wrapper (the Maven jars are kept)"
  else
    log "jars already in $TS_DIR/lib; (re)building the AppCDS archive and wrapper (first build interrupted, or the JVM changed)"
  fi
  ts_build_app_jar "$java"
  cp=$(ts_classpath) || die "no jars in $TS_DIR/lib"
  ts_train_cds "$java" "$cp"
  ts_write_wrapper "$java" "$cp"
  ts_ok || die "the test server wrapper $TS_WRAPPER does not pass its self-check"
  for jar in "$TS_DIR"/lib/kybao-test-server-*.jar; do   # earlier builds of our main class
    [[ -e $jar && $jar != "$TS_APP_JAR" ]] && rm -f "$jar"
  done
  log "test server ready: $TS_WRAPPER"
}

cmd_test_server() {
  mkdir -p "$CACHE"
  ts_init
  if ! ts_ok; then with_lock "temporal-test-server-$TEST_SERVER_VERSION" build_test_server; fi
  printf '%s\n' "$TS_WRAPPER"
}

# ---------------------------------------------------------------------------------------------
# dev-server / stop-dev-server
# ---------------------------------------------------------------------------------------------
is_dev_server_pid() { # pid -> true if alive and a `temporal server start-dev`
  local pid=$1 cmdline
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || ps -o args= -p "$pid" 2>/dev/null || true)
  [[ $cmdline == *"server start-dev"* ]]
}

healthy() { # cli port
  local out
  out=$("$1" operator cluster health --address "127.0.0.1:$2" --command-timeout 3s 2>/dev/null) || return 1
  [[ $out == *SERVING* ]]
}

cmd_dev_server() {
  local db=$DATA_DIR/temporal.db port=7233 ui_port=
  while [[ $# -gt 0 ]]; do
    case $1 in
      --db) db=${2:?--db needs a file}; shift 2 ;;
      --db=*) db=${1#*=}; shift ;;
      --port) port=${2:?--port needs a number}; shift 2 ;;
      --port=*) port=${1#*=}; shift ;;
      --ui-port) ui_port=${2:?--ui-port needs a number}; shift 2 ;;
      --ui-port=*) ui_port=${1#*=}; shift ;;
      -h|--help) usage; return 0 ;;
      *) printf 'toolchain: dev-server: unknown option %s\n' "$1" >&2; exit 2 ;;
    esac
  done
  ui_port=${ui_port:-$((port + 1000))}
  [[ $port =~ ^[0-9]+$ && $ui_port =~ ^[0-9]+$ ]] || { log "dev-server: ports must be numbers"; exit 2; }
  mkdir -p "$(dirname "$db")" "$DATA_DIR"
  db=$(cd "$(dirname "$db")" && pwd)/$(basename "$db")

  local cli
  cli=$(cmd_cli)

  if tcp_open 127.0.0.1 "$port"; then
    if healthy "$cli" "$port"; then
      log "a Temporal server already answers on 127.0.0.1:$port; nothing to do"
      return 0
    fi
  fi

  local pid=
  [[ -f $PID_FILE ]] && pid=$(<"$PID_FILE")
  if [[ -n $pid ]] && is_dev_server_pid "$pid"; then
    if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "--port $port "; then
      log "dev server (pid $pid) is already starting; waiting for it"
    else
      die "another dev server (pid $pid, see $PID_FILE) is running on a different port; run 'scripts/toolchain.sh stop-dev-server' first"
    fi
  else
    if tcp_open 127.0.0.1 "$port"; then
      die "port $port is in use by something that is not a healthy Temporal server"
    fi
    log "starting temporal dev server on 127.0.0.1:$port (UI :$ui_port), db $db, log $LOG_FILE"
    printf '\n=== %s toolchain.sh dev-server --port %s --ui-port %s --db %s\n' "$(date '+%F %T')" "$port" "$ui_port" "$db" >>"$LOG_FILE"
    # setsid: own session, so a Ctrl-C in the calling terminal doesn't reach the server.
    local launcher=()
    command -v setsid >/dev/null 2>&1 && launcher=(setsid)
    "${launcher[@]}" nohup "$cli" server start-dev --db-filename "$db" --port "$port" --ui-port "$ui_port" \
      --ip 127.0.0.1 --log-level warn </dev/null >>"$LOG_FILE" 2>&1 &
    pid=$!
    printf '%s\n' "$pid" >"$PID_FILE"
  fi

  local start=$SECONDS waited=0 reported=0
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      log "dev server exited during start-up; last lines of $LOG_FILE:"
      tail -n 20 "$LOG_FILE" >&2
      exit 1
    fi
    if tcp_open 127.0.0.1 "$port" && healthy "$cli" "$port"; then break; fi
    waited=$((SECONDS - start))
    if (( waited >= 60 )); then
      log "dev server did not answer within 60s; last lines of $LOG_FILE:"
      tail -n 20 "$LOG_FILE" >&2
      exit 1
    fi
    if (( waited >= reported + 5 )); then reported=$waited; log "waiting for the dev server on :$port (${waited}s) ..."; fi
    sleep 0.5
  done
  log "dev server ready after $((SECONDS - start))s: grpc 127.0.0.1:$port, UI http://127.0.0.1:$ui_port (pid $pid)"
}

cmd_stop_dev_server() {
  case ${1:-} in -h|--help) usage; return 0 ;; "") ;; *) printf 'toolchain: stop-dev-server: unknown option %s\n' "$1" >&2; exit 2 ;; esac
  if [[ ! -f $PID_FILE ]]; then log "no $PID_FILE; no dev server to stop"; return 0; fi
  local pid
  pid=$(<"$PID_FILE")
  if ! is_dev_server_pid "$pid"; then
    log "dev server (pid $pid) is not running; removing stale $PID_FILE"
    rm -f "$PID_FILE"
    return 0
  fi
  log "stopping dev server (pid $pid) ..."
  kill -TERM "$pid" 2>/dev/null || true
  local _
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "dev server did not stop within 20s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_FILE"
  log "dev server stopped"
}

# ---------------------------------------------------------------------------------------------
main() {
  local cmd=${1:-}
  [[ $# -gt 0 ]] && shift
  case $cmd in
    cli) cmd_cli ;;
    test-server) cmd_test_server ;;
    dev-server) cmd_dev_server "$@" ;;
    stop-dev-server) cmd_stop_dev_server "$@" ;;
    all) cmd_cli; cmd_test_server ;;
    help|-h|--help) usage ;;
    "") usage >&2; exit 2 ;;
    *) printf 'toolchain: unknown command: %s\n\n' "$cmd" >&2; usage >&2; exit 2 ;;
  esac
}

main "$@"
