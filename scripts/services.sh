#!/usr/bin/env bash
# services.sh start|stop|env|status: the local stand-ins for AWS that the tests talk to.
#
#   start   start DynamoDB Local and the SES v2 emulator on free 127.0.0.1 ports, wait until
#           each answers, record pid/port/log in .tools/services/ (a no-op for what already runs)
#   stop    stop them (safe when nothing runs)
#   env     print `export GCC_TEST_DYNAMODB_ENDPOINT=...` and `export GCC_TEST_SES_ENDPOINT=...`
#           (use: eval "$(scripts/services.sh env)")
#   status  say what runs
#
# Needs what scripts/tools.sh installs (node_modules/, java). Uses only bash and coreutils:
# free ports come from /proc/net/tcp{,6}, health checks are raw HTTP over bash's /dev/tcp.
# Env: GCC_SERVICES_DIR (state dir), GCC_SERVICES_START_TIMEOUT (seconds per service, default 90).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${GCC_SERVICES_DIR:-$ROOT/.tools/services}
DDB_DIR=$ROOT/node_modules/amplify-dynamodb-simulator/emulator
LAUNCHER_DIR=$ROOT/.tools/ddblocal
SES_BIN=$ROOT/node_modules/.bin/aws-ses-v2-local
START_TIMEOUT=${GCC_SERVICES_START_TIMEOUT:-90}
SERVICES=(dynamodb ses)

log() { printf '%s\n' "$*" >&2; }
die() { log "services.sh: $*"; exit 1; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
secs() { printf "%d.%d" $(($1 / 1000)) $(($1 % 1000 / 100)); } # ms -> "s.t"

# ---- ports -------------------------------------------------------------------------------

# used_ports prints every local TCP port in use (any state) in this network namespace.
used_ports() {
  local f addr
  for f in /proc/net/tcp /proc/net/tcp6; do
    [[ -r $f ]] || continue
    while read -r _ addr _; do
      [[ $addr == *:* ]] && echo $((16#${addr##*:}))
    done < <(tail -n +2 "$f")
  done
  return 0
}

# free_port prints a port that nothing uses, below the kernel's ephemeral range (so outgoing
# connections cannot grab it between our pick and the service's bind). A lost race is still
# possible with another starter; start_service retries on a fresh port.
free_port() {
  local lo hi eph_lo used p i
  read -r eph_lo _ < /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || eph_lo=32768
  hi=$((eph_lo - 1)); lo=$((hi - 12000)); ((lo >= 1024)) || lo=1024
  used=" $(used_ports | tr '\n' ' ') "
  for ((i = 0; i < 200; i++)); do
    p=$((lo + (RANDOM * 32768 + RANDOM) % (hi - lo + 1)))
    [[ $used == *" $p "* ]] && continue
    # Belt and braces: nothing must answer on it.
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  die "no free port found in $lo-$hi"
}

# ---- health checks -----------------------------------------------------------------------

# http_status PORT REQUEST: sends a raw HTTP request to 127.0.0.1:PORT, prints the status code.
http_status() {
  timeout 5 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "%s" "$2" >&3
    IFS=" " read -r _ code _ <&3 || exit 1
    echo "$code"' _ "$1" "$2" 2>/dev/null | tr -d "\r" || true
}

CRLF=$'\r\n'

# ready_dynamodb PORT: ListTables answers 200. DynamoDB Local wants a SigV4-shaped Authorization
# header but does not check the signature.
ready_dynamodb() {
  local body='{}' req
  req="POST / HTTP/1.1${CRLF}Host: 127.0.0.1:$1${CRLF}"
  req+="X-Amz-Target: DynamoDB_20120810.ListTables${CRLF}"
  req+="Content-Type: application/x-amz-json-1.0${CRLF}"
  req+="Authorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=test${CRLF}"
  req+="Content-Length: ${#body}${CRLF}Connection: close${CRLF}${CRLF}$body"
  [[ $(http_status "$1" "$req") == 200 ]]
}

# ready_ses PORT: GET /store (the emulator's mailbox) answers 200.
ready_ses() {
  [[ $(http_status "$1" "GET /store HTTP/1.1${CRLF}Host: 127.0.0.1:$1${CRLF}Connection: close${CRLF}${CRLF}") == 200 ]]
}

# ---- processes ---------------------------------------------------------------------------

# marker SERVICE: a string that the service's command line contains (and other processes'
# do not), so a recycled pid is never mistaken for ours.
marker() {
  case $1 in
    dynamodb) echo "$DDB_DIR/DynamoDBLocal.jar" ;;
    ses) echo "$SES_BIN" ;;
  esac
}

# alive PID: the process exists and is not a zombie (an orphan's reaper may be slow; a zombie
# still passes `kill -0`).
alive() {
  local line st
  { read -r line < "/proc/$1/stat"; } 2>/dev/null || return 1
  st=${line##*) }; st=${st%% *}
  [[ -n $st && $st != Z && $st != X ]]
}

# our_pid SERVICE: prints the recorded pid if that process is alive and is our service.
our_pid() {
  local pid cmd
  pid=$(cat "$STATE/$1.pid" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  alive "$pid" || return 1
  cmd=$({ tr '\0' ' ' < "/proc/$pid/cmdline"; } 2>/dev/null) || return 1
  [[ $cmd == *"$(marker "$1")"* ]] || return 1
  echo "$pid"
}

launch() { # SERVICE PORT: starts it in the background, prints the pid
  local svc=$1 port=$2 logf=$STATE/$1.log
  case $svc in
    dynamodb)
      local -a java_args=(-Djava.library.path="$DDB_DIR/DynamoDBLocal_lib")
      if [[ -f $LAUNCHER_DIR/LoopbackDynamoDBLocal.class ]]; then
        java_args+=(-cp "$DDB_DIR/DynamoDBLocal.jar:$LAUNCHER_DIR" LoopbackDynamoDBLocal)
      else
        java_args+=(-jar "$DDB_DIR/DynamoDBLocal.jar")
      fi
      (cd "$STATE" && exec nohup java "${java_args[@]}" \
        -inMemory -sharedDb -disableTelemetry -port "$port" </dev/null >"$logf" 2>&1) &
      ;;
    ses)
      (cd "$STATE" && exec nohup "$SES_BIN" --host 127.0.0.1 --port "$port" </dev/null >"$logf" 2>&1) &
      ;;
  esac
  echo $!
}

stop_service() {
  local svc=$1 pid i
  if pid=$(our_pid "$svc"); then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      alive "$pid" || break
      sleep 0.1
    done
    if alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
    echo "$svc: stopped (pid $pid)"
  else
    echo "$svc: not running"
  fi
  rm -f "$STATE/$svc.pid" "$STATE/$svc.port"
}

start_service() {
  local svc=$1 pid port attempt t0 deadline note=""
  if pid=$(our_pid "$svc") && port=$(cat "$STATE/$svc.port" 2>/dev/null) && "ready_$svc" "$port"; then
    echo "$svc: already running on 127.0.0.1:$port (pid $pid)"
    return 0
  fi
  stop_service "$svc" >/dev/null
  if [[ $svc == dynamodb && ! -f $LAUNCHER_DIR/LoopbackDynamoDBLocal.class ]]; then
    note=" [WARNING: no loopback launcher (run scripts/tools.sh with a JDK); listening on ALL interfaces]"
  fi
  for attempt in 1 2 3; do
    port=$(free_port)
    t0=$(now_ms); deadline=$((t0 + START_TIMEOUT * 1000))
    pid=$(launch "$svc" "$port")
    echo "$pid" > "$STATE/$svc.pid"
    while (($(now_ms) < deadline)); do
      alive "$pid" || break
      if "ready_$svc" "$port"; then
        echo "$port" > "$STATE/$svc.port"
        echo "$svc: started on 127.0.0.1:$port (pid $pid) in $(secs $(($(now_ms) - t0))) s$note"
        return 0
      fi
      sleep 0.1
    done
    if alive "$pid"; then
      log "$svc: no answer on port $port within ${START_TIMEOUT}s (attempt $attempt)"
    else
      log "$svc: exited before answering on port $port (attempt $attempt)"
    fi
    tail -n 20 "$STATE/$svc.log" >&2 || true
    stop_service "$svc" >/dev/null
  done
  die "$svc did not start; log: $STATE/$svc.log"
}

check_tools() {
  [[ -f $DDB_DIR/DynamoDBLocal.jar ]] || die "$DDB_DIR/DynamoDBLocal.jar missing: run scripts/tools.sh (make tools)"
  [[ -x $SES_BIN ]] || die "$SES_BIN missing: run scripts/tools.sh (make tools)"
  command -v java >/dev/null || die "java missing: run scripts/tools.sh (make tools)"
  command -v node >/dev/null || die "node missing: run scripts/tools.sh (make tools)"
}

endpoint_var() {
  case $1 in
    dynamodb) echo GCC_TEST_DYNAMODB_ENDPOINT ;;
    ses) echo GCC_TEST_SES_ENDPOINT ;;
  esac
}

cmd=${1:-}
case $cmd in
  start)
    check_tools
    mkdir -p "$STATE"
    # Start both at once: DynamoDB Local (JVM) dominates, the emulator hides behind it.
    start_service dynamodb > "$STATE/dynamodb.start.out" & ddb_job=$!
    start_service ses > "$STATE/ses.start.out" & ses_job=$!
    rc=0
    wait "$ddb_job" || rc=1
    wait "$ses_job" || rc=1
    cat "$STATE/dynamodb.start.out" "$STATE/ses.start.out"
    if ((rc != 0)); then
      for svc in "${SERVICES[@]}"; do stop_service "$svc" >/dev/null; done
      die "start failed; both services stopped"
    fi
    ;;
  stop)
    for svc in "${SERVICES[@]}"; do stop_service "$svc"; done
    ;;
  env)
    for svc in "${SERVICES[@]}"; do
      our_pid "$svc" >/dev/null && port=$(cat "$STATE/$svc.port" 2>/dev/null) \
        || die "$svc is not running: run scripts/services.sh start"
      echo "export $(endpoint_var "$svc")=http://127.0.0.1:$port"
    done
    ;;
  status)
    for svc in "${SERVICES[@]}"; do
      if pid=$(our_pid "$svc") && port=$(cat "$STATE/$svc.port" 2>/dev/null); then
        if "ready_$svc" "$port"; then state=answering; else state="NOT answering"; fi
        echo "$svc: running on 127.0.0.1:$port (pid $pid), $state"
      else
        echo "$svc: not running"
      fi
    done
    ;;
  *)
    log "usage: $0 start|stop|env|status"
    exit 2
    ;;
esac
