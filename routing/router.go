package routing

import "sync/atomic"

// Router holds the current Table and swaps it atomically on reload. It is safe for
// concurrent use.
type Router struct {
	table atomic.Pointer[Table]
}

// NewRouter returns a Router serving t. It panics if t is nil.
func NewRouter(t *Table) *Router {
	if t == nil {
		panic("routing: NewRouter with a nil table")
	}
	r := new(Router)
	r.table.Store(t)
	return r
}

// Table returns the current table.
func (r *Router) Table() *Table {
	return r.table.Load()
}

// Swap makes t the current table and returns the previous one. Sessions already routed keep
// the choice they got; only later calls to Table see t. It panics if t is nil.
func (r *Router) Swap(t *Table) (old *Table) {
	if t == nil {
		panic("routing: Swap with a nil table")
	}
	return r.table.Swap(t)
}
