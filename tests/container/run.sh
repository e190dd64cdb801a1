#!/usr/bin/env bash
# muster as the PID 1 of a real container.  `make container` (which
# `make check` runs through check-static) builds the static binaries and
# runs this with MUSTER and MUSTERCTL naming them.
#
# Each scenario builds an OCI bundle from busybox-static (Debian's
# /bin/busybox, with a link per applet), the static muster and musterctl
# and conf/container.ini as /etc/muster.ini (no network, no image
# registry), runs it under runc and checks, from outside:
#
#   runc_graph      the graph starts in order (setup, store, then api and
#                   worker; worker as nobody, from the image's /etc/passwd);
#                   a service killed from inside (runc exec kill -9) is seen
#                   and restarted; the orphans of `runc exec` (reparented to
#                   muster, PID 1) are reaped; `runc kill ID TERM` stops the
#                   services in reverse, within graceful-timeout, and the
#                   container exits 0
#   runc_main_cmd   muster -c /etc/muster.ini -- sh -c 'exit 7': the main
#                   command runs once the services are up, and its status
#                   is the container's
#   runc_zero_config muster -- sh ...: the minimal init; a SIGPIPE sent to
#                   the container reaches the command
#   image_files     conf/Dockerfile builds what the bundles run (make
#                   static, the same binaries and config, the ENTRYPOINT
#                   muster -c /etc/muster.ini) and conf/kubernetes.yaml's
#                   grace period covers graceful-timeout
#   podman_graph    the graph of runc_graph under `podman run --rootfs`,
#                   when podman is installed (else skipped with the reason)
#
# A scenario the kernel or the runtime refuses is skipped with the reason,
# never silently.  Every container is deleted (runc delete --force) and
# every bundle removed when the run ends, failed or not.  Every wait is
# bounded.  Prints `ok NAME`, `FAIL NAME` with the log, or `skip NAME
# (reason)`, then `N passed, N failed, N skipped`; exits 1 on a failure.
set -u

: "${MUSTER:?MUSTER must name the static muster (make static)}"
: "${MUSTERCTL:?MUSTERCTL must name the static musterctl (make static)}"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CONF=${CONTAINER_CONF:-$ROOT/conf/container.ini}
WAIT=${DEFAULT_WAIT:-30}        # seconds, for a loaded machine
GRACEFUL=10                     # conf/container.ini's graceful-timeout
BUSYBOX=/bin/busybox            # busybox-static

WORK=$(mktemp -d /tmp/muster-ct.XXXXXX) || exit 1
chmod 0700 "$WORK"
: >"$WORK/ids"                  # every container id created, one a line
: >"$WORK/pids"                 # every runtime process started, one a line
passed=0 failed=0 skipped=0

cleanup() {
	local id pid
	while read -r id; do
		[ -n "$id" ] || continue
		timeout 20 runc delete --force "$id" >/dev/null 2>&1
		command -v podman >/dev/null 2>&1 &&
			timeout 20 podman rm --force "$id" >/dev/null 2>&1
	done <"$WORK/ids"
	while read -r pid; do
		[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	done <"$WORK/pids"
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- within a scenario (each runs in a subshell) ----------------------

SCEN="" LOG=""
fail() {
	echo "FAIL: $SCEN: $*" >&2
	if [ -n "$LOG" ] && [ -f "$LOG" ]; then
		echo "---- the container's output ($(wc -l <"$LOG") lines) ----" >&2
		sed 's/^/  /' "$LOG" | tail -n 60 >&2
	fi
	exit 1
}
skip() { echo "$*" >"$WORK/$SCEN.skip"; exit 77; }

# wait_for FILE REGEX [SECONDS]: until a line of FILE matches.
wait_for() {
	local deadline=$(($(date +%s) + ${3:-$WAIT}))
	until grep -qE -- "$2" "$1" 2>/dev/null; do
		[ "$(date +%s)" -le "$deadline" ] || fail "no line matching /$2/ within ${3:-$WAIT}s"
		sleep 0.05
	done
}

# assert_order FILE REGEX...: the first lines matching each, in that order.
assert_order() {
	local file=$1 prev=0 prevpat="" pat n
	shift
	for pat in "$@"; do
		n=$(grep -nE -m1 -- "$pat" "$file" | cut -d: -f1)
		[ -n "$n" ] || fail "order: no line matches /$pat/"
		[ "$n" -gt "$prev" ] || fail "order: expected /$pat/ after /$prevpat/ (line $prev), found it on line $n"
		prev=$n prevpat=$pat
	done
}

# json_args WORD...: the words as a JSON array of strings.
json_args() {
	local w sep="" out="["
	for w in "$@"; do
		w=${w//\\/\\\\}
		w=${w//\"/\\\"}
		out+="$sep\"$w\""
		sep=", "
	done
	printf '%s]' "$out"
}

# bundle DIR ARG...: an OCI bundle in DIR whose process is ARG...: the
# rootfs (busybox, muster, musterctl, /etc/muster.ini, a passwd and group
# with root and nobody) and config.json (PID, mount, IPC, UTS and network
# namespaces; the rootfs read-only, tmpfs on /run and /tmp).
bundle() {
	local dir=$1 a
	shift
	mkdir -p "$dir"/rootfs/{bin,usr/bin,etc,proc,dev,sys,run,tmp} || fail "cannot make $dir"
	cp "$BUSYBOX" "$dir/rootfs/bin/busybox" || fail "cannot copy $BUSYBOX"
	for a in $("$BUSYBOX" --list); do
		[ "$a" = busybox ] || ln -s busybox "$dir/rootfs/bin/$a"
	done
	install -m 0755 "$MUSTER" "$dir/rootfs/usr/bin/muster" &&
		install -m 0755 "$MUSTERCTL" "$dir/rootfs/usr/bin/musterctl" &&
		install -m 0644 "$CONF" "$dir/rootfs/etc/muster.ini" || fail "cannot install muster in $dir"
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
		>"$dir/rootfs/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir/rootfs/etc/group"
	local caps='"CAP_KILL", "CAP_SETUID", "CAP_SETGID", "CAP_CHOWN", "CAP_FOWNER", "CAP_DAC_OVERRIDE"'
	cat >"$dir/config.json" <<JSON
{
  "ociVersion": "1.0.2-dev",
  "process": {
    "terminal": false,
    "user": { "uid": 0, "gid": 0 },
    "args": $(json_args "$@"),
    "env": [ "PATH=/usr/bin:/bin", "HOME=/" ],
    "cwd": "/",
    "capabilities": {
      "bounding": [ $caps ], "effective": [ $caps ], "permitted": [ $caps ]
    },
    "rlimits": [ { "type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024 } ],
    "noNewPrivileges": true
  },
  "root": { "path": "rootfs", "readonly": true },
  "hostname": "muster-ct",
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
      "options": [ "nosuid", "strictatime", "mode=755", "size=65536k" ] },
    { "destination": "/dev/pts", "type": "devpts", "source": "devpts",
      "options": [ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620" ] },
    { "destination": "/run", "type": "tmpfs", "source": "tmpfs",
      "options": [ "nosuid", "nodev", "mode=755" ] },
    { "destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
      "options": [ "nosuid", "nodev", "mode=1777" ] },
    { "destination": "/sys", "type": "sysfs", "source": "sysfs",
      "options": [ "nosuid", "noexec", "nodev", "ro" ] }
  ],
  "linux": {
    "namespaces": [ { "type": "pid" }, { "type": "mount" }, { "type": "ipc" },
                    { "type": "uts" }, { "type": "network" } ]
  }
}
JSON
}

# run_bg NAME ARG...: runc run a new bundle (process ARG...) in the
# background, its output in $LOG; sets ID and RPID (runc's pid).
run_bg() {
	local name=$1
	shift
	ID=muster-ct-$$-$name
	echo "$ID" >>"$WORK/ids"
	bundle "$WORK/$name" "$@"
	LOG=$WORK/$name.log
	runc run --bundle "$WORK/$name" "$ID" </dev/null >"$LOG" 2>&1 &
	RPID=$!
	echo "$RPID" >>"$WORK/pids"
}

# wait_rc PID [SECONDS]: wait for our child PID; its status in RC.
RC=""
wait_rc() {
	local deadline=$(($(date +%s) + ${2:-$WAIT}))
	while kill -0 "$1" 2>/dev/null; do
		if [ "$(date +%s)" -gt "$deadline" ]; then
			kill -KILL "$1" 2>/dev/null
			fail "the container's runtime (pid $1) did not exit within ${2:-$WAIT}s"
		fi
		sleep 0.05
	done
	wait "$1"
	RC=$?
}

# cexec ARG...: run ARG... in the container $ID (bounded).
cexec() { timeout 20 runc exec "$ID" "$@" </dev/null; }

# svc_pid NAME: the service's pid inside the container (musterctl status).
svc_pid() { cexec musterctl status "$1" 2>/dev/null | awk -v n="$1" '$1 == n { print $3 }'; }

# ---- the scenarios ----------------------------------------------------

scenario_runc_graph() {
	run_bg graph /usr/bin/muster -c /etc/muster.ini
	wait_for "$LOG" 'all 4 services up'
	assert_order "$LOG" 'setup: done' 'store: started' 'store: ready' 'api: started'
	assert_order "$LOG" 'store: ready' 'worker: started'
	grep -q 'worker *| started as nobody:nogroup' "$LOG" ||
		fail "worker did not run as nobody:nogroup (user = nobody, from the image's /etc/passwd)"

	# a service killed from inside is seen and restarted
	local old new deadline
	old=$(svc_pid api)
	case $old in '' | *[!0-9]*) fail "musterctl status in the container gave no pid for api: '$old'" ;; esac
	cexec kill -9 "$old" || fail "runc exec kill -9 $old failed"
	wait_for "$LOG" 'api: (exited|stopped|failed).*signal 9|api: .*SIGKILL'
	deadline=$(($(date +%s) + WAIT))
	while :; do
		new=$(svc_pid api)
		case $new in '' | - | "$old") ;; *[!0-9]*) ;; *) break ;; esac
		[ "$(date +%s)" -le "$deadline" ] || fail "api was not restarted after kill -9 $old (pid now '$new')"
		sleep 0.1
	done
	cexec musterctl status api | awk '$1 == "api" { exit !($5 == 1) }' ||
		fail "api's restart count is not 1: $(cexec musterctl status api | tr '\n' '|')"

	# the orphans of runc exec are muster's (PID 1) and reaped
	cexec sh -c 'for i in 1 2 3 4 5; do
		sh -c "echo \$\$ >>/tmp/orphans; while [ ! -e /tmp/release ]; do sleep 0.05; done" \
			</dev/null >/dev/null 2>&1 &
	done' || fail "runc exec of the orphans' maker failed"
	local pids ppids states
	deadline=$(($(date +%s) + WAIT))
	while :; do
		pids=$(cexec cat /tmp/orphans 2>/dev/null | tr '\n' ' ')
		ppids=$(cexec sh -c 'for p in $(cat /tmp/orphans); do cut -d" " -f4 /proc/$p/stat; done' 2>/dev/null | sort -u | tr '\n' ' ')
		[ "$(echo "$pids" | wc -w)" = 5 ] && [ "$ppids" = "1 " ] && break
		[ "$(date +%s)" -le "$deadline" ] || fail "orphans $pids: parents '$ppids', expected 1 (muster) for all 5"
		sleep 0.1
	done
	cexec touch /tmp/release || fail "cannot release the orphans"
	deadline=$(($(date +%s) + WAIT))
	while :; do
		states=$(cexec sh -c 'for p in $(cat /tmp/orphans); do [ -e /proc/$p ] && echo "$p:$(cut -d" " -f3 /proc/$p/stat)"; done' 2>/dev/null | tr '\n' ' ')
		[ -z "$states" ] && break
		[ "$(date +%s)" -le "$deadline" ] || fail "orphans not reaped within ${WAIT}s (pid:state): $states"
		sleep 0.1
	done

	# runc kill TERM: the services stop in reverse, within graceful-timeout
	local t0 t1
	t0=$(date +%s.%N)
	timeout 20 runc kill "$ID" TERM || fail "runc kill $ID TERM failed"
	wait_rc "$RPID" $((GRACEFUL + WAIT))
	t1=$(date +%s.%N)
	[ "$RC" = 0 ] || fail "the container exited $RC after runc kill TERM, expected 0"
	assert_order "$LOG" 'stopping 3 services' 'api: stopped' 'store: stopping' 'store: stopped' 'all services stopped'
	assert_order "$LOG" 'worker: stopped' 'store: stopping'
	! grep -q 'SIGKILL' "$LOG" || fail "something was killed with SIGKILL during the stop"
	awk -v a="$t0" -v b="$t1" -v g="$GRACEFUL" 'BEGIN { exit !(b - a < g) }' ||
		fail "the stop took $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')s, graceful-timeout is ${GRACEFUL}s"
}

scenario_runc_main_cmd() {
	run_bg maincmd /usr/bin/muster -c /etc/muster.ini -- /bin/sh -c 'echo "main: running"; exit 7'
	wait_rc "$RPID" $((GRACEFUL + WAIT))
	[ "$RC" = 7 ] || fail "the container exited $RC, expected 7 (the main command's status)"
	assert_order "$LOG" 'all 4 services up' 'main command started' 'main: running' \
		'main command exited with (exit )?(status )?7' 'api: stopped' 'store: stopped'
}

scenario_runc_zero_config() {
	run_bg zero /usr/bin/muster -- /bin/sh -c \
		'trap "echo got PIPE" PIPE; trap "echo got TERM; exit 5" TERM; echo ready; while :; do sleep 0.05; done'
	wait_for "$LOG" '^ready$'
	timeout 20 runc kill "$ID" PIPE || fail "runc kill $ID PIPE failed"
	wait_for "$LOG" '^got PIPE$'
	timeout 20 runc kill "$ID" TERM || fail "runc kill $ID TERM failed"
	wait_rc "$RPID"
	[ "$RC" = 5 ] || fail "the container exited $RC, expected 5 (the command's, from its TERM trap)"
}

scenario_image_files() {
	local df=$ROOT/conf/Dockerfile k8s=$ROOT/conf/kubernetes.yaml g grace
	grep -qE '^RUN make static( |$)' "$df" || fail "conf/Dockerfile does not build with make static"
	grep -qE '^COPY --from=[a-z]+ /src/build-static/muster /src/build-static/musterctl /usr/bin/$' "$df" ||
		fail "conf/Dockerfile does not install build-static/muster and musterctl in /usr/bin"
	grep -qE '^COPY conf/container.ini /etc/muster.ini$' "$df" ||
		fail "conf/Dockerfile does not install conf/container.ini as /etc/muster.ini"
	grep -qxF 'ENTRYPOINT ["/usr/bin/muster", "-c", "/etc/muster.ini"]' "$df" ||
		fail "conf/Dockerfile's ENTRYPOINT is not muster -c /etc/muster.ini"
	g=$(sed -n 's/^graceful-timeout = \([0-9]*\)s$/\1/p' "$CONF")
	[ "$g" = "$GRACEFUL" ] || fail "graceful-timeout in $(basename "$CONF") is '$g's, this test expects ${GRACEFUL}s"
	grace=$(sed -n 's/^ *terminationGracePeriodSeconds: *\([0-9]*\).*/\1/p' "$k8s")
	[ -n "$grace" ] && [ "$grace" -gt "$g" ] ||
		fail "conf/kubernetes.yaml: terminationGracePeriodSeconds '$grace' is not above graceful-timeout (${g}s)"
	grep -q 'command: \["/usr/bin/musterctl", "status"\]' "$k8s" ||
		fail "conf/kubernetes.yaml has no livenessProbe asking musterctl status"
}

scenario_podman_graph() {
	command -v podman >/dev/null 2>&1 ||
		skip "podman is not installed ($(apt-cache policy podman 2>/dev/null | awk '/Candidate:/ { print "Debian candidate " $2 }'); the runc scenarios ran the same graph)"
	bundle "$WORK/podman" /bin/true
	ID=muster-ct-$$-podman
	echo "$ID" >>"$WORK/ids"
	LOG=$WORK/podman.log
	local why
	why=$(timeout 60 podman run --rm --network none --rootfs "$WORK/podman/rootfs" /bin/true 2>&1) ||
		skip "podman run --rootfs refuses to run here: $(echo "$why" | tail -n 1)"
	podman run --name "$ID" --network none --cap-add SETUID,SETGID --rootfs "$WORK/podman/rootfs" \
		/usr/bin/muster -c /etc/muster.ini </dev/null >"$LOG" 2>&1 &
	RPID=$!
	echo "$RPID" >>"$WORK/pids"
	wait_for "$LOG" 'all 4 services up'
	assert_order "$LOG" 'setup: done' 'store: ready' 'api: started'
	timeout 20 podman kill --signal TERM "$ID" >/dev/null || fail "podman kill $ID failed"
	wait_rc "$RPID" $((GRACEFUL + WAIT))
	[ "$RC" = 0 ] || fail "the container exited $RC after podman kill TERM, expected 0"
	assert_order "$LOG" 'api: stopped' 'store: stopping' 'all services stopped'
}

# ---- running them -----------------------------------------------------

# report NAME STATUS: one line for the scenario.
report() {
	case $2 in
	0) echo "ok container_$1"; passed=$((passed + 1)) ;;
	77) echo "skip container_$1 ($(cat "$WORK/$1.skip" 2>/dev/null))"; skipped=$((skipped + 1)) ;;
	*) echo "FAIL container_$1"; failed=$((failed + 1)) ;;
	esac
}

# skip_all REASON: every scenario skipped with REASON.
skip_all() {
	local s
	for s in runc_graph runc_main_cmd runc_zero_config image_files podman_graph; do
		echo "skip container_$s ($1)"
		skipped=$((skipped + 1))
	done
	echo "$passed passed, $failed failed, $skipped skipped"
	exit 0
}

for f in "$MUSTER" "$MUSTERCTL"; do
	[ -x "$f" ] || { echo "FAIL container: $f is missing (make static)"; exit 1; }
	if ldd "$f" >/dev/null 2>&1; then
		echo "FAIL container: $f is not statically linked (make static builds build-static/)"
		exit 1
	fi
done
[ "$(id -u)" = 0 ] || skip_all "runc needs root here (running as uid $(id -u))"
command -v runc >/dev/null 2>&1 || skip_all "runc is not installed (apt-get install runc)"
[ -x "$BUSYBOX" ] && ! ldd "$BUSYBOX" >/dev/null 2>&1 ||
	skip_all "no static $BUSYBOX (apt-get install busybox-static)"

# the kernel must let runc make a container at all
SCEN=probe
bundle "$WORK/probe" /bin/true >/dev/null 2>&1
echo "muster-ct-$$-probe" >>"$WORK/ids"
if ! why=$(timeout 60 runc run --bundle "$WORK/probe" "muster-ct-$$-probe" </dev/null 2>&1); then
	skip_all "the kernel or runc refuses a container here: $(echo "$why" | tail -n 1)"
fi

for s in runc_graph runc_main_cmd runc_zero_config image_files podman_graph; do
	SCEN=$s
	(scenario_$s)
	report "$s" $?
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
