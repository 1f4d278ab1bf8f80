# SPDX-License-Identifier: BSD-2-Clause
"""A COMMIT in flight when krpc is told to stop gets its reply (driven by
nfs-drain.sh).

    python3 nfs_drain.py PORT EXPORT MIB KRPC_PID

Writes MIB MiB UNSTABLE to one file, in 4 KiB blocks 64 KiB apart (an
fsync of that many separate extents takes a while), sends COMMIT, and
50 ms later, while the COMMIT still runs (no reply has arrived), sends
SIGTERM to krpc. The COMMIT's reply must still arrive, NFS3_OK, after the
SIGTERM; then the connection ends with an orderly EOF (krpc closes it
once the reply is out). Prints
    commit=SECONDS after_term=SECONDS
Exits 77 if the COMMIT was answered before the SIGTERM could be sent (a
disk too fast to measure), 1 on failure.
"""
import os
import select
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nfsclient import *  # noqa: E402,F401,F403

port, export, mib, kpid = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
STRIDE, BLOCK = 64 << 10, os.urandom(4096)
a = Client(port, timeout=30)
root = a.mnt(export.encode()).fh
f = a.create(root, b"big")
assert f.status == NFS3_OK, f

inflight = []
for i in range(mib * 256):
    xid = a.next_xid()
    args = Packer().opaque(f.fh).u64(i * STRIDE).u32(4096).u32(UNSTABLE).opaque(BLOCK)
    a.send_record(a.call_msg(NFS_PROG, NFS_VERS, WRITE, args.bytes(), xid))
    inflight.append(xid)
    if len(inflight) >= 16 or i == mib * 256 - 1:
        for x in inflight:
            st = a.decode_reply(a.recv_reply(x))[1].u32()
            assert st == NFS3_OK, "WRITE gave %s" % status_name(st)
        inflight = []

xid = a.next_xid()
t0 = time.monotonic()
a.send_record(a.call_msg(NFS_PROG, NFS_VERS, COMMIT, Packer().opaque(f.fh).u64(0).u32(0).bytes(),
                         xid))
time.sleep(0.05)
if select.select([a.sock], [], [], 0)[0]:
    print("SKIP: the COMMIT was answered within 50 ms: nothing in flight to drain")
    sys.exit(77)
os.kill(kpid, signal.SIGTERM)
tk = time.monotonic()
try:
    st = a.decode_reply(a.recv_reply(xid))[1].u32()
except Exception as e:
    print("FAIL: no reply to the COMMIT in flight at SIGTERM: %r" % e)
    sys.exit(1)
t1 = time.monotonic()
print("commit=%.3f after_term=%.3f" % (t1 - t0, t1 - tk))
if st != NFS3_OK:
    print("FAIL: COMMIT gave %s" % status_name(st))
    sys.exit(1)
try:
    rest = a.sock.recv(1)
except Exception as e:
    print("FAIL: no orderly EOF after the reply: %r" % e)
    sys.exit(1)
if rest:
    print("FAIL: more bytes after the COMMIT's reply")
    sys.exit(1)
print("ok: the COMMIT in flight at SIGTERM was answered %.3f s later, then EOF" % (t1 - tk))
