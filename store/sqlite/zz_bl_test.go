package sqlite

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
)

func TestZZBaseline(t *testing.T) {
	for i := range 5 {
		d, err := Baseline(context.Background(), filepath.Join(t.TempDir(), strconv.Itoa(i)+".db"), 20000)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%.0f/s", 20000/d.Seconds())
	}
}
