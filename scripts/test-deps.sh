#!/usr/bin/env bash
# What the tests run besides Node.js: yamllint (the YAML style test, as GitOps repositories run it),
# Lua 5.1 (the Argo CD health check for autoscalers, as Argo CD's gopher-lua runs it) and Prometheus
# (the gate's checks against a real server), zsh and fish (the shell completions, read by the shells
# themselves), rsvg-convert (the review's charts, drawn as a browser would) and redis-server (Argo CD's
# cache in the cluster tests, npm run test:cluster). Installed from Debian's packages when missing and
# this runs as root; otherwise it names the one command to run, and fails.
set -euo pipefail
missing=()
command -v yamllint >/dev/null || missing+=(yamllint)
command -v lua5.1 >/dev/null || missing+=(lua5.1)
command -v prometheus >/dev/null || missing+=(prometheus)
command -v zsh >/dev/null || missing+=(zsh)
command -v fish >/dev/null || missing+=(fish)
command -v rsvg-convert >/dev/null || missing+=(librsvg2-bin)
command -v redis-server >/dev/null || missing+=(redis-server)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "The tests need ${missing[*]}: run  sudo apt-get install -y ${missing[*]}  (Debian and Ubuntu), then npm test again." >&2
  exit 1
fi
echo "Installing ${missing[*]} for the tests (apt-get)..." >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
