package bench

import (
	"context"
	"os"
	"testing"
)

func TestZZBig(t *testing.T) {
	if os.Getenv("ZZBIG") == "" {
		t.Skip()
	}
	r, err := Run(context.Background(), Options{Customers: 1000, Messages: 20000})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", r)
}
