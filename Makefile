# muster - a process supervisor.  Plain make; see README.md.

VERSION   := $(shell sed -n 's/^\#define MUSTER_VERSION "\(.*\)"/\1/p' src/version.h)
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
DOCDIR    ?= $(PREFIX)/share/doc/muster
UNITDIR   ?= $(PREFIX)/lib/systemd/system
DESTDIR   ?=

CC        ?= cc
PKG_CONFIG ?= pkg-config
DEBIAN_PACKAGES := libev-dev libinih-dev check pkg-config mandoc valgrind

CFLAGS    ?= -O2 -g
CFLAGS    += -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
             -Wmissing-prototypes -Wstrict-prototypes -D_GNU_SOURCE
CPPFLAGS  += -MMD -MP -Isrc
INIH_CFLAGS = $(shell $(PKG_CONFIG) --cflags inih 2>/dev/null)
CHECK_CFLAGS = $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS   = $(shell $(PKG_CONFIG) --libs check 2>/dev/null || echo -lcheck)
# libev and libinih are linked statically from their Debian archives: two
# fewer libraries to map at every start (muster is often PID 1 of a short
# container); libc stays shared.
LIBS      = -Wl,-Bstatic -lev -linih -Wl,-Bdynamic -lm

# STATIC=1 (make static): muster and musterctl linked statically, C library
# included, into build-static/ (users and groups are then read from
# /etc/passwd and /etc/group: src/names.c)
ifeq ($(STATIC),1)
BUILD     := build-static
CPPFLAGS  += -DMUSTER_STATIC
LDFLAGS   += -static
LIBS      = -lev -linih -lm
# SANITIZE=1: build everything with ASan+UBSan into build-san/
else ifeq ($(SANITIZE),1)
BUILD     := build-san
CFLAGS    += -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
LDFLAGS   += -fsanitize=address,undefined
else
BUILD     := build
endif

CORE      := ring logfmt parse keys config layer envfile graph log lifecycle service proc names cgroup output \
             notify probe resolve http control control_proto init reload signals shutdown \
             progress watchdog commands timeline
CORE_OBJ  := $(CORE:%=$(BUILD)/%.o)
UNITS     := ring logfmt parse config layer envfile graph lifecycle service control docs notify supervise cgroup \
             probe
UNIT_BIN  := $(UNITS:%=$(BUILD)/check_%)

all: deps muster musterctl

muster: $(BUILD)/muster
	@[ "$(BUILD)" = build ] && cp -f $< $@ || true
musterctl: $(BUILD)/musterctl
	@[ "$(BUILD)" = build ] && cp -f $< $@ || true

$(BUILD)/muster: $(BUILD)/main.o $(CORE_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/musterctl: $(BUILD)/musterctl.o $(BUILD)/control_proto.o
	$(CC) $(LDFLAGS) -o $@ $^

$(BUILD)/%.o: src/%.c | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(INIH_CFLAGS) -c -o $@ $<

$(BUILD)/check_%.o: tests/unit/check_%.c | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(CHECK_CFLAGS) -c -o $@ $<

$(BUILD)/check_%: $(BUILD)/check_%.o $(CORE_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS) $(CHECK_LIBS)

# check_config makes allocations fail on demand (its "oom" tests)
$(BUILD)/check_config: LDFLAGS += $(foreach f,malloc calloc realloc strdup strndup \
  vasprintf asprintf getline __getdelim,-Wl,--wrap=$(f))

$(BUILD):
	mkdir -p $@

# Static binaries (build-static/muster, build-static/musterctl): what a
# container image (conf/Dockerfile, tests/container/) runs.  The linker's
# note about getaddrinfo: host names are looked up in a child process
# (src/resolve.c), through the C library's built-in files and dns sources.
STATIC_PACKAGES := libev-dev libinih-dev pkg-config
static:
	@$(MAKE) --no-print-directory deps DEBIAN_PACKAGES="$(STATIC_PACKAGES)"
	@$(MAKE) --no-print-directory STATIC=1 build-static/muster build-static/musterctl
	@ls -l build-static/muster build-static/musterctl | awk '{ print "static: " $$NF ", " $$5 " bytes" }'

# The integration tests that matter most to a container's init, against the
# static binaries: PID 1, signals, exit statuses, orphans, users, the
# control socket, ready checks; then tests/container/ (a real runtime).
STATIC_TESTS = t_start_order_oneshot t_shutdown_order t_ctl_status t_ctl_start_stop \
  t_ctl_wait t_cmd_exit_status t_cmd_signals t_cmd_signals_every t_zero_config_init \
  t_pid1_signals t_pid1_signals_every t_pid1_sigterm t_pid1_exit_status t_pid1_orphans \
  t_pid1_grandchildren t_pid1_critical t_user_nobody t_ready_notify t_ready_tcp \
  t_sup_restart_policy t_stop_timeout_kill t_setsid_grandchild t_no_fd_leak t_check
check-static: static $(HELPERS)
	@MUSTER=$(CURDIR)/build-static/muster MUSTERCTL=$(CURDIR)/build-static/musterctl \
	  HELPERS=$(CURDIR)/$(BUILD)/helpers tests/integration/run.sh $(STATIC_TESTS)
	@$(MAKE) --no-print-directory container

# muster as PID 1 of a real container (runc), from an OCI bundle made of
# busybox-static and the static binaries: tests/container/run.sh.
CONTAINER_PACKAGES := runc busybox-static
container: static $(HELPERS)
	@$(MAKE) --no-print-directory deps DEBIAN_PACKAGES="$(CONTAINER_PACKAGES)"
	@MUSTER=$(CURDIR)/build-static/muster MUSTERCTL=$(CURDIR)/build-static/musterctl \
	  tests/container/run.sh

# The Debian packages the build needs: installed when root, else named.
deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
	  else \
	    echo "missing Debian packages; run: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi

unit: deps $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== $$t"; CK_DEFAULT_TIMEOUT=30 ./$$t; done

# doc/lifecycle.md is printed from the lifecycle table (src/lifecycle.c);
# check_lifecycle fails when the two differ
lifecycle-doc: $(BUILD)/check_lifecycle
	@mkdir -p doc
	$(BUILD)/check_lifecycle --print > doc/lifecycle.md

# small C programs the integration tests run as services (tests/helpers/*.c)
HELPERS   := $(patsubst tests/helpers/%.c,$(BUILD)/helpers/%,$(wildcard tests/helpers/*.c))

$(BUILD)/helpers/%: tests/helpers/%.c | $(BUILD)
	@mkdir -p $(BUILD)/helpers
	$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -o $@ $<

integration: deps $(BUILD)/muster $(BUILD)/musterctl $(HELPERS)
	@MUSTER=$(CURDIR)/$(BUILD)/muster MUSTERCTL=$(CURDIR)/$(BUILD)/musterctl \
	  HELPERS=$(CURDIR)/$(BUILD)/helpers tests/integration/run.sh

# Everything, as CI runs it: the tests, a short chaos soak and a bench
# smoke run, then the tests under ASan+UBSan and the daemon under valgrind
# (whose "N passed, N failed" line closes the run).
check: all
	@$(MAKE) --no-print-directory unit check-extra integration
	@echo "== the static binaries, and muster in a container"
	@$(MAKE) --no-print-directory check-static
	@echo "== a 30 s chaos soak"
	@$(MAKE) --no-print-directory soak SOAK_SECONDS=30
	@$(MAKE) --no-print-directory bench-smoke
	@echo "== the same under ASan+UBSan"
	@$(MAKE) --no-print-directory sanitize
	@echo "== the daemon under valgrind"
	@$(MAKE) --no-print-directory valgrind

sanitize:
	@$(MAKE) --no-print-directory SANITIZE=1 unit integration

# The daemon under valgrind (memcheck, definite leaks are errors) through
# the integration scenarios that do not hang on tight timing.  (Not
# t_limits_proc: valgrind refuses a child's setrlimit(RLIMIT_NOFILE), as
# it keeps descriptors of its own.)
VALGRIND_TESTS = t_hook_order t_hook_pre_start_fail t_enabled_no t_start_order_oneshot t_shutdown_order t_shutdown_through_oneshot \
  t_reload t_ctl_status t_ctl_start_stop t_ctl_restart t_ctl_wait t_ctl_abuse \
  t_out_partial t_out_longline t_out_logfile t_exec_failure t_oneshot_failure \
  t_stop_timeout_kill t_critical_exit t_ready_notify t_ready_fd t_ready_tcp \
  t_ready_check t_ready_timeout t_sup_restart_policy t_sup_dep_failed \
  t_cmd_exit_status t_setsid_grandchild t_no_fd_leak t_check t_zero_config_init \
  t_trust_mainpid t_trust_config_bounds \
  t_trust_logfile_fifo t_trust_logfile_rights t_trust_logfile_symlink \
  t_limits_refused t_cgroup_kill t_cgroup_mainpid \
  t_layer_include_dir t_layer_reload t_layer_instances t_layer_env_port \
  t_health_http t_health_stop t_health_cancel t_health_reload t_ready_http t_ready_log \
  t_logs_restart t_logs_nobuffer t_logs_json t_logs_follow
valgrind: deps $(BUILD)/muster $(BUILD)/musterctl $(HELPERS)
	@command -v valgrind >/dev/null || { echo "valgrind: not installed; run: apt-get install valgrind"; exit 1; }
	@MUSTER_WRAPPER="valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99" \
	  DEFAULT_WAIT=60 MUSTER=$(CURDIR)/$(BUILD)/muster MUSTERCTL=$(CURDIR)/$(BUILD)/musterctl \
	  HELPERS=$(CURDIR)/$(BUILD)/helpers tests/integration/run.sh $(VALGRIND_TESTS)

demo: all
	@echo "muster demo: Ctrl-C to stop it gracefully"
	./muster -c conf/demo.ini

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
	  $(DESTDIR)$(DOCDIR) $(DESTDIR)$(UNITDIR)
	install -m 0755 muster musterctl $(DESTDIR)$(BINDIR)/
	install -m 0644 man/muster.ini.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 man/muster.8 man/musterctl.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 conf/example.ini $(DESTDIR)$(DOCDIR)/
	for u in muster.service muster@.service; do \
	  sed 's|/usr/local/bin/muster|$(BINDIR)/muster|' systemd/$$u > $(DESTDIR)$(UNITDIR)/$$u && \
	  chmod 0644 $(DESTDIR)$(UNITDIR)/$$u || exit 1; \
	done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/muster $(DESTDIR)$(BINDIR)/musterctl \
	  $(DESTDIR)$(MANDIR)/man5/muster.ini.5 $(DESTDIR)$(MANDIR)/man8/muster.8 \
	  $(DESTDIR)$(MANDIR)/man8/musterctl.8 $(DESTDIR)$(DOCDIR)/example.ini \
	  $(DESTDIR)$(UNITDIR)/muster.service $(DESTDIR)$(UNITDIR)/muster@.service
	-rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null

# Benchmarks: muster side by side with other supervisors and the floor
# (bench/README.md).  BENCH_QUICK=1 for a short run.  `make check` runs a
# smoke pass (N = 10, one run, muster and the floor only) so it cannot rot.
bench: all
	@bench/run.sh

bench-smoke: all
	@BENCH_SMOKE=1 bench/run.sh >/dev/null && echo "bench: smoke run passed"

# Fuzzing with libFuzzer (clang): each target for FUZZ_SECONDS (60).
FUZZ_SECONDS ?= 60
fuzz:
	@tests/fuzz/run.sh $(FUZZ_SECONDS)

# A bounded chaos soak (SOAK_SECONDS, default 60).
SOAK_SECONDS ?= 60
soak: all
	@tests/soak/run.sh $(SOAK_SECONDS)

# The checks that are not unit or integration tests: man pages against the
# code's own tables, the unit files, what `make install` installs, and the
# fuzzers' corpora and regressions replayed under ASan+UBSan.
check-extra: all
	@tests/check-docs.sh
	@tests/check-install.sh
	@tests/check-units.sh
	@tests/fuzz/regress.sh

clean:
	rm -rf build build-san build-static muster musterctl

.PHONY: all deps static check-static container unit lifecycle-doc integration valgrind check check-extra bench bench-smoke fuzz soak sanitize demo install uninstall clean muster musterctl

-include $(wildcard build/*.d build-san/*.d build-static/*.d)
