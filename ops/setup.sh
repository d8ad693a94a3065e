#!/usr/bin/env bash
# Installs what is missing (Debian packages) and builds xyd into build/ (or $XYD_BUILD_DIR).
# Safe to run again: it installs nothing already there and rebuilds only what changed.
#   ops/setup.sh [--no-build]
set -euo pipefail
[[ "${1:-}" == --help || "${1:-}" == -h ]] && { sed -n '2,4p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0; }
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${XYD_BUILD_DIR:-$root/build}"

# Every dependency of the build, the tests and the local Kafka broker.
packages=(
  g++ cmake ninja-build pkg-config git curl
  librdkafka-dev librocksdb-dev nlohmann-json3-dev libcpprest-dev libboost-test-dev
  libsodium-dev libssl-dev kcat
  zlib1g-dev   # gzip of HTTP answers (api/http_response.cc)
  default-jre-headless maven
  libxlsxwriter-dev wrk
  libgoogle-perftools-dev   # tcmalloc, the programs' allocator (cmake/XydDependencies.cmake)
  jq xxd openssl   # the connector walk-throughs (connectors/README.md)
  clang libclang-rt-14-dev   # the libFuzzer targets, ASan + UBSan (tests/fuzz/, ops/fuzz.sh)
  python3 python3-venv   # the tests' Python tools, in <build>/venv (ops/requirements-test.txt)
  prometheus-cpp-dev   # GET /metrics: the registry and text serializer (ops/telemetry/)
  prometheus   # promtool, which checks a scrape of /metrics in the tests
  clang-format   # the C++ format check (ops/format.sh, run by ops/test.sh)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# npm, for the /docs renderer: any npm will do (Debian's, or the one a Node.js package brings, which
# conflicts with Debian's).
command -v npm >/dev/null || missing+=(npm)
if (( ${#missing[@]} )); then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""; [[ $(id -u) == 0 ]] || sudo="sudo"
  $sudo apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi

# Pinned tools from npm, into the build folder only: Swagger UI, which GET /docs serves
# (build/docs-ui).
swagger_ui_version=5.36.0
mkdir -p "$build/docs-ui"
if ! grep -qs "\"version\": \"$swagger_ui_version\"" "$build/docs-ui/node_modules/swagger-ui-dist/package.json"; then
  echo "setup: installing swagger-ui-dist $swagger_ui_version into $build/docs-ui" >&2
  npm install --prefix "$build/docs-ui" --no-audit --no-fund --ignore-scripts --loglevel=error \
    "swagger-ui-dist@$swagger_ui_version" >&2
fi
# The tests' Python tools, pinned, in a venv of the build folder (nothing installed globally);
# made again when ops/requirements-test.txt changes. Debian's python3, whatever else is on PATH.
venv="$build/venv"
if ! cmp -s "$root/ops/requirements-test.txt" "$venv/requirements-test.txt" 2>/dev/null; then
  echo "setup: installing the tests' Python tools into $venv" >&2
  rm -rf "$venv"
  mkdir -p "$build"
  /usr/bin/python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$root/ops/requirements-test.txt" >&2
  cp "$root/ops/requirements-test.txt" "$venv/requirements-test.txt"
fi

[[ "${1:-}" == "--no-build" ]] && exit 0

echo "setup: building into $build" >&2
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXYD_WERROR=ON >/dev/null
cmake --build "$build" -j "$(nproc)"
