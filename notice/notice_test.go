package notice

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// All lists every type of this package that is an Event (has a Kind
// method), each once, and no two events share a kind.
func TestAllIsComplete(t *testing.T) {
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var declared []string
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || fn.Name.Name != "Kind" {
				continue
			}
			if id, ok := fn.Recv.List[0].Type.(*ast.Ident); ok {
				declared = append(declared, id.Name)
			}
		}
	}
	var listed []string
	kinds := map[string]bool{}
	for _, ev := range All() {
		listed = append(listed, reflect.TypeOf(ev).Name())
		if kinds[ev.Kind()] {
			t.Errorf("kind %q is used twice", ev.Kind())
		}
		kinds[ev.Kind()] = true
	}
	slices.Sort(declared)
	slices.Sort(listed)
	if len(declared) < 20 || !slices.Equal(declared, listed) {
		t.Errorf("All lists\n%v\nthe package declares\n%v", listed, declared)
	}
}
