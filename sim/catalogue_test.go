package sim

import "testing"

// TestMethodCatalogueCounts checks the method tables against spec/methods.md §2.1: 27, 26 and
// 31 documented methods (ping not counted), with the Web and RTM counts of each version.
func TestMethodCatalogueCounts(t *testing.T) {
	want := map[version][3]int{v30: {27, 25, 24}, v31: {26, 24, 24}, v32: {31, 29, 27}}
	for v, counts := range want {
		web, rtm := 0, 0
		for _, m := range methodTables[v] {
			if m.web {
				web++
			}
			if m.rtm {
				rtm++
			}
		}
		if got := [3]int{len(methodTables[v]), web, rtm}; got != counts {
			t.Errorf("version %s: methods/web/rtm = %v, want %v", v, got, counts)
		}
	}
}
