# husk — build, test, install.
#
#   make               build the release binary: target/release/husk
#   make test          run every test (unit, integration, self-tests)
#   make check         cargo fmt --check + clippy -D warnings + tests
#   make bench         run the benchmarks under bench/
#   make install PREFIX=/usr/local
#   make clean

CARGO  ?= cargo
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin

.PHONY: all build test check fmt clippy bench install clean

all: build

build:
	$(CARGO) build --release --locked --bin husk

# Tests run against the release build: the binary under test is the one
# users get (static layout, LTO, panic=abort).
test:
	$(CARGO) test --release --locked

fmt:
	$(CARGO) fmt --all -- --check

clippy:
	$(CARGO) clippy --release --locked --all-targets -- -D warnings

check: fmt clippy test

bench: build
	./bench/run

install: build
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 target/release/husk $(DESTDIR)$(BINDIR)/husk

clean:
	$(CARGO) clean
