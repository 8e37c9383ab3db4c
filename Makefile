# Strata's front door, as DuckDB's: every target installs what is missing
# (scripts/install-deps) and drives CMake + Ninja in build/<kind>.
#
#   make            release build (build/release)
#   make run        build, then the console on the default database (./data),
#                   with sample data on first run
#   make test       build and run every test (unit, integration, heavy)
#   make bench      build and run the benchmarks (BENCH=name,name for a subset,
#                   QUICK=1 for a short smoke run)
#   make asan       clang ASan+UBSan build with the fuzz targets; runs the
#                   unit and integration tests (not heavy)
#   make tsan       clang ThreadSanitizer build; runs the tests (not heavy)
#   make fuzz       runs every fuzz target for FUZZ_SECONDS (default 60)
#   make lint       clang-format check and clang-tidy naming checks
#   make format     rewrites the sources with clang-format
#
# CI=true (set by CI) turns warnings into errors.

JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 60
WERROR := $(if $(filter true 1 yes,$(CI)),ON,OFF)
CLANG_CXX ?= clang++-14
CMAKE_COMMON = -G Ninja -DSTRATA_WERROR=$(WERROR)
SOURCES = $(shell git ls-files '*.cc' '*.h' 2>/dev/null)

.PHONY: all deps release run test bench asan asan-build tsan fuzz lint format clean

all: release

deps:
	@scripts/install-deps

# Configuring every time is cheap and keeps each tree's options as written here.
release: deps
	@cmake -S . -B build/release $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Release \
	  -DSTRATA_BUILD_TESTS=ON -DSTRATA_BUILD_BENCHMARKS=ON >/dev/null
	ninja -C build/release -j $(JOBS)

# The embedded default: database "strata" in ./data (LMDB).
DEFAULT_DB = strata:lmdb://strata?dir=data
STRATA = build/release/tools/strata/strata

# On first run the console creates the sample database; with stdin not a
# terminal it runs the banner's example commands and exits.
run: release
	@$(STRATA) repl --sample '$(DEFAULT_DB)'

test: release
	cd build/release && ctest --output-on-failure -j $(JOBS)

bench: release
	scripts/run-bench build/release "$(BENCH)" "$(QUICK)"

asan-build: deps
	@cmake -S . -B build/asan $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Debug \
	  -DCMAKE_CXX_COMPILER=$(CLANG_CXX) -DCMAKE_CXX_FLAGS=-O1 \
	  -DSTRATA_SANITIZE=address,undefined -DSTRATA_BUILD_FUZZERS=ON >/dev/null
	ninja -C build/asan -j $(JOBS)

asan: asan-build
	cd build/asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS) -LE heavy

tsan: deps
	@cmake -S . -B build/tsan $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Debug \
	  -DCMAKE_CXX_COMPILER=$(CLANG_CXX) -DCMAKE_CXX_FLAGS=-O1 \
	  -DSTRATA_SANITIZE=thread >/dev/null
	ninja -C build/tsan -j $(JOBS)
	cd build/tsan && TSAN_OPTIONS=halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS) -LE heavy

fuzz: asan-build
	scripts/run-fuzz build/asan $(FUZZ_SECONDS)

lint: release
	clang-format --dry-run --Werror $(SOURCES)
	clang-tidy -p build/release --quiet $(filter %.cc,$(SOURCES))

format:
	clang-format -i $(SOURCES)

clean:
	rm -rf build
