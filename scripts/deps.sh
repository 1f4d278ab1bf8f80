#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Checks that the Debian packages ksf builds and tests with are present.
# As root on Debian it installs what is missing with apt-get; otherwise it
# prints the exact command to run and fails. Called by `make` (once, via a
# stamp file) and by .ci/run.
#
#   sh scripts/deps.sh          the packages to build and test
#   sh scripts/deps.sh bench    those and the ones only `make bench` needs
#
#   package            why
#   liburing-dev       io_uring backend (optional at build time: epoll only without it)
#   socat              a peer nobody here wrote, for integration tests
#   clang              clang build and libFuzzer targets
#   libclang-rt-14-dev libFuzzer and sanitizer runtimes for clang
#   procps             ps/pgrep used by tests
#   rpcbind            rpcinfo and rpcbind: real RPC clients and portmapper for tests
#   tshark             Wireshark's dissectors check krpc's bytes on the wire (tests)
#   libtirpc-dev       libtirpc: the RPC library's client and server, tests and bench
#   strace             counts rpctest's recv() calls per reply (tests)
#   python3            a server that fragments its RPC replies (tests)
#   libsodium-dev      krpc: keyed SipHash MAC of NFS file handles, random keys
#   libnfs-utils       nfs-ls, nfs-cat, nfs-cp: a real NFS v3 client (tests)
#   nmap               its NSE scripts nfs-showmount, nfs-ls, nfs-statfs: another
#                      NFS/MOUNT/portmapper client nobody here wrote (tests)
# and for `make bench` only (group "bench"):
#   gnuplot-nox        draws the bench's tables as PNG pictures
#   iproute2           ip netns / veth: the bench's two-namespace rows
# (sockperf and nfs-ganesha are installed by the bench scripts themselves,
# which skip their rows when they cannot be.)
set -u
pkgs="liburing-dev socat clang libclang-rt-14-dev procps rpcbind tshark libtirpc-dev strace python3 libsodium-dev libnfs-utils nmap"
case ${1:-} in
"") ;;
bench) pkgs="$pkgs gnuplot-nox iproute2" ;;
*) echo "usage: sh scripts/deps.sh [bench]" >&2; exit 2 ;;
esac
need=""
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"; }
for p in $pkgs; do
	have_pkg "$p" || need="$need $p"
done
[ -z "$need" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "deps: installing:$need"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y --no-install-recommends $need >/dev/null 2>&1 ||
	{ apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends $need >/dev/null; } ||
	{ echo "deps: apt-get install$need failed" >&2; exit 1; }
	exit 0
fi
echo "deps: missing Debian packages:$need" >&2
echo "deps: run as root: apt-get install -y$need" >&2
exit 1
