#!/usr/bin/env bash
# Builds the real servers the tests run, from their Go modules, at the versions pinned in .env,
# and caches each binary by version (and by the builder manifest's hash) under
#   ${XDG_CACHE_HOME:-~/.cache}/llm-chatbot-otel/stack/
# A cached binary is reused at once; a missing one is built (minutes on 2 cores, see README).
#
#   bash stack/build.sh [NAME...]          build what is missing, then print NAME=PATH per binary
#   bash stack/build.sh --check [NAME...]  print NAME=PATH only if every binary is cached (exit 1 if not)
# NAME is collector, jaeger or ollama; none means all three.
#
# Go serves only to build these upstream servers; the project itself stays Java and JBang.
set -euo pipefail
cd "$(dirname "$0")/.."

env_value() { sed -n "s/^$1=//p" .env | tail -1; }

collector_version=$(env_value OTEL_COLLECTOR_IMAGE); collector_version=${collector_version##*:}
jaeger_module=$(env_value JAEGER_GO_MODULE)
ollama_module=$(env_value OLLAMA_GO_MODULE)
manifest_hash=$(sha256sum stack/otelcol-builder.yaml | cut -c1-12)

cache=${XDG_CACHE_HOME:-$HOME/.cache}/llm-chatbot-otel/stack
collector_bin=$cache/otelcol-$collector_version-$manifest_hash/otelcol-chatbot
jaeger_bin=$cache/jaeger-$jaeger_module/jaeger
ollama_bin=$cache/ollama-$ollama_module/ollama

check=false
if [ "${1:-}" = "--check" ]; then check=true; shift; fi
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(collector jaeger ollama)
binary_of() {
  case "$1" in
    collector) echo "$collector_bin" ;;
    jaeger) echo "$jaeger_bin" ;;
    ollama) echo "$ollama_bin" ;;
    *) echo "stack/build.sh: unknown server '$1' (collector, jaeger or ollama)" >&2; exit 2 ;;
  esac
}
for name in "${names[@]}"; do binary_of "$name" >/dev/null; done

print_paths() {
  local name
  for name in "${names[@]}"; do echo "$name=$(binary_of "$name")"; done
}

if $check; then
  for name in "${names[@]}"; do [ -x "$(binary_of "$name")" ] || exit 1; done
  print_paths
  exit 0
fi

command -v go >/dev/null || { echo "stack/build.sh: Go is needed to build the stack's servers (go.dev/dl)" >&2; exit 1; }

# Logs go to stderr, so that stdout holds only the NAME=PATH lines.
log() { echo "stack/build.sh: $*" >&2; }

build_collector() {
  local dir work start
  dir=$(dirname "$collector_bin")
  work=$(mktemp -d)
  start=$(date +%s)
  log "building the Collector $collector_version with the official builder (cold: about 4 min)"
  sed -e "s/VERSION/$collector_version/g" -e "s#OUTPUT_PATH#$work/out#" stack/otelcol-builder.yaml > "$work/manifest.yaml"
  GOBIN=$work/bin go install "go.opentelemetry.io/collector/cmd/builder@v$collector_version" >"$work/install.log" 2>&1 \
    || { cat "$work/install.log" >&2; exit 1; }
  "$work/bin/builder" --config "$work/manifest.yaml" >"$work/builder.log" 2>&1 || { cat "$work/builder.log" >&2; exit 1; }
  mkdir -p "$dir"
  mv "$work/out/otelcol-chatbot" "$collector_bin"
  rm -rf "$work"
  log "Collector built in $(( $(date +%s) - start )) s"
}

build_jaeger() {
  local dir work start
  dir=$(dirname "$jaeger_bin")
  work=$(mktemp -d)
  start=$(date +%s)
  # Jaeger's go.mod has replace directives, so `go install pkg@version` refuses it: build it as a
  # tool of a throwaway module instead.
  log "building Jaeger (module $jaeger_module, the v2 binary cmd/jaeger; cold: about 6 min)"
  ( cd "$work" && go mod init stackbuild >/dev/null 2>&1 \
      && go get -tool "github.com/jaegertracing/jaeger/cmd/jaeger@$jaeger_module" >"$work/get.log" 2>&1 \
      && go build -o "$work/jaeger" github.com/jaegertracing/jaeger/cmd/jaeger >&2 ) || { cat "$work/get.log" >&2; exit 1; }
  mkdir -p "$dir"
  mv "$work/jaeger" "$jaeger_bin"
  rm -rf "$work"
  log "Jaeger built in $(( $(date +%s) - start )) s"
}

build_ollama() {
  local dir work start
  dir=$(dirname "$ollama_bin")
  work=$(mktemp -d)
  start=$(date +%s)
  # Ollama's Go module zip leaves out llama.cpp's vendor/ folder (Go drops every vendor/ directory
  # from module zips), so its three header-only libraries come from packages instead: nlohmann-json
  # and stb from Debian (nlohmann-json3-dev, libstb-dev; .ci/run installs them), miniaudio from its
  # PyPI source package, which ships miniaudio/miniaudio.h.
  local header
  for header in /usr/include/nlohmann/json_fwd.hpp /usr/include/stb/stb_image.h; do
    [ -f "$header" ] || { log "Ollama needs $header: apt-get install nlohmann-json3-dev libstb-dev"; exit 1; }
  done
  command -v cc >/dev/null && command -v c++ >/dev/null || { log "Ollama is built with cgo: it needs gcc and g++"; exit 1; }
  log "building Ollama (module $ollama_module, CPU only, with cgo; cold: about 10 min)"
  python3 -m pip download --quiet --no-deps --no-binary :all: --dest "$work" "miniaudio==1.71" >"$work/pip.log" 2>&1 \
    || { cat "$work/pip.log" >&2; exit 1; }
  tar -xzf "$work"/miniaudio-1.71.tar.gz -C "$work"
  # The version goes in as Ollama's own release build sets it, so /api/version answers it.
  CGO_ENABLED=1 CGO_CPPFLAGS="-I$work/miniaudio-1.71" GOBIN=$work/bin go install -trimpath \
    -ldflags "-X github.com/ollama/ollama/version.Version=${ollama_module#v}" "github.com/ollama/ollama@$ollama_module" >"$work/install.log" 2>&1 || { tail -40 "$work/install.log" >&2; exit 1; }
  mkdir -p "$dir"
  mv "$work/bin/ollama" "$ollama_bin"
  rm -rf "$work"
  log "Ollama built in $(( $(date +%s) - start )) s"
}

for name in "${names[@]}"; do
  case "$name" in
    collector) if [ -x "$collector_bin" ]; then log "Collector $collector_version: cached"; else build_collector; fi ;;
    jaeger) if [ -x "$jaeger_bin" ]; then log "Jaeger $jaeger_module: cached"; else build_jaeger; fi ;;
    ollama) if [ -x "$ollama_bin" ]; then log "Ollama $ollama_module: cached"; else build_ollama; fi ;;
  esac
done
print_paths
