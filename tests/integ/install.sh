#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# make install into a scratch DESTDIR with a chosen PREFIX: the library,
# headers, ksf.pc (naming that PREFIX), programs and man pages land where
# they should; a program compiled against the installed headers with
# pkg-config's flags links (static and shared) and runs; make uninstall
# removes what install put there. Backend-independent: runs once (epoll).
. "$(dirname "$0")/lib.sh"
[ "$KSF_BACKEND" = epoll ] || skip "backend-independent: runs with epoll only"
have pkg-config || skip "pkg-config missing"
# An ASan library only loads into ASan programs: test the plain build.
is_asan && skip "sanitizer build: the installed library needs the ASan runtime"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
D=$T/dest
P=/opt/ksf-test
make -s -C "$ROOT" B="$B" PREFIX=$P DESTDIR="$D" install > "$T/install.log" 2>&1 ||
	{ cat "$T/install.log"; fail "make install failed"; }
for f in lib/libksf.a lib/libksf.so lib/libksf.so.0 include/ksf.h include/ksf/svc.h \
	 include/ksf/rpc.h lib/pkgconfig/ksf.pc bin/kecho bin/krpc bin/echotest \
	 share/man/man1/kecho.1 share/man/man1/echotest.1 share/man/man3/libksf.3; do
	[ -e "$D$P/$f" ] || fail "make install did not install $P/$f"
done
grep -q "^prefix=$P\$" "$D$P/lib/pkgconfig/ksf.pc" || fail "ksf.pc does not name prefix $P: $(head -1 "$D$P/lib/pkgconfig/ksf.pc")"
cat > "$T/ex.c" <<'C'
#include <errno.h>
#include <stdio.h>
#include <ksf.h>
int main(void)
{
	struct ksf_pool_opts o;

	ksf_pool_opts_init(&o);
	printf("%s %s\n", KSF_VERSION, ksf_strerror(-ENOBUFS) ? "ok" : "no");
	return ksf_backend_parse("epoll") == KSF_BACKEND_EPOLL ? 0 : 1;
}
C
export PKG_CONFIG_PATH="$D$P/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$D"
cc -Werror -Wall $(pkg-config --cflags ksf) -o "$T/ex" "$T/ex.c" $(pkg-config --libs ksf) ||
	fail "compile against installed headers failed"
LD_LIBRARY_PATH="$D$P/lib" "$T/ex" | grep -q ' ok$' || fail "program linked to the installed libksf.so failed"
cc $(pkg-config --cflags ksf) -o "$T/ex-static" "$T/ex.c" "$D$P/lib/libksf.a" $(pkg-config --static --libs-only-l ksf | sed 's/-lksf//') ||
	fail "static link failed"
"$T/ex-static" > /dev/null || fail "statically linked program failed"
make -s -C "$ROOT" B="$B" PREFIX=$P DESTDIR="$D" uninstall > /dev/null 2>&1 || fail "make uninstall failed"
left=$(find "$D" -type f | head -5)
[ -z "$left" ] || fail "make uninstall left: $left"
exit 0
