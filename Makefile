# zpregel build. Every dependency is found through pkg-config; scripts/deps.sh
# installs missing Debian packages when run as root and names them otherwise.
#
#   make            library, zpregel binary
#   make run        the main job (configs/local.yaml) on the bundled graph
#   make test       the layering check, unit and integration tests (Criterion)
#   make unit       the unit tests alone (seconds: no processes, no jobs)
#   make check      the same tests built with AddressSanitizer + UBSan
#   make bench      benchmarks (not part of test): make bench SCALE=22 ROUNDS=5;
#                   make bench-pagerank, make bench-algorithms: one half;
#                   make bench-cluster [SCENARIOS=racks]: an emulated cluster (root);
#                   make bench-barrier: an empty superstep with 2 to 32 tcp workers
#   make fuzz       libFuzzer targets for every decoder, FUZZ_SECONDS each (clang)
#   make install PREFIX=/usr/local
#   make format     clang-format the tree

PREFIX  ?= /usr/local
CC      ?= cc
BUILD   ?= build
PKGS     = libczmq libzmq libcbor libzstd yaml-0.1 libmicrohttpd
VERSION  = 0.1.0
# The shared library's ABI: its SONAME is libzpregel.so.$(SOMAJOR), changed
# only when a program built against it would break (docs/ARCHITECTURE.md).
SOMAJOR  = 1
SOFULL   = $(SOMAJOR).9.0

.DEFAULT_GOAL := all
NODEPS_GOALS = clean format help
ifeq ($(filter-out $(NODEPS_GOALS),$(or $(MAKECMDGOALS),all)),)
else
include build/config.mk
endif

build/config.mk: scripts/deps.sh
	@bash scripts/deps.sh
	@mkdir -p build
	@printf 'PKG_CFLAGS = %s\nPKG_LIBS = %s\nTEST_CFLAGS = %s\nTEST_LIBS = %s\n' \
	    "$$(pkg-config --cflags $(PKGS))" "$$(pkg-config --libs $(PKGS))" \
	    "$$(pkg-config --cflags criterion)" "$$(pkg-config --libs criterion)" > $@

# snprintf truncation is deliberate in bounded error messages.
WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter \
           -Wno-format-truncation
# Link-time optimization lets the built-in programs inline the vertex API
# (measured: 8% fewer instructions a PageRank superstep). make check builds
# without it.
OPT     ?= -O2 -g -flto=auto
LTO_LDFLAGS = $(if $(findstring -flto,$(OPT)),$(OPT),)
# include/zpregel/ is the installed API; the headers in lib/*/, nodes/ and
# router/ are private to the tree. Plugins see only the public ones. Which
# folder may include from which: scripts/layers.sh (docs/ARCHITECTURE.md).
LIB_DIRS = $(sort $(dir $(wildcard lib/*/*.[ch])))
PUBLIC_CFLAGS = -std=gnu11 $(OPT) $(WARN) -fPIC -Iinclude $(EXTRA_CFLAGS)
CFLAGS_ALL = $(PUBLIC_CFLAGS) $(addprefix -I,$(LIB_DIRS)) -Inodes -Irouter $(PKG_CFLAGS)
LIBS_ALL   = $(LTO_LDFLAGS) $(PKG_LIBS) -lm -lpthread -ldl $(EXTRA_LDFLAGS)

# The library: shared machinery, the nodes, the router, the built-in programs.
LIB_SRC  = $(wildcard lib/*/*.c) $(wildcard nodes/*.c) $(wildcard router/*.c) \
           $(wildcard examples/algorithms/*.c)
CLI_SRC  = $(wildcard cli/*.c)
# Unit tests (tests/unit/) drive one module in-process and run in seconds;
# integration tests (tests/) run jobs, processes and networks. Both use the
# helpers of tests/zp_test.c.
UNIT_SRC = $(wildcard tests/unit/test_*.c)
TEST_SRC = $(wildcard tests/test_*.c)
HEADERS  = $(wildcard include/zpregel/*.h) $(wildcard lib/*/*.h) $(wildcard nodes/*.h) \
           $(wildcard router/*.h)

# The status page's assets (web/), compiled into the library.
WEB      = web/index.html web/status.js web/status.css web/history.html web/history.js
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/zp_web_assets.o
CLI_OBJ  = $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TEST_OBJ = $(TEST_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/tests/zp_test.o
UNIT_OBJ = $(UNIT_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/tests/zp_test.o

# Shared-object programs: the example, and broken ones the tests must refuse.
PLUGINS  = $(BUILD)/libzp_indegree.so
TEST_PLUGINS = $(BUILD)/tests/libzp_bad_version.so $(BUILD)/tests/libzp_no_symbol.so \
               $(BUILD)/tests/libzp_slow_indegree.so $(BUILD)/tests/libzp_crash.so \
               $(BUILD)/tests/libzp_misuse.so $(BUILD)/tests/libzp_evil.so \
               $(BUILD)/tests/libzp_v1_layout.so $(BUILD)/tests/libzp_struct_messages.so \
               $(BUILD)/tests/libzp_struct_merged.so $(BUILD)/tests/libzp_input_values.so \
               $(BUILD)/tests/libzp_paced.so $(BUILD)/tests/libzp_neighbour_max.so

LIBA     = $(BUILD)/libzpregel.a
LIBSO    = $(BUILD)/libzpregel.so.$(SOFULL)
BIN      = $(BUILD)/zpregel
TESTBIN  = $(BUILD)/zpregel-tests
UNITBIN  = $(BUILD)/zpregel-unit

.PHONY: all run test unit layers check bench bench-pagerank bench-algorithms bench-cluster bench-barrier fuzz fuzz-run fuzz-seeds install format clean help
all: $(BIN) $(LIBSO) $(PLUGINS)

# A plugin links against nothing: it calls the zp_* API of the process that loads it.
$(BUILD)/libzp_indegree.so: examples/plugin/indegree_centrality.c $(HEADERS) build/config.mk
	@mkdir -p $(dir $@)
	@echo "  PLUGIN  $<"
	@$(CC) $(PUBLIC_CFLAGS) -shared -o $@ $<

$(BUILD)/tests/libzp_%.so: tests/plugins/%.c $(HEADERS) build/config.mk
	@mkdir -p $(dir $@)
	@$(CC) $(PUBLIC_CFLAGS) -shared -o $@ $<

$(BUILD)/gen/zp_web_assets.c: $(WEB) scripts/embed.sh
	@mkdir -p $(dir $@)
	@bash scripts/embed.sh $@ $(WEB)

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	@$(CC) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/obj/%.o: %.c $(HEADERS) build/config.mk
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS_ALL) -c $< -o $@

$(LIBA): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(LIBSO): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libzpregel.so.$(SOMAJOR) -o $@ $^ $(LIBS_ALL)
	ln -sf libzpregel.so.$(SOFULL) $(BUILD)/libzpregel.so.$(SOMAJOR)
	ln -sf libzpregel.so.$(SOMAJOR) $(BUILD)/libzpregel.so

# The binary exports its symbols so that user programs loaded with dlopen()
# resolve the zp_* API against it.
$(BIN): $(CLI_OBJ) $(LIBA)
	$(CC) -rdynamic -o $@ $(CLI_OBJ) -Wl,--whole-archive $(LIBA) -Wl,--no-whole-archive $(LIBS_ALL)

$(BUILD)/obj/tests/%.o: tests/%.c $(HEADERS) tests/zp_test.h build/config.mk
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS_ALL) $(TEST_CFLAGS) -Itests -c $< -o $@

$(TESTBIN): $(TEST_OBJ) $(LIBA) $(BIN) $(PLUGINS) $(TEST_PLUGINS)
	$(CC) -rdynamic -o $@ $(TEST_OBJ) -Wl,--whole-archive $(LIBA) -Wl,--no-whole-archive \
	    $(TEST_LIBS) $(LIBS_ALL)

$(UNITBIN): $(UNIT_OBJ) $(LIBA)
	$(CC) -rdynamic -o $@ $(UNIT_OBJ) -Wl,--whole-archive $(LIBA) -Wl,--no-whole-archive \
	    $(TEST_LIBS) $(LIBS_ALL)

BENCH_BINS = $(BUILD)/pagerank_ref $(BUILD)/bench $(BUILD)/graphalytics_ref $(BUILD)/bench_algorithms

$(BUILD)/%: bench/%.c $(LIBA) $(HEADERS)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS_ALL) -o $@ $< -Wl,--whole-archive $(LIBA) -Wl,--no-whole-archive $(LIBS_ALL)

# Benchmarks (not part of test), see docs/PERFORMANCE.md: PageRank on R-MAT
# scale $(SCALE), then the other five Graphalytics algorithms (LCC on scale
# $(LCC_SCALE)), each against a single-threaded loop of its own.
SCALE ?= 20
LCC_SCALE ?= 16
ROUNDS ?= 5
ALGORITHM_ROUNDS ?= 3
bench: bench-pagerank bench-algorithms
bench-pagerank: $(BIN) $(BENCH_BINS)
	./$(BUILD)/bench --scale $(SCALE) --rounds $(ROUNDS) --zpregel ./$(BIN) --ref ./$(BUILD)/pagerank_ref
bench-algorithms: $(BIN) $(BENCH_BINS)
	./$(BUILD)/bench_algorithms --scale $(SCALE) --lcc-scale $(LCC_SCALE) \
	    --rounds $(ALGORITHM_ROUNDS) --zpregel ./$(BIN) --ref ./$(BUILD)/graphalytics_ref
# The emulated cluster (bench/cluster.sh, as root): hosts as network
# namespaces, links shaped with tc, every routing mode on each scenario;
# its output also in build/bench-cluster.log, drawn into
# build/bench-cluster.svg when gnuplot is there (bench/plot-cluster.sh).
bench-cluster: $(BIN)
	bash -o pipefail -c 'bash bench/cluster.sh $(SCENARIOS) 2>&1 | tee $(BUILD)/bench-cluster.log'
	if command -v gnuplot >/dev/null; then bash bench/plot-cluster.sh $(BUILD)/bench-cluster.log; \
	else echo "bench-cluster: no gnuplot, no plot (bash scripts/deps.sh plot)"; fi
# The barrier's cost: BFS along a path, one message a superstep (bench/barrier.sh).
bench-barrier: $(BIN)
	bash bench/barrier.sh

# Fuzz targets (fuzz/README.md): every decoder of what comes from outside,
# built with clang's libFuzzer and ASan+UBSan, each run for FUZZ_SECONDS
# from its seeds in fuzz/corpus/ (what it finds new goes to build/fuzz/).
FUZZ_TARGETS = batch control checkpoint config properties graph
FUZZ_SECONDS ?= 30
FUZZ_BINS    = $(FUZZ_TARGETS:%=$(BUILD)/fuzz_%)
# clang has no -Wformat-truncation.
FUZZ_WARN    = $(filter-out -Wno-format-truncation,$(WARN))
fuzz:
	@bash scripts/deps.sh fuzz
	$(MAKE) BUILD=build/fuzz CC=clang OPT="-O1 -g" WARN="$(FUZZ_WARN)" \
	    EXTRA_CFLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all" \
	    EXTRA_LDFLAGS="-fsanitize=address,undefined" fuzz-run

fuzz-run: $(FUZZ_BINS)
	@for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(BUILD)/corpus/$$t; \
	    echo "  FUZZ    $$t for $(FUZZ_SECONDS) s"; \
	    LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp ./$(BUILD)/fuzz_$$t \
	        -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	        -artifact_prefix=$(BUILD)/fuzz_$$t- $(BUILD)/corpus/$$t fuzz/corpus/$$t \
	        > $(BUILD)/fuzz_$$t.log 2>&1 || { tail -60 $(BUILD)/fuzz_$$t.log; exit 1; }; \
	    grep -h "^Done" $(BUILD)/fuzz_$$t.log; \
	done

$(BUILD)/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz.h $(LIBA) $(HEADERS)
	@echo "  FUZZ    $<"
	@$(CC) $(CFLAGS_ALL) -fsanitize=fuzzer -o $@ $< -Wl,--whole-archive $(LIBA) \
	    -Wl,--no-whole-archive $(LIBS_ALL)

# Writes the batch and control seeds (the other targets' are project files).
fuzz-seeds: $(LIBA)
	@mkdir -p fuzz/corpus/batch fuzz/corpus/control
	$(CC) $(CFLAGS_ALL) -o $(BUILD)/fuzz-seeds fuzz/seeds.c -Wl,--whole-archive $(LIBA) \
	    -Wl,--no-whole-archive $(LIBS_ALL)
	./$(BUILD)/fuzz-seeds

run: $(BIN)
	./$(BIN) run configs/local.yaml

# Criterion runs each test in its own process; two at a time on this size of
# machine. scripts/test.sh shows each test as it ends, skips with their reason.
TEST_JOBS ?= 2
TEST_ENV = ZPREGEL_CHECK_PROGRAM=1 ZPREGEL_BIN=$(abspath $(BIN)) ZPREGEL_BUILD=$(abspath $(BUILD)) \
           ZPREGEL_ROOT=$(CURDIR)
unit: $(UNITBIN)
	@$(TEST_ENV) bash scripts/test.sh ./$(UNITBIN) $(TEST_JOBS) $(TEST_ARGS)

layers:
	@bash scripts/layers.sh

test: layers unit $(TESTBIN)
	@$(TEST_ENV) bash scripts/test.sh ./$(TESTBIN) $(TEST_JOBS) $(TEST_ARGS)

check:
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	$(MAKE) BUILD=build/asan OPT="-O1 -g -fno-omit-frame-pointer" \
	    EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all" \
	    EXTRA_LDFLAGS="-fsanitize=address,undefined" test

install: $(BIN) $(LIBSO) $(LIBA)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	    $(DESTDIR)$(PREFIX)/include/zpregel $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 man/zpregel.1 $(DESTDIR)$(PREFIX)/share/man/man1/zpregel.1
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/zpregel
	install -m 644 $(LIBA) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(LIBSO) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libzpregel.so.$(SOFULL) $(DESTDIR)$(PREFIX)/lib/libzpregel.so.$(SOMAJOR)
	ln -sf libzpregel.so.$(SOMAJOR) $(DESTDIR)$(PREFIX)/lib/libzpregel.so
	install -m 644 include/zpregel/*.h $(DESTDIR)$(PREFIX)/include/zpregel/
	install -d $(DESTDIR)$(PREFIX)/lib/python3/dist-packages/zpregel
	install -m 644 python/zpregel/*.py $(DESTDIR)$(PREFIX)/lib/python3/dist-packages/zpregel/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' zpregel.pc.in \
	    > $(DESTDIR)$(PREFIX)/lib/pkgconfig/zpregel.pc

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build out

help:
	@sed -n '1,12p' Makefile
