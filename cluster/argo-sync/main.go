// Command argo-sync syncs one stage file into a cluster once with Argo CD's sync engine (the
// standalone github.com/argoproj/gitops-engine module, v0.7.3), the way an Argo CD Application
// with automated sync and pruning would, and exits when the sync operation has finished:
//
//	argo-sync --kubeconfig FILE -f STAGE_FILE [--instance APP] [--prune=true] [--health-lua GROUP/KIND=FILE]
//
// Objects of the file are applied wave by wave (argocd.argoproj.io/sync-wave), each wave waited
// for until healthy by the engine's own health checks; live objects of the same app (labels
// app.kubernetes.io/managed-by=cdk8s-canary and app.kubernetes.io/instance) that the file no
// longer holds are pruned, last when they carry PruneLast=true. Only objects in the file's namespace
// (and that Namespace) without an owner count as the app's: ReplicaSets, Pods and EndpointSlices
// belong to their controllers. Like Argo CD's application controller, it refreshes the live state
// from its cluster cache and carries the sync operation on from its recorded state, until done.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/argoproj/gitops-engine/pkg/cache"
	"github.com/argoproj/gitops-engine/pkg/health"
	"github.com/argoproj/gitops-engine/pkg/sync"
	"github.com/argoproj/gitops-engine/pkg/sync/common"
	"github.com/argoproj/gitops-engine/pkg/utils/kube"
	"github.com/argoproj/gitops-engine/pkg/utils/tracing"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2/klogr"
)

const (
	managedBy = "app.kubernetes.io/managed-by"
	instance  = "app.kubernetes.io/instance"
)

func main() {
	kubeconfig := flag.String("kubeconfig", os.Getenv("KUBECONFIG"), "the cluster's kubeconfig")
	file := flag.String("f", "", "the stage file to sync")
	app := flag.String("instance", "", "the app's instance label (default: the file's)")
	prune := flag.Bool("prune", true, "prune the app's objects that the file no longer holds")
	timeout := flag.Duration("timeout", 5*time.Minute, "give up after this long")
	healthLua := flag.String("health-lua", "", "GROUP/KIND=FILE: a health check in Lua for one kind, as in argocd-cm")
	flag.Parse()
	var override health.HealthOverride
	if *healthLua != "" {
		check, err := parseLuaHealth(*healthLua)
		if err != nil {
			fmt.Fprintln(os.Stderr, "argo-sync:", err)
			os.Exit(2)
		}
		override = check
	}
	if err := run(*kubeconfig, *file, *app, *prune, *timeout, override); err != nil {
		fmt.Fprintln(os.Stderr, "argo-sync:", err)
		os.Exit(1)
	}
}

func run(kubeconfig, file, app string, prune bool, timeout time.Duration, override health.HealthOverride) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	target, err := kube.SplitYAML(data)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	namespace := ""
	for _, obj := range target {
		if app == "" {
			app = obj.GetLabels()[instance]
		}
		if namespace == "" {
			namespace = obj.GetNamespace()
		}
	}
	if app == "" {
		return fmt.Errorf("%s: no object has the label %s; pass --instance", file, instance)
	}
	config, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return err
	}
	// Argo CD's application controller asks the API server at up to 50 requests a second, in bursts
	// of 100 (ARGOCD_K8S_CLIENT_QPS, ARGOCD_K8S_CLIENT_BURST); with client-go's own 5 and 10, the
	// cluster cache's first listing of every kind took 14 s of each sync.
	config.QPS = 50
	config.Burst = 100
	log := klogr.New()
	mineIn := func(un *unstructured.Unstructured) bool {
		labels := un.GetLabels()
		inScope := un.GetNamespace() == namespace || (un.GetNamespace() == "" && un.GetKind() == "Namespace" && un.GetName() == namespace)
		return labels[managedBy] == "cdk8s-canary" && labels[instance] == app && inScope && len(un.GetOwnerReferences()) == 0
	}
	clusterCache := cache.NewClusterCache(config,
		cache.SetLogr(log),
		// As Argo CD in namespaced mode: the app's namespace and the cluster-wide kinds, not the
		// objects of every other namespace; and without events, which Argo CD never caches.
		cache.SetNamespaces([]string{namespace}),
		cache.SetClusterResources(true),
		cache.SetSettings(cache.Settings{ResourcesFilter: withoutEvents{}}),
		cache.SetPopulateResourceInfoHandler(func(un *unstructured.Unstructured, isRoot bool) (interface{}, bool) {
			mine := mineIn(un)
			return mine, mine
		}),
	)
	if err := clusterCache.EnsureSynced(); err != nil {
		return err
	}
	defer clusterCache.Invalidate()
	isManaged := func(r *cache.Resource) bool {
		mine, _ := r.Info.(bool)
		return mine
	}
	kubectl := &kube.KubectlCmd{Log: log, Tracer: tracing.NopTracer{}}
	// As Argo CD's application controller does: on each refresh, the live state anew from the
	// cluster cache, and a sync context that carries on the operation from its recorded state.
	var (
		phase   common.OperationPhase
		message string
		results []common.ResourceSyncResult
	)
	started := metav1.Now()
	deadline := time.Now().Add(timeout)
	for {
		live, err := clusterCache.GetManagedLiveObjs(target, isManaged)
		if err != nil {
			return err
		}
		reconciled := sync.Reconcile(target, live, namespace, clusterCache)
		opts := []sync.SyncOpt{sync.WithPrune(prune), sync.WithLogr(log)}
		if override != nil {
			opts = append(opts, sync.WithHealthOverride(override))
		}
		if phase != "" {
			opts = append(opts, sync.WithInitialState(phase, message, results, started))
		}
		syncCtx, cleanup, err := sync.NewSyncContext("stage-file", reconciled, config, config, kubectl, namespace, clusterCache.GetOpenAPISchema(), opts...)
		if err != nil {
			return err
		}
		syncCtx.Sync()
		phase, message, results = syncCtx.GetState()
		cleanup()
		if phase.Completed() {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not done after %s: %s", timeout, message)
		}
		time.Sleep(250 * time.Millisecond)
	}
	for _, result := range results {
		fmt.Printf("%s\t%s\t%s\n", result.ResourceKey.String(), result.Status, result.Message)
	}
	if phase != common.OperationSucceeded {
		return fmt.Errorf("sync %s: %s", phase, message)
	}
	return nil
}

// withoutEvents leaves events out of the cluster cache, as Argo CD's own resource filter does.
type withoutEvents struct{}

func (withoutEvents) IsExcludedResource(group, kind, _ string) bool {
	return kind == "Event" && (group == "" || group == "events.k8s.io")
}
