package versions

import "testing"

// TestMethodCatalogueMatchesTheSpec checks the counts of spec/methods.md §2.1: 27, 26 and 31
// methods (ping not counted), with their Web and RTM counts.
func TestMethodCatalogueMatchesTheSpec(t *testing.T) {
	want := map[Version][3]int{V30: {27, 25, 24}, V31: {26, 24, 24}, V32: {31, 29, 27}}
	for v, counts := range want {
		web, rtm := 0, 0
		for _, m := range Methods[v] {
			if m.Web {
				web++
			}
			if m.RTM {
				rtm++
			}
		}
		if got := [3]int{len(Methods[v]), web, rtm}; got != counts {
			t.Errorf("%s: methods/web/rtm = %v, want %v", v, got, counts)
		}
	}
}

// TestEveryActionChangeNamesMethodsOfItsVersions keeps the step tables consistent with the
// catalogue: an action change's older name is a method of the older version (or one of
// lcgate's internal calls), its newer name one of the newer version.
func TestEveryActionChangeNamesMethodsOfItsVersions(t *testing.T) {
	for _, s := range Steps {
		for _, a := range s.Actions {
			if _, ok := Lookup(s.Older, a.Older); a.Older != "" && !ok && !IsInternal(a.Older) {
				t.Errorf("%s → %s: %q is not a %s method", s.Older, s.Newer, a.Older, s.Older)
			}
			if _, ok := Lookup(s.Newer, a.Newer); a.Newer != "" && !ok {
				t.Errorf("%s → %s: %q is not a %s method", s.Older, s.Newer, a.Newer, s.Newer)
			}
			if a.Name == "" {
				t.Errorf("%s → %s: a change of %q has no name", s.Older, s.Newer, a.Older)
			}
		}
	}
}

// TestEveryMethodOfAnOlderVersionReachesTheNewerOne: each method of an older version either
// exists under the same name in the next version or has a change saying what becomes of it.
func TestEveryMethodOfAnOlderVersionReachesTheNewerOne(t *testing.T) {
	for _, s := range Steps {
		for name := range Methods[s.Older] {
			if _, same := Lookup(s.Newer, name); same || s.ActionByOlder(name) != nil {
				continue
			}
			t.Errorf("%s method %q has no %s counterpart and no change", s.Older, name, s.Newer)
		}
	}
}

// TestInternalCallsAreServedOnEveryVersionThatNeedsThem: the latest-thread call, made by the
// 3.0 → 3.1 step's expansions, is served on 3.1 itself and carried to 3.2 by the next step;
// no client can name it.
func TestInternalCallsAreServedOnEveryVersionThatNeedsThem(t *testing.T) {
	if _, ok := ServeInternal(V31, LatestThreadAction); !ok {
		t.Error("3.1 does not serve the latest-thread call")
	}
	if ac := StepUp(V31).ActionByOlder(LatestThreadAction); ac == nil || ac.Expand == nil {
		t.Error("the 3.1 → 3.2 step does not carry the latest-thread call")
	}
	for _, v := range All {
		if _, ok := Lookup(v, LatestThreadAction); ok {
			t.Errorf("%s lists the internal call as a method", v)
		}
	}
}
