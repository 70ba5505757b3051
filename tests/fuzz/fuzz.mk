# fuzz.mk - the sanitizer build (GNU make): the library compiled again by
# clang with AddressSanitizer, UndefinedBehaviorSanitizer and libFuzzer's
# coverage, into $(out); then the fuzzer, its dictionary, and the Check
# suites linked against that library.  tests/Makefile.am runs it (make fuzz,
# fuzz-quick, check-asan) with configure's flags and libraries; the
# sources are compiled in place, so the tree may stay configured for gcc.
#
# Targets:
#   fuzz        run the fuzzer SECONDS seconds (or RUNS inputs, if given,
#               when that comes first; SEED fixes libFuzzer's seed); new
#               inputs go to $(out)/corpus, findings to $(out)/findings
#   replay      run the fuzzer once over each tracked finding (findings/)
#   check-asan  build and run the Check suites named in CHECKS (those
#               also in FORK with a process per test)

# Given by tests/Makefile.am.
srcdir ?= .
out ?= _fuzz
CC ?= clang-19
SECONDS ?= 600
RUNS ?=
SEED ?=
CHECKS ?=
FORK ?=

fuzzdir = $(srcdir)/tests/fuzz
SAN = -fsanitize=address,undefined -fno-sanitize=function \
	-fno-sanitize-recover=undefined
CFLAGS = -g -O1 $(JX_CFLAGS) $(PTHREAD_CFLAGS) $(SAN)
INCLUDES = -I$(srcdir)/include -I$(srcdir)/src -I$(srcdir)/jit \
	-I$(srcdir)/cli -I$(srcdir)/tests $(LLVM_CFLAGS) $(UTF8PROC_CFLAGS)
LIBS = $(LLVM_LIBS) $(UTF8PROC_LIBS) -lm $(PTHREAD_CFLAGS)

# Runtime options.  The suppressions name leaks of LLVM's own, not ours.
# ASan records a stack for every malloc and free, LLVM's too, which makes
# a kernel's compilation a few times slower: 4 frames, not 30, saves about
# a third of the time (an error's own stack stays whole; for longer
# allocation stacks, replay a finding with ASAN_OPTIONS=malloc_context_size=30).
SAN_ENV = ASAN_OPTIONS=detect_leaks=1:malloc_context_size=4 \
	LSAN_OPTIONS=suppressions=$(fuzzdir)/lsan.supp:print_suppressions=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
FUZZ_FLAGS = -max_len=256 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1

# The library: every C file of src/ and jit/, in one archive (the
# Makefile.am files build them into libjxbase, libjxcore and libjxjit).
LIB_OBJ = $(patsubst $(srcdir)/%.c,$(out)/%.o,\
	$(wildcard $(srcdir)/src/*.c $(srcdir)/jit/*.c))

all: $(out)/fuzz_jitexpr $(out)/jitexpr.dict

$(out)/%.o: $(srcdir)/%.c
	@mkdir -p $(@D)
	@echo "  CC (sanitizers) $*.c"
	@$(CC) $(CFLAGS) -fsanitize=fuzzer-no-link -DJX_BUILDING_LIBRARY \
		$(INCLUDES) -MMD -MP -c $< -o $@

$(out)/libjxcore.a: $(LIB_OBJ)
	@rm -f $@
	@ar rcs $@ $^

$(out)/fuzz_jitexpr: $(fuzzdir)/fuzz_jitexpr.c $(out)/libjxcore.a
	@echo "  CCLD $@"
	@$(CC) $(CFLAGS) -fsanitize=fuzzer -I$(srcdir)/include $< \
		$(out)/libjxcore.a $(LIBS) -o $@

$(out)/gen_dict: $(fuzzdir)/gen_dict.c $(out)/libjxcore.a
	@$(CC) $(CFLAGS) -I$(srcdir)/include $< $(out)/libjxcore.a $(LIBS) -o $@

# The dictionary: syntax.dict by hand, the operators from the op table
# (a spelling used twice, as '-' is, once).
$(out)/jitexpr.dict: $(out)/gen_dict $(fuzzdir)/syntax.dict
	@{ cat $(fuzzdir)/syntax.dict && $(SAN_ENV) $(out)/gen_dict; } \
		| awk '!seen[$$0]++' > $@.tmp
	@mv $@.tmp $@

# The run; its last line, "fuzz: N executions in S s, rc R", is what
# build.sh check reads.
fuzz: all
	@mkdir -p $(out)/corpus $(out)/findings
	@echo "fuzz: $(SECONDS) s, log in $(out)/fuzz.log"
	@rc=0; $(SAN_ENV) $(out)/fuzz_jitexpr $(FUZZ_FLAGS) \
		-max_total_time=$(SECONDS) $(if $(RUNS),-runs=$(RUNS)) \
		$(if $(SEED),-seed=$(SEED)) -dict=$(out)/jitexpr.dict \
		-artifact_prefix=$(out)/findings/ \
		$(out)/corpus $(fuzzdir)/corpus > $(out)/fuzz.log 2>&1 || rc=$$?; \
	grep -E '^(==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written)' \
		$(out)/fuzz.log || :; \
	n=$$(sed -n 's/^stat::number_of_executed_units: *//p' $(out)/fuzz.log); \
	t=$$(sed -n 's/^stat::average_exec_per_sec: *//p' $(out)/fuzz.log); \
	s=$$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' $(out)/fuzz.log); \
	echo "fuzz: $${n:-0} executions in $${s:-$(SECONDS)} s ($${t:-0}/s), rc $$rc"; \
	exit $$rc

replay: all
	@rc=0; n=0; for f in $(fuzzdir)/findings/*; do \
		[ -f "$$f" ] || continue; \
		n=$$((n + 1)); log=$(out)/replay-$$(basename "$$f").log; \
		if $(SAN_ENV) $(out)/fuzz_jitexpr $(FUZZ_FLAGS) "$$f" > $$log 2>&1; \
		then echo "replay: $$f: passes"; \
		else echo "replay: $$f: fails (see $$log)"; rc=1; fi; \
	done; echo "replay: $$n findings replayed"; exit $$rc

# The Check suites, against the instrumented library.  cli/npy.c is in the
# archive for check_npy and check_npy_reject; the others do not pull it in.
$(out)/tests/%: $(srcdir)/tests/%.c $(out)/libjxcore.a $(out)/cli/npy.o
	@mkdir -p $(@D)
	@echo "  CCLD (sanitizers) $*"
	@$(CC) $(CFLAGS) $(INCLUDES) $(CHECK_CFLAGS) $< $(out)/cli/npy.o \
		$(out)/libjxcore.a $(CHECK_LIBS) $(LIBS) -o $@

$(out)/cli/npy.o: $(srcdir)/cli/npy.c
	@mkdir -p $(@D)
	@$(CC) $(CFLAGS) $(INCLUDES) -MMD -MP -c $< -o $@

# Each suite's Check summary, then one total; the suites' output is in
# $(out)/tests/<suite>.log.  The tests run in one process per suite
# (CK_FORK=no): forking an instrumented process per test takes minutes
# where this takes seconds (check_types: 9 min against 2 s); leaks are
# checked once, at the end.  A crash then stops its suite, with the
# sanitizer's report in the log.  The suites in FORK test process-wide
# state (the thread pool's start, the environment) and fork per test as
# usual.  Check's time limits are stretched: the sanitizers slow the code.
check-asan: $(addprefix $(out)/tests/,$(CHECKS))
	@passed=0; failed=0; rc=0; \
	for p in $(CHECKS); do \
		fork=no; case " $(FORK) " in *" $$p "*) fork=yes;; esac; \
		(cd $(out)/tests && $(SAN_ENV) JITEXPR_MATHLIB=own \
			CK_FORK=$$fork CK_TIMEOUT_MULTIPLIER=10 ./$$p > $$p.log 2>&1) || rc=1; \
		line=$$(grep -E '^[0-9]+%: Checks: ' $(out)/tests/$$p.log | tail -n 1); \
		echo "$$p: $${line:-no summary (see $(out)/tests/$$p.log)}"; \
		set -- $$(echo "$$line" | sed -E 's/.*Checks: ([0-9]+), Failures: ([0-9]+), Errors: ([0-9]+).*/\1 \2 \3/'); \
		if [ $$# -eq 3 ]; then \
			passed=$$((passed + $$1 - $$2 - $$3)); failed=$$((failed + $$2 + $$3)); \
		else failed=$$((failed + 1)); fi; \
		grep -lE '^(==[0-9]+==ERROR|SUMMARY: (Address|Undefined|Leak))|runtime error:' \
			$(out)/tests/$$p.log >/dev/null && { echo "$$p: sanitizer report in its log"; rc=1; }; \
	done; \
	echo "check-asan: $$passed passed, $$failed failed"; \
	[ $$failed -eq 0 ] || rc=1; exit $$rc

-include $(LIB_OBJ:.o=.d) $(out)/cli/npy.d

.PHONY: all fuzz replay check-asan
.DELETE_ON_ERROR:
