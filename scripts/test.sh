#!/usr/bin/env bash
# The project's checks, in the order CI runs them: formatting, go vet, staticcheck, and the
# tests with the race detector. Exits non-zero, naming the failed check, on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() {
	echo >&2
	echo "scripts/test.sh: FAILED: $*" >&2
	exit 1
}

echo "==> gofmt -l ."
unformatted=$(gofmt -l .) || fail "gofmt could not read the sources"
if [ -n "$unformatted" ]; then
	echo "gofmt would change these files:" >&2
	echo "$unformatted" >&2
	fail "formatting (run: gofmt -w .)"
fi

echo "==> go vet ./..."
go vet ./... || fail "go vet"

echo "==> staticcheck ./..."
command -v staticcheck >/dev/null 2>&1 ||
	fail "staticcheck is not on PATH (go install honnef.co/go/tools/cmd/staticcheck@latest, then add \$(go env GOPATH)/bin to PATH)"
staticcheck ./... || fail "staticcheck"

# The race detector needs cgo, hence a C compiler (gcc or clang).
race=-race
if [ "$(go env CGO_ENABLED)" != 1 ]; then
	if [ "${LCGATE_REQUIRE_RACE:-}" = 1 ]; then
		fail "the race detector needs cgo and a C compiler; none was found"
	fi
	echo "WARNING: cgo is off (no C compiler found): running the tests WITHOUT the race detector." >&2
	echo "WARNING: install gcc or clang to run them with -race (LCGATE_REQUIRE_RACE=1 makes this fatal)." >&2
	race=
fi

# The SockJS test drives lcgate with the real sockjs-client npm package under Node.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
	sockjs_dir=.cache/sockjs-client
	if [ ! -d "$sockjs_dir/node_modules/sockjs-client" ]; then
		echo "==> npm install sockjs-client@1.6.1 (into $sockjs_dir)"
		mkdir -p "$sockjs_dir"
		(cd "$sockjs_dir" && npm init -y >/dev/null && npm install --no-audit --no-fund sockjs-client@1.6.1 >/dev/null) ||
			fail "installing sockjs-client"
	fi
	export LCGATE_SOCKJS_NODE_MODULES="$PWD/$sockjs_dir/node_modules"
else
	if [ "${LCGATE_REQUIRE_NODE:-}" = 1 ]; then
		fail "Node.js and npm are needed for the SockJS client test"
	fi
	echo "NOTE: no Node.js/npm: the test with the real sockjs-client is skipped." >&2
fi

echo "==> go test $race -count=1 ./..."
go test $race -count=1 ./... || fail "go test"

# The Go benchmarks run briefly so they keep compiling and running; their times are not
# checked here (machines are shared and noisy): bench/run.sh and BENCHMARKS.md measure.
bench_pkgs=$(go list ./... | grep -E '/(translate|versions|bench/canned)$' || true)
echo "==> go test -run '^\$' -bench . -benchtime 100x $(echo $bench_pkgs | tr '\n' ' ')"
go test -run '^$' -bench . -benchtime 100x $bench_pkgs || fail "benchmarks"

# Each fuzz target runs briefly (LCGATE_FUZZTIME, default 5s): bad input must never panic
# or produce invalid JSON. A crasher is written under the package's testdata/fuzz/ and
# replays in every later go test.
fuzztime=${LCGATE_FUZZTIME:-5s}
for target in ./translate:FuzzRewrite ./translate:FuzzEngineCall ./translate:FuzzFrames \
	./translate:FuzzRTMSession ./translate/jsontree:FuzzParse ./proxy:FuzzSockJSFrames ./proxy:FuzzClientPayload; do
	pkg=${target%%:*} fn=${target##*:}
	echo "==> go test -run '^\$' -fuzz '^$fn\$' -fuzztime $fuzztime $pkg"
	go test -run '^$' -fuzz "^$fn\$" -fuzztime "$fuzztime" "$pkg" >/tmp/lcgate-fuzz.log 2>&1 ||
		{ tail -40 /tmp/lcgate-fuzz.log >&2; fail "fuzzing $fn"; }
done

echo
echo "scripts/test.sh: all checks passed"
