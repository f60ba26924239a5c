# husk — build, test, install.
#
#   make               build the release binary: target/release/husk
#   make test          run every test (unit, integration, self-tests)
#   make check         cargo fmt --check + clippy -D warnings + tests
#   make bench         run the benchmarks under bench/
#   make install       build, then install husk into $(BINDIR) and the
#                      man pages husk(1), husk(5) into $(MANDIR)/man1,
#                      man5 (PREFIX=/usr/local, MANDIR=$(PREFIX)/share/man;
#                      DESTDIR=/some/root to stage a package)
#   make clean
#   make initramfs ARCH=x86_64     (or ARCH=aarch64, ARCH=armv7)
#                      build husk, then the boot-test initramfs
#                      target/boot/ARCH/initrd.cpio.gz (static busybox,
#                      husk, tests/boot/bt.c, tests/boot/smoke.sh, /init)
#   make boot-test ARCH=x86_64 KERNEL=6.1     (or ARCH=aarch64, ARCH=armv7)
#                      boot it in qemu-system-ARCH (software emulation)
#                      on Debian 12's 6.1 kernel (apt-get download into
#                      target/boot/), run the smoke suite in the guest,
#                      print "N passed, M failed"; exits non-zero on a
#                      failure, a panic or the time-out (tests/boot/)

CARGO  ?= cargo
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man

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
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 0644 docs/husk.1 $(DESTDIR)$(MANDIR)/man1/husk.1
	install -m 0644 docs/husk.5 $(DESTDIR)$(MANDIR)/man5/husk.5

clean:
	$(CARGO) clean

# Cross builds without a cross C toolchain: rust-lld links directly.
# `make cross ARCH=aarch64` (or riscv64, armv7); `make cross-test ARCH=...`
# runs the runtime self-tests under qemu-user (apt-get install qemu-user).
ARCH   ?= aarch64
TRIPLE  = $(if $(filter riscv64,$(ARCH)),riscv64gc-unknown-linux-gnu,$(if $(filter armv7,$(ARCH)),armv7-unknown-linux-gnueabihf,$(ARCH)-unknown-linux-gnu))
# qemu-user's name for the architecture.
QEMU_USER = qemu-$(if $(filter armv7,$(ARCH)),arm,$(ARCH))
LLD     = $(shell rustc --print sysroot)/lib/rustlib/$(shell rustc -vV | sed -n 's/^host: //p')/bin/rust-lld
CROSS_ENV = CARGO_TARGET_$(shell echo $(TRIPLE) | tr 'a-z-' 'A-Z_')_LINKER=$(LLD)

.PHONY: cross cross-test
cross:
	rustup target add $(TRIPLE)
	$(CROSS_ENV) $(CARGO) build --release --locked --target $(TRIPLE)
	ls -l target/$(TRIPLE)/release/husk

cross-test: cross
	for t in threads thread-churn futex-pingpong queue-stress queue-full-closed lockdown; do \
		$(QEMU_USER) target/$(TRIPLE)/release/husk-selftest $$t || exit 1; done
	! $(QEMU_USER) target/$(TRIPLE)/release/husk-selftest lockdown-fault
	$(QEMU_USER) target/$(TRIPLE)/release/husk -V

# Boot tests: husk on a real kernel other than the host's, in a qemu guest
# (software emulation; see tests/boot/). Not part of `make test`.
# ARCH=x86_64 needs qemu-system-x86, busybox-static, cpio (apt-get) and cc
# with a static libc. ARCH=aarch64 needs qemu-system-arm,
# gcc-aarch64-linux-gnu and libc6-dev-arm64-cross (apt-get), and apt to
# know arm64 (dpkg --add-architecture arm64 && apt-get update) for the
# arm64 kernel and busybox-static:arm64 (apt-get download, into
# target/boot/); husk is the `make cross` build, without outline-atomics
# (its runtime detection needs getauxval from a libc). ARCH=armv7 is the
# same with armhf, gcc-arm-linux-gnueabihf and libc6-dev-armhf-cross,
# Debian's armmp kernel on qemu-system-arm's virt machine (cortex-a15),
# and husk-selftest in the initramfs (its filter checks run first).
KERNEL   ?= 6.1
BOOT_DIR  = target/boot
BOOT_OUT  = $(BOOT_DIR)/$(ARCH)
DEBARCH   = $(if $(filter aarch64,$(ARCH)),arm64,$(if $(filter armv7,$(ARCH)),armhf,amd64))

.PHONY: initramfs boot-kernel boot-test boot-arch boot-husk
boot-arch:
	@case "$(ARCH)" in x86_64|aarch64|armv7) ;; *) echo "boot tests: only ARCH=x86_64, aarch64 or armv7 (got ARCH=$(ARCH))" >&2; exit 1;; esac

ifeq ($(ARCH),aarch64)
BOOT_HUSK = target/$(TRIPLE)/release/husk
boot-husk: boot-arch
	rustup target add $(TRIPLE)
	$(CROSS_ENV) CARGO_TARGET_$(shell echo $(TRIPLE) | tr 'a-z-' 'A-Z_')_RUSTFLAGS="-C target-feature=-outline-atomics" \
		$(CARGO) build --release --locked --target $(TRIPLE) --bin husk
	tests/boot/fetch-busybox $(DEBARCH) $(BOOT_DIR)/busybox-$(DEBARCH)
BOOT_ENV = BUSYBOX=$(BOOT_DIR)/busybox-$(DEBARCH)/busybox BUSYBOX_LIST=/bin/busybox CC=aarch64-linux-gnu-gcc
else ifeq ($(ARCH),armv7)
BOOT_HUSK = target/$(TRIPLE)/release/husk
boot-husk: boot-arch
	rustup target add $(TRIPLE)
	$(CROSS_ENV) $(CARGO) build --release --locked --target $(TRIPLE) --bin husk --bin husk-selftest
	tests/boot/fetch-busybox $(DEBARCH) $(BOOT_DIR)/busybox-$(DEBARCH)
BOOT_ENV = BUSYBOX=$(BOOT_DIR)/busybox-$(DEBARCH)/busybox BUSYBOX_LIST=/bin/busybox CC=arm-linux-gnueabihf-gcc \
	SELFTEST=target/$(TRIPLE)/release/husk-selftest
else
BOOT_HUSK = target/release/husk
boot-husk: boot-arch build
# x86_64 also boots a root with no glibc (tests/boot/musl.sh).
BOOT_ENV = MUSL_CC=musl-gcc
endif

initramfs: boot-husk
	mkdir -p $(BOOT_OUT)
	$(BOOT_ENV) tests/boot/mkinitramfs $(BOOT_OUT)/initrd.cpio.gz $(BOOT_HUSK)

boot-kernel: boot-arch
	tests/boot/fetch-kernel $(KERNEL) $(BOOT_DIR)/kernel-$(KERNEL)-$(DEBARCH) $(DEBARCH)

boot-test: initramfs boot-kernel
	tests/boot/boot $(BOOT_DIR)/kernel-$(KERNEL)-$(DEBARCH)/vmlinuz $(BOOT_OUT)/initrd.cpio.gz $(BOOT_OUT)/console.log $(ARCH)
