# Pitchbar integrations service.
#
#   make run     build, then start the service on var/pitchbar.db
#   make test    every test: unit (cmocka) and black-box (node --test),
#                on SQLite and again on a private PostgreSQL server,
#                sanitizers on; ThreadSanitizer for the worker paths
#   make bench   benchmarks (see docs/benchmarks.md)
#
# MODE selects the build: release (default), test (ASan + UBSan, warnings
# are errors) or tsan.  Each mode builds under build/MODE.

MODE ?= release
BUILD := build/$(MODE)
CC ?= cc

PKGS := libmicrohttpd libcurl libcjson sqlite3 libsodium libpq
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lunistring

WARN := -Wall -Wextra -Wshadow -Wformat=2 -Wstrict-prototypes \
	-Wmissing-prototypes -Wpointer-arith -Wvla -Wundef
CFLAGS_release := -O2 -g
CFLAGS_test := -O1 -g -fno-omit-frame-pointer -Werror \
	-fsanitize=address,undefined -fno-sanitize-recover=all
CFLAGS_tsan := -O1 -g -fno-omit-frame-pointer -Werror -fsanitize=thread
CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS_$(MODE)) -Isrc $(PKG_CFLAGS)
LDFLAGS := $(filter -fsanitize=%,$(CFLAGS_$(MODE)))
LDLIBS := $(PKG_LIBS) -lpthread -lm

SRC := $(sort $(wildcard src/*/*.c))
GEN := $(BUILD)/gen/migrations.c $(BUILD)/gen/web.c
OBJ := $(SRC:%.c=$(BUILD)/%.o) $(GEN:.c=.o)
MIGRATIONS := $(sort $(wildcard src/db/migrations/*.sql))
WEB := $(sort $(wildcard web/*.html web/*.css web/*.js web/*.svg))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit/%)
# The unit tests of the storage layer, which also run on PostgreSQL.
STORAGE_BIN := $(BUILD)/unit/test_db $(BUILD)/unit/test_jobs \
	$(BUILD)/unit/test_jobs_admin

.PHONY: all run test bench unit unit-storage blackbox browser tsan-check lint \
	format clean deps
.SUFFIXES:

all: $(BUILD)/pitchbar

$(BUILD)/pitchbar: $(OBJ) $(BUILD)/src/main.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	$(CC) $(CFLAGS) -c -o $@ $<

build/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) -O1 -Wall -Wextra -o $@ $<

$(BUILD)/gen/migrations.c: build/tools/embed $(MIGRATIONS)
	@mkdir -p $(dir $@)
	build/tools/embed db_migration_files src/db/migrations/ $@ $(MIGRATIONS)

$(BUILD)/gen/web.c: build/tools/embed $(WEB)
	@mkdir -p $(dir $@)
	build/tools/embed web_files web/ $@ $(WEB)

$(BUILD)/unit/%: tests/unit/%.c $(BUILD)/tests/unit/unit.o $(OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/unit -o $@ $^ $(LDFLAGS) $(LDLIBS) -lcmocka

-include $(OBJ:.o=.d) $(BUILD)/src/main.d

deps:
	@tools/install-deps.sh build

run: deps
	@$(MAKE) --no-print-directory MODE=release build/release/pitchbar
	@mkdir -p var
	exec build/release/pitchbar serve

unit: $(UNIT_BIN)
	@for t in $(UNIT_BIN); do echo "== $$t"; ./$$t || exit 1; done

# On PostgreSQL when PITCHBAR_TEST_PG is set (tools/with-pg.sh does).
unit-storage: $(STORAGE_BIN)
	@for t in $(STORAGE_BIN); do echo "== $$t"; ./$$t || exit 1; done

# The black-box suite runs the sanitized binary against real local peers,
# on SQLite, or on PostgreSQL when PITCHBAR_TEST_PG is set.  The tests
# that restart the database server run alone, after the others.
ALONE_TESTS := tests/api/nodes.test.js
SHARED_TESTS := $(filter-out $(ALONE_TESTS),$(wildcard tests/api/*.test.js))

blackbox: $(BUILD)/pitchbar
	@tools/npm-deps.sh
	@if [ -n "$$PITCHBAR_TEST_PG" ]; then echo "== on PostgreSQL"; fi
	PITCHBAR_BIN=$(BUILD)/pitchbar node --test --test-concurrency=2 \
		$(SHARED_TESTS)
	PITCHBAR_BIN=$(BUILD)/pitchbar node --test $(ALONE_TESTS)

# The web app in headless Chromium (Debian's), driven by playwright-core.
browser: $(BUILD)/pitchbar
	@tools/npm-deps.sh
	PITCHBAR_BIN=$(BUILD)/pitchbar node --test --test-concurrency=1 \
		tests/browser/

tsan-check: $(BUILD)/pitchbar $(UNIT_BIN)
	@for t in $(UNIT_BIN); do ./$$t >/dev/null || exit 1; done
	@tools/npm-deps.sh
	PITCHBAR_BIN=$(BUILD)/pitchbar PITCHBAR_TEST_TSAN=1 node --test \
		tests/api/concurrency.test.js

test:
	@tools/install-deps.sh test
	@tools/lint.sh
	@$(MAKE) --no-print-directory MODE=test unit blackbox browser
	@tools/with-pg.sh $(MAKE) --no-print-directory MODE=test unit-storage \
		blackbox
	@$(MAKE) --no-print-directory MODE=tsan tsan-check

bench:
	@tools/install-deps.sh bench
	@$(MAKE) --no-print-directory MODE=release build/release/pitchbar
	tools/with-pg.sh --durable bench/run.sh

lint:
	@tools/lint.sh

format:
	clang-format -i $(SRC) src/main.c $(wildcard src/*/*.h) \
		$(wildcard tests/unit/*.[ch]) tools/embed.c

clean:
	rm -rf build
