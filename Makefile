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
#   make initramfs ARCH=x86_64     (or aarch64, armv7, riscv64)
#                      build husk, then the boot-test initramfs
#                      target/boot/ARCH/initrd.cpio.gz (static busybox,
#                      husk, tests/boot/bt.c, smoke.sh, /init; x86_64:
#                      also /musl, a root with no glibc, musl.sh)
#   make boot-test ARCH=x86_64 KERNEL=6.1     (6.1 or 6.12; aarch64, armv7 too;
#                      riscv64: 6.12, Debian 13's) boot it in
#                      qemu-system-ARCH (software emulation) on the newest
#                      Debian kernel package of that series (apt-get
#                      download into target/boot/), run the suites in the
#                      guest, print "N passed, M failed"; exits non-zero
#                      on a failure, a panic or the time-out (tests/boot/,
#                      README "Boot test" and "Architectures")

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
# (software emulation; see tests/boot/ and README "Boot test"). Not part
# of `make test`. Every ARCH needs busybox-static, cpio and binutils; the
# host's ARCH (x86_64) needs cc with a static libc, qemu-system-x86 and
# musl-tools (its guest also boots a root with no glibc); the others
# are the `make cross` build of husk and need their qemu and a C cross
# compiler with a static libc (apt-get): aarch64: qemu-system-arm,
# gcc-aarch64-linux-gnu, libc6-dev-arm64-cross, and apt to know arm64
# (dpkg --add-architecture arm64 && apt-get update) for its kernel and
# busybox-static:arm64; armv7: the same with armhf,
# gcc-arm-linux-gnueabihf and libc6-dev-armhf-cross, Debian's armmp
# kernel on qemu-system-arm's virt machine (cortex-a15), and
# husk-selftest in the initramfs (its filter checks run first);
# riscv64: qemu-system-misc (OpenSBI inside), gcc-riscv64-linux-gnu,
# libc6-dev-riscv64-cross, and its kernel and busybox from Debian 13
# (trixie) through a private apt in target/boot/ (tests/boot/suite-apt:
# the machine's apt is not changed). Downloads (apt-get download) stay
# in target/boot/.
#
# One line per architecture in each table (and one in tests/boot/boot's
# qemu table): DEBARCH, Debian's name for it; SUITE, where its kernel and
# busybox come from if not from the machine's apt (Debian 12); KERNEL,
# the default series; CC, the helper's compiler; RUSTFLAGS, husk's cross
# build (aarch64: no outline-atomics, whose runtime detection needs
# getauxval from a libc); SELFTEST, husk-selftest in the initramfs too;
# MUSL_CC, for the root with no glibc.
BOOT_ARCHES            = x86_64 aarch64 armv7 riscv64
BOOT_DEBARCH_x86_64    = amd64
BOOT_DEBARCH_aarch64   = arm64
BOOT_DEBARCH_armv7     = armhf
BOOT_DEBARCH_riscv64   = riscv64
BOOT_SUITE_riscv64     = trixie
BOOT_KERNEL_x86_64     = 6.1
BOOT_KERNEL_aarch64    = 6.1
BOOT_KERNEL_armv7      = 6.1
BOOT_KERNEL_riscv64    = 6.12
BOOT_CC_aarch64        = aarch64-linux-gnu-gcc
BOOT_CC_armv7          = arm-linux-gnueabihf-gcc
BOOT_CC_riscv64        = riscv64-linux-gnu-gcc
BOOT_RUSTFLAGS_aarch64 = -C target-feature=-outline-atomics
BOOT_SELFTEST_armv7    = yes
BOOT_MUSL_CC_x86_64    = musl-gcc

KERNEL   ?= $(BOOT_KERNEL_$(ARCH))
BOOT_DIR  = target/boot
BOOT_OUT  = $(BOOT_DIR)/$(ARCH)
DEBARCH   = $(BOOT_DEBARCH_$(ARCH))
BOOT_SUITE = $(BOOT_SUITE_$(ARCH))
# A private apt for another suite: its options, for the fetch scripts.
BOOT_APT  = $(if $(BOOT_SUITE),opts=$$(tests/boot/suite-apt $(BOOT_SUITE) $(DEBARCH) $(BOOT_DIR)/apt-$(BOOT_SUITE)-$(DEBARCH)) && APT_OPTS="$$opts")
BOOT_KDIR = $(BOOT_DIR)/kernel-$(KERNEL)-$(DEBARCH)

.PHONY: initramfs boot-kernel boot-test boot-arch boot-husk
boot-arch:
	@case " $(BOOT_ARCHES) " in *" $(ARCH) "*) ;; *) echo "boot tests: ARCH is one of $(BOOT_ARCHES) (got ARCH=$(ARCH))" >&2; exit 1;; esac

ifeq ($(ARCH),$(shell uname -m))
BOOT_HUSK = target/release/husk
boot-husk: boot-arch build
BOOT_ENV = $(if $(BOOT_MUSL_CC_$(ARCH)),MUSL_CC=$(BOOT_MUSL_CC_$(ARCH)))
else
BOOT_HUSK = target/$(TRIPLE)/release/husk
boot-husk: boot-arch
	rustup target add $(TRIPLE)
	$(CROSS_ENV) $(if $(BOOT_RUSTFLAGS_$(ARCH)),CARGO_TARGET_$(shell echo $(TRIPLE) | tr 'a-z-' 'A-Z_')_RUSTFLAGS="$(BOOT_RUSTFLAGS_$(ARCH))") \
		$(CARGO) build --release --locked --target $(TRIPLE) --bin husk $(if $(BOOT_SELFTEST_$(ARCH)),--bin husk-selftest)
	$(BOOT_APT) tests/boot/fetch-busybox $(DEBARCH) $(BOOT_DIR)/busybox-$(DEBARCH)
BOOT_ENV = BUSYBOX=$(BOOT_DIR)/busybox-$(DEBARCH)/busybox BUSYBOX_LIST=/bin/busybox CC=$(BOOT_CC_$(ARCH)) \
	$(if $(BOOT_SELFTEST_$(ARCH)),SELFTEST=target/$(TRIPLE)/release/husk-selftest) \
	$(if $(BOOT_MUSL_CC_$(ARCH)),MUSL_CC=$(BOOT_MUSL_CC_$(ARCH)))
endif

initramfs: boot-husk
	mkdir -p $(BOOT_OUT)
	$(BOOT_ENV) tests/boot/mkinitramfs $(BOOT_OUT)/initrd.cpio.gz $(BOOT_HUSK)

boot-kernel: boot-arch
	$(BOOT_APT) tests/boot/fetch-kernel $(KERNEL) $(BOOT_KDIR) $(DEBARCH)

boot-test: initramfs boot-kernel
	tests/boot/boot $(BOOT_KDIR)/vmlinuz $(BOOT_OUT)/initrd.cpio.gz $(BOOT_OUT)/console.log $(ARCH)
