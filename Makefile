# sigmix front door. The build itself is meson + ninja; this file installs
# missing Debian packages, configures build folders and runs the jobs.

BUILD      ?= build
TSAN_BUILD ?= build-tsan
PREFIX     ?= /usr/local
DESTDIR    ?=
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
SIGMIX     := $(BUILD)/sigmix

PACKAGES := meson ninja-build pkg-config gcc g++ \
	libavformat-dev libavcodec-dev libswscale-dev libavutil-dev \
	libsnappy-dev libzstd-dev zlib1g-dev libbrotli-dev liblz4-dev \
	libsimdjson-dev libcsv-dev nettle-dev libdouble-conversion-dev libopenblas-dev libfftw3-dev \
	libcmocka-dev libxml2-dev
# Test-only: numpy/pandas cross-check the audit's numbers and the Python package;
# yaml reads the Kubernetes examples; pip/setuptools: the package's offline
# install test; chromium renders the HTML report.
TEST_PACKAGES := python3-numpy python3-pandas python3-yaml python3-pip python3-setuptools \
	chromium
FUZZ_PACKAGES := clang libclang-rt-14-dev

.PHONY: all deps test-deps build run test test-lite test-hostile test-asan test-tsan bench install fuzz clean

all: build

deps:
	@sh tools/install-deps.sh $(PACKAGES)

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=release

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

run: build
	@sh examples/run.sh $(SIGMIX) out

test-deps:
	@sh tools/install-deps.sh $(TEST_PACKAGES)

test: build test-deps
	@sh tests/run.sh $(BUILD)

# Table-only build (docs/library.md, "Build options"): no FFmpeg, ONNX or
# FFTW; every test registered there (tables, Parquet, cat, audit, joins,
# vmaf-logs, install) must pass. A second full build, so CI runs it
# (.ci/run) rather than make test.
LITE_BUILD ?= build-lite
$(LITE_BUILD)/build.ninja:
	meson setup $(LITE_BUILD) --buildtype=release \
		-Dffmpeg=disabled -Donnx=disabled -Dfftw=disabled

test-lite: deps test-deps $(LITE_BUILD)/build.ninja
	ninja -C $(LITE_BUILD)
	@sh tests/run.sh $(LITE_BUILD)

# Hostile inputs alone (bombs, loops, wide tables, every fuzz seed), each
# bounded to 1 GiB and 30 s; make test runs them too.
test-hostile: build test-deps
	meson test -C $(BUILD) --suite hostile --print-errorlogs

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) --buildtype=debugoptimized \
		-Db_sanitize=address,undefined -Db_lundef=false

test-asan: deps test-deps $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	@sh tests/run.sh $(ASAN_BUILD)

# Benchmarks are built only here: plain make/make test leave them out.
bench: build
	meson configure $(BUILD) -Dbench=true
	ninja -C $(BUILD)
	@bash bench/run.sh $(BUILD)

# Library, headers, sigmix.pc, man page and program under $(DESTDIR)$(PREFIX).
install: build
	meson configure $(BUILD) --prefix=$(abspath $(PREFIX))
	ninja -C $(BUILD)
	meson install -C $(BUILD) --no-rebuild $(if $(DESTDIR),--destdir $(abspath $(DESTDIR)))

# ThreadSanitizer over the suites whose code runs threads (text and Parquet
# readers, audit workers, joins, outputs); OpenBLAS's own thread pool is not
# instrumented, tests/tsan.supp silences it and nothing else. TSan runs
# 5-15x slower: test_wide (10,000 columns) and test_text_bomb outlive their
# usual timeouts.
TSAN_SUITES := util table parquet parquet_writer cat audit join
$(TSAN_BUILD)/build.ninja:
	meson setup $(TSAN_BUILD) --buildtype=debugoptimized \
		-Db_sanitize=thread -Db_lundef=false

test-tsan: deps test-deps $(TSAN_BUILD)/build.ninja
	ninja -C $(TSAN_BUILD)
	TSAN_OPTIONS="suppressions=$(CURDIR)/tests/tsan.supp halt_on_error=1 second_deadlock_stack=1" \
		meson test -C $(TSAN_BUILD) $(addprefix --suite ,$(TSAN_SUITES)) --print-errorlogs \
		--timeout-multiplier 10

$(FUZZ_BUILD)/build.ninja:
	CC=clang CXX=clang++ meson setup $(FUZZ_BUILD) --buildtype=debugoptimized \
		-Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false

# Builds every fuzz target, then runs each for FUZZ_TIME seconds, FUZZ_JOBS
# at a time, with its corpus in FUZZ_DIR (outside the repository), and prints
# executions, coverage and findings per target (fuzz/campaign.sh).
# FUZZ_TIME=0 only builds; FUZZ_TARGETS picks some targets.
FUZZ_TIME    ?= 600
FUZZ_JOBS    ?= 2
FUZZ_DIR     ?= /tmp/sigmix-fuzz
FUZZ_TARGETS ?=
fuzz: deps
	@sh tools/install-deps.sh $(FUZZ_PACKAGES)
	$(MAKE) $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD)
	@if [ "$(FUZZ_TIME)" -gt 0 ]; then \
		FUZZ_TIME=$(FUZZ_TIME) FUZZ_JOBS=$(FUZZ_JOBS) FUZZ_DIR=$(FUZZ_DIR) \
			sh fuzz/campaign.sh $(FUZZ_BUILD) $(FUZZ_TARGETS); \
	else echo "fuzzers are in $(FUZZ_BUILD)/fuzz; see docs/FUZZING.md"; fi

clean:
	rm -rf $(BUILD) $(LITE_BUILD) $(ASAN_BUILD) $(TSAN_BUILD) $(FUZZ_BUILD) out
