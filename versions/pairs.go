package versions

import (
	"fmt"
	"sort"
	"strings"
)

// This file classifies, from the step tables alone, how lcgate serves each method of a client
// version on each upstream version; PairTableMarkdown renders the classification for the
// README (checked by TestREADMEPairTable).

// Class says how a client version's method is served on an upstream version.
type Class uint8

// The classes, from the plainest to the least available.
const (
	// Exact: the call and its answer cross unchanged (same version, or no step changes the
	// action or a structure of its answer).
	Exact Class = iota
	// Translated: renamed or reshaped on the way, nothing lost.
	Translated
	// Lossy: translated, but some change on the way has a loss description in the walk's
	// direction (see Pair.Losses).
	Lossy
	// Emulated: some step serves the call with several calls of the other version (Expand for
	// an older client, Emulate for a newer one); Pair.Losses may still list losses.
	Emulated
	// Unavailable: some step cannot serve the call; the client gets a validation error naming
	// the missing capability (Pair.Reason).
	Unavailable
)

// String returns the class as the README writes it: "exact", "translated", "lossy",
// "emulated" or "unavailable".
func (c Class) String() string {
	switch c {
	case Exact:
		return "exact"
	case Translated:
		return "translated"
	case Lossy:
		return "lossy"
	case Emulated:
		return "emulated"
	case Unavailable:
		return "unavailable"
	}
	return "unknown"
}

// Pair is how one method of a client version is served on one upstream version.
type Pair struct {
	Class Class
	// Losses are the loss descriptions of the changes the call crosses (LossDown when the
	// client is older than the upstream, LossUp when newer), in step order (a step's structure
	// changes before its action change), without repeats.
	// Empty for Exact, Translated and Unavailable.
	Losses []string
	// Reason is the missing capability of an Unavailable method (its validation error's
	// message without the version suffix the engine adds).
	Reason string
}

// noStructureAnswer lists the answers that carry no structure in a version although
// ResponseShapes, keyed by name only, gives the action the 3.0 shape: from 3.1 on start_chat,
// activate_chat and send_event answer ids only (spec/methods.md §4.1 rows 6–8), and 3.2
// update_customer answers nothing (§4.2 row 10).
var noStructureAnswer = map[Version]map[string]bool{
	V31: {"start_chat": true, "activate_chat": true, "send_event": true},
	V32: {"start_chat": true, "activate_chat": true, "send_event": true, "update_customer": true},
}

// answerStructures returns the structures that occur in the answer of action in version v.
func answerStructures(v Version, action string) map[Structure]bool {
	if noStructureAnswer[v][action] {
		return nil
	}
	out := map[Structure]bool{}
	var visit func(s *Shape)
	visit = func(s *Shape) {
		if s == nil {
			return
		}
		if s.Is != NoStructure {
			out[s.Is] = true
		}
		for _, sub := range s.Fields {
			visit(sub)
		}
		visit(s.Items)
		visit(s.Values)
	}
	visit(ResponseShapes[action])
	return out
}

// Classify says how action, a method of the client version, is served on the upstream
// version; ok is false when the client version has no such method. It walks the action's name
// across the steps between the two versions (upwards for an older client, taking each action
// change's Newer name; downwards for a newer client, taking Older), and on each step looks at
// the action's change and at the structure changes whose structure occurs in the answer on
// both sides of the step (a structure one side's answer lacks is not what the client gets):
//
//   - Missing (going up), or Unavailable or no Older name (going down): Unavailable.
//   - Expand (going up) or Emulate (going down): Emulated. The expansion builds the client's
//     answer from other calls and converts its structures itself, so the structure changes of
//     that step and of every further step towards the upstream count for the client's answer
//     shape; the walk of the name stops there.
//   - Otherwise an action change that acts in the walk's direction (see acts) or a structure
//     change that applies makes the method Translated, or Lossy when one of them has a loss
//     description in the walk's direction.
func Classify(client, upstream Version, action string) (p Pair, ok bool) {
	if _, ok := Lookup(client, action); !ok {
		return Pair{}, false
	}
	if client == upstream {
		return Pair{Class: Exact}, true
	}
	up := client < upstream
	var steps []*Step
	if up {
		steps = Steps[client:upstream]
	} else {
		for v := client; v > upstream; v-- {
			steps = append(steps, Steps[v-1])
		}
	}
	seen := map[string]bool{}
	addLoss := func(sc *StructureChange, ac *ActionChange) {
		loss := ""
		switch {
		case sc != nil && up:
			loss = sc.LossDown
		case sc != nil:
			loss = sc.LossUp
		case up:
			loss = ac.LossDown
		default:
			loss = ac.LossUp
		}
		if loss != "" && !seen[loss] {
			seen[loss] = true
			p.Losses = append(p.Losses, loss)
		}
	}
	structures := func(s *Step, on map[Structure]bool) bool {
		hit := false
		for i := range s.Structures {
			if sc := &s.Structures[i]; on[sc.On] {
				addLoss(sc, nil)
				hit = true
			}
		}
		return hit
	}
	name, changed := action, false
	for i, s := range steps {
		ac, from, to := s.ActionByOlder(name), s.Older, s.Newer
		if !up {
			ac, from, to = s.ActionByNewer(name), s.Newer, s.Older
		}
		other := name
		if ac != nil {
			switch {
			case up && ac.Missing != "":
				return Pair{Class: Unavailable, Reason: ac.Missing}, true
			case !up && (ac.Unavailable != "" || ac.Older == ""):
				reason := ac.Unavailable
				if reason == "" {
					reason = ac.Newer + " has no counterpart in version " + to.String()
				}
				return Pair{Class: Unavailable, Reason: reason}, true
			case up && ac.Expand != nil, !up && ac.Emulate != nil:
				shape := answerStructures(from, name)
				structures(s, shape)
				addLoss(nil, ac)
				for _, rest := range steps[i+1:] {
					structures(rest, shape)
				}
				p.Class = Emulated
				return p, true
			case up && ac.Newer == "":
				return Pair{Class: Unavailable, Reason: ac.Older + " has no counterpart in version " + to.String()}, true
			}
			if up {
				other = ac.Newer
			} else {
				other = ac.Older
			}
		}
		both := map[Structure]bool{}
		theirs := answerStructures(to, other)
		for st := range answerStructures(from, name) {
			if theirs[st] {
				both[st] = true
			}
		}
		if structures(s, both) {
			changed = true
		}
		if ac != nil && acts(ac, up) {
			changed = true
			addLoss(nil, ac)
		}
		name = other
	}
	switch {
	case len(p.Losses) > 0:
		p.Class = Lossy
	case changed:
		p.Class = Translated
	default:
		p.Class = Exact
	}
	return p, true
}

// acts reports whether the action change does something to a call crossing its step upwards
// (up) or downwards: it renames the action, has a rewrite for that direction or a loss
// description for it, or has no rewrite in either direction (its effect lives outside the
// table, as upload_file's multipart field name does).
func acts(ac *ActionChange, up bool) bool {
	if ac.Older != ac.Newer {
		return true
	}
	upFuncs := ac.RequestUp != nil || ac.ResponseDown != nil || ac.PushAfter != nil || ac.LossDown != ""
	downFuncs := ac.RequestDown != nil || ac.ResponseUp != nil || ac.LossUp != ""
	if up {
		return upFuncs || !downFuncs
	}
	return downFuncs || !upFuncs
}

// PairTableBegin and PairTableEnd are the marker lines around the generated block of README.md.
const (
	PairTableBegin = "<!-- version-pairs:begin -->"
	PairTableEnd   = "<!-- version-pairs:end -->"
)

// superscript writes n with superscript digits.
func superscript(n int) string {
	const digits = "⁰¹²³⁴⁵⁶⁷⁸⁹"
	sup := []rune(digits)
	var b strings.Builder
	for _, c := range fmt.Sprint(n) {
		b.WriteRune(sup[c-'0'])
	}
	return b.String()
}

// PairTableMarkdown renders Classify for every client version as Markdown: per client version
// a table with one row per method (sorted by name) and one column per upstream version, each
// cell the class word, with a footnote number when losses apply; the footnotes, numbered per
// table, list the loss descriptions of each cell's losses. It is the block of README.md
// between PairTableBegin and PairTableEnd.
func PairTableMarkdown() string {
	var b strings.Builder
	for ci, client := range All {
		if ci > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "**%s clients**\n\n", client)
		fmt.Fprintf(&b, "| %s method |", client)
		for _, u := range All {
			fmt.Fprintf(&b, " on %s |", u)
		}
		b.WriteString("\n|---|")
		for range All {
			b.WriteString("---|")
		}
		b.WriteString("\n")
		names := make([]string, 0, len(Methods[client]))
		for name := range Methods[client] {
			names = append(names, name)
		}
		sort.Strings(names)
		var notes []string
		noteOf := map[string]int{}
		for _, name := range names {
			fmt.Fprintf(&b, "| `%s` |", name)
			for _, u := range All {
				p, _ := Classify(client, u, name)
				cell := p.Class.String()
				if len(p.Losses) > 0 {
					note := strings.Join(p.Losses, "; ")
					n, ok := noteOf[note]
					if !ok {
						notes = append(notes, note)
						n = len(notes)
						noteOf[note] = n
					}
					cell += superscript(n)
				}
				fmt.Fprintf(&b, " %s |", cell)
			}
			b.WriteString("\n")
		}
		if len(notes) > 0 {
			b.WriteString("\n")
			for i, note := range notes {
				fmt.Fprintf(&b, "%d. %s\n", i+1, note)
			}
		}
	}
	return b.String()
}
