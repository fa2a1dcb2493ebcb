# bench/lib.sh: shell functions of the bench scripts (sourced; they define die).

# wait_port waits until something accepts connections on 127.0.0.1:$1.
wait_port() {
	for _ in $(seq 100); do
		(exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0
		sleep 0.1
	done
	die "nothing listens on port $1"
}
