#!/usr/bin/env bash
# A local control plane for the stage files: kube-apiserver, kube-controller-manager, kube-scheduler
# (Kubernetes v1.36.3, and its kubectl), etcd 3.6 and kwok's fake nodes, all built from the Go modules in cluster/ and
# run as plain processes on 127.0.0.1 by kwokctl (binary runtime); Argo CD v3.6.2 (cluster/argocd: its
# application controller, repo-server and ApplicationSet controller, with Redis from Debian's
# redis-server and a git daemon serving the tests' repositories, all on 127.0.0.1); and argo-sync
# (cluster/argo-sync), which syncs a stage file once with Argo CD's sync engine.
#
#   scripts/cluster.sh build   build the binaries into the cache (once per recipe)
#   scripts/cluster.sh start   build if needed, start the cluster with fake nodes, install the Gateway
#                              API, Istio and Argo CD CRDs, start Argo CD; the last line of stdout is
#                              the kubeconfig's path
#   scripts/cluster.sh stop    stop every process of this checkout's cluster and remove its state
#   scripts/cluster.sh status  print the kubeconfig's path if this checkout's cluster is running
#   scripts/cluster.sh member NAME
#                              start a member cluster beside the running one (one fake node), for
#                              releases across clusters; the last line of stdout is its kubeconfig's path
#
# The binaries go to ${XDG_CACHE_HOME:-$HOME/.cache}/cdk8s-canary-cluster/<recipe hash>/bin, where the
# recipe is cluster/go.mod and go.sum, cluster/argocd's and cluster/argo-sync's go.mod, go.sum and Go
# files, the Go versions and the build settings below: a changed recipe builds anew (and the binaries
# of older recipes that no running cluster uses are removed), an unchanged one reuses the binaries.
# Builds into one cache take turns (a lock): a second build waits and then reuses the first's
# binaries, which appear whole or not at all. Each binary's build prints a line as it ends. The Go
# build cache (go env GOCACHE) is shared by every recipe, so a changed recipe compiles only what
# changed. Nothing is written into the repository.
#
# A cluster belongs to its checkout: its state (certificates, configuration, logs, process ids) is kept
# under the cache's checkouts/<hash of the checkout's path>/, so `stop` in one checkout never stops
# another's, and two checkouts can each run one.
#
# Settings (environment):
#   CDK8S_CANARY_CLUSTER_CACHE  cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/cdk8s-canary-cluster)
#   CDK8S_CANARY_CLUSTER_NAME   cluster name (default cdk8s-canary-<hash of the checkout's path>)
#   CDK8S_CANARY_CLUSTER_NODES  number of fake nodes (default 3)
#   CDK8S_CANARY_READY_DELAY    how long a new pod on a fake node takes to become Ready (default 2s)
#   CDK8S_CANARY_CLUSTER_PORT   kube-apiserver port on 127.0.0.1 (default: a free one)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
recipe="$root/cluster"
kube_version=v1.36.3
etcd_version=3.6.16
kwok_version=v0.8.0
cache_root="${CDK8S_CANARY_CLUSTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cdk8s-canary-cluster}"
checkout="$(printf '%s' "$root" | sha256sum | cut -c1-8)"
name="${CDK8S_CANARY_CLUSTER_NAME:-cdk8s-canary-$checkout}"
nodes="${CDK8S_CANARY_CLUSTER_NODES:-3}"
ready_delay="${CDK8S_CANARY_READY_DELAY:-2s}"

kube_ldflags="-s -w \
 -X k8s.io/component-base/version.gitVersion=$kube_version \
 -X k8s.io/component-base/version.gitMajor=1 \
 -X k8s.io/component-base/version.gitMinor=36 \
 -X k8s.io/component-base/version.gitTreeState=clean \
 -X k8s.io/component-base/version.buildDate=1970-01-01T00:00:00Z"
etcd_ldflags="-s -w"
kwok_ldflags="-s -w \
 -X sigs.k8s.io/kwok/pkg/consts.Version=${kwok_version#v} \
 -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=${kube_version#v}"

# Argo CD v3.6.2 needs Go 1.27: the go command fetches this toolchain from the module proxy.
argocd_toolchain=go1.27.3
argocd_package=github.com/argoproj/argo-cd/v3/cmd
argocd_ldflags="-s -w -X github.com/argoproj/argo-cd/v3/common.version=3.6.2"

kube_packages="k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl"
etcd_package=go.etcd.io/etcd/server/v3
kwok_packages="sigs.k8s.io/kwok/cmd/kwok sigs.k8s.io/kwok/cmd/kwokctl"

recipe_hash() {
  { cat "$recipe/go.mod" "$recipe/go.sum" "$recipe/argo-sync/go.mod" "$recipe/argo-sync/go.sum" "$recipe/argo-sync/"*.go \
      "$recipe/argocd/go.mod" "$recipe/argocd/go.sum" "$recipe/argocd/"*.go; go version
    echo "$kube_packages|$kube_ldflags|$etcd_package|$etcd_ldflags|$kwok_packages|$kwok_ldflags|$argocd_toolchain|$argocd_package|$argocd_ldflags"; } | sha256sum | cut -c1-16
}
bin_dir() { echo "$cache_root/$(recipe_hash)/bin"; }
log() { echo "cluster: $*" >&2; }

# Builds one binary of the Go module in $2 into the folder $1, with a line when it is done: go build
# takes minutes a binary on a cold cache and says nothing meanwhile. It runs at the caller's priority:
# at nice 10 beside busy processes (load 19) a cold build had not finished its first binary in 31 min;
# `nice npm run cluster -- build` still lowers it where the machine is someone's desk.
build_one() {
  local out=$1 module=$2 name=$3 ldflags=$4 package=$5 count=$6 began=$SECONDS
  go build -C "$module" -trimpath -ldflags "$ldflags" -o "$out/$name" "$package"
  log "built $name in $((SECONDS - began))s ($count of 9)"
}

build() {
  local out; out="$(bin_dir)"
  if [ -f "$out/.complete" ]; then return 0; fi
  mkdir -p "$cache_root"
  # One build at a time into this cache; the next finds the binaries complete and reuses them.
  exec 9>"$cache_root/build.lock"
  if ! flock -n 9; then
    log "another build into $cache_root is running: waiting for it"
    flock 9
  fi
  if [ -f "$out/.complete" ]; then exec 9>&-; return 0; fi
  local start=$SECONDS
  log "building Kubernetes $kube_version, etcd $etcd_version, kwok $kwok_version, Argo CD and argo-sync into $out (a cold build takes 25-60 minutes)"
  # Into a folder of this build's own, renamed into place when whole: a build that stops leaves no
  # half set of binaries where a cluster looks for them.
  local tmp; tmp="$(dirname "$out")/bin.building.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  (cd "$recipe" && go mod download) && (cd "$recipe/argo-sync" && go mod download) && (cd "$recipe/argocd" && GOTOOLCHAIN=$argocd_toolchain go mod download)
  local package count=0
  for package in $kube_packages; do count=$((count + 1)); build_one "$tmp" "$recipe" "$(basename "$package")" "$kube_ldflags" "$package" $count; done
  build_one "$tmp" "$recipe" etcd "$etcd_ldflags" "$etcd_package" 5
  count=5
  for package in $kwok_packages; do count=$((count + 1)); build_one "$tmp" "$recipe" "$(basename "$package")" "$kwok_ldflags" "$package" $count; done
  # Argo CD's sync engine, for the tests that sync a stage file the Argo CD way (its own module).
  build_one "$tmp" "$recipe/argo-sync" argo-sync "-s -w" . 8
  # Argo CD's multi-call binary: the component it runs is the one ARGOCD_BINARY_NAME names.
  GOTOOLCHAIN=$argocd_toolchain build_one "$tmp" "$recipe/argocd" argocd "$argocd_ldflags" "$argocd_package" 9
  touch "$tmp/.complete"
  rm -rf "$out"
  mv "$tmp" "$out"
  log "built in $((SECONDS - start))s"
  # The binaries of earlier recipes go, unless a cluster of some checkout runs from them.
  local dir
  for dir in "$cache_root"/*/; do
    dir="${dir%/}"
    [[ "$(basename "$dir")" =~ ^[0-9a-f]{16}$ ]] && [ "$dir" != "$(dirname "$out")" ] || continue
    if grep -qsxF "$dir/bin" "$cache_root"/checkouts/*/bin-dir; then continue; fi
    rm -rf "$dir"
  done
  exec 9>&-
}

# kwokctl keeps the cluster's certificates, configuration, logs and process ids here; stop removes it.
state_dir="$cache_root/checkouts/$checkout"
workdir="$state_dir/clusters/$name"
argocd_dir="$state_dir/argocd"
kubeconfig="$workdir/kubeconfig.yaml"

# The folder in the module cache of module $1, as the Go module in $2 (default: cluster/) requires it.
module_dir() { (cd "${2:-$recipe}" && go mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p'); }

# kwok's own fast Stages (nodes ready at once, pods complete and go at once), with the pod-ready Stage
# delayed: a new pod becomes Ready $ready_delay after it is created, so rollouts take real time; a
# pod with the annotation pod-ready.stage.kwok.x-k8s.io/delay (a Go duration: 0s, 500ms, 10s; what
# kwok's general Stages read) takes that long instead. kwok runs no code, so it does not complete a
# pod of the endpoint check's, a wave guard's or a StatefulSet revert's Job as if its code had run:
# the tests run the Job's code against this API server and write its outcome (test-cluster/check-runner.ts).
stages() {
  local kwok ms delay ran_elsewhere line; kwok="$(module_dir sigs.k8s.io/kwok)"
  ms="$(node -e 'const m=/^(\d+(?:\.\d+)?)(ms|s)?$/.exec(process.argv[1]); if(!m) process.exit(1); console.log(Math.round(m[1]*(m[2]==="ms"?1:1000)))' "$ready_delay")" \
    || { log "CDK8S_CANARY_READY_DELAY must be like 2s, 1.5s or 500ms"; exit 2; }
  delay="  delay:
    durationMilliseconds: $ms
    durationFrom:
      expressionFrom: '.metadata.annotations[\"pod-ready.stage.kwok.x-k8s.io/delay\"]'"
  ran_elsewhere="    - key: '.metadata.labels[\"app.kubernetes.io/component\"]'
      operator: 'NotIn'
      values:
      - 'endpoint-check'
      - 'wave-guard'
      - 'revert'"
  for file in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
    pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    echo ---
    while IFS= read -r line || [ -n "$line" ]; do
      echo "$line"
      if [ "$file" = pod/fast/pod-ready.yaml ] && [ "$line" = "spec:" ]; then echo "$delay"; fi
      if [ "$file" = pod/fast/pod-complete.yaml ] && [ "$line" = "    matchExpressions:" ]; then echo "$ran_elsewhere"; fi
    done < "$kwok/kustomize/stage/$file"
  done
}

# The EndpointSlice controller lists a pod's change after a batching period (by default none, and then
# 0.3-0.6 s after the rollout is done on this machine). A second here makes that window, in which a
# rollout is done and its new pods are not yet ready endpoints, one that a step moving traffic without
# waiting for the endpoints falls into every time (test-cluster/endpoints.test.ts shows it).
controller_manager() {
  cat <<'YAML'
---
apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokctlConfiguration
componentsPatches:
  - name: kube-controller-manager
    extraArgs:
      - key: endpointslice-updates-batch-period
        value: 1s
YAML
}

# A kwokctl cluster $2 of $3 fake nodes from the binaries in $1, with the Stages above (a kube-apiserver
# port may follow). Fake nodes have room for what real charts request: kwok's node template gives
# cpu, memory and pods, and ephemeral-storage is added (a pod that requests it would otherwise never
# schedule).
create_cluster() {
  local bin=$1 cluster=$2 count=$3; shift 3
  KWOK_WORKDIR="$state_dir" KWOK_KUBECTL_BINARY="$bin/kubectl" "$bin/kwokctl" --name "$cluster" create cluster --runtime binary \
    --config "$state_dir/stages.yaml" --kubeconfig "" \
    --kube-apiserver-binary "$bin/kube-apiserver" \
    --kube-controller-manager-binary "$bin/kube-controller-manager" \
    --kube-scheduler-binary "$bin/kube-scheduler" \
    --etcd-binary "$bin/etcd" --kwok-controller-binary "$bin/kwok" \
    --kube-authorization --kube-admission "$@" --wait 2m >&2
  KWOK_WORKDIR="$state_dir" KWOK_KUBECTL_BINARY="$bin/kubectl" "$bin/kwokctl" --name "$cluster" scale node --replicas "$count" \
    --param '.allocatable["ephemeral-storage"]="500Gi"' >&2
}

# A member cluster $1 beside the running one, for releases across clusters (Argo CD reaches it through a
# cluster Secret the tests make): its own etcd, control plane and one fake node, the same Stages; it
# stops with the cluster. The last line of stdout is its kubeconfig's path.
member() {
  local member="$name-$1" bin; bin="$(bin_dir)"
  running || { log "the cluster is not running: start it first"; exit 1; }
  local config="$state_dir/clusters/$member/kubeconfig.yaml"
  # One at a time: kwokctl picks each component's port by trying it, and two made at once can pick the same.
  exec 8>"$state_dir/member.lock"
  flock 8
  if ! { [ -f "$config" ] && "$bin/kubectl" --kubeconfig "$config" --request-timeout=5s get --raw /readyz >/dev/null 2>&1; }; then
    if [ -d "$state_dir/clusters/$member" ]; then
      log "member cluster $member is not serving: made anew"
      KWOK_WORKDIR="$state_dir" "$bin/kwokctl" --name "$member" delete cluster --kubeconfig "$state_dir/kubeconfig.unused" >&2 8>&- || true
    fi
    log "starting member cluster $member"
    # Its processes run on after this script: they must not hold the lock.
    create_cluster "$bin" "$member" 1 8>&-
    "$bin/kubectl" --kubeconfig "$config" wait --for condition=Ready --timeout=60s node --all >&2
  fi
  exec 8>&-
  echo "$config"
}

running() { [ -f "$kubeconfig" ] && "$(bin_dir)/kubectl" --kubeconfig "$kubeconfig" --request-timeout=5s get --raw /readyz >/dev/null 2>&1; }

start() {
  if running; then log "already running"; echo "$kubeconfig"; return 0; fi
  [ -d "$workdir" ] && stop
  build
  local bin start=$SECONDS; bin="$(bin_dir)"
  mkdir -p "$state_dir"
  # Which binaries this cluster runs from: a build of another recipe leaves them in place.
  echo "$bin" > "$state_dir/bin-dir"
  { stages; controller_manager; } > "$state_dir/stages.yaml"
  local port=()
  [ -n "${CDK8S_CANARY_CLUSTER_PORT:-}" ] && port=(--kube-apiserver-port "$CDK8S_CANARY_CLUSTER_PORT")
  log "starting $name on 127.0.0.1 with $nodes fake nodes (pods ready after $ready_delay)"
  create_cluster "$bin" "$name" "$nodes" "${port[@]}"
  local gateway istio argocd
  gateway="$(module_dir sigs.k8s.io/gateway-api)"
  istio="$(module_dir istio.io/api)"
  argocd="$(GOTOOLCHAIN=$argocd_toolchain module_dir github.com/argoproj/argo-cd/v3 "$recipe/argocd")"
  log "installing the Gateway API CRDs ($gateway), Istio's ($istio) and Argo CD's ($argocd)"
  "$bin/kubectl" --kubeconfig "$kubeconfig" apply --server-side -f "$gateway/config/crd/standard/" >&2
  "$bin/kubectl" --kubeconfig "$kubeconfig" apply --server-side -f "$istio/kubernetes/customresourcedefinitions.gen.yaml" >/dev/null
  "$bin/kubectl" --kubeconfig "$kubeconfig" apply --server-side -f "$argocd/manifests/crds/application-crd.yaml" \
    -f "$argocd/manifests/crds/applicationset-crd.yaml" -f "$argocd/manifests/crds/appproject-crd.yaml" >&2
  # A CRD just made has no conditions for a moment, which kubectl wait takes as an error: asked again.
  local tries=0
  until "$bin/kubectl" --kubeconfig "$kubeconfig" wait --for condition=established --timeout=60s crd --all >/dev/null 2>&1; do
    tries=$((tries + 1)); [ $tries -lt 30 ] || { "$bin/kubectl" --kubeconfig "$kubeconfig" wait --for condition=established --timeout=1s crd --all >&2; exit 1; }
    sleep 1
  done
  "$bin/kubectl" --kubeconfig "$kubeconfig" wait --for condition=Ready --timeout=60s node --all >&2
  start_argocd "$bin" "$argocd"
  log "started in $((SECONDS - start))s; kubectl --kubeconfig $kubeconfig ..."
  echo "$kubeconfig"
}

# A free TCP port on 127.0.0.1 (the kernel's pick).
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# Starts one Argo CD process (or Redis, or git daemon) in the background, detached from this script,
# its output to argocd/<name>.log and its process id to argocd/<name>.pid.
spawn() {
  local name=$1; shift
  setsid "$@" >"$argocd_dir/$name.log" 2>&1 < /dev/null &
  echo $! > "$argocd_dir/$name.pid"
}

# Waits up to a minute for a TCP port on 127.0.0.1 to accept connections; names the log otherwise.
wait_port() {
  local name=$1 port=$2
  for _ in $(seq 120); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    kill -0 "$(cat "$argocd_dir/$name.pid")" 2>/dev/null || { log "$name stopped: $(tail -5 "$argocd_dir/$name.log")"; exit 1; }
    sleep 0.5
  done
  log "$name is not listening on 127.0.0.1:$port after a minute: $(tail -5 "$argocd_dir/$name.log")"; exit 1
}

# Argo CD as an install runs it, each component a process on 127.0.0.1 (its CRDs are installed with
# the others): the argocd namespace with argocd-cm (the README's autoscaler health check in it),
# argocd-secret and the default AppProject; Redis; a git daemon serving the bare repositories under argocd/git (a test
# makes one per app and pushes its commits there); the repo-server, the application controller and
# the ApplicationSet controller (Progressive Syncs on). The in-cluster destination
# (https://kubernetes.default.svc) is this cluster, through the kubeconfig (ARGOCD_FAKE_IN_CLUSTER,
# as Argo CD's own local runs do). Where the tests find the git daemon: the ConfigMap
# argocd/cdk8s-canary-git (base: the folder, url: its git:// address).
start_argocd() {
  local bin=$1 module=$2
  command -v redis-server >/dev/null || { log "Argo CD needs redis-server: apt-get install -y redis-server (npm test installs it as root)"; exit 1; }
  mkdir -p "$argocd_dir/git" "$argocd_dir/tls" "$argocd_dir/ssh" "$argocd_dir/gpg" "$argocd_dir/tmp" "$argocd_dir/path"
  # The repo-server runs git-verify-wrapper.sh for every revision; Argo CD's image has it on PATH.
  install -m 755 "$module/hack/git-verify-wrapper.sh" "$argocd_dir/path/"
  local k=("$bin/kubectl" --kubeconfig "$kubeconfig")
  local redis git repo metrics; redis="$(free_port)"; git="$(free_port)"; repo="$(free_port)"
  "${k[@]}" apply -f - >&2 <<YAML
apiVersion: v1
kind: Namespace
metadata: { name: argocd }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: argocd-cm, namespace: argocd, labels: { app.kubernetes.io/part-of: argocd } }
data:
  resource.customizations.health.autoscaling_HorizontalPodAutoscaler: |
$(sed 's/^/    /' "$root/argocd/autoscaler-health.lua")
---
apiVersion: v1
kind: Secret
metadata: { name: argocd-secret, namespace: argocd, labels: { app.kubernetes.io/part-of: argocd } }
---
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: { name: default, namespace: argocd }
spec:
  sourceRepos: ['*']
  destinations: [{ server: '*', namespace: '*' }]
  clusterResourceWhitelist: [{ group: '*', kind: '*' }]
---
apiVersion: v1
kind: ConfigMap
metadata: { name: cdk8s-canary-git, namespace: argocd }
data: { base: "$argocd_dir/git", url: "git://127.0.0.1:$git/" }
YAML
  log "starting Argo CD: Redis on :$redis, git daemon on :$git, repo-server on :$repo"
  spawn redis redis-server --bind 127.0.0.1 --port "$redis" --save '' --appendonly no
  spawn git-daemon git daemon --reuseaddr --listen=127.0.0.1 --port="$git" --export-all --base-path="$argocd_dir/git" "$argocd_dir/git"
  local env=(env PATH="$argocd_dir/path:$PATH" KUBECONFIG="$kubeconfig" ARGOCD_FAKE_IN_CLUSTER=true ARGOCD_GPG_ENABLED=false TMPDIR="$argocd_dir/tmp"
    ARGOCD_TLS_DATA_PATH="$argocd_dir/tls" ARGOCD_SSH_DATA_PATH="$argocd_dir/ssh" ARGOCD_GNUPGHOME="$argocd_dir/gpg")
  spawn repo-server "${env[@]}" ARGOCD_BINARY_NAME=argocd-repo-server "$bin/argocd" \
    --address 127.0.0.1 --port "$repo" --metrics-address 127.0.0.1 --metrics-port "$(free_port)" --redis "127.0.0.1:$redis"
  wait_port redis "$redis"; wait_port git-daemon "$git"; wait_port repo-server "$repo"
  metrics="$(free_port)"
  spawn application-controller "${env[@]}" ARGOCD_BINARY_NAME=argocd-application-controller "$bin/argocd" \
    --kubeconfig "$kubeconfig" --namespace argocd --redis "127.0.0.1:$redis" --repo-server "127.0.0.1:$repo" \
    --metrics-port "$metrics"
  spawn applicationset-controller "${env[@]}" ARGOCD_BINARY_NAME=argocd-applicationset-controller \
    ARGOCD_APPLICATIONSET_CONTROLLER_ENABLE_PROGRESSIVE_SYNCS=true "$bin/argocd" \
    --kubeconfig "$kubeconfig" --namespace argocd --argocd-repo-server "127.0.0.1:$repo" \
    --metrics-addr "127.0.0.1:$(free_port)" --probe-addr "127.0.0.1:$(free_port)" --webhook-addr "127.0.0.1:$(free_port)"
  wait_port application-controller "$metrics"
}

# Argo CD's processes, by the ids start_argocd recorded, each only while it still runs the program it
# was started as (an id can be another process's by now).
argocd_pids() {
  local file pid
  for file in "$argocd_dir"/*.pid; do
    [ -f "$file" ] || continue
    pid="$(cat "$file")"
    if tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qE "redis-server|git|$cache_root/"; then echo "$pid"; fi
  done
  true
}

# The process ids kwokctl recorded for the components of the cluster and its members (a file each).
pids() { local file; for file in "$state_dir"/clusters/*/pids/*.pid; do [ -f "$file" ] && echo "$(cat "$file")"; done; true; }

stop() {
  if [ -d "$workdir" ]; then
    local bin left pid; bin="$(bin_dir)"
    left="$(pids) $(argocd_pids)"
    for pid in $(argocd_pids); do kill "$pid" 2>/dev/null || true; done
    if [ -x "$bin/kwokctl" ]; then
      # kwokctl removes the cluster's context from the kubeconfig it is given: a file of its own here.
      local cluster
      for cluster in "$state_dir"/clusters/*/; do
        KWOK_WORKDIR="$state_dir" "$bin/kwokctl" --name "$(basename "$cluster")" delete cluster --kubeconfig "$state_dir/kubeconfig.unused" >&2 || true
      done
    else
      # Started from binaries of another recipe: the processes are asked to stop directly.
      for pid in $left; do kill "$pid" 2>/dev/null || true; done
    fi
    # Whatever did not stop by itself within 15 seconds is killed (only the cluster's own processes).
    for _ in $(seq 30); do
      left="$(for pid in $left; do if kill -0 "$pid" 2>/dev/null; then echo "$pid"; fi; done)"
      [ -z "$left" ] && break
      sleep 0.5
    done
    for pid in $left; do log "killing $pid"; kill -9 "$pid" 2>/dev/null || true; done
  fi
  rm -rf "$state_dir"
  log "stopped; $state_dir removed"
}

case "${1:-}" in
  build) build; bin_dir ;;
  start) start ;;
  stop) stop ;;
  member) [[ "${2:-}" =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ ]] || { echo "usage: $0 member NAME (a DNS label)" >&2; exit 2; }; member "$2" ;;
  status) if running; then echo "$kubeconfig"; else log "not running"; exit 1; fi ;;
  *) echo "usage: $0 build|start|stop|status|member NAME" >&2; exit 2 ;;
esac
