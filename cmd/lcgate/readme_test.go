package main

// The "Try it" section of README.md is documentation that runs: TestReadmeTryItMatchesTheProduct
// runs every example in it and compares what happens with what the README prints, so a README
// that drifts from the product fails the tests.
//
// Conventions of the section (keep to them when editing it):
//
//   - A ```sh block is a shell command. It runs with `sh -c` in the repository root, against a
//     gateway started as `go run ./cmd/lcgate` starts it (defaults, embedded simulator
//     upstream) and a simulator started as `go run ./cmd/lcgate sim`. 127.0.0.1:8080 (the
//     gateway), 127.0.0.1:8081 (the simulator) and 127.0.0.1:9180 (health and metrics) are
//     replaced by the real, free ports, and `go run ./cmd/lcgate` by a binary built once.
//   - A ```json block holds RTM frames a client sends, one per JSON value, over one WebSocket
//     connection opened at the last `ws://…` URL written in backticks before the block, and
//     kept for the rest of the section.
//   - The next block after a sh or json block (prose may come between) is a plain ``` block:
//     what the command prints on stdout, or the frames the gateway answers, one per JSON value
//     (the test reads that many). Every sh and json block needs one, and any other block in
//     the section is an error: nothing shown there goes untested.
//   - The blocks run in the README's order on the same gateway and simulator, so the state (the
//     chats a login lists, the ids the simulator numbers) is what a reader trying them in order
//     sees.
//
// How an output is compared with the README's:
//
//   - Wrapping: in the README, a line whose brackets ({} and [], outside JSON strings) are not
//     all closed at its end continues on the next line: the line break and the next line's
//     leading spaces and tabs are removed. Breaking a line inside a JSON string is an error.
//     The real output is taken as printed (CRLF read as LF).
//   - Ids: chat, thread and greeting ids (CH00000001, TH00000002, GR00000003), UUIDs and
//     32-digit hex ids become <id1>, <id2>, … in the order they first appear, in each text on
//     its own: the README may show other ids than a run, but where a run repeats an id the
//     README must repeat it too.
//   - Times: the values of "order", "timestamp" and "created_at" become <time>, and so does the
//     value of a Date header.
//   - Spaces at the end of a line and blank lines at the end are ignored; nothing else is.
//   - An output that starts with "HTTP/" (curl -i) is compared in parts: the status line; each
//     header the README shows must be present with that value (names are case-insensitive;
//     headers the README leaves out are allowed); then the body.

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/fasthttp/websocket"
)

// readmePath is README.md, from this package's directory (where go test runs).
const readmePath = "../../README.md"

// readmeBlock is one fenced code block of the README.
type readmeBlock struct {
	info string // the fence's info string: "sh", "json" or ""
	text string // its lines, without the fences
	line int    // the README line of the opening fence, from 1
}

// readmeExample is an input block (sh or json) and the output block that documents it.
type readmeExample struct {
	input, output readmeBlock
}

// readmeSection returns the lines of the README section under heading (up to the next "## "
// heading) and the README line number of its first line.
func readmeSection(readme, heading string) ([]string, int, error) {
	lines := strings.Split(strings.ReplaceAll(readme, "\r\n", "\n"), "\n")
	for i, line := range lines {
		if strings.TrimSpace(line) != heading {
			continue
		}
		end := i + 1
		for end < len(lines) && !strings.HasPrefix(lines[end], "## ") {
			end++
		}
		return lines[i+1 : end], i + 2, nil
	}
	return nil, 0, fmt.Errorf("README.md has no %q section", heading)
}

// readmeExamples pairs the section's input blocks with their output blocks, and refuses any
// block the conventions above do not cover.
func readmeExamples(section []string, first int) ([]readmeExample, error) {
	var blocks []readmeBlock
	for i := 0; i < len(section); i++ {
		line := section[i]
		if !strings.HasPrefix(line, "```") {
			continue
		}
		b := readmeBlock{info: strings.TrimSpace(line[3:]), line: first + i}
		var body []string
		for i++; i < len(section) && strings.TrimSpace(section[i]) != "```"; i++ {
			body = append(body, section[i])
		}
		if i == len(section) {
			return nil, fmt.Errorf("README.md:%d: the block is not closed", b.line)
		}
		b.text = strings.Join(body, "\n")
		blocks = append(blocks, b)
	}
	var examples []readmeExample
	for i := 0; i < len(blocks); i++ {
		in := blocks[i]
		switch in.info {
		case "sh", "json":
		case "":
			return nil, fmt.Errorf("README.md:%d: an output block that follows no ```sh or ```json block", in.line)
		default:
			return nil, fmt.Errorf("README.md:%d: a ```%s block: only sh, json and their output blocks are tested", in.line, in.info)
		}
		if i+1 == len(blocks) || blocks[i+1].info != "" {
			return nil, fmt.Errorf("README.md:%d: the ```%s block is not followed by a ``` block showing its output", in.line, in.info)
		}
		examples = append(examples, readmeExample{input: in, output: blocks[i+1]})
		i++
	}
	return examples, nil
}

// unwrapReadme joins the lines the README wrapped: a line whose brackets are not all closed
// at its end continues on the next line, whose leading spaces and tabs are dropped. firstLine is
// the README line of the text's first line, for errors.
func unwrapReadme(text string, firstLine int) (string, error) {
	var b strings.Builder
	var sc bracketScan
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		if sc.depth > 0 {
			line = strings.TrimLeft(line, " \t")
		}
		for _, r := range line {
			sc.next(r)
		}
		b.WriteString(line)
		if i == len(lines)-1 {
			break
		}
		if sc.inString {
			return "", fmt.Errorf("README.md:%d: the line breaks inside a JSON string; wrap JSON between its values only", firstLine+i)
		}
		if sc.depth == 0 {
			b.WriteByte('\n')
		}
	}
	if sc.depth > 0 {
		return "", fmt.Errorf("README.md:%d: a bracket is never closed", firstLine+len(lines)-1)
	}
	return b.String(), nil
}

var (
	readmeIDs   = regexp.MustCompile(`\b(?:CH|TH|GR)\d{8}|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b|\b[0-9a-f]{32}\b`)
	readmeTimes = regexp.MustCompile(`"(order|timestamp|created_at)":(?:-?[0-9]+|"[^"]*")`)
	readmeDate  = regexp.MustCompile(`(?im)^(date):.*$`)
)

// readmeWidth is the width wrapForReadme wraps lines to.
const readmeWidth = 95

// wrapForReadme wraps the long lines of a real output as the README may show them: after a
// comma between JSON values, continuing with one space. unwrapReadme joins them back.
func wrapForReadme(text string) string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		var pieces []string // line cut after each comma inside brackets, outside strings
		var sc bracketScan
		from := 0
		for i, r := range line {
			if sc.next(r) {
				pieces = append(pieces, line[from:i+1])
				from = i + 1
			}
		}
		pieces = append(pieces, line[from:])
		current := ""
		for _, p := range pieces {
			if current != "" && len([]rune(current))+len([]rune(p)) > readmeWidth && !strings.HasPrefix(p, " ") {
				out = append(out, current)
				current = " "
			}
			current += p
		}
		out = append(out, current)
	}
	wrapped := strings.Join(out, "\n")
	if back, err := unwrapReadme(wrapped, 1); err != nil || back != text {
		return text // a line the rule cannot wrap and join back the same
	}
	return wrapped
}

// normaliseReadme replaces ids and times by placeholders, reads CRLF as LF, and drops spaces
// at line ends and blank lines at the end.
func normaliseReadme(text string) string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = readmeTimes.ReplaceAllString(text, `"$1":<time>`)
	text = readmeDate.ReplaceAllString(text, "$1: <time>")
	ids := map[string]string{}
	text = readmeIDs.ReplaceAllStringFunc(text, func(id string) string {
		if p, ok := ids[id]; ok {
			return p
		}
		p := fmt.Sprintf("<id%d>", len(ids)+1)
		ids[id] = p
		return p
	})
	lines := strings.Split(text, "\n")
	for i := range lines {
		lines[i] = strings.TrimRight(lines[i], " \t")
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n")
}

// compareReadme compares a real output with the README's (already unwrapped); both are
// normalised here. It returns "" when they match, else what differs.
func compareReadme(want, got string) string {
	want, got = normaliseReadme(want), normaliseReadme(got)
	if !strings.HasPrefix(want, "HTTP/") {
		return textDifference(want, got)
	}
	wantStatus, wantHeaders, wantBody := splitHTTP(want)
	gotStatus, gotHeaders, gotBody := splitHTTP(got)
	var problems []string
	if wantStatus != gotStatus {
		problems = append(problems, fmt.Sprintf("status line: README %q, real %q", wantStatus, gotStatus))
	}
	for _, h := range wantHeaders {
		name, value, _ := strings.Cut(h, ":")
		var real []string
		found := false
		for _, g := range gotHeaders {
			gname, gvalue, _ := strings.Cut(g, ":")
			if strings.EqualFold(strings.TrimSpace(name), strings.TrimSpace(gname)) {
				real = append(real, strings.TrimSpace(gvalue))
				found = found || strings.TrimSpace(value) == strings.TrimSpace(gvalue)
			}
		}
		switch {
		case found:
		case real == nil:
			problems = append(problems, fmt.Sprintf("header %q: not in the real answer", h))
		default:
			problems = append(problems, fmt.Sprintf("header %q: the real answer has %s: %s", h, strings.TrimSpace(name), strings.Join(real, ", ")))
		}
	}
	if d := textDifference(wantBody, gotBody); d != "" {
		problems = append(problems, "body: "+d)
	}
	return strings.Join(problems, "\n")
}

// splitHTTP splits curl -i's output into the status line, the header lines and the body.
func splitHTTP(text string) (status string, headers []string, body string) {
	head, body, _ := strings.Cut(text, "\n\n")
	lines := strings.Split(head, "\n")
	return lines[0], lines[1:], body
}

// textDifference shows where got first differs from want, or returns "".
func textDifference(want, got string) string {
	if want == got {
		return ""
	}
	at := 0
	for at < len(want) && at < len(got) && want[at] == got[at] {
		at++
	}
	for at > 0 && at < len(want) && !utf8.RuneStart(want[at]) { // show whole characters
		at--
	}
	lineStart := strings.LastIndex(want[:at], "\n") + 1 // the same in got: want[:at] == got[:at]
	from := max(at-50, lineStart)
	excerpt := func(s string) string {
		to := min(at+50, len(s))
		if i := strings.IndexByte(s[at:to], '\n'); i >= 0 {
			to = at + i
		}
		return s[from:to]
	}
	return fmt.Sprintf("first difference at line %d, column %d:\n  README: %s\n  real:   %s\n          %s^",
		strings.Count(want[:at], "\n")+1, len([]rune(want[lineStart:at]))+1,
		excerpt(want), excerpt(got), strings.Repeat(" ", len([]rune(want[from:at]))))
}

// TestReadmeTryItMatchesTheProduct runs the examples of README.md's "Try it" section, in order,
// against a gateway and a simulator started as the README starts them, and compares each output
// with the README's (see the conventions at the top of this file).
func TestReadmeTryItMatchesTheProduct(t *testing.T) {
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	section, first, err := readmeSection(string(readme), "## Try it")
	if err != nil {
		t.Fatal(err)
	}
	examples, err := readmeExamples(section, first)
	if err != nil {
		t.Fatal(err)
	}
	if len(examples) == 0 {
		t.Fatal("README.md's Try it section has no examples")
	}
	// CI machines have curl (.ci/run); a machine without it cannot try the README either.
	if _, err := exec.LookPath("curl"); err != nil {
		t.Fatalf("the README's examples use curl, which is not on PATH (Debian: apt-get install curl): %v", err)
	}
	root, err := filepath.Abs(filepath.Dir(readmePath))
	if err != nil {
		t.Fatal(err)
	}
	lcgate := ""
	for _, ex := range examples {
		if ex.input.info == "sh" && strings.Contains(ex.input.text, "go run ./cmd/lcgate") && lcgate == "" {
			lcgate = buildLcgate(t, root)
		}
	}

	// The gateway and the simulator, as `go run ./cmd/lcgate` and `go run ./cmd/lcgate sim`
	// start them, on free ports.
	gwCLI, _, err := parse(t, "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gwOut, stopGateway := runCommand(t, gwCLI.Serve.Run, "Try: curl")
	simCLI, _, err := parse(t, "sim", "--listen", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	simOut, stopSim := runCommand(t, simCLI.Sim.Run, "Agent control")
	gateway := hostPort(t, gwOut.url(t, "http://", "/customer/action/"))
	admin := hostPort(t, gwOut.url(t, "http://", "/healthz"))
	simulator := hostPort(t, simOut.url(t, "http://", "/customer/action/"))
	toReal := strings.NewReplacer(DefaultListen, gateway, DefaultSimListen, simulator, DefaultMetricsListen, admin,
		"go run ./cmd/lcgate", "'"+lcgate+"'")
	toReadme := strings.NewReplacer(gateway, DefaultListen, simulator, DefaultSimListen, admin, DefaultMetricsListen)

	var rtm *websocket.Conn // the section's one RTM connection, opened by its first json block
	closeRTM := func() {
		if rtm != nil {
			_ = rtm.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
			_ = rtm.Close()
			rtm = nil
		}
	}
	defer closeRTM()
	for _, ex := range examples {
		t.Run(fmt.Sprintf("README.md:%d", ex.input.line), func(t *testing.T) {
			want, err := unwrapReadme(ex.output.text, ex.output.line+1)
			if err != nil {
				t.Fatal(err)
			}
			var got, what string
			switch ex.input.info {
			case "sh":
				var stderr string
				got, stderr, err = runReadmeCommand(root, toReal.Replace(ex.input.text))
				got = toReadme.Replace(got)
				what = fmt.Sprintf("the command\n%s\n", indent(ex.input.text))
				if stderr != "" && (err != nil || got == "") { // else mostly curl -i's progress meter
					what += fmt.Sprintf("wrote on stderr:\n%s\n", indent(stderr))
				}
				if err != nil {
					t.Fatalf("%sfailed: %v\nstdout:\n%s", what, err, indent(got))
				}
			case "json":
				if rtm == nil {
					at := lastWebSocketURL(section[:ex.input.line-first])
					if at == "" {
						t.Fatal("no `ws://…` URL before the RTM frames")
					}
					if rtm, _, err = websocket.DefaultDialer.Dial(toReal.Replace(at), nil); err != nil {
						t.Fatalf("connecting to %s (the README's %s): %v", toReal.Replace(at), at, err)
					}
				}
				what = fmt.Sprintf("the RTM frames\n%s\n", indent(ex.input.text))
				if got, err = exchangeFrames(rtm, ex, want); err != nil {
					t.Fatalf("%sfailed: %v\nanswered so far:\n%s", what, err, indent(got))
				}
			}
			if d := compareReadme(want, got); d != "" {
				t.Errorf("README.md:%d: %sgot an output that differs from the README's (ids and times normalised, "+
					"wrapped lines joined; see readme_test.go):\n%s\n\nthe README's, normalised:\n%s\n\n"+
					"the real output, wrapped as the README may show it:\n%s",
					ex.output.line, what, indent(d), indent(normaliseReadme(want)), indent(wrapForReadme(got)))
			}
		})
	}

	closeRTM()
	if err := stopGateway(); err != nil {
		t.Errorf("the gateway stopped with %v", err)
	}
	if err := stopSim(); err != nil {
		t.Errorf("the simulator stopped with %v", err)
	}
}

// buildLcgate builds the lcgate command into a temporary directory, for the examples that
// call `go run ./cmd/lcgate`.
func buildLcgate(t *testing.T, root string) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("building lcgate: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "lcgate")
	cmd := exec.Command(goTool, "build", "-o", bin, "./cmd/lcgate")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/lcgate: %v\n%s", err, out)
	}
	return bin
}

// runReadmeCommand runs script with sh -c in dir and returns its stdout and stderr.
func runReadmeCommand(dir, script string) (string, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", script)
	cmd.Dir = dir
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

// exchangeFrames sends the example's frames on conn and reads as many frames as its output
// shows (want, unwrapped: one frame a line), returned one a line.
func exchangeFrames(conn *websocket.Conn, ex readmeExample, want string) (string, error) {
	frames, err := unwrapReadme(ex.input.text, ex.input.line+1)
	if err != nil {
		return "", err
	}
	for _, f := range strings.Split(strings.TrimSpace(frames), "\n") {
		if err := conn.WriteMessage(websocket.TextMessage, []byte(f)); err != nil {
			return "", err
		}
	}
	var got []string
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for range strings.Split(strings.TrimSpace(want), "\n") {
		_, msg, err := conn.ReadMessage()
		if err != nil {
			return strings.Join(got, "\n"), fmt.Errorf("reading answer %d: %w", len(got)+1, err)
		}
		got = append(got, string(msg))
	}
	return strings.Join(got, "\n"), nil
}

// lastWebSocketURL is the last `ws://…` URL written in backticks in lines, or "".
func lastWebSocketURL(lines []string) string {
	found := regexp.MustCompile("`(ws://[^`\\s]+)`").FindAllStringSubmatch(strings.Join(lines, "\n"), -1)
	if len(found) == 0 {
		return ""
	}
	return found[len(found)-1][1]
}

// hostPort is the host:port of a URL the gateway or the simulator printed.
func hostPort(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		t.Fatalf("no host in %q: %v", raw, err)
	}
	return u.Host
}

// indent indents every line of s, for messages.
func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}

// TestReadmeComparisonIsStrict checks the comparison rules on small texts: what they forgive
// (wrapping, ids, times, headers the README leaves out) and what they do not.
func TestReadmeComparisonIsStrict(t *testing.T) {
	const real = `{"chat":{"id":"CH00000003","order":1796404114447266,"users":[{"id":"7c43ef5a-e21d-43ce-2743-f770c68e24de"}],` +
		`"author_id":"7c43ef5a-e21d-43ce-2743-f770c68e24de","created_at":"2026-12-04T17:03:25.123456Z"}}`
	const realHTTP = "HTTP/1.1 200 OK\r\nServer: lcgate-sim\r\nDate: Fri, 04 Dec 2026 17:03:25 GMT\r\n" +
		"Content-Type: application/json\r\nLcgate-Upstream-Version: 3.2\r\n\r\n{\"chat_id\":\"CH00000001\"}"
	for _, c := range []struct {
		name, readme, real string
		match              bool
	}{
		{"the same text", real, real, true},
		{"wrapped between values, other ids and times",
			"{\"chat\":{\"id\":\"CH00000001\",\"order\":1,\n   \"users\":[{\"id\":\"00000000-0000-0000-0000-000000000000\"}],\n" +
				"\t\"author_id\":\"00000000-0000-0000-0000-000000000000\",\"created_at\":\"2020-01-01T00:00:00Z\"}}\n\n",
			real, true},
		{"a field renamed", strings.Replace(real, `"users"`, `"user"`, 1), real, false},
		{"a value changed", strings.Replace(real, `"chat":`, `"Chat":`, 1), real, false},
		{"one id shown as two", strings.Replace(real, `"author_id":"7c43ef5a`, `"author_id":"8c43ef5a`, 1), real, false},
		{"a field left out", strings.Replace(real, `"order":1796404114447266,`, ``, 1), real, false},
		{"a line break the real output does not have", "{\"a\":1}\n{\"b\":2}", `{"a":1}{"b":2}`, false},
		{"spaces inside a line", `{"a": 1}`, `{"a":1}`, false},
		{"headers in part", "HTTP/1.1 200 OK\nContent-Type: application/json\n\n{\"chat_id\":\"CH00000009\"}", realHTTP, true},
		{"a header name in another case", "HTTP/1.1 200 OK\nlcgate-upstream-version: 3.2\n\n{\"chat_id\":\"CH00000001\"}", realHTTP, true},
		{"the Date header", "HTTP/1.1 200 OK\nDate: Mon, 01 Jan 2024 00:00:00 GMT\n\n{\"chat_id\":\"CH00000001\"}", realHTTP, true},
		{"another status", "HTTP/1.1 201 Created\n\n{\"chat_id\":\"CH00000001\"}", realHTTP, false},
		{"a header value changed", "HTTP/1.1 200 OK\nLcgate-Upstream-Version: 3.1\n\n{\"chat_id\":\"CH00000001\"}", realHTTP, false},
		{"a header the answer lacks", "HTTP/1.1 200 OK\nX-Request-Id: 1\n\n{\"chat_id\":\"CH00000001\"}", realHTTP, false},
		{"another body", "HTTP/1.1 200 OK\n\n{\"thread_id\":\"CH00000001\"}", realHTTP, false},
	} {
		readme, err := unwrapReadme(c.readme, 1)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if d := compareReadme(readme, c.real); (d == "") != c.match {
			t.Errorf("%s: match = %t, want %t\n%s", c.name, d == "", c.match, d)
		}
	}

	long := strings.Repeat(real+"\n", 2) + "HTTP/1.1 200 OK"
	if wrapped := wrapForReadme(long); strings.Count(wrapped, "\n") < 4 {
		t.Errorf("wrapForReadme left long lines:\n%s", wrapped)
	} else if back, err := unwrapReadme(wrapped, 1); err != nil || back != long {
		t.Errorf("wrapForReadme's lines join back to\n%s\n%v", back, err)
	}
	for _, line := range strings.Split(wrapForReadme(real), "\n") {
		if len(line) > readmeWidth {
			t.Errorf("wrapForReadme made a line of %d characters: %s", len(line), line)
		}
	}

	if _, err := unwrapReadme("{\"text\":\"Hel\nlo\"}", 10); err == nil || !strings.Contains(err.Error(), "README.md:10:") {
		t.Errorf("a line broken inside a JSON string: err = %v", err)
	}
	if _, err := unwrapReadme("{\"a\":[1,\n2]", 10); err == nil {
		t.Error("an unclosed bracket was accepted")
	}
}

// TestReadmeExamplesNeedTheirOutput checks that every block of the section is an example with
// its output, or an error.
func TestReadmeExamplesNeedTheirOutput(t *testing.T) {
	for _, c := range []struct{ name, section, err string }{
		{"a command and its output", "```sh\necho hi\n```\n\nIt prints:\n\n```\nhi\n```", ""},
		{"a command without its output", "```sh\necho hi\n# hi\n```", "README.md:1: the ```sh block is not followed"},
		{"two commands in a row", "```sh\necho a\n```\n```sh\necho b\n```\n```\nb\n```", "README.md:1: the ```sh block"},
		{"an output of nothing", "Prose.\n```\nhi\n```", "README.md:2: an output block that follows no"},
		{"another language", "```yaml\na: 1\n```\n```\n```", "README.md:1: a ```yaml block"},
		{"an unclosed block", "```sh\necho hi", "README.md:1: the block is not closed"},
	} {
		examples, err := readmeExamples(strings.Split(c.section, "\n"), 1)
		switch {
		case c.err == "" && (err != nil || len(examples) != 1):
			t.Errorf("%s: %d examples, %v", c.name, len(examples), err)
		case c.err != "" && (err == nil || !strings.HasPrefix(err.Error(), c.err)):
			t.Errorf("%s: err = %v, want %q…", c.name, err, c.err)
		}
	}
}

// bracketScan follows JSON text one rune at a time: its bracket depth and whether it is
// inside a string (strings count only inside brackets, so prose quotes do not).
type bracketScan struct {
	depth             int
	inString, escaped bool
}

// next takes one rune and reports whether it is a comma between values inside brackets.
func (s *bracketScan) next(r rune) (comma bool) {
	switch {
	case s.inString && s.escaped:
		s.escaped = false
	case s.inString && r == '\\':
		s.escaped = true
	case s.inString && r == '"':
		s.inString = false
	case s.inString:
	case r == '"' && s.depth > 0:
		s.inString = true
	case r == '{' || r == '[':
		s.depth++
	case (r == '}' || r == ']') && s.depth > 0:
		s.depth--
	case r == ',' && s.depth > 0:
		return true
	}
	return false
}
