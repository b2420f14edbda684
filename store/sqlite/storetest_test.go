package sqlite

import (
	"testing"

	"supportbot/store"
	"supportbot/store/storetest"
)

// TestStoreContract runs the store contract suite on a real database file:
// the behaviour every fake store is held to.
func TestStoreContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return MustOpen(t) })
}
