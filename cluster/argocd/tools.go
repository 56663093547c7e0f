//go:build tools

// The one package this module builds: Argo CD's multi-call binary (scripts/cluster.sh).
package tools

import _ "github.com/argoproj/argo-cd/v3/cmd"
