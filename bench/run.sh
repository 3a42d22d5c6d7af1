#!/usr/bin/env bash
# Rampart side-by-side benchmark, following shared/BENCH.md:
#   (a) direct to the backend, (b) nginx as a proxy, (c) Rampart as a proxy with access log,
#   metrics and tracing off (rampart-bare), (d) Rampart with all three on, tracing at 1 % (rampart);
#   on request, rampart-bare plus a rate limit every request passes, decided in memory
#   (rampart-limit-local) or in a Redis the script starts, on no core in particular (rampart-limit-redis);
#   on request, a cache hit: nginx with proxy_cache (nginx-cache) and rampart-bare with the route's
#   cache (rampart-cache), both caching the same backend response, so every measured request is a hit.
# Proxy under test on CPU 0; backend and load generators on CPU 1. All traffic on 127.0.0.1.
# Everything this script starts is stopped on exit, Ctrl-C, failure or time limit.
#
# usage: bench/run.sh [--quick] [--rounds N] [--duration S] [--closed-rounds N] [--closed-duration S]
#                     [--closed-lives N] [--time-limit S]
#                     [--candidates direct,nginx,rampart-bare,rampart] [--path /|/20k]
#                     [--record|--no-record] [--build] [--rampart-jar JAR] [--loadgen-jar JAR]
#                     [--port-offset N] [--redis-sched fifo|nice] [--redis-cpu any|0|1] [--rates 25,50,75]
#                     [--rate-base RPS]
#   candidates: direct, nginx, rampart-bare, rampart, rampart-limit-local, rampart-limit-redis,
#               nginx-cache, rampart-cache
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SELF="$ROOT/bench/run.sh"

QUICK=0
ROUNDS=3
RATE_BASE=""         # the req/s the open-loop percentages apply to (default: the slowest candidate's closed-loop median)
RATES="25,50,75"     # open-loop rates, in % of the slowest candidate's median closed-loop throughput
DURATION=10          # seconds per open-loop measurement
CLOSED_ROUNDS=15     # closed loop: many short alternating rounds, each candidate's next to rampart-bare's
CLOSED_DURATION=5    # seconds per closed-loop (wrk) round
CLOSED_LIVES=3       # the closed-loop rounds are shared among this many JVMs per Rampart candidate, each
                     # started afresh and warmed up: one JVM can run 20-30 % slower than another of the
                     # same jar and config for minutes (see main), which paired rounds cannot cancel
WARMUP=5             # seconds of unmeasured open-loop traffic (and generator JIT) per measurement
WARM_MIN=60          # closed-loop warm-up per JVM candidate: at least this many seconds,
WARM_MAX=150         # at most this many, until its JIT has settled (see warm_up)
WARM_MIN_NO_JIT=10   # a process without a JIT (nginx): this many seconds
WARM_JIT_PERMILLE=10 # settled: the JIT compiler threads used at most this share (‰) of its CPU in a slice
WARM_SLICE=5
TIME_LIMIT=1200      # whole run, seconds
CANDIDATES="direct,nginx,rampart-bare,rampart"
URL_PATH="/"
RECORD=""
BUILD=0
CONNECTIONS=32
STARTS=3             # Rampart/nginx start-to-first-proxied-request measurements
RAMPART_JAR=""       # default: rampart-cli/target/rampart.jar
LOADGEN_JAR=""       # default: rampart-bench/target/rampart-loadgen.jar
PORT_OFFSET=0        # added to every port below, to run beside something holding them
REDIS_CPU=0          # rampart-limit-redis's Redis: pinned to the proxy's core (see start_redis), to CPU 1, or any
REDIS_SCHED=nice     # rampart-limit-redis's Redis: nice -10 like the rest, or SCHED_FIFO (runs as soon as it has work)

usage() { awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "$SELF"; }

ARGS=("$@")
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --rounds) ROUNDS="$2"; shift ;;
    --rates) RATES="$2"; shift ;;
    --rate-base) RATE_BASE="$2"; shift ;;
    --redis-sched) REDIS_SCHED="$2"; shift ;;
    --redis-cpu) REDIS_CPU="$2"; shift ;;
    --duration) DURATION="$2"; shift ;;
    --closed-rounds) CLOSED_ROUNDS="$2"; shift ;;
    --closed-duration) CLOSED_DURATION="$2"; shift ;;
    --closed-lives) CLOSED_LIVES="$2"; shift ;;
    --time-limit) TIME_LIMIT="$2"; shift ;;
    --candidates) CANDIDATES="$2"; shift ;;
    --path) URL_PATH="$2"; shift ;;
    --record) RECORD=1 ;;
    --no-record) RECORD=0 ;;
    --build) BUILD=1 ;;
    --rampart-jar) RAMPART_JAR="$2"; shift ;;
    --loadgen-jar) LOADGEN_JAR="$2"; shift ;;
    --port-offset) PORT_OFFSET="$2"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
if [[ $QUICK == 1 ]]; then
  ROUNDS=1; DURATION=3; CLOSED_ROUNDS=1; CLOSED_DURATION=3; CLOSED_LIVES=1; WARMUP=2; STARTS=1; WARM_MIN=2; WARM_MAX=10; WARM_MIN_NO_JIT=2; WARM_SLICE=2
  [[ -z $RECORD ]] && RECORD=0
fi
[[ -z $RECORD ]] && RECORD=1
[[ $CLOSED_LIVES =~ ^[1-9][0-9]?$ ]] && (( CLOSED_LIVES <= CLOSED_ROUNDS )) \
  || { echo "--closed-lives: $CLOSED_LIVES (expected: 1 to --closed-rounds, $CLOSED_ROUNDS)" >&2; exit 2; }
[[ $RATES =~ ^[1-9][0-9]?(,[1-9][0-9]?)*$ ]] \
  || { echo "--rates: $RATES (expected: percentages 1 to 99, comma-separated, as 25,50,75)" >&2; exit 2; }
[[ -z $RATE_BASE || $RATE_BASE =~ ^[1-9][0-9]{0,6}$ ]] \
  || { echo "--rate-base: $RATE_BASE (expected: requests per second, 1 to 9999999)" >&2; exit 2; }
case "$REDIS_CPU" in any|0|1) ;; *) echo "--redis-cpu: $REDIS_CPU (expected: any, 0 or 1)" >&2; exit 2 ;; esac
case "$REDIS_SCHED" in fifo|nice) ;; *) echo "--redis-sched: $REDIS_SCHED (expected: fifo or nice)" >&2; exit 2 ;; esac
case "$URL_PATH" in /|/20k) ;; *) echo "--path: $URL_PATH (expected: / or /20k)" >&2; exit 2 ;; esac
[[ $PORT_OFFSET =~ ^[0-9]{1,5}$ ]] && (( PORT_OFFSET <= 30000 )) \
  || { echo "--port-offset: $PORT_OFFSET (expected: 0 to 30000)" >&2; exit 2; }
for c in ${CANDIDATES//,/ }; do
  case "$c" in direct|nginx|rampart-bare|rampart|rampart-limit-local|rampart-limit-redis|nginx-cache|rampart-cache) ;;
    *) echo "--candidates: unknown candidate $c" >&2; exit 2 ;; esac
done
if [[ -n $RAMPART_JAR ]]; then
  RAMPART_JAR=$(realpath -e "$RAMPART_JAR") || { echo "--rampart-jar: no such file" >&2; exit 2; }
fi
if [[ -n $LOADGEN_JAR ]]; then
  LOADGEN_JAR=$(realpath -e "$LOADGEN_JAR") || { echo "--loadgen-jar: no such file" >&2; exit 2; }
fi

# The time bound: re-run ourselves under timeout(1); its TERM runs the cleanup trap below.
if [[ -z ${RAMPART_BENCH_BOUNDED:-} ]]; then
  export RAMPART_BENCH_BOUNDED=1
  exec timeout --foreground -s TERM -k 30 "$TIME_LIMIT" "$SELF" "${ARGS[@]}"
fi

BACKEND_PORT=$((28001 + PORT_OFFSET))
NGINX_PORT=$((28002 + PORT_OFFSET))
OTLP_PORT=$((28003 + PORT_OFFSET))          # the backend nginx also plays the OTLP collector, on a port of its own
RAMPART_PORT=$((28080 + PORT_OFFSET))       # rampart: access log, metrics and tracing (1 %) on
RAMPART_ADMIN_PORT=$((29090 + PORT_OFFSET))
RAMPART_BARE_PORT=$((28081 + PORT_OFFSET))  # rampart-bare: all three off
RAMPART_BARE_ADMIN_PORT=$((29091 + PORT_OFFSET))
LIMIT_LOCAL_PORT=$((28086 + PORT_OFFSET))   # rampart-limit-local: rampart-bare + a rate limit decided in memory
LIMIT_LOCAL_ADMIN_PORT=$((29096 + PORT_OFFSET))
LIMIT_REDIS_PORT=$((28087 + PORT_OFFSET))   # rampart-limit-redis: the same limit decided in Redis
LIMIT_REDIS_ADMIN_PORT=$((29097 + PORT_OFFSET))
# The cache candidates: the backend serves them on a port of its own, which logs every request it
# gets, so a run shows how many requests missed the cache and reached the backend.
CACHE_ORIGIN_PORT=$((28004 + PORT_OFFSET))
NGINX_CACHE_PORT=$((28005 + PORT_OFFSET))   # nginx-cache: nginx + proxy_cache
RAMPART_CACHE_PORT=$((28088 + PORT_OFFSET)) # rampart-cache: rampart-bare + the route's cache
RAMPART_CACHE_ADMIN_PORT=$((29098 + PORT_OFFSET))
# rampart-limit-redis's Redis: a redis-server this script starts for the run, on a port of its own
# (it never touches the machine's Redis on 6379).
REDIS_HOST=127.0.0.1
REDIS_PORT=$((28089 + PORT_OFFSET))
# The API key the limit candidates' one client is declared with; their load sends it.
BENCH_API_KEY_HEADER=X-Api-Key
BENCH_API_KEY=rampart-bench-key-0001
PROXY_CPU=0
LOAD_CPU=1
CLK_TCK=$(getconf CLK_TCK)
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="$ROOT/bench/out/$STAMP"
TMP=$(mktemp -d /tmp/rampart-bench.XXXXXX)
chmod 755 "$TMP"   # nginx workers run as nobody
# Access logs go to tmpfs, emptied after every run: a full run writes gigabytes, and on disk
# the page-cache writeback stalls whichever proxy is writing at the time.
LOGS=$(mktemp -d /dev/shm/rampart-bench.XXXXXX)
chmod 755 "$LOGS"
NICE=(nice -n -10)   # ahead of other work on this shared machine; the same for every process here
RESULTS="$OUT/results.tsv"
OWN_LOADGEN_JAR=0; [[ -n $LOADGEN_JAR ]] && OWN_LOADGEN_JAR=1
OWN_RAMPART_JAR=0; [[ -n $RAMPART_JAR ]] && OWN_RAMPART_JAR=1
LOADGEN_JAR=${LOADGEN_JAR:-$ROOT/rampart-bench/target/rampart-loadgen.jar}
RAMPART_JAR=${RAMPART_JAR:-$ROOT/rampart-cli/target/rampart.jar}
JAVA_HEAP=(-Xms256m -Xmx256m)
mkdir -p "$OUT"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------- process bookkeeping
PIDS=()   # "pid:start-time" of everything started, so that cleanup never hits a reused pid

start_time() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $20}'; }
track() { PIDS+=("$1:$(start_time "$1")"); }

descendants() {  # pid -> its descendants, deepest last
  local child
  for child in $(pgrep -P "$1" 2>/dev/null || true); do
    echo "$child"
    descendants "$child"
  done
}

stop_pid() {  # TERM a process and its descendants, KILL what is left after 5 s
  local pid=$1 all p i
  kill -0 "$pid" 2>/dev/null || return 0
  all=("$pid" $(descendants "$pid"))
  kill -TERM "${all[@]}" 2>/dev/null || true
  kill -CONT "${all[@]}" 2>/dev/null || true   # a paused candidate handles TERM only once resumed
  for i in $(seq 50); do
    local alive=0
    for p in "${all[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [[ $alive == 0 ]] && return 0
    sleep 0.1
  done
  kill -KILL "${all[@]}" 2>/dev/null || true
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

# Runs a bounded foreground command in the background and waits, so that a signal runs the
# trap at once instead of after the command ends.
run_bounded() {  # seconds, command...
  local limit=$1; shift
  timeout -k 5 "$limit" "$@" &
  local pid=$!
  track "$pid"
  wait "$pid"
}

# ---------------------------------------------------------------- prerequisites
install_tools() {
  if command -v nginx >/dev/null && command -v wrk >/dev/null; then return; fi
  log "installing nginx and wrk from Debian packages"
  apt-get update -q >/dev/null
  apt-get install -y -q nginx-light wrk >/dev/null || apt-get install -y -q nginx wrk >/dev/null
}

build_jars() {
  if [[ $OWN_LOADGEN_JAR == 0 && ( ! -f $LOADGEN_JAR || $BUILD == 1 ) ]]; then
    log "building rampart-bench (load generator)"
    (cd "$ROOT" && { ./mvnw -B -o -q -pl rampart-bench install -DskipTests \
      || ./mvnw -B -q -pl rampart-bench install -DskipTests; })
  fi
  if has_rampart && [[ $OWN_RAMPART_JAR == 0 && ( ! -f $RAMPART_JAR || $BUILD == 1 ) ]]; then
    log "building rampart.jar"
    (cd "$ROOT" && { ./mvnw -B -o -q -DskipTests package || ./mvnw -B -q -DskipTests package; })
  fi
  # the commit the jars were copied at: other work may commit while the benchmark runs
  HEAD_AT_START=$(cd "$ROOT" && git rev-parse --short HEAD)
  if [[ -n $(cd "$ROOT" && git status --porcelain -uno -- '*/src/main' pom.xml '*/pom.xml') ]]; then
    HEAD_AT_START="$HEAD_AT_START + uncommitted changes"
  fi
  [[ -f $LOADGEN_JAR ]] || die "missing $LOADGEN_JAR"
  cp "$LOADGEN_JAR" "$LOADGEN_JAR_COPY"
  if has_rampart; then
    [[ -f $RAMPART_JAR ]] || die "missing $RAMPART_JAR (build it, or use --candidates direct,nginx)"
    cp "$RAMPART_JAR" "$RAMPART_JAR_COPY"
    RAMPART_JAR_INFO="$(date -u -r "$RAMPART_JAR" '+%Y-%m-%d %H:%M UTC'), $(unzip -p "$RAMPART_JAR" rampart-version.properties 2>/dev/null | tr '\n' ' ')"
    if [[ $OWN_RAMPART_JAR == 1 ]]; then RAMPART_JAR_INFO="$RAMPART_JAR_INFO(--rampart-jar $RAMPART_JAR)"; fi
  fi
}

has_candidate() { [[ ",$CANDIDATES," == *",$1,"* ]]; }
has_rampart() { [[ ",$CANDIDATES," == *",rampart"* ]]; }
is_limit() { [[ $1 == rampart-limit-* ]]; }
is_cache() { [[ $1 == nginx-cache || $1 == rampart-cache ]]; }
has_cache() { has_candidate nginx-cache || has_candidate rampart-cache; }

# rampart-limit-redis needs redis-server (Debian package redis-server): without it the candidate is left out.
check_redis() {
  has_candidate rampart-limit-redis || return 0
  if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
    log "skipping rampart-limit-redis: redis-server or redis-cli is not installed (Debian package redis-server)"
    CANDIDATES=$(echo ",$CANDIDATES," | sed 's/,rampart-limit-redis,/,/; s/^,//; s/,$//')
    [[ -n $CANDIDATES ]] || die "no candidate left"
  fi
}

# The Redis of rampart-limit-redis: started for the run, nothing persisted, pinned to CPU 0 with the proxy
# (--redis-cpu 0, the default). A Redis server has CPUs of its own; on two cores the question is which wait its
# round trip meets. Pinned to CPU 1 it queued behind the load generator and the backend (p99 +2.4 ms at 25 % in
# the 01:56 run of 2026-11-30). Free to run on either core (--redis-cpu any, the default until 2026-11-30
# 15:30) it was woken on whichever core had room, often the other one: on this VM waking another vCPU is
# where a round trip's tail comes from (p99 +1.46 ms against rampart-bare at 5,401 req/s, 14:40 run). On the
# proxy's core the proxy's write makes it runnable right there, and it runs as soon as the event loop waits:
# +0.98 ms at the same rate (15:25 run), with its p99 steadier round to round. Its CPU then comes out of the
# proxy's core, so rampart-limit-redis's closed-loop requests/s counts Redis's work too (its CPU per request
# counts Rampart's alone, as before). `--redis-sched fifo` runs it under SCHED_FIFO; the one run that tried it
# (2026-11-30 07:00, a very noisy host, no pinning) gave a worse p99 at 25 % (+2.3 ms), so nice stays the
# default.
redis_cpu_text() {
  case "$REDIS_CPU" in any) echo "pinned to no core" ;; 0) echo "pinned to CPU 0, the proxy's core" ;; 1) echo "pinned to CPU 1, the load's core" ;; esac
}

start_redis() {
  has_candidate rampart-limit-redis || return 0
  local sched=("${NICE[@]}")
  if [[ $REDIS_SCHED == fifo ]]; then
    if chrt -f 1 true 2>/dev/null; then
      sched=(chrt -f 1)
    else
      log "chrt -f 1 is not permitted here: Redis runs at nice -10 like the rest (--redis-sched nice)"
      REDIS_SCHED=nice
    fi
  fi
  [[ $REDIS_CPU != any ]] && sched+=(taskset -c "$REDIS_CPU")
  "${sched[@]}" redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" \
    --appendonly no --daemonize no --logfile "$OUT/redis.log" --dir "$TMP" &
  track $!
  local i
  for i in $(seq 100); do
    [[ $(timeout 2 redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]] && return 0
    sleep 0.05
  done
  die "redis-server on $REDIS_PORT did not answer PING within 5 s (see $OUT/redis.log)"
}

redis_info() {  # section -> redis-cli INFO output
  timeout 5 redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" info "$1" 2>/dev/null | tr -d '\r'
}
# -> "calls usec failed": EVAL + EVALSHA commands Redis has run since its start (everyone's), their time, and
# the calls rampart-limit-redis saw fail or time out (its /readyz `redis.failed_calls`). Each of those was
# decided by the fallback; a run in which none failed and Redis was never marked down had every decision
# made in Redis. (The script reads each cell once per call, so Redis's own GET count no longer tells.)
redis_eval_stats() {
  local failed
  failed=$(curl -s -m 2 "http://127.0.0.1:$LIMIT_REDIS_ADMIN_PORT/readyz" | grep -o '"failed_calls":[0-9]*' |
    cut -d: -f2)
  redis_info commandstats |
    awk -F'[:,=]' -v f="${failed:-0}" '/^cmdstat_(eval|evalsha):/ {c += $3; u += $5}
      END {printf "%d %d %d\n", c, u, f}'
}
redis_pid() {  # the Redis server's pid
  local p
  p=$(redis_info server | awk -F: '/^process_id:/ {print $2}')
  if [[ -n $p && -r /proc/$p/stat ]]; then echo "$p"; fi
}

check_ports_free() {
  local port
  for port in "$@"; do
    if ss -Hltn "sport = :$port" | grep -q .; then die "port $port is in use"; fi
  done
}

wait_http() {  # url, seconds[, header]: poll every 20 ms until a 2xx
  local url=$1 deadline=$(( $(date +%s) + $2 )) hdr=()
  [[ -n ${3:-} ]] && hdr=(-H "$3")
  while (( $(date +%s) < deadline )); do
    if curl -fsS -o /dev/null --max-time 1 "${hdr[@]}" "$url" 2>/dev/null; then return 0; fi
    sleep 0.02
  done
  return 1
}

# ---------------------------------------------------------------- the servers
BODY_1K=$(head -c 1024 /dev/zero | tr '\0' 'x')

write_nginx_common() {  # dir -> the lines every nginx config here shares
  local dir=$1
  mkdir -p "$dir"/{client_body,proxy,fastcgi,uwsgi,scgi}
  cat <<EOF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
EOF
}

nginx_http_common() {  # dir
  local dir=$1
  cat <<EOF
  client_body_temp_path $dir/client_body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  keepalive_requests 100000000;
  keepalive_timeout 75s;
EOF
}

backend_server() {  # port [directive]: a server block with the backend's fixed responses
  cat <<EOF
  server {
    listen 127.0.0.1:$1 backlog=4096;
EOF
  if [[ -n ${2:-} ]]; then echo "    $2"; fi
  cat <<EOF
    set \$k "$BODY_1K";
    location = /20k { return 200 "\$k\$k\$k\$k\$k\$k\$k\$k\$k\$k\$k\$k\$k\$k\$k\$k\$k\$k\$k\$k"; }
    location / { return 200 "\$k"; }
  }
EOF
}

start_backend() {
  local dir="$TMP/backend"
  {
    write_nginx_common "$dir"
    echo "http {"
    nginx_http_common "$dir"
    cat <<EOF
  access_log off;
  log_format otlp '\$request_method \$status \$request_length \$http_content_length';
  default_type application/octet-stream;
EOF
    backend_server "$BACKEND_PORT"
    if has_cache; then
      cat <<EOF
  # The same responses for the cache candidates, on a port of their own that logs every request:
  # each line is a request that missed the cache (a fill) and reached the backend.
  log_format origin '\$request_method \$uri \$status';
EOF
      backend_server "$CACHE_ORIGIN_PORT" "access_log $LOGS/cache-origin.log origin;"
    fi
    cat <<EOF
  # OTLP/HTTP collector stand-in for rampart's trace exporter: accepts the POST and discards the
  # body; each export call leaves one line in this log, so the run can say how many were made.
  # A port of its own, so that exporter connections never count as upstream connections.
  server {
    listen 127.0.0.1:$OTLP_PORT;
    location = /v1/traces { access_log $LOGS/otlp-exports.log otlp; return 200; }
  }
}
EOF
  } >"$OUT/backend-nginx.conf"
  "${NICE[@]}" taskset -c "$LOAD_CPU" nginx -c "$OUT/backend-nginx.conf" -g 'daemon off;' &
  track "$!"
  BACKEND_PID=$!
  wait_http "http://127.0.0.1:$BACKEND_PORT/" 10 || die "backend nginx did not start"
  local size
  size=$(curl -fsS "http://127.0.0.1:$BACKEND_PORT/20k" | wc -c)
  [[ $size == 20480 ]] || die "backend /20k returned $size bytes"
  curl -fsS -o /dev/null -X POST -H 'Content-Type: application/x-protobuf' --data-binary 'x' \
    "http://127.0.0.1:$OTLP_PORT/v1/traces" || die "backend /v1/traces does not accept POST"
  : >"$LOGS/otlp-exports.log"
  if has_cache; then
    size=$(curl -fsS "http://127.0.0.1:$CACHE_ORIGIN_PORT$URL_PATH" | wc -c)
    [[ $size == $(body_size) ]] || die "backend port $CACHE_ORIGIN_PORT: $URL_PATH returned $size bytes"
    [[ $(origin_requests) == 1 ]] || die "backend port $CACHE_ORIGIN_PORT does not log its requests"
  fi
}

body_size() {  # -> bytes of the backend's response at $URL_PATH
  if [[ $URL_PATH == /20k ]]; then echo 20480; else echo 1024; fi
}

# Requests that reached the backend through the cache candidates' port since the last call (then
# empties its log): 0 over a run means every request of that run was a cache hit.
origin_requests() {
  local f="$LOGS/cache-origin.log"
  [[ -f $f ]] || { echo 0; return; }
  wc -l <"$f"
  : >"$f"   # opened for appending by nginx, so emptying it in place is safe
}

nginx_name() {  # candidate -> the name of its config, directory and access log
  if [[ $1 == nginx-cache ]]; then echo nginx-cache; else echo nginx-proxy; fi
}

# nginx and nginx-cache: the same proxy; nginx-cache adds proxy_cache on a zone in tmpfs and sends
# its requests to the backend's logging port. The backend sends no Cache-Control, Expires or
# Set-Cookie, so proxy_cache_valid alone decides that its 200 is stored; proxy_ignore_headers keeps it
# so should that change. proxy_cache_lock: concurrent misses wait for one fill, as Rampart coalesces.
write_nginx_proxy_conf() {  # candidate
  local name; name=$(nginx_name "$1")
  local dir="$TMP/$name" port=$NGINX_PORT upstream_port=$BACKEND_PORT
  if [[ $1 == nginx-cache ]]; then port=$NGINX_CACHE_PORT; upstream_port=$CACHE_ORIGIN_PORT; fi
  {
    write_nginx_common "$dir"
    echo "http {"
    nginx_http_common "$dir"
    cat <<'EOF'
  # One JSON line per request to a file, as Rampart's access log does to stdout.
  log_format json escape=json '{"time":"$time_iso8601","method":"$request_method","path":"$uri",'
    '"status":$status,"bytes":$body_bytes_sent,"duration_s":$request_time,'
    '"upstream_s":"$upstream_response_time","remote":"$remote_addr"}';
EOF
    cat <<EOF
  access_log $LOGS/$name-access.log json;
EOF
    if [[ $1 == nginx-cache ]]; then
      echo "  proxy_cache_path $LOGS/nginx-cache-store levels=1:2 keys_zone=bench:10m use_temp_path=off;"
    fi
    cat <<EOF
  upstream backend {
    server 127.0.0.1:$upstream_port;
    keepalive 64;
    keepalive_requests 100000000;
  }
  server {
    listen 127.0.0.1:$port backlog=4096;
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
EOF
    if [[ $1 == nginx-cache ]]; then
      cat <<'EOF'
      proxy_cache bench;
      proxy_cache_valid 200 1m;
      proxy_cache_lock on;
      proxy_ignore_headers Cache-Control Expires Set-Cookie;
      add_header X-Cache-Status $upstream_cache_status;
EOF
    fi
    cat <<EOF
    }
  }
}
EOF
  } >"$OUT/$name.conf"
  # a config nginx rejects stops the run before anything starts
  nginx -t -q -c "$OUT/$name.conf" >"$TMP/check.txt" 2>&1 \
    || die "nginx -t rejects $name.conf: $(cat "$TMP/check.txt")"
}

start_nginx_as() {  # candidate
  "${NICE[@]}" taskset -c "$PROXY_CPU" nginx -c "$OUT/$(nginx_name "$1").conf" -g 'daemon off;' &
  track "$!"
}
start_nginx_proxy() { start_nginx_as nginx; NGINX_PID=$!; }
# Each start begins with an empty cache, as Rampart's in-memory one does: start-up includes the fill.
start_nginx_cache() { rm -rf "$LOGS/nginx-cache-store"; start_nginx_as nginx-cache; NGINX_CACHE_PID=$!; }

# rampart: the access log (on by default), metrics (on by default) and tracing exporting 1 % of
# traces over OTLP/HTTP to the backend nginx's /v1/traces.
# rampart-bare: the same with the access log and metrics off and no tracing endpoint.
# rampart-limit-local: rampart-bare plus one client, known by its API key (which the load sends), and
# a route rate limit per client so high that no request is ever refused but every one is decided: the
# client is identified (its key's SHA-256 looked up), then its GCRA cell is checked and updated in memory.
# require-client makes a request without the key a 401, so a load that lost the header shows as errors.
# rampart-limit-redis: the same, with the cell in the run's own Redis (one EVALSHA round trip per request,
# or per event-loop turn's requests when several arrive together;
# state.redis.timeout and on-redis-failure at their defaults, 20 ms and local).
# rampart-cache: rampart-bare with the route's response cache in memory (store: local, the default)
# and a TTL, since the backend says nothing about freshness; its upstream is the backend's logging port.
write_rampart_conf() {  # candidate
  local name=$1 port admin extra route_keys="" upstream_port=$BACKEND_PORT
  if [[ $name == rampart ]]; then
    port=$RAMPART_PORT; admin=$RAMPART_ADMIN_PORT
    extra="access-log: { enabled: true }
metrics: { enabled: true }
tracing: { endpoint: \"http://127.0.0.1:$OTLP_PORT/v1/traces\", sample-ratio: 1% }"
  else
    port=$RAMPART_BARE_PORT; admin=$RAMPART_BARE_ADMIN_PORT
    extra="access-log: { enabled: false }
metrics: { enabled: false }"
  fi
  if is_limit "$name"; then
    local hash
    hash=$(printf %s "$BENCH_API_KEY" | sha256sum | cut -d' ' -f1)
    extra="$extra
identity: { api-key-header: $BENCH_API_KEY_HEADER }
clients:
  - { name: bench-client, api-keys: [ \"sha256:$hash\" ] }"
    route_keys="    require-client: true
    rate-limits: [ { key: client, rate: 1000000/s } ]"
    if [[ $name == rampart-limit-local ]]; then
      port=$LIMIT_LOCAL_PORT; admin=$LIMIT_LOCAL_ADMIN_PORT
    else
      port=$LIMIT_REDIS_PORT; admin=$LIMIT_REDIS_ADMIN_PORT
      # metrics on: its histogram of each request's wait for the Redis decision is read around every
      # open-loop run (redis_wait_buckets); issue 5's CPU comparison is rampart-limit-local's
      extra="${extra/metrics: \{ enabled: false \}/metrics: { enabled: true \}}
state: { redis: { url: \"redis://$REDIS_HOST:$REDIS_PORT\", key-prefix: \"rampart-bench:\" } }"
    fi
  fi
  if [[ $name == rampart-cache ]]; then
    port=$RAMPART_CACHE_PORT; admin=$RAMPART_CACHE_ADMIN_PORT; upstream_port=$CACHE_ORIGIN_PORT
    route_keys="    cache: { ttl: 60s }"
  fi
  {
    cat <<EOF
service: bench
listen: { port: $port }
admin: { port: $admin }
$extra
upstreams:
  backend: { endpoints: [ "http://127.0.0.1:$upstream_port" ] }
routes:
  - id: all
    match: { prefix: / }
    upstream: backend
EOF
    if [[ -n $route_keys ]]; then echo "$route_keys"; fi
  } >"$OUT/$name.yaml"
  # the jar must know every key written here: a config it rejects stops the run before anything starts
  java -jar "$RAMPART_JAR_COPY" check -c "$OUT/$name.yaml" >"$TMP/check.txt" 2>&1 \
    || die "rampart check rejects $name.yaml: $(cat "$TMP/check.txt")"
}

# The request header every candidate's load sends: the API key the limit candidates identify their client by.
# The others get it too (nginx and Rampart forward it as any header), so that every candidate parses and forwards
# the same bytes and a limit candidate's cost is the deciding, not the bytes its client sends anyway.
load_header() {  # candidate
  echo "$BENCH_API_KEY_HEADER: $BENCH_API_KEY"
}

# Run from copies: other work may rebuild the jars in the tree while the benchmark runs.
RAMPART_JAR_COPY="$TMP/rampart.jar"
LOADGEN_JAR_COPY="$TMP/rampart-loadgen.jar"
rampart_cmd() {  # candidate -> the same JVM, heap and event loop for both Rampart candidates
  RAMPART_CMD=(java "${JAVA_HEAP[@]}" -Drampart.event-loops=1 -jar "$RAMPART_JAR_COPY" run -c "$OUT/$1.yaml")
}

start_rampart_as() {  # candidate
  rampart_cmd "$1"
  # stdout carries the access log (one JSON line per request): to a file, like nginx's
  RAMPART_EVENT_LOOPS=1 "${NICE[@]}" taskset -c "$PROXY_CPU" "${RAMPART_CMD[@]}" \
    >>"$LOGS/$1-stdout.log" 2>>"$OUT/$1-stderr.log" &
  track "$!"
}
start_rampart() { start_rampart_as rampart; RAMPART_PID=$!; }
start_rampart_bare() { start_rampart_as rampart-bare; RAMPART_BARE_PID=$!; }
start_rampart_limit_local() { start_rampart_as rampart-limit-local; RAMPART_LIMIT_LOCAL_PID=$!; }
start_rampart_limit_redis() { start_rampart_as rampart-limit-redis; RAMPART_LIMIT_REDIS_PID=$!; }
start_rampart_cache() { start_rampart_as rampart-cache; RAMPART_CACHE_PID=$!; }

restart_rampart() {  # candidate: stops its JVM and starts a fresh one, for the closed loop's next life
  local c=$1 pidvar fn
  pidvar="${c^^}"; pidvar="${pidvar//-/_}_PID"
  fn="start_${c//-/_}"
  stop_pid "${!pidvar}"
  "$fn"
  wait_http "http://127.0.0.1:$(port_of "$c")$URL_PATH" 60 "$(load_header "$c")" \
    || die "$c did not proxy a request within 60 s of its restart (see $OUT)"
}

# A limit candidate must refuse a request without the key (401) and proxy one with it: the limit is
# really evaluated, and the load's header really reaches it.
check_limit_candidate() {  # candidate port
  local without with
  without=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$2$URL_PATH" || true)
  with=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "$(load_header "$1")" \
    "http://127.0.0.1:$2$URL_PATH" || true)
  [[ $without == 401 && $with == 200 ]] \
    || die "$1: expected 401 without the API key and 200 with it, got $without and $with"
  log "$1: 401 without the API key, 200 with it"
}

# A cache candidate must answer from its cache: its start-up's first request filled it, and the next
# GETs are hits (nginx-cache: X-Cache-Status: HIT; rampart-cache: X-Cache: HIT) with the whole body,
# and none of them reaches the backend.
check_cache_candidate() {  # candidate port
  local header=X-Cache filled first second missed
  [[ $1 == nginx-cache ]] && header=X-Cache-Status
  filled=$(origin_requests)   # the start-up's requests (one fill per start)
  first=$(cache_get "$2" "$header")
  second=$(cache_get "$2" "$header")
  missed=$(origin_requests)
  [[ $filled -ge 1 && $first == "200 $(body_size) HIT" && $second == "200 $(body_size) HIT" && $missed == 0 ]] \
    || die "$1: expected the start-up to fill the cache and the next two GETs to be 200 with $(body_size) bytes and" \
      "$header: HIT, without reaching the backend; the start-up's requests reached it $filled time(s), the GETs" \
      "got \"$first\" and \"$second\" (status, bytes, $header), and $missed reached the backend"
  log "$1: the start-up filled the cache ($filled request(s) to the backend), the next GETs were $header: HIT, none reached it"
}

cache_get() {  # port header -> "status bytes value-of-header" of one GET
  local line value
  line=$(curl -s -o /dev/null -D "$TMP/cache-headers.txt" -w '%{http_code} %{size_download}' --max-time 5 \
    "http://127.0.0.1:$1$URL_PATH" || true)
  value=$(tr -d '\r' <"$TMP/cache-headers.txt" 2>/dev/null | awk -v h="$(echo "$2" | tr 'A-Z' 'a-z'):" \
    'tolower($1) == h {print $2}')
  echo "$line ${value:-none}"
}

# Start-to-first-proxied-request: start the process, poll with curl every 20 ms.
measure_startup() {  # name start_fn port -> leaves the last started process running
  local name=$1 start_fn=$2 port=$3 i t0 t1 pidvar
  for i in $(seq "$STARTS"); do
    t0=$(date +%s%N)
    "$start_fn"
    pidvar="${name^^}"; pidvar="${pidvar//-/_}_PID"
    if ! wait_http "http://127.0.0.1:$port$URL_PATH" 60 "$(load_header "$name")"; then
      die "$name did not proxy a request within 60 s (see $OUT)"
    fi
    t1=$(date +%s%N)
    emit "$name" startup "$i" startup_ms $(( (t1 - t0) / 1000000 ))
    if (( i < STARTS )); then stop_pid "${!pidvar}"; sleep 0.5; fi
  done
}

# ---------------------------------------------------------------- measurements
emit() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RESULTS"; }  # candidate phase round metric value

port_of() {
  case "$1" in
    direct) echo "$BACKEND_PORT" ;; nginx) echo "$NGINX_PORT" ;;
    rampart) echo "$RAMPART_PORT" ;; rampart-bare) echo "$RAMPART_BARE_PORT" ;;
    rampart-limit-local) echo "$LIMIT_LOCAL_PORT" ;; rampart-limit-redis) echo "$LIMIT_REDIS_PORT" ;;
    nginx-cache) echo "$NGINX_CACHE_PORT" ;; rampart-cache) echo "$RAMPART_CACHE_PORT" ;;
  esac
}
upstream_port_of() {  # candidate -> the backend port its requests go to
  if is_cache "$1"; then echo "$CACHE_ORIGIN_PORT"; else echo "$BACKEND_PORT"; fi
}
pid_of() {
  case "$1" in
    direct) echo "" ;; nginx) echo "$NGINX_PID" ;;
    rampart) echo "$RAMPART_PID" ;; rampart-bare) echo "$RAMPART_BARE_PID" ;;
    rampart-limit-local) echo "$RAMPART_LIMIT_LOCAL_PID" ;; rampart-limit-redis) echo "$RAMPART_LIMIT_REDIS_PID" ;;
    nginx-cache) echo "$NGINX_CACHE_PID" ;; rampart-cache) echo "$RAMPART_CACHE_PID" ;;
  esac
}

# Pauses (SIGSTOP) every proxy but the one measured, so that an idle candidate's background work
# (JIT compilation, GC, timers) never competes with it for CPU 0; a paused JVM keeps its JIT state.
only_running() {  # candidate
  local c p
  for c in "${CANDS[@]}"; do
    p=$(pid_of "$c")
    [[ -z $p ]] && continue
    if [[ $c == "$1" ]]; then
      kill -CONT "$p" $(descendants "$p") 2>/dev/null || true
    else
      kill -STOP "$p" $(descendants "$p") 2>/dev/null || true
    fi
  done
  sleep 0.2
}

cpu_ticks() {  # pid -> utime+stime of it and its descendants, in clock ticks
  local total=0 p fields
  for p in "$1" $(descendants "$1"); do
    # the fields after the ")" that ends comm: utime is field 14, stime 15
    fields=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null) || continue
    set -- $fields
    total=$(( total + ${12} + ${13} ))
  done
  echo "$total"
}

peak_rss_kib() {  # pid -> VmHWM of it and its descendants
  local total=0 p v
  for p in "$1" $(descendants "$1"); do
    v=$(awk '/^VmHWM:/ {print $2}' "/proc/$p/status" 2>/dev/null) || continue
    total=$(( total + ${v:-0} ))
  done
  echo "$total"
}

core_busy() {  # -> "busy total" jiffies for cpu0 and cpu1: "b0 t0 b1 t1"
  awk '/^cpu[01] / {idle = $5 + $6; t = 0; for (i = 2; i <= NF; i++) t += $i; printf "%d %d ", t - idle, t}' /proc/stat
}

access_log_bytes() {  # candidate -> bytes its access log took since the last call (then empties it)
  local f
  case "$1" in
    nginx|nginx-cache) f="$LOGS/$(nginx_name "$1")-access.log" ;;
    rampart*) f="$LOGS/$1-stdout.log" ;;
    *) echo 0; return ;;
  esac
  [[ -f $f ]] || { echo 0; return; }
  if [[ $1 == rampart* ]]; then
    # Rampart's own log lines share stdout with its access log: keep them before the file is emptied,
    # and leave them out of the access log's bytes
    local own=0
    grep -a '"logger":"dev\.rampart' "$f" >"$TMP/own-log.txt" 2>/dev/null || true
    own=$(stat -c %s "$TMP/own-log.txt")
    cat "$TMP/own-log.txt" >>"$OUT/$1-log.txt"
    echo $(( $(stat -c %s "$f") - own ))
  else
    stat -c %s "$f"
  fi
  : >"$f"   # opened for appending by the proxy, so emptying it in place is safe
}

otlp_exports() {  # -> "calls bytes": OTLP export POSTs the backend received since the last call (then empties its log)
  local f="$LOGS/otlp-exports.log"
  [[ -f $f ]] || { echo "0 0"; return; }
  # body bytes from Content-Length: nginx's $request_length leaves out a body that `return` discards
  awk '{n++; if ($4 ~ /^[0-9]+$/) b += $4} END {printf "%d %d\n", n, b}' "$f"
  : >"$f"
}

# Scrapes /metrics on a Rampart candidate's admin port: how many series it exposes (0 when the
# endpoint is off or absent), so the table shows that metrics really were on for rampart.
metrics_series() {  # candidate
  local admin
  case "$1" in
    rampart) admin=$RAMPART_ADMIN_PORT ;; rampart-bare) admin=$RAMPART_BARE_ADMIN_PORT ;;
    rampart-limit-local) admin=$LIMIT_LOCAL_ADMIN_PORT ;; rampart-limit-redis) admin=$LIMIT_REDIS_ADMIN_PORT ;;
    rampart-cache) admin=$RAMPART_CACHE_ADMIN_PORT ;;
    *) return ;;
  esac
  curl -fsS --max-time 5 "http://127.0.0.1:$admin/metrics" 2>/dev/null >"$OUT/metrics-$1.txt" || true
  grep -vc '^#' "$OUT/metrics-$1.txt" 2>/dev/null || true
}

upstream_conns() {  # established TCP connections to the backend's ports (the cache candidates' too), now
  ss -Htn state established "( dport = :$BACKEND_PORT or dport = :$CACHE_ORIGIN_PORT )" | wc -l
}

# Samples the proxy's upstream connections every 0.5 s for a while: the most open at once and
# how many distinct ones were seen. Distinct >> at-once means connections churn. Only the
# measured proxy's own connections count (ss -p), not those the paused candidates keep open.
sample_upstream() {  # seconds file pid port
  local end=$(( $(date +%s) + $1 )) file=$2 pids
  pids=$(echo "$3" $(descendants "$3") | sed 's/ /|/g')
  : >"$file"
  while (( $(date +%s) < end )); do
    ss -Htnp state established "( dport = :$4 )" | grep -E "pid=($pids)," |
      awk -v t="$(date +%s%N)" '{print t, $3}' >>"$file"
    sleep 0.5
  done
}

# Redis readings around a run of rampart-limit-redis: EVAL/EVALSHA calls and their time inside Redis,
# the Redis server's CPU ticks, and the "redis unavailable" lines Rampart logged (each one means the
# limit fell back to local decisions until a probe found Redis again, up to 1 s later).
redis_before() {  # candidate
  REDIS_B=()
  [[ $1 == rampart-limit-redis ]] || return 0
  local pid; pid=$(redis_pid || true)
  REDIS_B=($(redis_eval_stats) "$( [[ -n $pid ]] && cpu_ticks "$pid" || echo -)" "$(redis_down_lines "$1")")
  redis_wait_buckets >"$TMP/redis-wait-before"
}
# rampart-limit-redis's own histogram of the time each request waited for its Redis decision
# (rampart_rate_limit_redis_duration_seconds, outcome ok: from the request's ask to the answer, the
# batching wait included): "le count" lines, cumulative since its start.
redis_wait_buckets() {
  curl -fsS --max-time 5 "http://127.0.0.1:$LIMIT_REDIS_ADMIN_PORT/metrics" 2>/dev/null |
    grep '^rampart_rate_limit_redis_duration_seconds_bucket{' | grep 'outcome="ok"' |
    sed -n 's/.*le="\([^"]*\)".* \([0-9.eE+]*\)$/\1 \2/p' || true
}
# -> "p99_ms over_1ms_permille decisions" of the decisions made between two readings: the p99 as the
# upper bound of its bucket (0.1, 0.25, 0.5, 1, 2.5, 5 ... ms); nothing when there were none
redis_wait_p99() {  # before-file after-file
  python3 - "$1" "$2" <<'EOF'
import sys
def read(path):
    out = {}
    for line in open(path):
        le, n = line.split()
        out[float("inf") if le == "+Inf" else float(le)] = float(n)
    return out
b, a = read(sys.argv[1]), read(sys.argv[2])
d = sorted((le, a[le] - b.get(le, 0)) for le in a)
total = d[-1][1] if d else 0
if total > 0:
    p99 = next(le for le, n in d if n >= 0.99 * total)
    within_1ms = max((n for le, n in d if le <= 0.001), default=0)
    print("%s %.1f %d" % ("inf" if p99 == float("inf") else "%g" % (p99 * 1000),
                          1000 * (total - within_1ms) / total, total))
EOF
}
redis_after() {  # candidate phase round requests
  [[ $1 == rampart-limit-redis && ${#REDIS_B[@]} == 5 && ${4:-0} -gt 0 ]] || return 0
  local a pid
  pid=$(redis_pid || true)
  a=($(redis_eval_stats) "$( [[ -n $pid ]] && cpu_ticks "$pid" || echo -)" "$(redis_down_lines "$1")")
  emit "$1" "$2" "$3" redis_calls_per_req \
    "$(awk -v d=$(( a[0] - REDIS_B[0] )) -v n="$4" 'BEGIN {printf "%.3f", d / n}')"
  emit "$1" "$2" "$3" redis_failed_calls $(( a[2] - REDIS_B[2] ))
  if (( a[0] > REDIS_B[0] )); then
    emit "$1" "$2" "$3" redis_us_per_call \
      "$(awk -v u=$(( a[1] - REDIS_B[1] )) -v d=$(( a[0] - REDIS_B[0] )) 'BEGIN {printf "%.2f", u / d}')"
  fi
  if [[ ${a[3]} != - && ${REDIS_B[3]} != - ]]; then
    emit "$1" "$2" "$3" redis_cpu_us_per_req \
      "$(awk -v t=$(( a[3] - REDIS_B[3] )) -v hz="$CLK_TCK" -v n="$4" 'BEGIN {printf "%.2f", t * 1e6 / hz / n}')"
  fi
  emit "$1" "$2" "$3" redis_down_events $(( a[4] - REDIS_B[4] ))
  redis_wait_buckets >"$TMP/redis-wait-after"
  local wait; wait=($(redis_wait_p99 "$TMP/redis-wait-before" "$TMP/redis-wait-after" 2>/dev/null || true))
  if [[ ${#wait[@]} == 3 && ${wait[0]} != inf ]]; then
    emit "$1" "$2" "$3" redis_wait_p99_ms "${wait[0]}"
    emit "$1" "$2" "$3" redis_wait_over_1ms_permille "${wait[1]}"
  fi
}
redis_down_lines() {  # candidate -> "redis unavailable" lines it logged so far
  access_log_bytes "$1" >/dev/null   # moves its own log lines from stdout to $OUT/<candidate>-log.txt
  local n; n=$(grep -c 'redis unavailable' "$OUT/$1-log.txt" 2>/dev/null || true)
  echo "${n:-0}"
}

jit_ticks() {  # pid -> CPU ticks of the JVM's JIT compiler threads (0 for a process that has none)
  local total=0 t fields
  for t in /proc/"$1"/task/*; do
    [[ $(cat "$t/comm" 2>/dev/null) == C[12]\ CompilerThre* ]] || continue
    fields=$(sed 's/.*) //' "$t/stat" 2>/dev/null) || continue
    set -- $fields
    total=$(( total + ${12} + ${13} ))
  done
  echo "$total"
}

# Warm-up until the candidate is in its steady state: wrk in slices of WARM_SLICE seconds, at least
# WARM_MIN and until the JIT compiler threads used at most WARM_JIT_PERMILLE of the candidate's CPU in
# the last slice (WARM_MAX at most). A JVM still compiling spends up to half of CPU 0 on it for its
# first 15-20 s under load, more for the candidates that run more code, and keeps compiling code that
# runs seldom (timers, exporters, GC notifications) for minutes: after 25-35 s (2 %, the old rule) the
# rampart candidate's JIT still used about 1.1 µs per request, 4 % of its CPU, and its event loop ran
# about 5 % slower than after 120 s (a paired check on 2026-11-30). Measured then, the rounds would
# compare JIT progress, not the steady-state cost of a gateway that runs for days. A process without
# a JIT stops after WARM_MIN_NO_JIT.
warm_up() {  # candidate
  local c=$1 pid spent=0 cpu0 cpu1 jit0 jit1 jit_seen=0 pm=0
  pid=$(pid_of "$c")
  while :; do
    [[ -n $pid ]] && { cpu0=$(cpu_ticks "$pid"); jit0=$(jit_ticks "$pid"); }
    closed_loop "$c" warmup 0 "$WARM_SLICE"
    spent=$(( spent + WARM_SLICE ))
    if [[ -n $pid ]]; then
      cpu1=$(cpu_ticks "$pid"); jit1=$(jit_ticks "$pid")
      (( jit1 > 0 )) && jit_seen=1
      pm=$(( (jit1 - jit0) * 1000 / ((cpu1 - cpu0) > 0 ? (cpu1 - cpu0) : 1) ))
    fi
    (( jit_seen == 0 && spent >= WARM_MIN_NO_JIT )) && break
    (( spent >= WARM_MIN && pm <= WARM_JIT_PERMILLE )) && break
    if (( spent >= WARM_MAX )); then
      log "warm-up of $c: still compiling after ${spent}s (JIT ${pm} ‰ of its CPU in the last ${WARM_SLICE}s)"
      break
    fi
  done
  log "warm-up of $c: ${spent}s of wrk (JIT ${pm} ‰ of its CPU in the last ${WARM_SLICE}s)"
  emit "$c" warmup 0 warmup_seconds "$spent"
}

closed_loop() {  # candidate phase round seconds
  local c=$1 phase=$2 round=$3 secs=$4 port pid before after busy0 busy1 out conns="" hdr=()
  port=$(port_of "$c"); pid=$(pid_of "$c")
  [[ -n $(load_header "$c") ]] && hdr=(-H "$(load_header "$c")")
  only_running "$c"
  out="$OUT/wrk-$c-$phase-$round.txt"
  [[ $phase != warmup ]] && redis_before "$c"
  [[ -n $pid ]] && before=$(cpu_ticks "$pid")
  busy0=($(core_busy))
  local sampler=""
  if [[ $c != direct && $phase != warmup ]]; then
    sample_upstream "$(( secs - 1 ))" "$TMP/conns" "$pid" "$(upstream_port_of "$c")" &
    sampler=$!
    track "$sampler"
  fi
  run_bounded $(( secs + 30 )) "${NICE[@]}" taskset -c "$LOAD_CPU" \
    wrk -t1 -c"$CONNECTIONS" -d"${secs}s" --latency "${hdr[@]}" "http://127.0.0.1:$port$URL_PATH" >"$out"
  busy1=($(core_busy))
  [[ -n $pid ]] && after=$(cpu_ticks "$pid")
  local logged exports missed
  logged=$(access_log_bytes "$c")
  if [[ $phase != warmup ]]; then redis_after "$c" closed "$round" "$(awk '/requests in/ {print $1}' "$out")"; fi
  exports=($(otlp_exports))
  missed=$(origin_requests)
  [[ $phase == warmup ]] && return 0
  local reqs rps non2xx sockerr
  reqs=$(awk '/requests in/ {print $1}' "$out")
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out"); non2xx=${non2xx:-0}
  sockerr=$(awk '/Socket errors:/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$out"); sockerr=${sockerr:-0}
  [[ -n $reqs && -n $rps ]] || die "could not read wrk output $out"
  emit "$c" closed "$round" rps "$rps"
  if [[ $c != direct ]]; then emit "$c" closed "$round" access_log_bytes_per_req $(( logged / reqs )); fi
  if [[ $c == rampart* ]]; then
    # export calls arriving while this candidate ran (the exporter batches, so the last batch of a
    # run may arrive during the candidate's next turn)
    emit "$c" closed "$round" otlp_export_calls "${exports[0]}"
    emit "$c" closed "$round" otlp_export_body_bytes "${exports[1]}"
  fi
  emit "$c" closed "$round" errors $(( non2xx + sockerr ))
  if is_cache "$c"; then
    emit "$c" closed "$round" requests "$reqs"
    emit "$c" closed "$round" backend_requests "$missed"
  fi
  emit "$c" closed "$round" proxy_core_busy_pct $(( 100 * (busy1[0] - busy0[0]) / (busy1[1] - busy0[1] + 1) ))
  emit "$c" closed "$round" load_core_busy_pct $(( 100 * (busy1[2] - busy0[2]) / (busy1[3] - busy0[3] + 1) ))
  if [[ -n $pid ]]; then
    emit "$c" closed "$round" cpu_us_per_req \
      "$(awk -v t=$(( after - before )) -v hz="$CLK_TCK" -v n="$reqs" 'BEGIN {printf "%.2f", t * 1e6 / hz / n}')"
  fi
  if [[ -n $sampler ]]; then
    wait "$sampler" || true
    emit "$c" closed "$round" upstream_conns_max \
      "$(awk '{n[$1]++} END {m = 0; for (t in n) if (n[t] > m) m = n[t]; print m}' "$TMP/conns")"
    emit "$c" closed "$round" upstream_conns_distinct "$(awk '{print $2}' "$TMP/conns" | sort -u | wc -l)"
  fi
}

open_loop() {  # candidate rate_label rate round
  local c=$1 label=$2 rate=$3 round=$4 port pid before after out hdr=()
  port=$(port_of "$c"); pid=$(pid_of "$c")
  [[ -n $(load_header "$c") ]] && hdr=(--header "$(load_header "$c")")
  only_running "$c"
  out="$OUT/open-$c-$label-$round.json"
  redis_before "$c"
  [[ -n $pid ]] && before=$(cpu_ticks "$pid")
  run_bounded $(( WARMUP + DURATION + 60 )) "${NICE[@]}" taskset -c "$LOAD_CPU" \
    java "${JAVA_HEAP[@]}" -jar "$LOADGEN_JAR_COPY" --url "http://127.0.0.1:$port$URL_PATH" \
    --rate "$rate" --duration "${DURATION}s" --warmup "${WARMUP}s" --connections "$CONNECTIONS" \
    "${hdr[@]}" --json >"$out"
  [[ -n $pid ]] && after=$(cpu_ticks "$pid")
  redis_after "$c" "open@$label" "$round" "$(( rate * (WARMUP + 2 * DURATION) / 2 ))"
  access_log_bytes "$c" >/dev/null
  otlp_exports >/dev/null
  local missed; missed=$(origin_requests)
  local line
  line=$(python3 - "$out" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
e = r["errors"]; l = r["latency"]
s = r["service_time"]
print(r["sent"], r["completed"], e["timeout"] + e["connect"] + e["status"] + e["other"],
      l["p50_us"], l["p90_us"], l["p99_us"], l["p999_us"], l["max_us"], r["max_send_lag_us"],
      r["achieved_rate"], s["p50_us"], s["p99_us"])
EOF
  )
  local sent completed errors p50 p90 p99 p999 max lag achieved svc50 svc99
  read -r sent completed errors p50 p90 p99 p999 max lag achieved svc50 svc99 <<<"$line"
  local tag="open@$label"
  emit "$c" "$tag" "$round" rate "$rate"
  emit "$c" "$tag" "$round" achieved_rate "$achieved"
  emit "$c" "$tag" "$round" errors "$errors"
  emit "$c" "$tag" "$round" p50_us "$p50"
  emit "$c" "$tag" "$round" p90_us "$p90"
  emit "$c" "$tag" "$round" p99_us "$p99"
  emit "$c" "$tag" "$round" p999_us "$p999"
  emit "$c" "$tag" "$round" max_us "$max"
  emit "$c" "$tag" "$round" send_lag_max_us "$lag"
  emit "$c" "$tag" "$round" svc_p50_us "$svc50"
  emit "$c" "$tag" "$round" svc_p99_us "$svc99"
  if is_cache "$c"; then emit "$c" "$tag" "$round" backend_requests "$missed"; fi
  if [[ -n $pid ]]; then
    # every scheduled request went through the proxy during this run: the warm-up ramps the
    # rate up from 0, so it holds rate × warm-up / 2 requests
    local total=$(( rate * (WARMUP + 2 * DURATION) / 2 ))
    emit "$c" "$tag" "$round" cpu_us_per_req \
      "$(awk -v t=$(( after - before )) -v hz="$CLK_TCK" -v n="$total" 'BEGIN {printf "%.2f", t * 1e6 / hz / n}')"
  fi
}

# ---------------------------------------------------------------- the run
main() {
  [[ $(nproc) -ge 2 ]] || die "needs 2 cores (proxy on CPU 0, load on CPU 1)"
  install_tools
  check_redis
  build_jars
  check_ports_free "$BACKEND_PORT" "$NGINX_PORT" "$OTLP_PORT" "$RAMPART_PORT" "$RAMPART_ADMIN_PORT" \
    "$RAMPART_BARE_PORT" "$RAMPART_BARE_ADMIN_PORT" "$LIMIT_LOCAL_PORT" "$LIMIT_LOCAL_ADMIN_PORT" \
    "$LIMIT_REDIS_PORT" "$LIMIT_REDIS_ADMIN_PORT" "$CACHE_ORIGIN_PORT" "$NGINX_CACHE_PORT" "$RAMPART_CACHE_PORT" \
    "$RAMPART_CACHE_ADMIN_PORT" "$REDIS_PORT"
  IFS=, read -r -a CANDS <<<"$CANDIDATES"
  log "candidates: ${CANDS[*]}; closed loop $CLOSED_ROUNDS rounds of ${CLOSED_DURATION}s in $CLOSED_LIVES JVM lives; open loop $ROUNDS rounds of ${DURATION}s; output in $OUT"
  printf 'candidate\tphase\tround\tmetric\tvalue\n' >"$RESULTS"
  # every Rampart config first, each through `rampart check`, before anything is started
  for c in "${CANDS[@]}"; do
    if [[ $c == rampart* ]]; then write_rampart_conf "$c"; fi
  done
  LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

  start_backend
  start_redis
  if has_candidate nginx; then
    write_nginx_proxy_conf nginx
    measure_startup nginx start_nginx_proxy "$NGINX_PORT"
  fi
  if has_candidate rampart-bare; then
    measure_startup rampart-bare start_rampart_bare "$RAMPART_BARE_PORT"
  fi
  if has_candidate rampart; then
    measure_startup rampart start_rampart "$RAMPART_PORT"
  fi
  if has_candidate rampart-limit-local; then
    measure_startup rampart-limit-local start_rampart_limit_local "$LIMIT_LOCAL_PORT"
    check_limit_candidate rampart-limit-local "$LIMIT_LOCAL_PORT"
  fi
  if has_candidate rampart-limit-redis; then
    measure_startup rampart-limit-redis start_rampart_limit_redis "$LIMIT_REDIS_PORT"
    check_limit_candidate rampart-limit-redis "$LIMIT_REDIS_PORT"
  fi
  if has_candidate nginx-cache; then
    write_nginx_proxy_conf nginx-cache
    measure_startup nginx-cache start_nginx_cache "$NGINX_CACHE_PORT"
    check_cache_candidate nginx-cache "$NGINX_CACHE_PORT"
  fi
  if has_candidate rampart-cache; then
    measure_startup rampart-cache start_rampart_cache "$RAMPART_CACHE_PORT"
    check_cache_candidate rampart-cache "$RAMPART_CACHE_PORT"
  fi

  local c r=0 life i per_life=$(( (CLOSED_ROUNDS + CLOSED_LIVES - 1) / CLOSED_LIVES ))
  # This shared host's speed drifts by 10-20 % from one 5 s slice to the next (a lone JVM, JIT idle,
  # 2026-11-30 06:55): short rounds, many of them, with the candidates side by side in each, let the
  # summary compare each candidate with rampart-bare round by round (the median of the paired ratios),
  # so that a slow spell lands on both sides of a ratio instead of deciding it.
  # A JVM also has a speed of its own: of four JVMs of one jar and config, warmed alike and measured in
  # alternating rounds, one ran 25-30 % slower than the others for nine rounds of ten (2026-11-30
  # 08:38), and the access log alone cost 3.9 µs/request in one pair of JVMs and 0.4 in the next.
  # Paired rounds cannot cancel that, so the rounds are shared among CLOSED_LIVES fresh JVMs per
  # Rampart candidate, and a median over rounds spans several JVMs of each.
  for life in $(seq "$CLOSED_LIVES"); do
    if (( life > 1 )); then
      for c in "${CANDS[@]}"; do
        if [[ $c == rampart* ]]; then restart_rampart "$c"; fi
      done
    fi
    for c in "${CANDS[@]}"; do
      if (( life == 1 )) || [[ $c == rampart* ]]; then warm_up "$c"; fi
    done
    for i in $(seq "$per_life"); do
      r=$(( r + 1 ))
      (( r > CLOSED_ROUNDS )) && break
      for c in "${CANDS[@]}"; do
        log "closed loop: round $r (JVM life $life), $c"
        closed_loop "$c" closed "$r" "$CLOSED_DURATION"
      done
    done
  done

  # open-loop rates (--rates, default 25/50/75 %) of the slowest candidate's median closed-loop throughput
  local slowest
  slowest=$(awk -F'\t' '$2 == "closed" && $4 == "rps" {print $1, $5}' "$RESULTS" | sort -k1,1 -k2,2n |
    awk '{v[$1] = v[$1] " " $2} END {for (c in v) {n = split(v[c], a, " "); print a[int((n + 1) / 2)]}}' |
    sort -n | head -1)
  slowest=${slowest%.*}
  log "slowest candidate's median throughput: $slowest req/s"
  if [[ -n $RATE_BASE ]]; then
    slowest=$RATE_BASE
    log "open-loop rates from --rate-base $RATE_BASE req/s instead"
  fi
  local pct rate
  for pct in ${RATES//,/ }; do
    rate=$(( slowest * pct / 100 ))
    (( rate >= 1 )) || die "throughput too low to derive an open-loop rate"
    for r in $(seq "$ROUNDS"); do
      for c in "${CANDS[@]}"; do
        log "open loop ${pct}% = $rate req/s: round $r, $c"
        open_loop "$c" "${pct}pct" "$rate" "$r"
      done
    done
  done

  for c in "${CANDS[@]}"; do
    local pid; pid=$(pid_of "$c")
    [[ -n $pid ]] && emit "$c" final 0 peak_rss_mib $(( $(peak_rss_kib "$pid") / 1024 ))
    if [[ $c == rampart* ]]; then
      only_running "$c"
      emit "$c" final 0 metrics_series "$(metrics_series "$c")"
    fi
  done
  emit all final 0 upstream_conns_after "$(upstream_conns)"
  LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

  local table
  table=$(BENCH_REDIS_WHERE="$(redis_cpu_text)" python3 "$ROOT/bench/summarize.py" "$RESULTS" "$CANDIDATES")
  echo "$table"
  if [[ $RECORD == 1 ]]; then record "$table"; log "appended to bench/RESULTS.md"; fi
  log "raw results in $OUT"
}

record() {
  local table=$1 f="$ROOT/bench/RESULTS.md"
  [[ -f $f ]] || printf '# Benchmark results\n\nAppended by bench/run.sh; see bench/README.md for the method.\n' >"$f"
  {
    echo
    echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — $HEAD_AT_START"
    echo
    echo "- machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(free -g | awk '/^Mem:/ {print $2}') GiB"
    echo "- java: $(java -version 2>&1 | head -2 | tail -1)"
    echo "- nginx: $(nginx -v 2>&1 | sed 's/^nginx version: //'); wrk: $(wrk -v 2>&1 | head -1 | awk '{print $2}')"
    if has_candidate rampart-limit-redis; then
      echo "- redis: $(redis_info server | sed -n 's/^redis_version://p') on $REDIS_HOST:$REDIS_PORT (the run's own: started by the script for this run at $([[ $REDIS_SCHED == fifo ]] && echo SCHED_FIFO || echo nice -10), $(redis_cpu_text), no persistence; stopped at the end)"
    fi
    if has_rampart; then echo "- rampart.jar built ${RAMPART_JAR_INFO:-?}"; fi
    echo "- candidates: ${CANDIDATES}; closed loop: ${CLOSED_ROUNDS} alternating rounds of ${CLOSED_DURATION} s shared among ${CLOSED_LIVES} fresh JVMs per Rampart candidate; open loop: ${ROUNDS} alternating rounds of ${DURATION} s per rate; path $URL_PATH"
    echo "- pinning: proxy on CPU $PROXY_CPU; backend nginx, wrk and the load generator on CPU $LOAD_CPU;"
    echo "  the proxies not being measured are paused (SIGSTOP) meanwhile"
    echo "- load average (1/5/15 min) before: $LOAD_BEFORE; after: $LOAD_AFTER (other work on this shared machine is not pinned and lands on both cores)"
    echo "- access logs: nginx proxy writes one JSON line per request to a file; Rampart's stdout"
    echo "  (its JSON access log) goes to a file; both files on tmpfs, emptied after each run;"
    echo "  the backend's access log is off (but for its /v1/traces location, to count export calls)"
    if has_cache; then
      echo "  and for the port that serves the cache candidates, to count the requests that missed the cache"
    fi
    if has_rampart; then
      echo "- rampart: access log, metrics and tracing on, exporting 1 % of traces (OTLP/HTTP protobuf) to"
      echo "  the backend nginx's \`location = /v1/traces { return 200; }\`, on CPU $LOAD_CPU;"
      echo "  rampart-bare: the same JVM, heap, event loop and pinning, with access log and metrics off and no"
      echo "  tracing endpoint. Nothing scrapes /metrics during the runs; it is scraped once at the end"
      echo "  (\"/metrics series\" row) to show whether metrics were on."
    fi
    if has_candidate rampart-limit-local || has_candidate rampart-limit-redis; then
      echo "- rampart-limit-local: rampart-bare's config plus one client known by its API key and, on the"
      echo "  route, \`require-client: true\` and \`rate-limits: [ { key: client, rate: 1000000/s } ]\`: every"
      echo "  request is identified and decided, none refused. Its load (wrk and the load generator) sends"
      echo "  \`$BENCH_API_KEY_HEADER\`, as every candidate's does (the others forward it as any header, so all parse and forward the same bytes). rampart-limit-redis: the same with"
      if [[ $REDIS_SCHED == fifo ]]; then
        echo "  \`state.redis\` on a Redis of its own, $(redis_cpu_text) and run under SCHED_FIFO (\`chrt -f 1\`: it takes a core as soon as it has work, as a Redis with CPUs of its own would; its CPU still comes out of the two cores), a round trip per request, one EVALSHA for the requests of one event-loop turn, 20 ms timeout, fallback local; metrics on, for its histogram of each request's wait for the decision, read around each open-loop run."
      else
        echo "  \`state.redis\` on a Redis of its own, niced like the rest and $(redis_cpu_text) (a round trip per request, one EVALSHA for the requests of one event-loop turn, 20 ms timeout, fallback local); metrics on, for its histogram of each request's wait for the decision, read around each open-loop run."
      fi
    fi
    if has_cache; then
      echo "- cache hits (issue 6): nginx-cache is the nginx proxy plus \`proxy_cache\` on a zone in tmpfs"
      echo "  (\`proxy_cache_valid 200 1m\`, \`proxy_cache_lock on\`, \`add_header X-Cache-Status\`), its JSON access log"
      echo "  on as nginx's; rampart-cache is rampart-bare's config (access log, metrics and tracing off) with the"
      echo "  route's \`cache: { ttl: 60s }\` in memory. Both proxy the same backend response ($URL_PATH, $(body_size) bytes),"
      echo "  from a backend port that logs each request it gets; before the runs the script checks that the"
      echo "  start-up filled each cache and the next GETs were hits that did not reach the backend."
    fi
    echo "- every process the script starts runs at nice -10"
    echo
    echo "Commands:"
    echo
    echo '```'
    echo "bench/run.sh ${ARGS[*]}"
    echo "# closed loop, per candidate and round:"
    echo "nice -n -10 taskset -c $LOAD_CPU wrk -t1 -c$CONNECTIONS -d${CLOSED_DURATION}s --latency -H '$BENCH_API_KEY_HEADER: <key>' http://127.0.0.1:<port>$URL_PATH"
    echo "# open loop at ${RATES//,//} % of $([[ -n $RATE_BASE ]] && echo "$RATE_BASE req/s (--rate-base)" || echo "the slowest candidate's median req/s") (the warm-up ramps from 0 to the rate):"
    echo "nice -n -10 taskset -c $LOAD_CPU java ${JAVA_HEAP[*]} -jar rampart-bench/target/rampart-loadgen.jar --url http://127.0.0.1:<port>$URL_PATH --rate <R> --duration ${DURATION}s --warmup ${WARMUP}s --connections $CONNECTIONS --header '$BENCH_API_KEY_HEADER: <key>' --json"
    echo "# proxies:"
    echo "nice -n -10 taskset -c $PROXY_CPU nginx -c nginx-proxy.conf -g 'daemon off;'   # worker_processes 1, keepalive 64"
    if has_candidate nginx-cache; then
      echo "nice -n -10 taskset -c $PROXY_CPU nginx -c nginx-cache.conf -g 'daemon off;'   # the same plus proxy_cache"
    fi
    local c
    for c in rampart-bare rampart rampart-limit-local rampart-limit-redis rampart-cache; do
      has_candidate "$c" || continue
      echo "RAMPART_EVENT_LOOPS=1 nice -n -10 taskset -c $PROXY_CPU java ${JAVA_HEAP[*]} -Drampart.event-loops=1 -jar rampart-cli/target/rampart.jar run -c $c.yaml > $c-stdout.log"
    done
    echo "# backend:"
    echo "nice -n -10 taskset -c $LOAD_CPU nginx -c backend-nginx.conf -g 'daemon off;'  # return 200, 1 KiB (/) or 20 KiB (/20k)"
    echo '```'
    if has_candidate nginx-cache; then
      echo
      echo "nginx-cache.conf:"
      echo
      echo '```nginx'
      cat "$OUT/nginx-cache.conf"
      echo '```'
    fi
    for c in rampart-bare rampart rampart-limit-local rampart-limit-redis rampart-cache; do
      has_candidate "$c" || continue
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
