# SPDX-License-Identifier: BSD-2-Clause
# ksf: plain Make build. `make` builds everything into build/, `make test`
# runs the suite, `make demo` runs kecho, krpc and their clients, `make bench` compares
# with peers, `make asan` runs the suite under ASan+UBSan, `make
# test-kernel-client` and `make test-qemu-smoke` run tests in a qemu guest.

CC      ?= cc
CFLAGS  ?= -O2 -g $(LTO_CFLAGS)	# LTO_CFLAGS: scripts/configure.sh (KSF_LTO=0: off)
override CFLAGS += -std=gnu11 -Wall -Wextra -Werror -fPIC -D_GNU_SOURCE \
                   -Iinclude -I$(B) -MMD -MP
LDLIBS  += -lpthread
PREFIX  ?= /usr/local
DESTDIR ?=
B       ?= build
VERSION := 0.1.0

ifeq ($(V),1)
Q :=
else
Q := @
endif

# Debian packages first (once per build directory, as the deps target
# below), so that the feature probe after it sees liburing-dev on a fresh
# machine: otherwise the first build would be made without io_uring.
ifeq ($(wildcard $(B)/.deps-ok),)
$(shell mkdir -p $(B) && sh scripts/deps.sh >&2 && touch $(B)/.deps-ok)
endif
# Feature probe (liburing): writes $(B)/config.h and $(B)/config.mk.
$(shell mkdir -p $(B) && sh scripts/configure.sh $(B) "$(CC)" >/dev/null)
-include $(B)/config.mk

LIB_SRCS    := $(wildcard lib/*.c) $(wildcard lib/rpc/*.c)
LIB_OBJS    := $(LIB_SRCS:%.c=$(B)/obj/%.o)
COMMON_SRCS := $(wildcard tools/common/*.c)
COMMON_OBJS := $(COMMON_SRCS:%.c=$(B)/obj/%.o)
SVC_COMMON  := $(patsubst %.c,$(B)/obj/%.o,$(wildcard svc/common/*.c))
# krpc's NFS layer and stores, as an archive the unit tests and fuzzers link too
KRPC_LIB_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(filter-out svc/krpc/krpc.c,$(wildcard svc/krpc/*.c)))
KRPC_OBJS   := $(B)/obj/svc/krpc/krpc.o $(B)/lib/libkrpc.a $(SVC_COMMON)
KRPC_LIBS   := -lsodium
KECHO_OBJS  := $(patsubst %.c,$(B)/obj/%.o,$(wildcard svc/kecho/*.c)) $(SVC_COMMON)
ECHOT_OBJS  := $(patsubst %.c,$(B)/obj/%.o,$(wildcard tools/echotest/*.c))
RPCT_OBJS   := $(patsubst %.c,$(B)/obj/%.o,$(wildcard tools/rpctest/*.c))
UNIT_SRCS   := $(wildcard tests/unit/test-*.c)
UNIT_BINS   := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)
HELPER_SRCS := $(wildcard tests/integ/*.c)
HELPER_BINS := $(HELPER_SRCS:tests/integ/%.c=$(B)/tests/%)
BENCH_SRCS  := $(wildcard bench/*.c)
BENCH_BINS  := $(BENCH_SRCS:bench/%.c=$(B)/bench/%)
PROGS       := $(B)/bin/kecho $(B)/bin/echotest $(B)/bin/rpctest $(B)/bin/krpc

.SECONDARY:
.PHONY: all deps test asan demo bench fuzz install uninstall clean \
        test-qemu-smoke test-kernel-client kmod test-kmod bench-kmod
all: deps $(B)/lib/libksf.a $(B)/lib/libksf.so $(PROGS) $(UNIT_BINS) \
     $(HELPER_BINS) $(BENCH_BINS) $(B)/ksf.pc

deps: $(B)/.deps-ok
$(B)/.deps-ok: scripts/deps.sh
	$(Q)sh scripts/deps.sh
	$(Q)touch $@

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -Ilib -Itools/common -c -o $@ $<

$(B)/lib/libksf.a: $(LIB_OBJS)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && ar rcs $@ $^
$(B)/lib/libksf.so: $(LIB_OBJS) lib/ksf.map
	@mkdir -p $(dir $@)
	$(Q)$(CC) -shared -Wl,-soname,libksf.so.0 -Wl,--version-script=lib/ksf.map \
	    $(filter -flto%,$(CFLAGS)) $(LDFLAGS) -o $@ $(LIB_OBJS) $(URING_LIBS) $(LDLIBS)
$(B)/bin/kecho: $(KECHO_OBJS) $(B)/lib/libksf.a
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(URING_LIBS) $(LDLIBS)
$(B)/lib/libkrpc.a: $(KRPC_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && ar rcs $@ $^
$(B)/bin/krpc: $(KRPC_OBJS) $(B)/lib/libksf.a
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(URING_LIBS) $(KRPC_LIBS) $(LDLIBS)
$(B)/bin/echotest: $(ECHOT_OBJS) $(COMMON_OBJS) $(B)/lib/libksf.a
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(URING_LIBS) $(LDLIBS) -lm
$(B)/bin/rpctest: $(RPCT_OBJS) $(COMMON_OBJS) $(B)/lib/libksf.a
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(URING_LIBS) $(LDLIBS) -lm
$(B)/tests/%: $(B)/obj/tests/unit/%.o $(COMMON_OBJS) $(B)/lib/libkrpc.a $(B)/lib/libksf.a
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(URING_LIBS) $(KRPC_LIBS) $(LDLIBS) -lm
$(B)/tests/%: $(B)/obj/tests/integ/%.o $(B)/lib/libksf.a
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(URING_LIBS) $(LDLIBS)
$(B)/bench/%: $(B)/obj/bench/%.o
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)
# libtirpc clients and servers (a real RPC library, for tests and bench):
# these specific patterns win over the generic ones above.
TIRPC_CFLAGS := -I/usr/include/tirpc
TIRPC_LIBS   := -ltirpc
$(B)/obj/tests/integ/tirpc_%.o: tests/integ/tirpc_%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(TIRPC_CFLAGS) -c -o $@ $<
$(B)/obj/bench/tirpc_%.o: bench/tirpc_%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) $(TIRPC_CFLAGS) -c -o $@ $<
$(B)/tests/tirpc_%: $(B)/obj/tests/integ/tirpc_%.o
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(TIRPC_LIBS) $(LDLIBS)
$(B)/bench/tirpc_%: $(B)/obj/bench/tirpc_%.o
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(TIRPC_LIBS) $(LDLIBS)
$(B)/ksf.pc: ksf.pc.in
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' \
	    -e 's|@URING_LIBS@|$(URING_LIBS)|g' $< > $@

test: all
	$(Q)sh tests/run.sh $(B)

# Tests in a qemu guest booting Debian's own kernel (tests/qemu/, TCG; not
# part of `make test`): the harness itself, and the kernel's NFS client
# against krpc. scripts/qemu-deps.sh (called by run.sh) fetches what is missing.
test-qemu-smoke: all
	$(Q)B=$(B) sh tests/qemu/run.sh tests/qemu/guest-smoke.sh
test-kernel-client: all
	$(Q)B=$(B) sh tests/qemu/run.sh tests/qemu/guest-nfs.sh

# Kernel modules (issue 10, kmod/): kecho.ko and krpc.ko built against the
# headers of the kernel the qemu guest boots (W=1, warnings fail), tested
# and compared with the user-space services in that guest.
kmod:
	$(Q)sh scripts/kmod-build.sh $(B)
test-kmod: all
	$(Q)B=$(B) sh tests/qemu/run-kmod.sh tests/qemu/guest-kmod.sh
bench-kmod: all
	$(Q)B=$(B) KSF_QEMU_TIMEOUT=$${KSF_QEMU_TIMEOUT:-600} sh tests/qemu/run-kmod.sh tests/qemu/guest-kmod-bench.sh

# Sanitizer build of the whole suite in its own tree.
asan:
	$(Q)$(MAKE) B=build-asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" test

demo: all
	$(Q)sh scripts/demo.sh $(B)

bench: all
	$(Q)sh bench/run.sh $(B)

fuzz:
	$(Q)sh tests/fuzz/run.sh $(B)

install: all
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/ksf \
	    $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man3
	install -m 644 $(B)/lib/libksf.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(B)/lib/libksf.so $(DESTDIR)$(PREFIX)/lib/libksf.so.$(VERSION)
	ln -sf libksf.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libksf.so.0
	ln -sf libksf.so.0 $(DESTDIR)$(PREFIX)/lib/libksf.so
	install -m 644 include/ksf.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 include/ksf/*.h $(DESTDIR)$(PREFIX)/include/ksf/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' \
	    -e 's|@URING_LIBS@|$(URING_LIBS)|g' ksf.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/ksf.pc
	install -m 755 $(PROGS) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 man/*.3 $(DESTDIR)$(PREFIX)/share/man/man3/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/lib/libksf.* $(DESTDIR)$(PREFIX)/lib/pkgconfig/ksf.pc \
	    $(DESTDIR)$(PREFIX)/include/ksf.h $(DESTDIR)$(PREFIX)/share/man/man3/libksf.3
	for p in $(notdir $(PROGS)); do rm -f $(DESTDIR)$(PREFIX)/bin/$$p \
	    $(DESTDIR)$(PREFIX)/share/man/man1/$$p.1; done
	rm -rf $(DESTDIR)$(PREFIX)/include/ksf

clean:
	rm -rf build build-asan build-clang

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
