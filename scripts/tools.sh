#!/usr/bin/env bash
# tools.sh: installs, idempotently, everything the tests and the CDK need, and prints one line
# per tool saying what it did. Fast (well under a second) when everything is already there.
#
#   node + npm         apt `nodejs npm` only if node is missing (the machines ship Node 20)
#   npm packages       `npm ci` from package-lock.json when node_modules/ is missing or older than
#                      the lock: aws-cdk (CLI), amplify-dynamodb-simulator (ships DynamoDB Local),
#                      aws-ses-v2-local (SES v2 emulator)
#   java               apt `openjdk-17-jre-headless` if java is missing (runs DynamoDB Local)
#   ddblocal-loopback  compiles scripts/ddblocal/*.java into .tools/ddblocal/ when javac exists,
#                      so DynamoDB Local listens on 127.0.0.1 only (it has no flag for that)
#   chromium           apt `chromium` if /usr/bin/chromium is missing (browser test)
#
# apt-get update runs once, and only when something is to be installed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
TOOLS=$ROOT/.tools
mkdir -p "$TOOLS"
APT_LOG=$TOOLS/apt.log
export DEBIAN_FRONTEND=noninteractive

SUDO=()
if ((EUID != 0)) && command -v sudo >/dev/null; then SUDO=(sudo -E); fi

say() { printf '%-18s %s\n' "$1:" "$2"; }

apt_updated=0
apt_install() {
  if ((apt_updated == 0)); then
    if ! "${SUDO[@]}" apt-get update >>"$APT_LOG" 2>&1; then
      tail -n 20 "$APT_LOG" >&2; echo "tools.sh: apt-get update failed (log: $APT_LOG)" >&2; exit 1
    fi
    apt_updated=1
  fi
  if ! "${SUDO[@]}" apt-get install -y --no-install-recommends "$@" >>"$APT_LOG" 2>&1; then
    tail -n 20 "$APT_LOG" >&2; echo "tools.sh: apt-get install $* failed (log: $APT_LOG)" >&2; exit 1
  fi
}

# ---- node + npm ----
if command -v node >/dev/null && command -v npm >/dev/null; then
  say node "present ($(node --version))"
else
  apt_install nodejs npm
  say node "installed with apt ($(node --version))"
fi

# ---- npm packages ----
# The stamp lives inside node_modules/, so deleting node_modules/ also forces a reinstall, and a
# failed `npm ci` leaves no stamp.
STAMP=node_modules/.gcc-onboard-installed
DDB_JAR=node_modules/amplify-dynamodb-simulator/emulator/DynamoDBLocal.jar
if [[ -f $STAMP && ! package-lock.json -nt $STAMP && ! package.json -nt $STAMP && -f $DDB_JAR ]]; then
  say "npm packages" "up to date (node_modules newer than package-lock.json)"
else
  t0=$SECONDS
  npm ci --no-audit --no-fund --loglevel=error >"$TOOLS/npm.log" 2>&1 \
    || { tail -n 30 "$TOOLS/npm.log" >&2; echo "tools.sh: npm ci failed (log: $TOOLS/npm.log)" >&2; exit 1; }
  [[ -f $DDB_JAR ]] || { echo "tools.sh: $DDB_JAR missing after npm ci" >&2; exit 1; }
  touch "$STAMP"
  say "npm packages" "installed with npm ci in $((SECONDS - t0))s (aws-cdk, DynamoDB Local, aws-ses-v2-local)"
fi
# (go.mod says `ignore ./node_modules`: aws-cdk ships Go template files that ./... must skip.)

# ---- java ----
if command -v java >/dev/null; then
  say java "present ($(java -version 2>&1 | head -n 1))"
else
  apt_install openjdk-17-jre-headless
  say java "installed openjdk-17-jre-headless with apt"
fi

# ---- DynamoDB Local loopback launcher ----
SRC=scripts/ddblocal/LoopbackDynamoDBLocal.java
CLASS=$TOOLS/ddblocal/LoopbackDynamoDBLocal.class
if [[ -f $CLASS && ! $SRC -nt $CLASS && ! $DDB_JAR -nt $CLASS ]]; then
  say ddblocal-loopback "up to date ($CLASS)"
elif command -v javac >/dev/null; then
  mkdir -p "$TOOLS/ddblocal"
  javac -nowarn -cp "$DDB_JAR" -d "$TOOLS/ddblocal" "$SRC"
  say ddblocal-loopback "compiled (DynamoDB Local will listen on 127.0.0.1 only)"
else
  rm -f "$CLASS"
  say ddblocal-loopback "SKIPPED: no javac (a JDK); DynamoDB Local will listen on all interfaces"
fi

# ---- chromium ----
if [[ -x /usr/bin/chromium ]]; then
  say chromium "present ($(dpkg-query -W -f='${Version}' chromium 2>/dev/null || echo '/usr/bin/chromium'))"
else
  t0=$SECONDS
  apt_install chromium
  say chromium "installed with apt in $((SECONDS - t0))s ($(dpkg-query -W -f='${Version}' chromium))"
fi
