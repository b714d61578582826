#!/usr/bin/env bash
# Builds the real servers the stack test runs, from their Go modules, at the versions pinned in
# .env, and caches each binary by version (and by the builder manifest's hash) under
#   ${XDG_CACHE_HOME:-~/.cache}/llm-chatbot-otel/stack/
# A cached binary is reused at once; a missing one is built (minutes on 2 cores, see README).
#
#   bash stack/build.sh            build what is missing, then print NAME=PATH per binary
#   bash stack/build.sh --check    print NAME=PATH only if every binary is cached (exit 1 if not)
#
# Go serves only to build these upstream servers; the project itself stays Java and JBang.
set -euo pipefail
cd "$(dirname "$0")/.."

env_value() { sed -n "s/^$1=//p" .env | tail -1; }

collector_version=$(env_value OTEL_COLLECTOR_IMAGE); collector_version=${collector_version##*:}
jaeger_module=$(env_value JAEGER_GO_MODULE)
manifest_hash=$(sha256sum stack/otelcol-builder.yaml | cut -c1-12)

cache=${XDG_CACHE_HOME:-$HOME/.cache}/llm-chatbot-otel/stack
collector_bin=$cache/otelcol-$collector_version-$manifest_hash/otelcol-chatbot
jaeger_bin=$cache/jaeger-$jaeger_module/jaeger

print_paths() {
  echo "collector=$collector_bin"
  echo "jaeger=$jaeger_bin"
}

if [ "${1:-}" = "--check" ]; then
  [ -x "$collector_bin" ] && [ -x "$jaeger_bin" ] || exit 1
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

if [ -x "$collector_bin" ]; then log "Collector $collector_version: cached"; else build_collector; fi
if [ -x "$jaeger_bin" ]; then log "Jaeger $jaeger_module: cached"; else build_jaeger; fi
print_paths
