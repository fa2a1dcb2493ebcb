#!/usr/bin/env bash
# The project's checks, in the order CI runs them: formatting, go vet, staticcheck, the tests
# with the race detector, the benchmarks briefly and each fuzz target. Needs only Go: Go tools
# are pinned in go.mod and run with `go tool`; Node.js/npm (the SockJS client test) and
# promtool (the alert-rule and metrics checks) are installed from Debian when missing and the
# machine allows it (root or password-less sudo), else their tests are skipped with a warning
# (LCGATE_REQUIRE_NODE=1 / LCGATE_REQUIRE_PROMTOOL=1 make that an error).
# Exits non-zero, naming the failed check, on any failure.
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

# staticcheck is pinned in go.mod as a tool: the same version everywhere, nothing to install.
echo "==> go tool staticcheck ./..."
go tool staticcheck ./... || fail "staticcheck"

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

# apt_install PKG...: installs Debian packages when the machine allows it; false otherwise.
apt_install() {
	command -v apt-get >/dev/null 2>&1 || return 1
	local sudo_cmd=""
	if [ "$(id -u)" != 0 ]; then
		sudo -n true 2>/dev/null || return 1
		sudo_cmd="sudo -n"
	fi
	echo "==> apt-get install $*"
	{ $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "$@" >/dev/null; } 2>&1 | tail -5
	return "${PIPESTATUS[0]}"
}

# The README examples' test runs the README's curl commands.
if ! command -v curl >/dev/null 2>&1; then
	apt_install curl ca-certificates || fail "curl is needed for the README examples' test (Debian: apt-get install curl)"
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	apt_install nodejs npm || echo "WARNING: could not install Node.js and npm" >&2
fi
if ! command -v promtool >/dev/null 2>&1; then
	apt_install prometheus || echo "WARNING: could not install promtool (Debian package prometheus)" >&2
fi
if command -v promtool >/dev/null 2>&1; then
	echo "promtool: $(promtool --version 2>&1 | head -1)"
elif [ "${LCGATE_REQUIRE_PROMTOOL:-}" = 1 ]; then
	fail "promtool is needed for the alert-rule and metrics checks (Debian: apt-get install prometheus)"
else
	echo "WARNING: no promtool: the alert-rule and metrics checks are SKIPPED." >&2
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
