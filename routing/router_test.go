package routing

import (
	"fmt"
	"sync"
	"testing"
)

func TestRouterSwap(t *testing.T) {
	t10, t50 := mustNew(t, withPercent(10)), mustNew(t, withPercent(50))
	r := NewRouter(t10)
	if r.Table() != t10 {
		t.Fatal("Table is not the table NewRouter got")
	}
	if old := r.Swap(t50); old != t10 {
		t.Errorf("Swap returned %p, want the previous table %p", old, t10)
	}
	if r.Table() != t50 {
		t.Error("Table is not the swapped-in table")
	}
}

func TestRouterNilPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"NewRouter": func() { NewRouter(nil) },
		"Swap":      func() { NewRouter(mustNew(t, withPercent(10))).Swap(nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s(nil) did not panic", name)
				}
			}()
			f()
		}()
	}
}

// TestRouterConcurrent chooses while another goroutine reloads; run it with -race.
func TestRouterConcurrent(t *testing.T) {
	tables := []*Table{mustNew(t, withPercent(10)), mustNew(t, withPercent(50))}
	r := NewRouter(tables[0])
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range 200 {
			r.Swap(tables[i%2])
		}
	})
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				k := KeyFrom("100", fmt.Sprintf("Bearer fra:customer-%d-%d", g, i), "")
				if c := r.Table().Choose(k); c.URL == "" {
					t.Errorf("Choose(%+v) gave no URL", k)
				}
			}
		})
	}
	wg.Wait()
	if tab := r.Table(); tab != tables[1] {
		t.Errorf("after the last Swap the table is %p, want %p", tab, tables[1])
	}
}
