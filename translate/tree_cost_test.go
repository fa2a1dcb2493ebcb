package translate

import (
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestPayloadTreeCostsASmallMultipleOfTheBody: parsing a Web payload allocates at most 5×
// its size, for the costliest shape there is (an object of tiny members: one tree node of
// ~32 bytes per 13 bytes of text), also for a body of 200,000 members: the tree is sized once
// from the text, not grown by doubling.
func TestPayloadTreeCostsASmallMultipleOfTheBody(t *testing.T) {
	for _, n := range []int{50_000, 200_000} {
		var b strings.Builder
		b.WriteString(`{"payload":{"fields":{`)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`"f` + strconv.Itoa(i) + `":"v"`)
		}
		b.WriteString(`}}}`)
		body := []byte(b.String())
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		d, err := ParsePayload(body, true)
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatal(err)
		}
		Release(d)
		if ratio := float64(after.TotalAlloc-before.TotalAlloc) / float64(len(body)); ratio > 5 {
			t.Errorf("%d members, %d bytes: parsing allocated %.1f× the body, want at most 5×", n, len(body), ratio)
		}
	}
}
