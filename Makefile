# backoffice — build, test, run, install.
#   make            build build/backoffice
#   make run        install what is missing, build, seed the demo database, open the console
#   make test       install what is missing, build, run the whole suite under prove
#   make test SANITIZE=address,undefined
#   make install PREFIX=/usr/local DESTDIR=

PREFIX    ?= /usr/local
DESTDIR   ?=
CC        ?= cc
PKGS      := libcurl libcjson sqlite3 libwebsockets inih libsodium
VERSION   := 0.1.0
B         := build$(if $(SANITIZE),-san)
Q         := $(if $(V),,@)

WARN      := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
             -Wformat=2 -Wvla -fno-common -Wno-format-nonliteral
CFLAGS    ?= -O2 -g
CFLAGS    += -std=c11 -D_GNU_SOURCE -DBO_VERSION='"$(VERSION)"' $(WARN) -MMD -MP -I. \
             $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS    += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm

# readline for the console when present (history and line editing)
ifneq ($(shell pkg-config --exists readline 2>/dev/null && echo y),)
CFLAGS    += -DHAVE_READLINE $(shell pkg-config --cflags readline)
LDLIBS    += $(shell pkg-config --libs readline)
endif

ifdef SANITIZE
CFLAGS    += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS   += -fsanitize=$(SANITIZE)
endif

# Sources: bot/ (and bot/demo/), one folder per block under handlers/, storage/ and its block folders.
SRCS      := $(wildcard bot/*.c bot/*/*.c handlers/*.c handlers/*/*.c storage/*.c storage/*/*.c)
OBJS      := $(SRCS:%.c=$(B)/%.o)
LIBOBJS   := $(filter-out $(B)/bot/main.o,$(OBJS))
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/unit/%.t)
BENCH_SRCS := $(wildcard tests/bench/*.c)
BENCH_BINS := $(BENCH_SRCS:tests/bench/%.c=$(B)/tests/bench/%)

.PHONY: all deps run test unit install clean bench bench-bin fuzz
all: $(B)/backoffice

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(B)/libbackoffice.a: $(LIBOBJS)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(B)/backoffice: $(B)/bot/main.o $(B)/libbackoffice.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tests/unit/%.t: tests/unit/%.c tests/tap.h $(B)/libbackoffice.a
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  TEST    $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libbackoffice.a $(LDLIBS)

unit: $(UNIT_BINS)

# Compiled benchmarks (tests/bench/*.c): linked like the unit tests, run by tests/bench/run.
$(B)/tests/bench/%: tests/bench/%.c $(B)/libbackoffice.a
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  BENCH   $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libbackoffice.a $(LDLIBS)

bench-bin: $(BENCH_BINS)

# libFuzzer targets (clang): the library built with coverage and ASan in build-fuzz/, one binary
# per tests/fuzz/fuzz_*.c. tests/fuzz.t runs each briefly on its seed corpus; run longer by hand:
#   build-fuzz/fuzz_update -max_total_time=600 tests/fuzz/corpus/update
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
fuzz:
	$(Q)$(MAKE) --no-print-directory CC=clang B=build-fuzz SANITIZE=fuzzer-no-link,address \
	    build-fuzz/libbackoffice.a
	$(Q)for f in $(FUZZ_SRCS); do t=build-fuzz/$$(basename $$f .c); \
	    if [ ! -e $$t ] || [ $$f -nt $$t ] || [ build-fuzz/libbackoffice.a -nt $$t ]; then \
	    echo "  FUZZ    $$t"; clang -std=c11 -D_GNU_SOURCE -I. -g -O1 \
	    -fsanitize=fuzzer,address $(shell pkg-config --cflags libcjson) -o $$t $$f \
	    build-fuzz/libbackoffice.a $(LDLIBS) || exit 1; fi; done

# The dependency step: installs missing Debian packages when root, otherwise prints the command.
deps:
	@sh contrib/deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	@mkdir -p $(B)/demo
	@test -f $(B)/demo/backoffice.db || { rm -f $(B)/demo/backoffice.db.audit-anchors; \
	    ./$(B)/backoffice -c contrib/demo.ini demo-seed; }
	./$(B)/backoffice -c contrib/demo.ini console

test: deps
	@$(MAKE) --no-print-directory all unit
	prove -j2 --exec '' $(B)/tests/unit/*.t
	BO_BINARY=$(CURDIR)/$(B)/backoffice prove -j2 tests/source-check.t tests/layout.t tests/fuzz.t \
	    tests/integration/*.t

bench: all bench-bin
	tests/bench/run

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/backoffice $(DESTDIR)/lib/systemd/system
	install -m 0755 $(B)/backoffice $(DESTDIR)$(PREFIX)/bin/backoffice
	install -m 0644 config.example.ini $(DESTDIR)$(PREFIX)/share/backoffice/config.example.ini
	sed 's|@PREFIX@|$(PREFIX)|g' contrib/backoffice.service > $(DESTDIR)/lib/systemd/system/backoffice.service

clean:
	rm -rf $(B)

-include $(OBJS:.o=.d) $(UNIT_BINS:.t=.d) $(BENCH_BINS:=.d)
