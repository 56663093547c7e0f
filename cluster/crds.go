//go:build crds

// The CRDs that the stage files write for are read from these modules' files in the module cache
// (config/crd/standard of sigs.k8s.io/gateway-api, kubernetes/customresourcedefinitions.gen.yaml of
// istio.io/api). These imports keep the two modules, at the versions the project imported its route
// classes from, in go.mod and go.sum, so that `go mod download` brings them; nothing is built from them.
package cluster

import (
	_ "istio.io/api/networking/v1beta1"
	_ "sigs.k8s.io/gateway-api/apis/v1"
)
