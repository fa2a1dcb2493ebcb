# bench/lib.sh: shell functions of the bench scripts (sourced; they define die).

# wait_port waits until something accepts connections on 127.0.0.1:$1.
wait_port() {
	for _ in $(seq 100); do
		(exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0
		sleep 0.1
	done
	die "nothing listens on port $1"
}

# record_block NAME BLOCK FILE: puts BLOCK (which starts with <!-- NAME:begin --> and ends with
# <!-- NAME:end -->) in FILE in place of the block of that name, or at its end.
record_block() {
	local name=$1 block=$2 file=$3 tmp
	if grep -q "^<!-- $name:begin -->\$" "$file" 2>/dev/null; then
		tmp=$(mktemp)
		awk -v block="$block" -v b="<!-- $name:begin -->" -v e="<!-- $name:end -->" \
			'$0 == b { print block; skip = 1; next } $0 == e { skip = 0; next } !skip' "$file" >"$tmp" && cat "$tmp" >"$file"
		rm -f "$tmp"
	else
		printf '\n%s\n' "$block" >>"$file"
	fi
}
