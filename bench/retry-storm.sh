#!/usr/bin/env bash
# Retry-storm benchmark (issue 4): both endpoints of an upstream brown out under steady open-loop load.
# For each config, Rampart's defaults ("defaults") and a naive "3 retries, 100 ms fixed backoff" one
# ("naive"), it measures the amplification (upstream requests ÷ client requests), the client-visible
# error rate and p99 during the brownout, and the time to recover once the endpoints are healthy again.
# All traffic on 127.0.0.1; everything this script starts is stopped on exit, Ctrl-C, failure or time limit.
#
# usage: bench/retry-storm.sh [--quick] [--rounds N] [--rate R] [--phases BASE,BROWNOUT,RECOVERY]
#                             [--brownout JSON] [--configs defaults,naive] [--no-resilience-keys]
#                             [--time-limit S] [--record] [--build] [--rampart-jar JAR] [--loadgen-jar JAR]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SELF="$ROOT/bench/retry-storm.sh"
SUMMARY="$ROOT/bench/retry_storm_summary.py"

QUICK=0
ROUNDS=3
RATE=500                 # client requests per second, open loop
WARMUP_RAMPART=10        # seconds of ramp of the warm-up load (then 10 s at the rate) through another route
WARMUP=10                # seconds of load ramping up from 0 before the baseline (not measured; the
                         # load generator is a fresh JVM, and needs that long to keep its schedule)
BASELINE=10              # seconds, endpoints healthy
BROWNOUT=20              # seconds, both endpoints browned out
RECOVERY=20              # seconds, endpoints healthy again
# Half the requests fail or stall: a quarter answered 503 (retryable), a quarter never answered.
BROWNOUT_KNOBS='{"error-rate":"25%","error-status":503,"hang-rate":"25%"}'
CONFIGS="defaults,naive"
RESILIENCE_KEYS=1
TIME_LIMIT=900           # whole run, seconds
RECORD=0
BUILD=0
RAMPART_JAR="$ROOT/rampart-cli/target/rampart.jar"
LOADGEN_JAR="$ROOT/rampart-bench/target/rampart-loadgen.jar"
LOAD_PATH="/bytes/1024"  # every demo service answers it: 1 KiB
CONNECTIONS=4096         # client connections: enough for every request a brownout keeps waiting
CLIENT_TIMEOUT=30        # seconds; longer than Rampart's longest timeout, so Rampart decides each outcome

usage() { sed -n '2,10p' "$SELF" | sed 's/^# \{0,1\}//'; }

ARGS=("$@")
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --rounds) ROUNDS="$2"; shift ;;
    --rate) RATE="$2"; shift ;;
    --phases) IFS=, read -r BASELINE BROWNOUT RECOVERY <<<"$2"; shift ;;
    --brownout) BROWNOUT_KNOBS="$2"; shift ;;
    --configs) CONFIGS="$2"; shift ;;
    --no-resilience-keys) RESILIENCE_KEYS=0 ;;
    --time-limit) TIME_LIMIT="$2"; shift ;;
    --record) RECORD=1 ;;
    --build) BUILD=1 ;;
    --rampart-jar) RAMPART_JAR=$(realpath "$2"); shift ;;
    --loadgen-jar) LOADGEN_JAR=$(realpath "$2"); shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
if [[ $QUICK == 1 ]]; then
  ROUNDS=1; WARMUP_RAMPART=5; WARMUP=6; BASELINE=5; BROWNOUT=10; RECOVERY=16
fi
for v in ROUNDS RATE BASELINE BROWNOUT RECOVERY TIME_LIMIT; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "${v,,}: ${!v} (expected: a whole number >= 1)" >&2; exit 2; }
done
IFS=, read -r -a CONFIG_LIST <<<"$CONFIGS"
for c in "${CONFIG_LIST[@]}"; do
  case "$c" in defaults|naive) ;; *) echo "--configs: $c (expected: defaults, naive or both)" >&2; exit 2 ;; esac
done
python3 -c 'import json, sys; d = json.loads(sys.argv[1]); assert isinstance(d, dict)' "$BROWNOUT_KNOBS" 2>/dev/null ||
  { echo "--brownout: $BROWNOUT_KNOBS (expected: a JSON object of demo knobs)" >&2; exit 2; }
if [[ $RECORD == 1 && $RESILIENCE_KEYS == 0 ]]; then
  echo "--record with --no-resilience-keys: both configs are then the same, which is only a check of the harness" >&2
  exit 2
fi

# The time bound: re-run ourselves under timeout(1); its TERM runs the cleanup trap below.
if [[ -z ${RAMPART_RETRY_STORM_BOUNDED:-} ]]; then
  export RAMPART_RETRY_STORM_BOUNDED=1
  # everything at nice -10, the control calls and samplers too: they time the phases
  exec nice -n -10 timeout --foreground -s TERM -k 30 "$TIME_LIMIT" "$SELF" "${ARGS[@]}"
fi

# Ports of its own (bench/run.sh uses 28001-28003, 28080-28081, 29090-29091). The demo binds five
# consecutive ports; the first two are the measured upstream's endpoints (pricing and inventory; every
# demo service serves /bytes/{n}), the next two the warm-up route's.
DEMO_BASE_PORT=28101
ENDPOINT_PORTS=(28101 28102)
WARMUP_PORTS=(28103 28104)    # offers and tax: the warm-up route's upstream
WARMUP_PREFIX=/warmup
RAMPART_PORT=28180
ADMIN_PORT=29190
PROXY_CPU=0
LOAD_CPU=1
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="$ROOT/bench/out/retry-storm-$STAMP"
TMP=$(mktemp -d /tmp/rampart-retry-storm.XXXXXX)
LOGS=$(mktemp -d /dev/shm/rampart-retry-storm.XXXXXX)   # Rampart's stdout (access log) until it is digested
JAVA_HEAP=(-Xms256m -Xmx256m)
mkdir -p "$OUT"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
now_ms() { date +%s%3N; }
sleep_until_ms() { local left=$(( $1 - $(now_ms) )); (( left <= 0 )) || sleep "$(printf '%d.%03d' $(( left / 1000 )) $(( left % 1000 )))"; }

# ---------------------------------------------------------------- process bookkeeping
PIDS=()   # "pid:start-time" of everything started, so that cleanup never hits a reused pid

start_time() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $20}'; }
track() { PIDS+=("$1:$(start_time "$1")"); }

descendants() {
  local child
  for child in $(pgrep -P "$1" 2>/dev/null || true); do
    echo "$child"
    descendants "$child"
  done
}

stop_pid() {  # TERM a process and its descendants, KILL what is left after 5 s
  local pid=$1 all p i alive
  kill -0 "$pid" 2>/dev/null || return 0
  all=("$pid" $(descendants "$pid"))
  kill -TERM "${all[@]}" 2>/dev/null || true
  for i in $(seq 50); do
    alive=0
    for p in "${all[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [[ $alive == 0 ]] && return 0
    sleep 0.1
  done
  kill -KILL "${all[@]}" 2>/dev/null || true
}

stop_tracked() {  # pid: stop it if it is still the process we started
  local entry
  for entry in "${PIDS[@]}"; do
    if [[ ${entry%%:*} == "$1" && $(start_time "$1") == "${entry#*:}" ]]; then stop_pid "$1"; fi
  done
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  local i pid
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    pid=${PIDS[i]%%:*}
    if [[ -n $pid && $(start_time "$pid") == "${PIDS[i]#*:}" ]]; then stop_pid "$pid"; fi
  done
  rm -rf "$TMP" "$LOGS"
  [[ $rc != 0 ]] && log "stopped (exit $rc); logs in $OUT"
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated (time limit ${TIME_LIMIT}s?)"; exit 143' TERM

# ---------------------------------------------------------------- prerequisites
pinned() {  # cpu command... -> the command, pinned when there are two cores to pin to
  local cpu=$1; shift
  if (( $(nproc) >= 2 )); then taskset -c "$cpu" "$@"; else "$@"; fi
}

build_jars() {
  if [[ $BUILD == 1 || ! -f $RAMPART_JAR || ! -f $LOADGEN_JAR ]]; then
    log "building rampart.jar and rampart-loadgen.jar"
    (cd "$ROOT" && { ./mvnw -B -o -q -DskipTests package || ./mvnw -B -q -DskipTests package; })
  fi
  [[ -f $RAMPART_JAR ]] || die "missing $RAMPART_JAR (build it, or give --rampart-jar)"
  [[ -f $LOADGEN_JAR ]] || die "missing $LOADGEN_JAR (build it, or give --loadgen-jar)"
  HEAD_AT_START=$(cd "$ROOT" && git rev-parse --short HEAD)
  if [[ -n $(cd "$ROOT" && git status --porcelain -uno -- '*/src/main' pom.xml '*/pom.xml') ]]; then
    HEAD_AT_START="$HEAD_AT_START + uncommitted changes"
  fi
  # Run from copies: other work may rebuild the jars in the tree while the benchmark runs.
  cp "$RAMPART_JAR" "$TMP/rampart.jar"
  cp "$LOADGEN_JAR" "$TMP/rampart-loadgen.jar"
  RAMPART_JAR_INFO="$(date -u -r "$RAMPART_JAR" '+%Y-%m-%d %H:%M UTC'), $(unzip -p "$RAMPART_JAR" rampart-version.properties 2>/dev/null | tr '\n' ' ')"
}

check_ports_free() {
  local port
  for port in "$@"; do
    if ss -Hltn "sport = :$port" | grep -q .; then die "port $port is in use"; fi
  done
}

wait_http() {  # url seconds: poll every 50 ms until a 2xx
  local url=$1 deadline=$(( $(date +%s) + $2 ))
  while (( $(date +%s) < deadline )); do
    if curl -fsS -o /dev/null --max-time 1 "$url" 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  return 1
}

# ---------------------------------------------------------------- configs
# defaults: endpoints and the route, with every resilience feature as Rampart ships it; only the
# per-try timeout (200 ms) is set, the same as naive's, so that both give up on a stalled try alike.
# naive: 3 retries (4 attempts) on connect failures, resets, per-try timeouts and 502/503/504, 100 ms
# between attempts without jitter, and nothing to hold retries back (no retry budget, circuit
# breakers or outlier detection).
# Both also carry a warm-up route to two other demo services, identical in both configs, so that each
# fresh Rampart is warmed without touching the measured upstream's breakers, budget or ejections.
write_config() {  # config file
  local c=$1 file=$2 endpoints="" warm="" port
  for port in "${ENDPOINT_PORTS[@]}"; do endpoints+="${endpoints:+, }\"http://127.0.0.1:$port\""; done
  for port in "${WARMUP_PORTS[@]}"; do warm+="${warm:+, }\"http://127.0.0.1:$port\""; done
  {
    echo "# bench/retry-storm.sh: $c$([[ $RESILIENCE_KEYS == 0 ]] && echo ' (--no-resilience-keys: resilience keys left out)')"
    echo "service: retry-storm"
    echo "listen: { port: $RAMPART_PORT }"
    echo "admin: { port: $ADMIN_PORT }"
    echo "upstreams:"
    echo "  backend:"
    echo "    endpoints: [ $endpoints ]"
    if [[ $c == naive && $RESILIENCE_KEYS == 1 ]]; then
      echo "    circuit-breaker: { enabled: false }"
      echo "    outlier-detection: { enabled: false }"
      echo "    retry-budget: { enabled: false }"
    fi
    echo "  warmup:"
    echo "    endpoints: [ $warm ]"
    echo "routes:"
    echo "  - id: warmup"
    echo "    match: { prefix: $WARMUP_PREFIX/ }"
    echo "    upstream: warmup"
    echo "    strip-prefix: $WARMUP_PREFIX"
    echo "  - id: all"
    echo "    match: { prefix: / }"
    echo "    upstream: backend"
    # the same timeouts in both: what differs is the retry policy and what holds it back
    echo "    timeouts: { first-byte: 1s, total: 3s }"
    if [[ $c == naive && $RESILIENCE_KEYS == 1 ]]; then
      echo "    retries: { attempts: 4, retry-on: [ connect-failure, reset, per-try-timeout, 502, 503, 504 ], per-try-timeout: 200ms, backoff: { base: 100ms, cap: 100ms, jitter: false } }"
    elif [[ $RESILIENCE_KEYS == 1 ]]; then
      echo "    retries: { per-try-timeout: 200ms }   # as naive's; attempts, retry-on and backoff stay the defaults"
    fi
  } >"$file"
}

check_configs() {
  local c
  for c in "${CONFIG_LIST[@]}"; do
    write_config "$c" "$OUT/$c.yaml"
    if ! java -jar "$TMP/rampart.jar" check -c "$OUT/$c.yaml" >"$OUT/$c-check.txt" 2>&1; then
      cat "$OUT/$c-check.txt" >&2
      if [[ $RESILIENCE_KEYS == 1 ]]; then
        die "rampart check rejected $c.yaml (above). If this rampart.jar predates the resilience keys, run with --no-resilience-keys to check the harness alone"
      fi
      die "rampart check rejected $c.yaml (above)"
    fi
  done
}

# ---------------------------------------------------------------- the demo upstream
start_demo() {
  pinned "$LOAD_CPU" java "${JAVA_HEAP[@]}" -cp "$TMP/rampart.jar" dev.rampart.demo.DemoServices \
    --host 127.0.0.1 --base-port "$DEMO_BASE_PORT" >"$OUT/demo-stdout.log" 2>"$OUT/demo-stderr.log" &
  track "$!"
  local port
  for port in "${ENDPOINT_PORTS[@]}"; do
    wait_http "http://127.0.0.1:$port/healthz" 60 || die "demo services did not start (see $OUT/demo-stderr.log)"
    curl -fsS -o /dev/null "http://127.0.0.1:$port/_demo/stats" ||
      die "the demo services in $RAMPART_JAR have no /_demo/stats: rebuild it (--build)"
  done
}

on_endpoints() {  # method path [json]: the same control call on every endpoint
  local port body=()
  [[ -n ${3:-} ]] && body=(-H 'Content-Type: application/json' --data "$3")
  for port in "${ENDPOINT_PORTS[@]}"; do
    curl -fsS -o /dev/null --max-time 2 -X "$1" "${body[@]}" "http://127.0.0.1:$port$2" ||
      die "$1 $2 on port $port failed"
  done
}

snapshot_stats() {  # name dir: each endpoint's /_demo/stats, and when they were read (also in SNAPSHOT_MS)
  local port i=0
  SNAPSHOT_MS=$(now_ms)
  echo "$SNAPSHOT_MS" >"$2/stats-$1.time"
  for port in "${ENDPOINT_PORTS[@]}"; do
    curl -fsS --max-time 2 "http://127.0.0.1:$port/_demo/stats" >"$2/stats-$1-$i.json" || echo '{}' >"$2/stats-$1-$i.json"
    i=$((i + 1))
  done
}

upstream_requests() {  # -> requests received by all endpoints since the last stats reset
  local port total=0 n
  for port in "${ENDPOINT_PORTS[@]}"; do
    n=$(curl -fsS --max-time 1 "http://127.0.0.1:$port/_demo/stats" 2>/dev/null | grep -o '"requests":[0-9]*' | cut -d: -f2)
    total=$(( total + ${n:-0} ))
  done
  echo "$total"
}

# One line a second: epoch ms, then each endpoint's request count (what the time series is made of).
sample_upstreams() {  # file
  local next port line n
  next=$(now_ms)
  while :; do
    line="$(now_ms)"
    for port in "${ENDPOINT_PORTS[@]}"; do
      n=$(curl -fsS --max-time 0.5 "http://127.0.0.1:$port/_demo/stats" 2>/dev/null | grep -o '"requests":[0-9]*' | cut -d: -f2)
      line+=" ${n:--1}"
    done
    echo "$line" >>"$1"
    next=$(( next + 1000 ))
    sleep_until_ms "$next"
  done
}

# ---------------------------------------------------------------- one run
# A fresh Rampart (and, on the first run, the demo JVM) spends its first seconds compiling; on a
# shared 2-core machine a 200 ms per-try timeout or a breaker then trips on that alone. So each run
# starts with load at the full rate through the warm-up route (another upstream, same code paths).
warm_rampart() {  # run dir
  log "warming rampart: $(( WARMUP_RAMPART + 10 ))s through $WARMUP_PREFIX/ (another upstream)"
  pinned "$LOAD_CPU" timeout -k 5 $(( WARMUP_RAMPART + 10 + CLIENT_TIMEOUT + 60 )) \
    java "${JAVA_HEAP[@]}" -jar "$TMP/rampart-loadgen.jar" --url "http://127.0.0.1:$RAMPART_PORT$WARMUP_PREFIX$LOAD_PATH" \
    --rate "$RATE" --warmup "${WARMUP_RAMPART}s" --duration 10s --connections "$CONNECTIONS" \
    --timeout "${CLIENT_TIMEOUT}s" --json >"$1/warmup.json" 2>"$1/warmup-stderr.log" || die "the warm-up failed (see $1)"
  log "warm-up: $(python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); print("p99 %.1f ms, errors %d of %d" % (r["latency"]["p99_us"] / 1000, sum(r["errors"].values()), r["sent"]))' "$1/warmup.json")"
}

run_once() {  # config round
  local c=$1 r=$2 dir="$OUT/$1-r$2" stdout="$LOGS/$1-r$2-stdout.log"
  mkdir -p "$dir"
  on_endpoints DELETE /_demo/knobs
  pinned "$PROXY_CPU" java "${JAVA_HEAP[@]}" -jar "$TMP/rampart.jar" run -c "$OUT/$c.yaml" --event-loops 1 \
    >"$stdout" 2>"$dir/rampart-stderr.log" &
  local rampart=$!
  track "$rampart"
  # through the proxy to the demo's /healthz, which the request counts leave out
  wait_http "http://127.0.0.1:$RAMPART_PORT/healthz" 60 || die "rampart ($c) did not proxy within 60 s (see $dir)"
  warm_rampart "$dir"
  on_endpoints POST /_demo/stats/reset

  sample_upstreams "$dir/upstream-per-second.txt" &
  local sampler=$!
  track "$sampler"
  local measured=$(( BASELINE + BROWNOUT + RECOVERY + 1 ))   # one spare second at the end
  pinned "$LOAD_CPU" timeout -k 5 $(( WARMUP + measured + CLIENT_TIMEOUT + 60 )) \
    java "${JAVA_HEAP[@]}" -jar "$TMP/rampart-loadgen.jar" --url "http://127.0.0.1:$RAMPART_PORT$LOAD_PATH" \
    --rate "$RATE" --warmup "${WARMUP}s" --duration "${measured}s" --connections "$CONNECTIONS" \
    --timeout "${CLIENT_TIMEOUT}s" --json >"$dir/loadgen.json" 2>"$dir/loadgen-stderr.log" &
  local loadgen=$!
  track "$loadgen"

  # The phases are timed from the first request to reach an endpoint: the load generator's measured
  # window starts one warm-up later.
  local deadline=$(( $(now_ms) + 60000 ))
  until (( $(upstream_requests) > 0 )); do
    (( $(now_ms) < deadline )) || die "no request reached the endpoints within 60 s of starting the load ($c)"
    kill -0 "$loadgen" 2>/dev/null || die "the load generator exited early (see $dir/loadgen-stderr.log)"
    sleep 0.02
  done
  # Each phase runs from a reading of the endpoints' counts to the next; the moments the knobs are
  # being changed fall between two phases and count in neither.
  local t_first t_window t_flip t_heal t_end
  t_first=$(now_ms)
  t_window=$(( t_first + WARMUP * 1000 ))
  sleep_until_ms "$t_window"
  snapshot_stats baseline-start "$dir"
  log "$c, round $r: baseline ${BASELINE}s"
  sleep_until_ms $(( t_window + BASELINE * 1000 ))
  snapshot_stats baseline-end "$dir"
  on_endpoints PUT /_demo/knobs "$BROWNOUT_KNOBS"
  snapshot_stats brownout-start "$dir"
  t_flip=$SNAPSHOT_MS
  log "$c, round $r: brownout ${BROWNOUT}s: $BROWNOUT_KNOBS on both endpoints"
  sleep_until_ms $(( t_flip + BROWNOUT * 1000 ))
  snapshot_stats brownout-end "$dir"
  on_endpoints DELETE /_demo/knobs
  snapshot_stats recovery-start "$dir"
  t_heal=$SNAPSHOT_MS
  log "$c, round $r: healed; recovery ${RECOVERY}s"
  sleep_until_ms $(( t_heal + RECOVERY * 1000 ))
  snapshot_stats recovery-end "$dir"
  t_end=$SNAPSHOT_MS
  wait "$loadgen" || die "the load generator failed (exit $?; see $dir/loadgen-stderr.log)"
  stop_tracked "$sampler"
  curl -fsS --max-time 5 "http://127.0.0.1:$ADMIN_PORT/metrics" >"$dir/metrics.txt" 2>/dev/null || true
  stop_tracked "$rampart"
  grep -v '"logger":"rampart.access"' "$stdout" | head -200 >"$dir/rampart-stdout-other.log" || true

  cat >"$dir/run.json" <<EOF
{"config": "$c", "round": $r, "rate": $RATE, "resilience_keys": $([[ $RESILIENCE_KEYS == 1 ]] && echo true || echo false),
 "path": "$LOAD_PATH", "upstream": "backend", "endpoints": ${#ENDPOINT_PORTS[@]},
 "phases_s": {"baseline": $BASELINE, "brownout": $BROWNOUT, "recovery": $RECOVERY},
 "t_first_ms": $t_first, "t_window_ms": $t_window, "t_flip_ms": $t_flip, "t_heal_ms": $t_heal, "t_end_ms": $t_end,
 "brownout_knobs": $BROWNOUT_KNOBS}
EOF
  python3 "$SUMMARY" run "$dir" "$stdout" || die "could not digest the run in $dir"
  rm -f "$stdout"
}

# ---------------------------------------------------------------- the whole benchmark
main() {
  build_jars
  check_ports_free $(seq "$DEMO_BASE_PORT" $(( DEMO_BASE_PORT + 4 ))) "$RAMPART_PORT" "$ADMIN_PORT"
  check_configs
  log "configs: ${CONFIG_LIST[*]}; $ROUNDS alternating round(s); $RATE req/s; phases ${BASELINE}s/${BROWNOUT}s/${RECOVERY}s; output in $OUT"
  [[ $RESILIENCE_KEYS == 1 ]] || log "--no-resilience-keys: both configs leave the resilience keys out, so they behave the same"
  LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
  if awk -v l="${LOAD_BEFORE%% *}" -v n="$(nproc)" 'BEGIN {exit !(l > n)}'; then
    log "warning: load average ${LOAD_BEFORE%% *} on $(nproc) cores: other work competes, expect noisy figures"
  fi
  start_demo
  local r c
  for r in $(seq "$ROUNDS"); do
    for c in "${CONFIG_LIST[@]}"; do run_once "$c" "$r"; done
  done
  LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
  local table
  table=$(python3 "$SUMMARY" table "$OUT" "$CONFIGS")
  echo "$table"
  if [[ $RECORD == 1 ]]; then record "$table"; log "appended to bench/RESULTS.md"; fi
  log "raw results in $OUT"
}

record() {
  local table=$1 f="$ROOT/bench/RESULTS.md" c
  {
    echo
    echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — retry storm — $HEAD_AT_START"
    echo
    echo "- machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(free -g | awk '/^Mem:/ {print $2}') GiB"
    echo "- java: $(java -version 2>&1 | head -2 | tail -1)"
    echo "- rampart.jar built ${RAMPART_JAR_INFO:-?}"
    echo "- ${ROUNDS} alternating round(s) of ${CONFIGS}; ${RATE} req/s open loop to \`$LOAD_PATH\`; ${WARMUP} s ramp, then"
    echo "  ${BASELINE} s healthy, ${BROWNOUT} s brownout (\`PUT /_demo/knobs $BROWNOUT_KNOBS\` on both endpoints), ${RECOVERY} s healed"
    echo "- pinning: Rampart (one event loop) on CPU $PROXY_CPU; the demo services and the load generator on CPU $LOAD_CPU; all at nice -10"
    echo "- load average (1/5/15 min) before: $LOAD_BEFORE; after: $LOAD_AFTER"
    echo
    echo "Commands:"
    echo
    echo '```'
    echo "bench/retry-storm.sh ${ARGS[*]}"
    echo "java ${JAVA_HEAP[*]} -cp rampart-cli/target/rampart.jar dev.rampart.demo.DemoServices --host 127.0.0.1 --base-port $DEMO_BASE_PORT   # endpoints :${ENDPOINT_PORTS[0]} and :${ENDPOINT_PORTS[1]}"
    echo "java ${JAVA_HEAP[*]} -jar rampart-cli/target/rampart.jar run -c <config>.yaml --event-loops 1"
    echo "# per run: a fresh Rampart, warmed through the warm-up route (another upstream), then the measured load:"
    echo "java ${JAVA_HEAP[*]} -jar rampart-bench/target/rampart-loadgen.jar --url http://127.0.0.1:$RAMPART_PORT$WARMUP_PREFIX$LOAD_PATH --rate $RATE --warmup ${WARMUP_RAMPART}s --duration 10s --connections $CONNECTIONS --timeout ${CLIENT_TIMEOUT}s --json"
    echo "java ${JAVA_HEAP[*]} -jar rampart-bench/target/rampart-loadgen.jar --url http://127.0.0.1:$RAMPART_PORT$LOAD_PATH --rate $RATE --warmup ${WARMUP}s --duration $(( BASELINE + BROWNOUT + RECOVERY + 1 ))s --connections $CONNECTIONS --timeout ${CLIENT_TIMEOUT}s --json"
    echo '```'
    for c in "${CONFIG_LIST[@]}"; do
      echo
      echo "$c.yaml:"
      echo
      echo '```yaml'
      cat "$OUT/$c.yaml"
      echo '```'
    done
    echo
    echo "$table"
  } >>"$f"
}

main
