#!/usr/bin/env bash
# Installs every Debian 12 package that building, testing, benchmarking and the demo need.
# Idempotent: packages already installed are skipped, and apt-get runs only when one is missing.
set -euo pipefail

packages=(
  # toolchain
  build-essential g++ cmake ninja-build pkg-config git ca-certificates curl
  clang-14 libclang-rt-14-dev clang-format clang-tidy
  # libraries (see README "Dependencies" for why each is here)
  libboost-dev libsqlite3-dev sqlite3 libssl-dev libsodium-dev
  nlohmann-json3-dev libfmt-dev libspdlog-dev libcli11-dev libtomlplusplus-dev
  libosmium2-dev libprotozero-dev zlib1g-dev libbz2-dev libexpat1-dev
  libpq-dev libproj-dev proj-data libjemalloc-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev googletest libbenchmark-dev wrk openssl
  postgresql-15 postgresql-15-postgis-3 postgresql-15-pgrouting
  # console (web/) browser tests; a CJK font so Chinese labels render in headless Chromium
  chromium fonts-wqy-microhei ffmpeg
)
# Node.js and npm build the console. A machine may carry a packaged Node.js that bundles npm
# (and conflicts with Debian's npm package), so install Debian's only when either is absent.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
