#!/usr/bin/env bash
# Installs the Debian packages the test suites drive as third-party clients:
# kcat (librdkafka's CLI), python3-confluent-kafka (librdkafka) and
# python3-kafka (kafka-python), the codec modules kafka-python needs to
# read snappy, lz4 and zstd batches (python3-snappy, python3-lz4,
# python3-zstandard), and what npm needs to build the librdkafka bundled in
# @confluentinc/kafka-javascript (g++, make, pkg-config, OpenSSL and zlib
# headers; see scripts/test.mjs), and script(1) (bsdutils: the CLI tests
# run commands at a pseudo-terminal). Idempotent: does nothing when all are there.
set -euo pipefail

PY=/usr/bin/python3
missing=()
command -v kcat >/dev/null 2>&1 || missing+=(kcat)
if [ ! -x "$PY" ] || ! "$PY" -c 'import confluent_kafka' >/dev/null 2>&1; then missing+=(python3-confluent-kafka); fi
if [ ! -x "$PY" ] || ! "$PY" -c 'import kafka' >/dev/null 2>&1; then missing+=(python3-kafka); fi
if [ ! -x "$PY" ] || ! "$PY" -c 'import snappy' >/dev/null 2>&1; then missing+=(python3-snappy); fi
if [ ! -x "$PY" ] || ! "$PY" -c 'import lz4.frame' >/dev/null 2>&1; then missing+=(python3-lz4); fi
if [ ! -x "$PY" ] || ! "$PY" -c 'import zstandard' >/dev/null 2>&1; then missing+=(python3-zstandard); fi
command -v script >/dev/null 2>&1 || missing+=(bsdutils)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
for pkg in libssl-dev zlib1g-dev; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-system-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-system-deps: need root (or sudo) to apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
