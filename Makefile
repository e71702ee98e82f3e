# xvnet - thin wrapper over meson.  The two commands of the quick start:
#   make demo    install what is missing, build, run the demo
#   make test    install what is missing, build, run every test
BUILD ?= build
ASAN ?= build-asan
FUZZ_SECONDS ?= 60
BENCH_SECONDS ?= 3

.PHONY: all deps build build-asan demo test fuzz bench install clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD)

$(ASAN)/build.ninja:
	CC=clang meson setup $(ASAN) -Db_sanitize=address,undefined \
	    -Db_lundef=false -Dfuzzing=true

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

build-asan: deps $(ASAN)/build.ninja
	ninja -C $(ASAN)

demo: build
	scripts/demo.sh $(BUILD)

test: build build-asan
	scripts/run-tests.sh $(BUILD) $(ASAN)

# A long libFuzzer run of every harness (not part of `make test`).
fuzz: build-asan
	scripts/fuzz.sh $(ASAN) $(FUZZ_SECONDS)

# Benchmarks: bench/results/report.md with its CSVs and plots (bench/README.md).
bench: build
	@scripts/install-deps.sh bench
	bench/run.sh $(BUILD) $(BENCH_SECONDS)

# Programs, man pages, systemd units, /etc/xvnet and the system group xvnet
# (created when missing, not into a DESTDIR; DESTDIR=... works).
install: build
	meson install -C $(BUILD) $(if $(DESTDIR),--destdir $(DESTDIR))

clean:
	rm -rf $(BUILD) $(ASAN)
