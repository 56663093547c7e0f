package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/argoproj/gitops-engine/pkg/health"
	lua "github.com/yuin/gopher-lua"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// luaHealth is a health check in Lua for one kind, as Argo CD runs the checks of
// resource.customizations.health.<group>_<Kind> in argocd-cm: the object is the global `obj`, and
// the script returns a table with `status` and `message`. Other kinds keep the engine's own check.
type luaHealth struct {
	group, kind, script string
}

// parseLuaHealth reads --health-lua GROUP/KIND=FILE (GROUP empty for the core group).
func parseLuaHealth(flag string) (*luaHealth, error) {
	key, file, ok := strings.Cut(flag, "=")
	group, kind, ok2 := strings.Cut(key, "/")
	if !ok || !ok2 {
		return nil, fmt.Errorf("--health-lua %q: want GROUP/KIND=FILE", flag)
	}
	script, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return &luaHealth{group: group, kind: kind, script: string(script)}, nil
}

func (h *luaHealth) GetResourceHealth(obj *unstructured.Unstructured) (*health.HealthStatus, error) {
	gvk := obj.GroupVersionKind()
	if gvk.Group != h.group || gvk.Kind != h.kind {
		return nil, nil
	}
	state := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer state.Close()
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{{lua.BaseLibName, lua.OpenBase}, {lua.TabLibName, lua.OpenTable}, {lua.StringLibName, lua.OpenString}, {lua.MathLibName, lua.OpenMath}} {
		state.Push(state.NewFunction(lib.open))
		state.Push(lua.LString(lib.name))
		state.Call(1, 0)
	}
	state.SetGlobal("obj", toLua(state, obj.Object))
	if err := state.DoString(h.script); err != nil {
		return nil, err
	}
	result, ok := state.Get(-1).(*lua.LTable)
	if !ok {
		return nil, fmt.Errorf("the health check of %s/%s returned no table", h.group, h.kind)
	}
	return &health.HealthStatus{
		Status:  health.HealthStatusCode(lua.LVAsString(result.RawGetString("status"))),
		Message: lua.LVAsString(result.RawGetString("message")),
	}, nil
}

// toLua turns an object decoded from JSON into Lua values: maps and lists become tables.
func toLua(state *lua.LState, value interface{}) lua.LValue {
	switch v := value.(type) {
	case map[string]interface{}:
		table := state.NewTable()
		for key, item := range v {
			table.RawSetString(key, toLua(state, item))
		}
		return table
	case []interface{}:
		table := state.NewTable()
		for _, item := range v {
			table.Append(toLua(state, item))
		}
		return table
	case string:
		return lua.LString(v)
	case bool:
		return lua.LBool(v)
	case int64:
		return lua.LNumber(v)
	case float64:
		return lua.LNumber(v)
	case nil:
		return lua.LNil
	default:
		return lua.LString(fmt.Sprint(v))
	}
}
