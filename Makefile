# mbr: member data migration and cleansing toolkit.
#
#   make            libmbr.a and the binaries in bin/
#   make demo       install what is missing, build, run the sample pipeline
#   make test       install what is missing, build, unit tests, CLI tests
#   make asan       the same tests under AddressSanitizer + UBSan
#   make lint       clang-format and shellcheck
#   make fuzz       every fuzz target for FUZZ_SECONDS each (clang, libFuzzer)
#   make install PREFIX=/usr/local

PREFIX   ?= /usr/local
BUILD    ?= build
BIN      ?= bin
CC       ?= cc
CFLAGS   ?= -O2 -g
VERSION  := 0.1.0

PKGS     := sqlite3 libpcre2-8 libutf8proc opencc libcrypto
CFLAGS   += -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Ilib -pthread \
            -DMBR_VERSION='"$(VERSION)"' -DMBR_DATADIR='"$(PREFIX)/share/mbr"'
WARN     := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wwrite-strings -Wvla -Wformat=2
ifeq ($(DEVELOPER),1)
WARN     += -Werror
endif
ifeq ($(SAN),1)
CFLAGS   += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=address,undefined
endif

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
LIBS       = $(PKG_LIBS) -lcsv -lm -pthread
TEST_LIBS  = $(shell pkg-config --libs cmocka 2>/dev/null)

LIB_SRC  := $(sort $(wildcard lib/*.c lib/*/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CMD_SRC  := $(sort $(wildcard cmd/*.c))
# cmd/merge_id.c becomes bin/mbr-merge-id; cmd/mbr.c becomes bin/mbr.
cmd_bin   = $(if $(filter mbr,$(1)),$(BIN)/mbr,$(BIN)/mbr-$(subst _,-,$(1)))
BINS     := $(foreach c,$(CMD_SRC:cmd/%.c=%),$(call cmd_bin,$(c)))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNITS    := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 60

# Debian packages the build, the tests and the data step need.
DEB_PKGS := build-essential pkg-config libcsv-dev libsqlite3-dev \
            libpcre2-dev libcmocka-dev libutf8proc-dev libopencc-dev \
            libssl-dev libopencc-data unicode-data sqlite3 \
            python3 python3-phonenumbers
# What make test needs on top: the browser test of mbr-report
# (tests/browser/) and the Dask test (tests/dask/); each is skipped with a
# message where these are missing.
TEST_PKGS := chromium nodejs python3-distributed
# What fuzzing and linting need on top.
DEV_PKGS := clang libclang-rt-14-dev clang-format shellcheck

.SECONDARY:
.PHONY: all deps deps-dev deps-test check-browser valgrind demo test check unit check-cli check-reference asan lint fuzz fuzz-smoke \
        install clean bench
all: $(BINS)

deps:
	@sh scripts/deps.sh $(DEB_PKGS)

$(BUILD)/libmbr.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<

define bin_rule
$(call cmd_bin,$(1)): $(BUILD)/cmd/$(1).o $(BUILD)/libmbr.a
	@mkdir -p $$(@D)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LIBS)
endef
$(foreach c,$(CMD_SRC:cmd/%.c=%),$(eval $(call bin_rule,$(c))))

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(BUILD)/libmbr.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS) $(TEST_LIBS)

-include $(LIB_OBJ:.o=.d) $(CMD_SRC:%.c=$(BUILD)/%.d) $(UNIT_SRC:%.c=$(BUILD)/%.d)

demo: deps
	@$(MAKE) --no-print-directory all
	@sh scripts/demo.sh $(BIN)

test: deps deps-test
	@$(MAKE) --no-print-directory check

deps-test:
	@sh scripts/deps.sh $(TEST_PKGS)

check: all $(UNITS)
	@sh tests/unit/run.sh $(UNITS)
	@MBR_BIN=$(abspath $(BIN)) sh tests/cli/run.sh
	@MBR_BIN=$(abspath $(BIN)) sh tests/reference/run.sh
	@MBR_BIN=$(abspath $(BIN)) sh tests/browser/run.sh
	@MBR_BIN=$(abspath $(BIN)) sh tests/dask/run.sh

# mbr-report in headless Chromium (tests/browser/); SCREENSHOT=docs/report.png
# also renews the README's screenshot.
check-browser: all
	@MBR_BIN=$(abspath $(BIN)) sh tests/browser/run.sh

# mbr-normalize against third-party test suites (tests/reference/).
check-reference: all
	@MBR_BIN=$(abspath $(BIN)) sh tests/reference/run.sh

unit: $(UNITS)
	@sh tests/unit/run.sh $(UNITS)

check-cli: all
	@MBR_BIN=$(abspath $(BIN)) sh tests/cli/run.sh

asan: deps
	@MBR_SLOW=10 $(MAKE) --no-print-directory SAN=1 BUILD=build/asan BIN=build/asan/bin check

deps-dev: deps
	@sh scripts/deps.sh $(DEV_PKGS)

# The end-to-end tests with every binary under valgrind: a memory error or
# leak shows up in standard error, so the case fails.
valgrind: all
	@mkdir -p build/valgrind-bin
	@for b in $(BINS); do n=$$(basename $$b); \
	  printf '#!/bin/sh\nexec valgrind -q --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=99 %s "$$@"\n' \
	    "$(abspath $(BIN))/$$n" >build/valgrind-bin/$$n; chmod +x build/valgrind-bin/$$n; done
	@MBR_BIN=$(abspath build/valgrind-bin) sh tests/cli/run.sh $(CASES)

lint: deps-dev
	clang-format --dry-run -Werror lib/*.[ch] lib/*/*.[ch] cmd/*.c
	shellcheck scripts/*.sh tests/cli/*.sh tests/unit/*.sh tests/browser/*.sh tests/reference/*.sh tests/dask/*.sh bench/*.sh .ci/run

fuzz: deps-dev
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS)

fuzz-smoke: deps-dev
	@sh tests/fuzz/run.sh 20

# Benchmarks: each prints its numbers next to a baseline run in the same
# script (bench/README.md). The dedupe ones need ../shared/benchmarks.
bench: all
	bash bench/import.sh
	bash bench/normalize.sh
	bash bench/validate.sh
	bash bench/merge-id.sh
	bash bench/febrl.sh
	bash bench/dedupe-scale.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/mbr/mappings \
	    $(DESTDIR)$(PREFIX)/share/mbr/data
	install -m 755 $(BINS) $(DESTDIR)$(PREFIX)/bin
	install -m 644 mappings/* $(DESTDIR)$(PREFIX)/share/mbr/mappings
	install -m 644 data/*.* $(DESTDIR)$(PREFIX)/share/mbr/data

clean:
	rm -rf build bin
