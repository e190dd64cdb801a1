#!/usr/bin/env bash
# bench/run.sh: muster side by side with other supervisors and with a
# floor (the least any supervisor must do), in one invocation, printed as
# one markdown table.  See bench/README.md for what is measured and how.
#
#   bench/run.sh                 full run (~8 min): installs the peers when root
#   BENCH_QUICK=1 bench/run.sh   short run (~2 min)
#   BENCH_SMOKE=1 bench/run.sh   N = 10, one run, muster and the floor only,
#                                no installs (~6 s); exits non-zero when the
#                                harness is broken (what `make check` runs)
#
# Environment: MUSTER (default ./muster), DINIT (a dinit binary: dinit joins
# the table), BENCH_KEEP=1 (keep the work directory), BENCH_VERBOSE=1,
# BENCH_ONLY="SCENARIO..." (run only those: start idle chain restart pid1
# output envfile cgroup health logs; no peers are installed), BENCH_TOOLS="TOOL..." (only
# those tools' columns, e.g. "floor muster catatonit"), BENCH_NS="1000" (only
# those service counts in start/stop), BENCH_RUNS=N (runs per cell).
#
# stdout: the report (machine, table, notes) in markdown; stderr: progress.
# Raw numbers: build/bench/raw.tsv; logs: build/bench/logs/.
set -u
export LC_ALL=C

# One compound command, parsed whole before it runs: editing this file during
# a run cannot derail the run.
{

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
BUILD=$root/build/bench
LOGS=$BUILD/logs
RAW=$BUILD/raw.tsv
FAILS=$BUILD/failures.txt

on() { [ -n "${1:-}" ] && [ "$1" != 0 ]; }
mode=full
on "${BENCH_QUICK:-}" && mode=quick
on "${BENCH_SMOKE:-}" && mode=smoke

# RUNS: runs per cell; NS: service counts; SETTLE_MS: wait between "all
# ready" and the stop (runsv will not act on a stop within ~1 s of a start);
# CELL_BUDGET: seconds after which a slow tool gets no further runs of a cell
case $mode in
full)  RUNS=5; RUNS_1000=5; NS="10 100 1000"; SETTLE_MS=1100; IDLE_SECS=10; IDLE_RUNS=5
       RESTART_SAMPLES=10; OUT_MIB=100; HF_RUNS=200; HF_WARM=20; ORPHANS=1000
       CELL_BUDGET=150 ;;
quick) RUNS=3; RUNS_1000=1; NS="10 100 1000"; SETTLE_MS=1100; IDLE_SECS=5; IDLE_RUNS=1
       RESTART_SAMPLES=5; OUT_MIB=32; HF_RUNS=50; HF_WARM=5; ORPHANS=1000
       CELL_BUDGET=15 ;;
smoke) RUNS=1; RUNS_1000=1; NS="10"; SETTLE_MS=200; IDLE_SECS=1; IDLE_RUNS=1
       RESTART_SAMPLES=5; OUT_MIB=8; HF_RUNS=0; HF_WARM=0; ORPHANS=200
       CELL_BUDGET=10 ;;
esac
[ -n "${BENCH_NS:-}" ] && NS=$BENCH_NS
[ -n "${BENCH_RUNS:-}" ] && RUNS=$BENCH_RUNS RUNS_1000=$BENCH_RUNS
CHAIN_LEN=10 CHAIN_MS=50
CG_N=1000; [ "$mode" = smoke ] && CG_N=10   # the cgroup scenario's services
# health: services checked every 100 ms; status calls (one per gap) while they are
case $mode in
smoke) HEALTH_N=10;  HEALTH_STATUS=5;  HEALTH_GAP=0.1 ;;
quick) HEALTH_N=100; HEALTH_STATUS=20; HEALTH_GAP=0.1 ;;
*)     HEALTH_N=100; HEALTH_STATUS=50; HEALTH_GAP=0.1 ;;
esac
ENV_LINES="20000 80000"   # env-file sizes (lines); the start row uses the last

verbose=0
[ "$mode" != smoke ] && verbose=1
on "${BENCH_VERBOSE:-}" && verbose=1
say() { [ "$verbose" = 1 ] && printf 'bench: %s\n' "$*" >&2; return 0; }
warn() { printf 'bench: %s\n' "$*" >&2; }
die() { warn "$*"; exit 2; }

TAG=muster-bench-$$-$RANDOM
T_START=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- every process we start carries BENCH_TAG=$TAG; none may outlive us ---

# the tag as a pattern that does not match its own text: grep's command line
# is among the files it reads
TAG_RE=${TAG/-/[-]}
tagged_pids() {
	grep -lz -e "$TAG_RE" /proc/[0-9]*/environ /proc/[0-9]*/cmdline 2>/dev/null |
		sed -n 's|^/proc/\([0-9]*\)/.*|\1|p' | sort -un |
		grep -vx -e "$$" -e "${BASHPID:-$$}" || true
}

# Kill whatever is left with the tag; say so (a leak is a harness failure).
LEAKS=0
sweep() {
	local where=$1 pids
	pids=$(tagged_pids)
	[ -z "$pids" ] && return 0
	LEAKS=$((LEAKS + 1))
	warn "$where: processes left behind: $(echo $pids)"
	# shellcheck disable=SC2086
	kill -9 $pids 2>/dev/null
	local i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		[ -z "$(tagged_pids)" ] && break
		sleep 0.1
	done
	return 1
}

WORK=""
cleanup() {
	local pids
	pids=$(tagged_pids)
	# shellcheck disable=SC2086
	[ -n "$pids" ] && kill -9 $pids 2>/dev/null
	[ -n "$WORK" ] && rm -rf "$WORK/out"
	if [ -n "$WORK" ] && ! on "${BENCH_KEEP:-}"; then rm -rf "$WORK"; fi
	on "${BENCH_KEEP:-}" && [ -n "$WORK" ] && warn "kept $WORK"
	return 0
}
trap cleanup EXIT
trap 'warn "interrupted"; exit 130' INT TERM HUP

# ---- peers: installed from Debian when root ----------------------------------

PACKAGES="supervisor runit s6 tini dumb-init catatonit hyperfine strace"
install_peers() {
	local missing="" p
	for p in $PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		warn "not root: not installing$missing (sudo apt-get install$missing); those columns stay out"
		return 0
	fi
	say "installing:$missing"
	apt-get update -qq >"$LOGS/apt.log" 2>&1
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing \
		>>"$LOGS/apt.log" 2>&1 || warn "apt-get install failed (see $LOGS/apt.log); going on without"
}

# ---- build ------------------------------------------------------------------

rm -rf "$LOGS"
mkdir -p "$BUILD" "$LOGS" || die "cannot create $BUILD"
# configs, sockets, FIFOs, supervise directories and output files in memory
# when there is room (as under /run): the disk is not what is measured
shm_free=$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }')
if [ -d /dev/shm ] && [ -w /dev/shm ] && [ "${shm_free:-0}" -gt $((OUT_MIB * 4 * 1024 + 65536)) ]; then
	WORK=$(mktemp -d /dev/shm/muster-bench.XXXXXX) || die "cannot create a directory in /dev/shm"
else
	WORK=$(mktemp -d "$BUILD/work.XXXXXX") || die "cannot create a directory in $BUILD"
fi
: >"$RAW"
: >"$FAILS"
[ "$mode" != smoke ] && [ -z "${BENCH_ONLY:-}" ] && install_peers

CC=${CC:-cc}
CFLAGS_B="-std=gnu11 -O2 -Wall -Wextra -D_GNU_SOURCE"
# the fake service is linked statically when possible: the same exec cost
# under every supervisor, and as small as it gets
$CC $CFLAGS_B -static -o "$BUILD/fake_service" "$here/fake_service.c" 2>"$LOGS/cc.log" ||
	$CC $CFLAGS_B -o "$BUILD/fake_service" "$here/fake_service.c" 2>>"$LOGS/cc.log" ||
	die "cannot build fake_service: $(cat "$LOGS/cc.log")"
# the floor too: loading shared libraries is work a supervisor can avoid
$CC $CFLAGS_B -static -o "$BUILD/floor" "$here/floor.c" 2>>"$LOGS/cc.log" ||
	$CC $CFLAGS_B -o "$BUILD/floor" "$here/floor.c" 2>>"$LOGS/cc.log" ||
	die "cannot build floor: $(cat "$LOGS/cc.log")"
$CC $CFLAGS_B -o "$BUILD/drive" "$here/drive.c" 2>>"$LOGS/cc.log" || die "cannot build drive: $(cat "$LOGS/cc.log")"
FAKE=$BUILD/fake_service
FLOOR=$BUILD/floor
DRIVE=$BUILD/drive

# a snapshot of the muster under test: a rebuild during the run changes nothing
MUSTER_SRC=${MUSTER:-$root/muster}
[ -x "$MUSTER_SRC" ] || die "no muster binary at $MUSTER_SRC (run make first)"
mkdir -p "$WORK/bin"
cp "$MUSTER_SRC" "$WORK/bin/muster" || die "cannot copy $MUSTER_SRC"
MUSTER_BIN=$WORK/bin/muster

# the descriptors 1000 services need
ulimit -n "$(ulimit -Hn)" 2>/dev/null

have() { command -v "$1" >/dev/null 2>&1; }
TOOLS_SUP="floor muster"        # supervisors of N services
TOOLS_PID1="floor muster"       # PID 1 wrappers of one command
if [ "$mode" != smoke ]; then
	have supervisord && TOOLS_SUP="$TOOLS_SUP supervisord"
	have runsvdir && have sv && TOOLS_SUP="$TOOLS_SUP runit"
	have s6-svscan && TOOLS_SUP="$TOOLS_SUP s6"
	if [ -n "${DINIT:-}" ]; then
		if [ -x "$DINIT" ]; then TOOLS_SUP="$TOOLS_SUP dinit"; else warn "DINIT=$DINIT is not executable"; fi
	fi
	for t in tini dumb-init catatonit; do have "$t" && TOOLS_PID1="$TOOLS_PID1 $t"; done
fi
# BENCH_TOOLS: only those
if [ -n "${BENCH_TOOLS:-}" ]; then
	keep() { local t out=""; for t in $1; do case " $BENCH_TOOLS " in *" $t "*) out="$out $t" ;; esac; done; echo "${out# }"; }
	TOOLS_SUP=$(keep "$TOOLS_SUP")
	TOOLS_PID1=$(keep "$TOOLS_PID1")
fi
ALL_TOOLS=""
for t in floor muster supervisord runit s6 dinit tini dumb-init catatonit; do
	case " $TOOLS_SUP $TOOLS_PID1 " in *" $t "*) ALL_TOOLS="$ALL_TOOLS $t" ;; esac
done
ALL_TOOLS=${ALL_TOOLS# }
say "mode $mode; tools: $ALL_TOOLS; load $LOAD_START"

# ---- results ----------------------------------------------------------------

# record SCEN TOOL VALUE...
record() {
	local scen=$1 tool=$2 v
	shift 2
	for v in "$@"; do printf '%s\t%s\t%s\n' "$scen" "$tool" "$v" >>"$RAW"; done
}
HARNESS_BROKEN=0
# failed SCEN TOOL REASON: muster's and the floor's failures break the run
failed() {
	printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$FAILS"
	record "$1" "$2" fail
	warn "FAIL $1 $2: $3"
	case $2 in muster|floor) HARNESS_BROKEN=1 ;; esac
}
key() { awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "$2"; }

# drive_run NAME RESULT [drive options] -- CMD...: one run under drive with
# the tag; RUN_ENV (array) adds variables.  Logs stderr to $LOGS/NAME.err.
# NO_SWEEP=1: runs go on in parallel, the caller sweeps once they are done.
RUN_ENV=()
NO_SWEEP=0
drive_run() {
	local name=$1 res=$2
	shift 2
	env -u MUSTER_CONFIG -u MUSTER_SOCKET -u NOTIFY_SOCKET -u LISTEN_FDS \
		BENCH_TAG="$TAG" "${RUN_ENV[@]}" "$DRIVE" -O "$res" "$@" 2>>"$LOGS/$name.err"
	local rc=$?
	if [ "$NO_SWEEP" = 0 ] && ! sweep "$name"; then
		# drive saw its tree gone: whatever is left escaped it
		echo "ok 0" >"$res.leak"
		echo "error processes left behind" >>"$res.leak"
		cat "$res" >>"$res.leak" 2>/dev/null
		mv "$res.leak" "$res"
		rc=1
	fi
	return $rc
}

# timeout for one phase of one run, seconds: generous for a loaded machine
phase_timeout() { echo $((20 + $1 * 120 / 1000)); }

# ---- configs ------------------------------------------------------------------

# FAKE_ARGS: the fake's arguments for a scenario's services
fake_args() { echo "-p $1 -t $TAG${2:+ $2}"; }

# gen_muster DIR N FIFO EXTRA-FAKE-ARGS KIND: KIND plain|restart|chain|output
gen_muster() {
	local d=$1 n=$2 fifo=$3 extra=$4 kind=$5 i args
	args=$(fake_args "$fifo" "$extra")
	{
		# cgroups = no as the peers have none, unless the cgroup scenario
		# asks (its rows are the cost of the default, auto, where v2 is);
		# MUSTER_CGROUPS= (empty) leaves the key out, for a muster before 0.2
		printf '[muster]\ncontrol-socket = %s/ctl.sock\n' "$d"
		[ -n "${MUSTER_CGROUPS-no}" ] && printf 'cgroups = %s\n' "${MUSTER_CGROUPS-no}"
		for ((i = 1; i <= n; i++)); do
			printf '\n[service s%d]\ncommand = %s %s\n' "$i" "$FAKE" "$args"
			case $kind in
			restart) printf 'restart = always\nrestart-delay = 0\nstart-limit = none\n' ;;
			chain) printf 'ready-fd = 3\n'; [ "$i" -gt 1 ] && printf 'depends = s%d\n' $((i - 1)) ;;
			esac
		done
	} >"$d/muster.ini"
}

gen_supervisord() {
	local d=$1 n=$2 fifo=$3 extra=$4 kind=$5 i args
	args=$(fake_args "$fifo" "$extra")
	{
		printf '[supervisord]\nnodaemon = true\nuser = root\nlogfile = %s/supervisord.log\n' "$d"
		printf 'pidfile = %s/supervisord.pid\nchildlogdir = %s\nminfds = %d\n' "$d" "$d" $((n * 4 + 1024))
		for ((i = 1; i <= n; i++)); do
			printf '\n[program:s%d]\ncommand = %s %s\nstartsecs = 0\n' "$i" "$FAKE" "$args"
			case $kind in
			restart) printf 'autorestart = true\nstartretries = 1000000\n' ;;
			output) printf 'stdout_logfile = %s\nstdout_logfile_maxbytes = 0\n' "$OUTFILE" ;;
			esac
		done
	} >"$d/supervisord.conf"
}

# runit and s6: one directory per service, ./run a symlink to the fake (its
# options from $FAKE_OPTS), so that no shell runs in between
gen_svdirs() {
	local d=$1 n=$2
	perl -e 'my ($d, $n, $fake) = @ARGV;
		 for my $i (1 .. $n) { mkdir "$d/s$i" or die "$d/s$i: $!";
		                       symlink $fake, "$d/s$i/run" or die "$!"; }' "$d" "$n" "$FAKE"
}

gen_runit() {
	local d=$1 n=$2 kind=$5
	mkdir -p "$d/sv"
	gen_svdirs "$d/sv" "$n" || return 1
	if [ "$kind" = output ]; then
		mkdir -p "$d/sv/s1/log" "$OUTDIR/runit"
		echo s0 >"$OUTDIR/runit/config"          # never rotate
		printf '#!/bin/sh\nexec svlogd %s\n' "$OUTDIR/runit" >"$d/sv/s1/log/run"
		chmod +x "$d/sv/s1/log/run"
	fi
}

gen_s6() {
	local d=$1 n=$2 kind=$5
	mkdir -p "$d/scan"
	gen_svdirs "$d/scan" "$n" || return 1
	if [ "$kind" = output ]; then
		mkdir -p "$d/scan/s1/log" "$OUTDIR/s6"
		printf '#!/bin/sh\nexec s6-log -b n2 s200000000 %s\n' "$OUTDIR/s6" >"$d/scan/s1/log/run"
		chmod +x "$d/scan/s1/log/run"
	fi
}

gen_dinit() {
	local d=$1 n=$2 fifo=$3 extra=$4 kind=$5 i args
	args=$(fake_args "$fifo" "$extra")
	mkdir -p "$d/dinit.d"
	{
		# waits-for: boot is not stopped when a service exits (restarts)
		printf 'type = internal\n'
		if [ "$kind" = chain ]; then printf 'waits-for = s%d\n' "$n"
		else for ((i = 1; i <= n; i++)); do printf 'waits-for = s%d\n' "$i"; done; fi
	} >"$d/dinit.d/boot"
	for ((i = 1; i <= n; i++)); do
		{
			printf 'type = process\ncommand = %s %s\n' "$FAKE" "$args"
			case $kind in
			restart) printf 'restart = yes\nsmooth-recovery = yes\nrestart-delay = 0\nrestart-limit-count = 0\n' ;;
			chain) printf 'ready-notification = pipefd:3\n'; [ "$i" -gt 1 ] && printf 'depends-on = s%d\n' $((i - 1)) ;;
			*) printf 'restart = no\n' ;;
			esac
		} >"$d/dinit.d/s$i"
	done
}

# setup TOOL DIR N FIFO EXTRA KIND: write TOOL's config into DIR, and set
# CMD (array: the supervisor), STOP (drive's stop options, array) and RUN_ENV
setup() {
	local tool=$1 d=$2 n=$3 fifo=$4 extra=$5 kind=$6
	mkdir -p "$d"
	RUN_ENV=()
	STOP=()
	case $tool in
	floor)
		case $kind in
		restart) CMD=("$FLOOR" -r -n "$n" -- "$FAKE" $(fake_args "$fifo" "$extra")) ;;
		chain) CMD=("$FLOOR" -c -f 3 -n "$n" -- "$FAKE" $(fake_args "$fifo" "$extra")) ;;
		output) CMD=("$FAKE" $(fake_args "$fifo" "$extra")) ;;   # straight to the file
		*) CMD=("$FLOOR" -n "$n" -- "$FAKE" $(fake_args "$fifo" "$extra")) ;;
		esac ;;
	muster)
		gen_muster "$d" "$n" "$fifo" "$extra" "$kind"
		CMD=("$MUSTER_BIN" -c "$d/muster.ini") ;;
	supervisord)
		gen_supervisord "$d" "$n" "$fifo" "$extra" "$kind"
		CMD=(supervisord -c "$d/supervisord.conf") ;;   # SIGTERM: stop all, exit
	runit)
		gen_runit "$d" "$n" "$fifo" "$extra" "$kind" || return 1
		RUN_ENV=(FAKE_OPTS="$(fake_args "$fifo" "$extra")")
		CMD=(runsvdir -P "$d/sv")
		# every service down, then SIGHUP: runsvdir sends each runsv TERM
		# (exit once its service is down) and exits
		STOP=(-k 0 -K "sv down $d/sv/* >/dev/null 2>&1; kill -HUP \$BENCH_SUPERVISOR") ;;
	s6)
		gen_s6 "$d" "$n" "$fifo" "$extra" "$kind" || return 1
		RUN_ENV=(FAKE_OPTS="$(fake_args "$fifo" "$extra")")
		if [ "$n" -gt 400 ]; then CMD=(s6-svscan -c $((n * 2)) "$d/scan")
		else CMD=(s6-svscan "$d/scan"); fi ;;          # SIGTERM = s6-svscanctl -t
	dinit)
		gen_dinit "$d" "$n" "$fifo" "$extra" "$kind"
		CMD=("$DINIT" --user -q -d "$d/dinit.d" -p "$d/dinit.sock" boot) ;;
	esac
	# configs as old as on a real machine: runsvdir does not scan a
	# directory changed within the last second (a fresh one costs it 1 s)
	find "$d" -exec touch -h -d "@$(($(date +%s) - 60))" {} + 2>/dev/null
	return 0
}

# ---- 1 + 2. start N, stop; memory at N = 100 -------------------------------

# cell_runs SCEN TOOL: how many runs TOOL gets for SCEN within the budget
cell_start=0
cell_begin() { cell_start=$(date +%s); }
cell_more() {   # cell_more RUN_INDEX [RUNS]: may run RUN_INDEX (1-based)?
	[ "$1" -le 1 ] && return 0
	[ "$1" -gt "${2:-$RUNS}" ] && return 1
	[ $(($(date +%s) - cell_start)) -lt "$CELL_BUDGET" ]
}

scenario_start_stop() {
	local n tool run runs d res to extra_opts
	for n in $NS; do
		for tool in $TOOLS_SUP; do
			if [ "$mode" = quick ] && [ "$n" -ge 1000 ] && [ "$tool" = supervisord ]; then
				record "start$n" "$tool" skip
				record "stop$n" "$tool" skip
				continue
			fi
			d=$WORK/start$n-$tool
			setup "$tool" "$d" "$n" "$d/fifo" "" plain || { failed "start$n" "$tool" "setup"; continue; }
			to=$(phase_timeout "$n")
			extra_opts=()
			[ "$n" = 100 ] && extra_opts=(-M)
			runs=$RUNS
			[ "$n" -ge 1000 ] && runs=$RUNS_1000
			cell_begin
			for ((run = 1; ; run++)); do
				cell_more "$run" "$runs" || break
				res=$d/result.$run
				drive_run "start$n-$tool" "$res" -F "$d/fifo" -n "$n" -s "$SETTLE_MS" -t "$to" \
					"${extra_opts[@]}" "${STOP[@]}" -e "$d/stderr.$run" -- "${CMD[@]}"
				if [ "$(key ok "$res")" != 1 ]; then
					failed "start$n" "$tool" "run $run: $(key error "$res")"
					cp "$d/stderr.$run" "$LOGS/start$n-$tool.stderr.$run" 2>/dev/null
					break
				fi
				if [ "$tool" = muster ]; then
					muster_checks "start$n" "$d/stderr.$run" "$res" "$n" || break
				fi
				record "start$n" "$tool" "$(key ready_ms "$res")"
				record "stop$n" "$tool" "$(key stop_ms "$res")"
				if [ "$n" = 100 ]; then
					record rss "$tool" "$(key rss_kb "$res")"
					record pss "$tool" "$(key pss_kb "$res")"
					record procs "$tool" "$(key procs "$res")"
				fi
				say "N=$n $tool run $run: ready $(key ready_ms "$res") ms, stop $(key stop_ms "$res") ms"
			done
		done
	done
}

# What muster must have said and done in a run of N services.
muster_checks() {
	local scen=$1 err=$2 res=$3 n=$4 s="services"
	[ "$n" = 1 ] && s=service
	if ! grep -q "all $n $s up in" "$err"; then
		failed "$scen" muster "muster did not report 'all $n $s up' (see $LOGS/$scen-muster.stderr)"
		cp "$err" "$LOGS/$scen-muster.stderr"
		return 1
	fi
	if ! grep -q "all services stopped" "$err" || [ "$(key exit "$res")" != 0 ]; then
		failed "$scen" muster "muster did not stop cleanly (exit $(key exit "$res"))"
		cp "$err" "$LOGS/$scen-muster.stderr"
		return 1
	fi
	return 0
}

# ---- 3. idle: every supervisor at once, each with 10 services ---------------

scenario_idle() {
	local run tool d res pids=()
	have perf || have strace || { say "idle: neither perf nor strace; skipped"; return 0; }
	for ((run = 1; run <= IDLE_RUNS; run++)); do
		pids=()
		for tool in $TOOLS_SUP; do
			d=$WORK/idle-$tool
			rm -rf "$d"
			setup "$tool" "$d" 10 "$d/fifo" "" plain || { failed idle_sys "$tool" setup; continue; }
			res=$d/result
			NO_SWEEP=1 drive_run "idle-$tool" "$res" -F "$d/fifo" -n 10 -s 1000 \
				-t $((IDLE_SECS + 60)) -H "$here/idle_probe.sh $IDLE_SECS $d/idle" \
				"${STOP[@]}" -e "$d/stderr" -- "${CMD[@]}" &
			pids+=($!)
		done
		wait "${pids[@]}"
		sweep "idle run $run"
		for tool in $TOOLS_SUP; do
			d=$WORK/idle-$tool
			if [ "$(key ok "$d/result")" = 1 ] && [ -f "$d/idle" ]; then
				record idle_sys "$tool" "$(key idle_syscalls "$d/idle")"
				record idle_ctx "$tool" "$(key idle_ctxsw "$d/idle")"
				IDLE_TOOL=$(key idle_tool "$d/idle")
				say "idle $tool run $run: $(key idle_syscalls "$d/idle") syscalls, $(key idle_ctxsw "$d/idle") switches in ${IDLE_SECS}s"
			else
				failed idle_sys "$tool" "run $run: $(key error "$d/result")"
			fi
		done
	done
}

# ---- 4. a chain of 10, each ready 50 ms after it started ---------------------

scenario_chain() {
	local tool run d res
	for tool in $TOOLS_SUP; do
		case $tool in supervisord|runit|s6) record chain "$tool" n/a; continue ;; esac
		d=$WORK/chain-$tool
		setup "$tool" "$d" "$CHAIN_LEN" "$d/fifo" "-d $CHAIN_MS -f 3" chain || { failed chain "$tool" setup; continue; }
		cell_begin
		for ((run = 1; ; run++)); do
			cell_more "$run" || break
			res=$d/result.$run
			drive_run "chain-$tool" "$res" -F "$d/fifo" -n "$CHAIN_LEN" -s 200 -t 30 "${STOP[@]}" \
				-e "$d/stderr.$run" -- "${CMD[@]}"
			if [ "$(key ok "$res")" != 1 ]; then
				failed chain "$tool" "run $run: $(key error "$res")"
				break
			fi
			[ "$tool" = muster ] && { muster_checks chain "$d/stderr.$run" "$res" "$CHAIN_LEN" || break; }
			record chain "$tool" "$(key ready_ms "$res")"
			say "chain $tool run $run: $(key ready_ms "$res") ms"
		done
	done
}

# ---- 5. restart latency --------------------------------------------------------

scenario_restart() {
	local tool d res v
	for tool in $TOOLS_SUP; do
		d=$WORK/restart-$tool
		setup "$tool" "$d" 1 "$d/fifo" "-S -x 1" restart || { failed restart "$tool" setup; continue; }
		res=$d/result
		# runit, s6 and supervisord wait about a second between two starts
		drive_run "restart-$tool" "$res" -F "$d/fifo" -R "$RESTART_SAMPLES" \
			-t $((RESTART_SAMPLES * 3 + 20)) "${STOP[@]}" -e "$d/stderr" -- "${CMD[@]}"
		if [ "$(key ok "$res")" != 1 ]; then
			failed restart "$tool" "$(key error "$res")"
			continue
		fi
		v=$(key restart_ms "$res")
		# shellcheck disable=SC2086
		record restart "$tool" $v
		say "restart $tool: $v ms"
	done
}

# ---- 6. PID 1 -------------------------------------------------------------------

# wrapper TOOL: the argv prefix that runs a command under TOOL
wrapper() {
	case $1 in
	floor) echo "$FLOOR -i --" ;;
	muster) echo "$MUSTER_BIN --" ;;
	tini) echo "tini -s --" ;;
	dumb-init) echo "dumb-init" ;;
	catatonit) echo "catatonit --" ;;
	esac
}

scenario_pid1() {
	local tool run res args=() line name med min max bare=""
	# a) wall time of WRAPPER /bin/true against /bin/true alone (hyperfine)
	if [ "$HF_RUNS" -gt 0 ] && have hyperfine; then
		args=(-n bare /bin/true)
		for tool in $TOOLS_PID1; do args+=(-n "$tool" "$(wrapper "$tool") /bin/true"); done
		env -u MUSTER_CONFIG -u MUSTER_SOCKET BENCH_TAG="$TAG" \
			hyperfine -N --style none --warmup "$HF_WARM" --runs "$HF_RUNS" \
			--export-csv "$WORK/hyperfine.csv" "${args[@]}" >"$LOGS/hyperfine.log" 2>&1 ||
			warn "hyperfine failed (see $LOGS/hyperfine.log)"
		sweep hyperfine
		while IFS=, read -r name _ _ med _ _ min max; do
			[ "$name" = command ] && continue
			# seconds -> ms; the cell shows median (min-max) of HF_RUNS runs
			record pid1_wall "$name" "$(awk -v m="$med" 'BEGIN { printf "%.4f", m * 1000 }')"
			record pid1_wlo "$name" "$(awk -v m="$min" 'BEGIN { printf "%.4f", m * 1000 }')"
			record pid1_whi "$name" "$(awk -v m="$max" 'BEGIN { printf "%.4f", m * 1000 }')"
			printf '%s\t%s\t%s\t%s\n' "$name" "$med" "$min" "$max" >>"$WORK/hyperfine.stats"
			[ "$name" = bare ] && bare=$med
		done <"$WORK/hyperfine.csv" 2>/dev/null
		if [ -n "$bare" ]; then
			while IFS=$'\t' read -r name med min max; do
				[ "$name" = bare ] && continue
				record pid1_over "$name" "$(awk -v m="$med" -v b="$bare" 'BEGIN { printf "%.4f", (m - b) * 1000 }')"
			done <"$WORK/hyperfine.stats"
		fi
	else
		say "pid1: hyperfine skipped"
	fi
	# b) ORPHANS orphans reaped by the wrapper as PID 1 of a new PID namespace
	if ! env BENCH_TAG="$TAG" timeout -k 2 10 unshare --pid --fork --mount-proc /bin/true 2>/dev/null; then
		say "pid1: unshare --pid --fork --mount-proc does not work here (not root?); orphans skipped"
		return 0
	fi
	for tool in $TOOLS_PID1; do
		cell_begin
		for ((run = 1; ; run++)); do
			cell_more "$run" || break
			res=$WORK/orphans-$tool.$run
			rm -f "$res"
			# shellcheck disable=SC2046
			env -u MUSTER_CONFIG -u MUSTER_SOCKET BENCH_TAG="$TAG" timeout -k 2 60 \
				unshare --pid --fork --mount-proc $(wrapper "$tool") \
				"$FAKE" -t "$TAG" -o "$ORPHANS" -O "$res" >>"$LOGS/orphans-$tool.log" 2>&1
			local rc=$?
			sweep "orphans-$tool"
			if [ ! -s "$res" ] || [ "$rc" -ge 124 ]; then
				failed orph_z "$tool" "run $run: exit $rc, no result (see $LOGS/orphans-$tool.log)"
				break
			fi
			record orph_z "$tool" "$(key zombies "$res")"
			record orph_ms "$tool" "$(key reaped_ms "$res")"
			say "orphans $tool run $run: $(key zombies "$res") zombies after 100 ms, all reaped in $(key reaped_ms "$res") ms"
		done
	done
}

# ---- 7. output throughput --------------------------------------------------------

scenario_output() {
	local tool run d res file bytes=$((OUT_MIB * 1048576)) ms out_opts
	OUTDIR=$WORK/out
	mkdir -p "$OUTDIR"
	OUTFILE=$OUTDIR/out.log
	for tool in $TOOLS_SUP; do
		[ "$tool" = dinit ] && { record output dinit n/a; continue; }   # writes the file itself
		d=$WORK/output-$tool
		setup "$tool" "$d" 1 "$d/fifo" "-l $bytes" output || { failed output "$tool" setup; continue; }
		case $tool in
		runit) file=$OUTDIR/runit/current ;;
		s6) file=$OUTDIR/s6/current ;;
		*) file=$OUTFILE ;;
		esac
		out_opts=()
		case $tool in floor|muster) out_opts=(-o "$OUTFILE") ;; esac
		cell_begin
		for ((run = 1; ; run++)); do
			cell_more "$run" || break
			rm -f "$OUTFILE" "$OUTDIR/runit/current" "$OUTDIR/s6/current"
			res=$d/result.$run
			drive_run "output-$tool" "$res" -F "$d/fifo" -w "$file" -X BENCH-END -t 120 \
				"${out_opts[@]}" "${STOP[@]}" -e "$d/stderr.$run" -- "${CMD[@]}"
			rm -f "$OUTFILE" "$OUTDIR/runit/current" "$OUTDIR/s6/current"
			if [ "$(key ok "$res")" != 1 ]; then
				failed output "$tool" "run $run: $(key error "$res")"
				break
			fi
			ms=$(key write_ms "$res")
			record output "$tool" "$(awk -v m="$OUT_MIB" -v t="$ms" 'BEGIN { printf "%.1f", m / (t / 1000) }')"
			say "output $tool run $run: $OUT_MIB MiB in $ms ms"
		done
	done
	rm -rf "$OUTDIR"
}

# ---- 8. env-file loading ---------------------------------------------------------

# gen_envfile FILE N: N distinct KEY=VALUE lines (700 KB for 80000: under
# the 1 MiB an env-file may have)
gen_envfile() {
	awk -v n="$2" 'BEGIN { for (i = 1; i <= n; i++) printf "K%d=v\n", i }' >"$1"
}

# now_us VAR: the time in microseconds into VAR, without a fork when bash
# has EPOCHREALTIME
now_us() {
	if [ -n "${EPOCHREALTIME:-}" ]; then printf -v "$1" '%s' "${EPOCHREALTIME/[.,]/}"
	else printf -v "$1" '%s' $(($(date +%s%N) / 1000)); fi
}

# muster --check on a service with an env-file of each size in ENV_LINES
# (loading, the merge with env = and validation: the config work of every
# start and reload); then, at the largest, a start of that service (its
# environment is merged with muster's own at every start)
scenario_envfile() {
	local lines d run res t0 t1 rc last=""
	case " $TOOLS_SUP " in *" muster "*) ;; *) return 0 ;; esac
	for lines in $ENV_LINES; do
		last=$lines
		d=$WORK/envfile$lines
		mkdir -p "$d"
		gen_envfile "$d/service.env" "$lines"
		setup muster "$d" 1 "$d/fifo" "" plain || { failed "envcheck$lines" muster setup; continue; }
		printf 'env = K1=env\nenv-file = service.env\n' >>"$d/muster.ini"   # s1's section is the last
		cell_begin
		for ((run = 1; ; run++)); do
			cell_more "$run" || break
			now_us t0
			env -u MUSTER_CONFIG -u MUSTER_SOCKET BENCH_TAG="$TAG" timeout -k 2 300 \
				"$MUSTER_BIN" --check -c "$d/muster.ini" >"$d/check.out" 2>"$d/check.err"
			rc=$?
			now_us t1
			if [ "$rc" != 0 ] || [ "$(cat "$d/check.out")" != "level 0: s1" ]; then
				failed "envcheck$lines" muster "run $run: --check exit $rc: $(head -c 300 "$d/check.err")"
				break
			fi
			record "envcheck$lines" muster "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1000 }')"
			say "env-file $lines lines, --check run $run: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1000 }') ms"
		done
	done
	[ -n "$last" ] || return 0
	d=$WORK/envfile$last
	setup muster "$d" 1 "$d/fifo" "" plain || { failed "envstart$last" muster setup; return 0; }
	printf 'env = K1=env\nenv-file = service.env\n' >>"$d/muster.ini"
	cell_begin
	for ((run = 1; ; run++)); do
		cell_more "$run" || break
		res=$d/result.$run
		drive_run "envstart$last-muster" "$res" -F "$d/fifo" -n 1 -s "$SETTLE_MS" -t 300 \
			-e "$d/stderr.$run" -- "$MUSTER_BIN" -c "$d/muster.ini"
		if [ "$(key ok "$res")" != 1 ]; then
			failed "envstart$last" muster "run $run: $(key error "$res")"
			cp "$d/stderr.$run" "$LOGS/envstart$last-muster.stderr.$run" 2>/dev/null
			break
		fi
		muster_checks "envstart$last" "$d/stderr.$run" "$res" 1 || break
		record "envstart$last" muster "$(key ready_ms "$res")"
		say "env-file $last lines, start run $run: ready $(key ready_ms "$res") ms"
	done
}

# ---- containment: start and stop of CG_N services, cgroups = yes against no ----

# Runs alternate between the two, so that load drifts hit both alike; each
# pair gives the cost per service of a cgroup (mkdir, clone3 into it, the
# events watch; at the stop, waiting for its cgroup.events and rmdir).
scenario_cgroup() {
	local n=$CG_N cg run d res to ok
	case " $TOOLS_SUP " in *" muster "*) ;; *) return 0 ;; esac
	to=$(phase_timeout "$n")
	declare -A st sp
	cell_begin
	for ((run = 1; ; run++)); do
		cell_more "$run" "$RUNS_1000" || break
		ok=1
		for cg in no yes; do
			d=$WORK/cgroup-$cg
			MUSTER_CGROUPS=$cg setup muster "$d" "$n" "$d/fifo" "" plain ||
				{ failed "cg_${cg}_start" muster setup; return 0; }
			res=$d/result.$run
			drive_run "cgroup-$cg" "$res" -F "$d/fifo" -n "$n" -s "$SETTLE_MS" -t "$to" \
				-e "$d/stderr.$run" -- "$MUSTER_BIN" -c "$d/muster.ini"
			if [ "$(key ok "$res")" != 1 ]; then
				if [ "$cg" = yes ] && grep -q 'cgroups = yes: ' "$d/stderr.$run"; then
					warn "cgroup scenario skipped: $(grep -m1 'cgroups = yes: ' "$d/stderr.$run")"
					record cg_yes_start muster skip
					return 0
				fi
				failed "cg_${cg}_start" muster "run $run: $(key error "$res")"
				cp "$d/stderr.$run" "$LOGS/cgroup-$cg.stderr.$run" 2>/dev/null
				return 0
			fi
			muster_checks "cg_${cg}_start" "$d/stderr.$run" "$res" "$n" || return 0
			st[$cg]=$(key ready_ms "$res") sp[$cg]=$(key stop_ms "$res")
			record "cg_${cg}_start" muster "${st[$cg]}"
			record "cg_${cg}_stop" muster "${sp[$cg]}"
		done
		# the difference per service, in microseconds
		record cg_cost_start muster "$(awk -v a="${st[yes]}" -v b="${st[no]}" -v n="$n" 'BEGIN { printf "%.1f", (a - b) * 1000 / n }')"
		record cg_cost_stop muster "$(awk -v a="${sp[yes]}" -v b="${sp[no]}" -v n="$n" 'BEGIN { printf "%.1f", (a - b) * 1000 / n }')"
		say "cgroup N=$n run $run: start no ${st[no]} ms, yes ${st[yes]} ms; stop no ${sp[no]} ms, yes ${sp[yes]} ms"
	done
}

# ---- health checks: muster's CPU per 1000 checks, status while checking -------

# HEALTH_N services, each checked every 100 ms, for HEALTH_SECS: muster's own
# CPU time over that window (its schedstat: its children's time is not in
# it) per 1000 checks of each kind, counted by what answers them; and
# `musterctl status` timed meanwhile (musterctl's own start included)
HEALTH_SERVER='
import os, selectors, signal, socket, sys
mode, portfile, countfile = sys.argv[1:4]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(1024)
s.setblocking(False)
n = 0
def count(*a):
    open(countfile + ".tmp", "w").write("%d\n" % n)
    os.rename(countfile + ".tmp", countfile)
signal.signal(signal.SIGUSR1, count)
open(portfile + ".tmp", "w").write("%d\n" % s.getsockname()[1])
os.rename(portfile + ".tmp", portfile)
sel = selectors.DefaultSelector()
sel.register(s, selectors.EVENT_READ)
while True:
    for key, ev in sel.select(1):
        if key.fileobj is s:
            try:
                c, _ = s.accept()
            except BlockingIOError:
                continue
            n += 1
            if mode == "tcp":
                c.close()
            else:
                c.setblocking(False)
                sel.register(c, selectors.EVENT_READ)
        else:
            c = key.fileobj
            try:
                data = c.recv(4096)
            except (BlockingIOError, ConnectionError):
                data = b""
            if data and b"\r\n\r\n" not in data:
                continue
            if data:
                try:
                    c.send(b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")
                except OSError:
                    pass
            sel.unregister(c)
            c.close()
'
cpu_ns() {   # cpu_ns PID: the CPU time the process itself used, in ns
	if [ -r "/proc/$1/schedstat" ]; then awk '{ print $1 }' "/proc/$1/schedstat"
	else awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); print ($12 + $13) * 1e9 / hz }' "/proc/$1/stat"; fi
}
# health_count KIND DIR SERVER_PID: checks answered so far
health_count() {
	local i
	if [ "$1" = exec ]; then cat "$2"/count.* 2>/dev/null | wc -l; return; fi
	rm -f "$2/count"
	kill -USR1 "$3"
	for i in $(seq 1 500); do [ -s "$2/count" ] && break; sleep 0.01; done
	cat "$2/count" 2>/dev/null || echo 0
}
scenario_health() {
	local kind d port n i t0 t1 cpu0 cpu1 c0 c1 pid spid ctl s0 s1 rc ok
	case " $TOOLS_SUP " in *" muster "*) ;; *) return 0 ;; esac
	have python3 || { say "health: no python3 to answer the checks; skipped"; record health_exec muster skip; return 0; }
	ctl=${MUSTERCTL:-$root/musterctl}
	[ -x "$ctl" ] || ctl=$root/build/musterctl
	[ -x "$ctl" ] || { failed health_exec muster "no musterctl binary"; return 0; }
	n=$HEALTH_N
	for kind in exec http tcp tcpname; do
		d=$WORK/health-$kind
		mkdir -p "$d"
		spid=""
		if [ "$kind" != exec ]; then
			env BENCH_TAG="$TAG" python3 -c "$HEALTH_SERVER" "${kind%name}" "$d/port" "$d/count" \
				>/dev/null 2>"$LOGS/health-$kind-server.err" &
			spid=$!
			for i in $(seq 1 500); do [ -s "$d/port" ] && break; sleep 0.01; done
			port=$(cat "$d/port" 2>/dev/null)
			if [ -z "$port" ]; then
				failed "health_$kind" muster "the server that answers the checks did not start"
				kill -9 "$spid"; wait "$spid" 2>/dev/null
				continue
			fi
		fi
		{
			printf '[muster]\ncontrol-socket = %s/ctl.sock\nlog-level = warning\n' "$d"
			for ((i = 1; i <= n; i++)); do
				printf '[service s%d]\ncommand = sleep 3600\nhealth-interval = 100ms\n' "$i"
				case $kind in
				exec)    printf 'health-check = sh -c "echo >>%s/count.%d"\n' "$d" "$i" ;;
				http)    printf 'health-http = http://127.0.0.1:%s/health\n' "$port" ;;
				tcp)     printf 'health-tcp = 127.0.0.1:%s\n' "$port" ;;
				tcpname) printf 'health-tcp = localhost:%s\n' "$port" ;;
				esac
			done
		} >"$d/muster.ini"
		env -u MUSTER_CONFIG -u MUSTER_SOCKET -u NOTIFY_SOCKET BENCH_TAG="$TAG" \
			"$MUSTER_BIN" -c "$d/muster.ini" >/dev/null 2>"$d/stderr" &
		pid=$!
		ok=0   # every service healthy: each passed a check
		for i in $(seq 1 600); do
			[ "$("$ctl" -s "$d/ctl.sock" status 2>/dev/null | awk 'NR > 1 && $NF == "healthy"' | wc -l)" = "$n" ] &&
				{ ok=1; break; }
			sleep 0.05
		done
		if [ "$ok" = 1 ]; then
			c0=$(health_count "$kind" "$d" "$spid")
			now_us t0
			cpu0=$(cpu_ns "$pid")
			for ((i = 1; i <= HEALTH_STATUS; i++)); do
				now_us s0
				"$ctl" -s "$d/ctl.sock" status >/dev/null 2>&1 || failed health_status muster "status failed while checking"
				now_us s1
				record health_status muster "$(awk -v a="$s0" -v b="$s1" 'BEGIN { printf "%.3f", (b - a) / 1000 }')"
				sleep "$HEALTH_GAP"
			done
			cpu1=$(cpu_ns "$pid")
			now_us t1
			c1=$(health_count "$kind" "$d" "$spid")
		fi
		kill -TERM "$pid"
		wait "$pid"
		rc=$?
		[ -n "$spid" ] && { kill -9 "$spid"; wait "$spid" 2>/dev/null; }
		if [ "$ok" != 1 ] || [ "$rc" != 0 ]; then
			failed "health_$kind" muster "$([ "$ok" != 1 ] && echo "not all $n services healthy" || echo "exit $rc") (see $LOGS/health-$kind.stderr)"
			cp "$d/stderr" "$LOGS/health-$kind.stderr"
			continue
		fi
		if [ "$((c1 - c0))" -le 0 ]; then
			failed "health_$kind" muster "no checks counted"
			continue
		fi
		record "health_$kind" muster "$(awk -v a="$cpu0" -v b="$cpu1" -v c="$((c1 - c0))" 'BEGIN { printf "%.3f", (b - a) / 1e6 / c * 1000 }')"
		say "health $kind: $((c1 - c0)) checks in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e6 }') s, muster used $(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.1f", (b - a) / 1e6 }') ms of CPU"
	done
}

# ---- 9. queryable logs: output through the rings, text and json ----------------------

# logs_flood FORMAT N FILE: muster with N services writing OUT_MIB MiB in
# all (100-byte lines) to its stdout, into FILE, with log-format FORMAT;
# CMD /bin/true ends the run once every service has written all and
# exited, and muster exits once it has written every line.  "direct" is
# the same services writing straight to FILE (appending).  Prints the
# seconds taken, or nothing on failure.
logs_flood() {
	local fmt=$1 n=$2 file=$3 d=$WORK/logs per t0 t1 i rc
	per=$((OUT_MIB * 1048576 / n))
	mkdir -p "$d"
	rm -f "$file"
	if [ "$fmt" = direct ]; then
		now_us t0
		for ((i = 1; i <= n; i++)); do
			env BENCH_TAG="$TAG" "$FAKE" -l "$per" -x 0 >>"$file" &
		done
		wait
		now_us t1
	else
		{
			printf '[muster]\ncontrol-socket = %s/ctl.sock\n' "$d"
			[ "$fmt" = json ] && printf 'log-format = json\n'
			for ((i = 1; i <= n; i++)); do
				printf '\n[service s%d]\ncommand = %s -l %s -x 0\ntype = oneshot\nrestart = no\n' \
					"$i" "$FAKE" "$per"
			done
		} >"$d/muster.ini"
		now_us t0
		env -u MUSTER_CONFIG -u MUSTER_SOCKET BENCH_TAG="$TAG" timeout -k 2 300 \
			"$MUSTER_BIN" -c "$d/muster.ini" -- /bin/true >"$file" 2>"$d/stderr"
		rc=$?
		now_us t1
		[ "$rc" = 0 ] || { warn "logs $fmt $n: muster exited $rc: $(tail -c 300 "$d/stderr")"; return 1; }
	fi
	local ends
	ends=$(grep -c BENCH-END "$file")
	[ "$ends" = "$n" ] || { warn "logs $fmt $n: $ends of $n floods ended in the file"; return 1; }
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", (b - a) / 1e6 }'
}

# Throughput of output through muster (every line into its service's
# ring, written from there) to a file, text and json, 1 and 50 services,
# against the same flood written straight to the file; then muster's RSS
# with 100 services whose 256K buffers are full.
scenario_logs() {
	local n fmt run s file lines d=$WORK/logs
	case " $TOOLS_SUP " in *" muster "*) ;; *) return 0 ;; esac
	mkdir -p "$d"
	file=$d/out.log
	lines=$((OUT_MIB * 1048576 / 100))
	for n in 1 50; do
		for fmt in direct text json; do
			for ((run = 1; run <= RUNS; run++)); do
				s=$(logs_flood "$fmt" "$n" "$file") || { failed "logs_${fmt}$n" muster "run $run"; break; }
				if [ "$fmt" = direct ]; then
					record "logs_text$n" floor "$(awk -v m="$OUT_MIB" -v t="$s" 'BEGIN { printf "%.1f", m / t }')"
					record "logs_json$n" floor "$(awk -v m="$OUT_MIB" -v t="$s" 'BEGIN { printf "%.1f", m / t }')"
					record "logs_ltext$n" floor "$(awk -v l="$lines" -v t="$s" 'BEGIN { printf "%.0f", l / t }')"
					record "logs_ljson$n" floor "$(awk -v l="$lines" -v t="$s" 'BEGIN { printf "%.0f", l / t }')"
				else
					record "logs_$fmt$n" muster "$(awk -v m="$OUT_MIB" -v t="$s" 'BEGIN { printf "%.1f", m / t }')"
					record "logs_l$fmt$n" muster "$(awk -v l="$lines" -v t="$s" 'BEGIN { printf "%.0f", l / t }')"
				fi
				say "logs: $OUT_MIB MiB, $n service(s), $fmt: ${s}s"
			done
		done
		rm -f "$file"
	done
	# RSS: 100 services, each 400 KiB of lines (more than its 256K buffer), then idle
	{
		printf '[muster]\ncontrol-socket = %s/ctl.sock\n' "$d"
		for ((n = 1; n <= 100; n++)); do
			printf '\n[service s%d]\ncommand = %s -l 409600\n' "$n" "$FAKE"
		done
	} >"$d/rss.ini"
	env -u MUSTER_CONFIG -u MUSTER_SOCKET BENCH_TAG="$TAG" "$MUSTER_BIN" -c "$d/rss.ini" \
		>"$file" 2>"$d/rss.err" &
	local mpid=$! t
	for ((t = 0; t < 600; t++)); do
		[ "$(grep -c BENCH-END "$file" 2>/dev/null)" = 100 ] && break
		sleep 0.1
	done
	if [ "$(grep -c BENCH-END "$file" 2>/dev/null)" = 100 ]; then
		record logs_rss muster "$(awk '/^VmRSS:/ { print $2 }' "/proc/$mpid/status")"
		say "logs: RSS with 100 full buffers: $(awk '/^VmRSS:/ { print $2 }' "/proc/$mpid/status") kB"
	else
		failed logs_rss muster "the 100 services did not write all their lines"
	fi
	kill -TERM "$mpid" 2>/dev/null
	wait "$mpid" 2>/dev/null
	rm -rf "$d"
}

# ---- run ---------------------------------------------------------------------------

# only BENCH_ONLY's scenarios, when it is set
want() { [ -z "${BENCH_ONLY:-}" ] || case " $BENCH_ONLY " in *" $1 "*) true ;; *) false ;; esac; }

IDLE_TOOL=""
want start && scenario_start_stop
want idle && scenario_idle
want chain && scenario_chain
want restart && scenario_restart
want pid1 && scenario_pid1
want output && scenario_output
want envfile && scenario_envfile
want cgroup && scenario_cgroup
want health && scenario_health
want logs && scenario_logs

LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
ELAPSED=$(($(date +%s) - T_START))

# ---- the table ---------------------------------------------------------------------

# per SCEN and TOOL: n, median, min, max, and whether any run failed/skipped
STATS=$BUILD/stats.tsv
awk -F'\t' '
	{ k = $1 "\t" $2 }
	$3 == "fail" { fail[k] = 1; keys[k] = 1; next }
	$3 == "skip" { skip[k] = 1; keys[k] = 1; next }
	$3 == "n/a"  { na[k] = 1; keys[k] = 1; next }
	$3 ~ /^-?[0-9.]+$/ { v[k, ++n[k]] = $3 + 0; keys[k] = 1 }
	END {
		for (k in keys) {
			m = n[k] + 0
			for (i = 2; i <= m; i++) {          # insertion sort
				x = v[k, i]
				for (j = i - 1; j >= 1 && v[k, j] > x; j--) v[k, j + 1] = v[k, j]
				v[k, j + 1] = x
			}
			med = m ? (m % 2 ? v[k, (m + 1) / 2] : (v[k, m / 2] + v[k, m / 2 + 1]) / 2) : ""
			flag = fail[k] ? "fail" : skip[k] ? "skip" : na[k] ? "n/a" : "-"
			# "-" for an empty field: read would merge two tabs into one
			printf "%s\t%d\t%s\t%s\t%s\t%s\n", k, m, m ? med : "-", m ? v[k, 1] : "-", m ? v[k, m] : "-", flag
		}
	}' "$RAW" >"$STATS"

declare -A N MED MIN MAX FLAG
while IFS=$'\t' read -r s t n med min max flag; do
	[ "$med" = - ] && med="" min="" max=""
	N[$s/$t]=$n MED[$s/$t]=$med MIN[$s/$t]=$min MAX[$s/$t]=$max FLAG[$s/$t]=$flag
done <"$STATS"

# fmt KIND VALUE: ms | mib (from KiB) | int | rate
fmt() {
	awk -v k="$1" -v x="$2" 'BEGIN {
		if (x == "") { print ""; exit }
		if (k == "mib") x = x / 1024
		if (k == "int") { printf "%d", x + (x < 0 ? -0.5 : 0.5); exit }
		a = x < 0 ? -x : x
		if (a == 0) printf "0"
		else if (a < 1) printf "%.3f", x
		else if (a < 10) printf "%.2f", x
		else if (a < 100) printf "%.1f", x
		else printf "%.0f", x
	}'
}

# cell SCEN TOOL KIND: "median (min–max)", "n/a", "fail", ...
cell() {
	local k=$1/$2 kind=$3 n
	n=${N[$k]:-}
	if [ -z "$n" ]; then echo "—"; return; fi
	if [ "$n" = 0 ]; then
		case ${FLAG[$k]} in fail) echo "**fail**" ;; skip) echo "skipped" ;; *) echo "n/a" ;; esac
		return
	fi
	local s want=$RUNS
	s=$(fmt "$kind" "${MED[$k]}")
	if [ "$1" = pid1_wall ]; then   # hyperfine's own min and max
		echo "$s ($(fmt "$kind" "${MED[pid1_wlo/$2]:-}")–$(fmt "$kind" "${MED[pid1_whi/$2]:-}"))"
		return
	fi
	local lo hi
	lo=$(fmt "$kind" "${MIN[$k]}") hi=$(fmt "$kind" "${MAX[$k]}")
	if [ "$n" -gt 1 ] && [ "$lo" != "$hi" ]; then s="$s ($lo–$hi)"; fi
	case $1 in
	start1000|stop1000) want=$RUNS_1000 ;;
	restart) want=$RESTART_SAMPLES ;;
	health_status) want=$((HEALTH_STATUS * 4)) ;;
	health_*) want=1 ;;
	idle_*) want=$IDLE_RUNS ;;
	pid1_over) want=1 ;;
	esac
	[ "$n" -lt "$want" ] && s="$s n=$n"
	[ "${FLAG[$k]}" = fail ] && s="$s **fail**"
	echo "$s"
}

ratio() {   # ratio SCEN: muster's median / the floor's
	local m=${MED[$1/muster]:-} f=${MED[$1/floor]:-}
	case $1 in procs|idle_*|orph_z) echo "—"; return ;; esac
	[ -z "$m" ] || [ -z "$f" ] && { echo "—"; return; }
	awk -v m="$m" -v f="$f" 'BEGIN { if (f == 0) print "—"; else printf "×%.2f", m / f }'
}

# target SCEN: "met?" for muster, with the reason when not
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
target() {
	local s=$1 m=${MED[$1/muster]:-} f=${MED[$1/floor]:-} t why=""
	[ -z "$m" ] && { echo "—"; return; }
	case $s in
	start*|stop*)
		[ -n "$f" ] && ! le "$m" "$(awk -v f="$f" 'BEGIN { print f * 1.2 }')" && why="$(ratio "$s") floor"
		for t in supervisord runit s6 dinit; do
			[ -n "${MED[$s/$t]:-}" ] && ! lt "$m" "${MED[$s/$t]}" && why="${why:+$why; }$t faster"
		done ;;
	rss) lt "$m" 2048 || why="$(fmt mib "$m") MiB" ;;
	envcheck*)
		# linear: N times the lines, at most N + 1 times the time
		local first=${ENV_LINES%% *} m1
		[ "$s" = "envcheck$first" ] && { echo "—"; return; }
		m1=${MED[envcheck$first/muster]:-}
		[ -z "$m1" ] && { echo "—"; return; }
		le "$m" "$(awk -v a="$m1" -v n="${s#envcheck}" -v f="$first" 'BEGIN { print a * (n / f + 1) }')" ||
			why="×$(awk -v a="$m" -v b="$m1" 'BEGIN { printf "%.1f", a / b }') the $first-line time" ;;
	idle_sys) [ "${MAX[$s/muster]}" = 0 ] || why="$(fmt int "${MAX[$s/muster]}") calls" ;;
	chain) le "$m" 505 || why="$(fmt ms "$m") ms" ;;
	restart) lt "$m" 1 || why="$(fmt ms "$m") ms" ;;
	pid1_over)
		[ -z "${MED[$s/catatonit]:-}" ] && { echo "—"; return; }
		le "$m" "${MED[$s/catatonit]}" || why="catatonit $(fmt ms "${MED[$s/catatonit]}") ms" ;;
	output) [ -n "$f" ] && ! le "$(awk -v f="$f" 'BEGIN { print f * 0.5 }')" "$m" && why="$(ratio "$s") direct" ;;
	logs_text*|logs_json*|logs_l*)
		[ -n "$f" ] && ! le "$(awk -v f="$f" 'BEGIN { print f / 1.3 }')" "$m" && why="$(ratio "$s") direct" ;;
	logs_rss) lt "$m" $((100 * 256 * 2)) || why="$(fmt mib "$m") MiB" ;;
	*) echo "—"; return ;;
	esac
	if [ -z "$why" ]; then echo "yes"; else echo "**no** ($why)"; fi
}

ROWS=()
for n in $NS; do
	ROWS+=("start $n → all ready (ms)|start$n|ms|≤ 1.2× floor, < peers")
	ROWS+=("stop $n → all gone (ms)|stop$n|ms|≤ 1.2× floor, < peers")
done
case " $NS " in *" 100 "*)
	ROWS+=("RSS of the tree, 100 services (MiB)|rss|mib|< 2 MiB")
	ROWS+=("PSS of the tree, 100 services (MiB)|pss|mib|")
	ROWS+=("processes in the tree, 100 services|procs|int|") ;;
esac
ROWS+=("idle syscalls, 10 services, ${IDLE_SECS} s|idle_sys|int|0")
ROWS+=("idle context switches, ${IDLE_SECS} s|idle_ctx|int|")
ROWS+=("chain $CHAIN_LEN × $CHAIN_MS ms → all ready (ms; path $((CHAIN_LEN * CHAIN_MS)))|chain|ms|≤ 1 % over the path")
ROWS+=("restart: exit → respawn (ms)|restart|ms|< 1 ms")
ROWS+=("PID 1: wall time of \`W /bin/true\` (ms)|pid1_wall|ms|")
ROWS+=("PID 1: overhead over bare /bin/true (ms)|pid1_over|ms|≤ catatonit")
ROWS+=("PID 1: zombies 100 ms after $ORPHANS orphans exit|orph_z|int|")
ROWS+=("PID 1: $ORPHANS orphans released → all reaped (ms)|orph_ms|ms|")
ROWS+=("output: $OUT_MIB MiB of lines → file (MiB/s)|output|rate|≥ 0.5× direct")
first_env=${ENV_LINES%% *}
for lines in $ENV_LINES; do
	if [ "$lines" = "$first_env" ]; then tgt=""
	else tgt="≤ $((lines / first_env + 1))× the $first_env-line time"; fi
	ROWS+=("env-file of $lines lines: \`muster --check\` (ms)|envcheck$lines|ms|$tgt")
done
ROWS+=("env-file of ${ENV_LINES##* } lines: start 1 service → ready (ms)|envstart${ENV_LINES##* }|ms|")
ROWS+=("cgroups = no: start $CG_N → all ready (ms)|cg_no_start|ms|")
ROWS+=("cgroups = yes: start $CG_N → all ready (ms)|cg_yes_start|ms|")
ROWS+=("cgroups = no: stop $CG_N → all gone (ms)|cg_no_stop|ms|")
ROWS+=("cgroups = yes: stop $CG_N → all gone (ms)|cg_yes_stop|ms|")
ROWS+=("a cgroup per service: start cost per service (µs)|cg_cost_start|ms|")
ROWS+=("a cgroup per service: stop cost per service (µs)|cg_cost_stop|ms|")
ROWS+=("health: muster's CPU per 1000 exec checks (ms)|health_exec|ms|")
ROWS+=("health: muster's CPU per 1000 http checks (ms)|health_http|ms|")
ROWS+=("health: muster's CPU per 1000 tcp checks (ms)|health_tcp|ms|")
ROWS+=("health: muster's CPU per 1000 tcp checks of a name (ms)|health_tcpname|ms|")
ROWS+=("health: \`musterctl status\`, $HEALTH_N services checked every 100 ms (ms)|health_status|ms|")
for n in 1 50; do
	for f in text json; do
		ROWS+=("logs: $OUT_MIB MiB from $n service(s) → file, $f (MiB/s; floor: written directly)|logs_$f$n|rate|≥ direct ÷ 1.3")
		ROWS+=("logs: the same in lines/s, $f, $n service(s)|logs_l$f$n|int|≥ direct ÷ 1.3")
	done
done
ROWS+=("logs: muster's RSS, 100 services × 256K buffers full (MiB)|logs_rss|mib|< 2 × the buffers")

# a tool with no figure at all (BENCH_ONLY) gets no column
shown=""
for t in $ALL_TOOLS; do
	for k in "${!N[@]}"; do [ "${k##*/}" = "$t" ] && { shown="$shown $t"; break; }; done
done
ALL_TOOLS=${shown# }

hdr="| scenario |"
sep="| --- |"
for t in $ALL_TOOLS; do
	case $t in floor) hdr="$hdr floor |" ;; *) hdr="$hdr $t |" ;; esac
	sep="$sep --- |"
	[ "$t" = muster ] && { hdr="$hdr muster ÷ floor |"; sep="$sep --- |"; }
done
hdr="$hdr target | met |"
sep="$sep --- | --- |"

{
	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	mem=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
	echo "## muster benchmark ($mode run)"
	echo
	echo "Made by \`$( [ "$mode" = full ] && echo "bench/run.sh" || echo "BENCH_$( echo "$mode" | tr a-z A-Z )=1 bench/run.sh")\` ($(date -u +%Y-%m-%d)); how each figure is measured: [README.md](README.md)."
	echo
	echo "- machine: ${cpu:-unknown CPU}, $(nproc) cores, $mem; $(uname -sr)"
	echo "- $(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME"); muster $("$MUSTER_BIN" --version 2>/dev/null | awk '{ print $2 }') ($(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$root" diff --quiet HEAD -- src 2>/dev/null || echo ', src modified'))"
	vers=""
	for p in supervisor runit s6 tini dumb-init catatonit hyperfine; do
		v=$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null) && vers="$vers, $p $v"
	done
	[ -n "${DINIT:-}" ] && [ -x "$DINIT" ] && vers="$vers, dinit $("$DINIT" --version 2>/dev/null | head -1)"
	[ -n "$vers" ] && echo "- peers: ${vers#, }"
	echo "- load average at start $LOAD_START, at end $LOAD_END; took ${ELAPSED} s"
	if awk -v a="${LOAD_START%% *}" -v b="${LOAD_END%% *}" -v c="$(nproc)" 'BEGIN { exit !(a > c || b > c) }'; then
		echo "- **the machine was busy** (load above its $(nproc) cores): absolute timings are noisy; compare within this run, row by row"
	fi
	echo "- each cell: median (min–max) over $RUNS run(s) unless n= says fewer (a slow tool stops after ${CELL_BUDGET} s a cell); restart: $RESTART_SAMPLES respawns; PID 1 wall time: $HF_RUNS runs of hyperfine${IDLE_TOOL:+; idle syscalls counted with $IDLE_TOOL}"
	echo "- floor: bench/floor.c (spawn, wait, signal, reap; nothing else); in the output row it is the fake service writing the file directly"
	echo
	echo "$hdr"
	echo "$sep"
	for row in "${ROWS[@]}"; do
		IFS='|' read -r label scen kind tgt <<<"$row"
		any=0
		for t in $ALL_TOOLS; do [ -n "${N[$scen/$t]:-}" ] && any=1; done
		[ "$any" = 0 ] && continue     # not measured in this mode
		line="| $label |"
		for t in $ALL_TOOLS; do
			line="$line $(cell "$scen" "$t" "$kind") |"
			[ "$t" = muster ] && line="$line $(ratio "$scen") |"
		done
		if [ -n "$tgt" ]; then line="$line $tgt | $(target "$scen") |"; else line="$line | |"; fi
		echo "$line"
	done
	if [ -s "$FAILS" ]; then
		echo
		echo "Failures:"
		echo
		while IFS=$'\t' read -r s t why; do echo "- $s, $t: $why"; done <"$FAILS"
	fi
} | tee "$BUILD/table.md"

if [ "$LEAKS" -gt 0 ]; then
	warn "processes were left behind $LEAKS time(s)"
	HARNESS_BROKEN=1
fi
if [ "$HARNESS_BROKEN" = 1 ]; then
	warn "the harness is broken: muster or the floor failed (see above and $LOGS)"
	exit 1
fi
say "done in ${ELAPSED} s; raw numbers in $RAW"
exit 0
}
