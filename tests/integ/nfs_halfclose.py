# SPDX-License-Identifier: BSD-2-Clause
"""A client that sends its calls and then half-closes (shutdown SHUT_WR)
before the replies come: every call must still be answered, also those that
run on krpc's helper threads (READ, WRITE, COMMIT), then krpc closes.

    python3 nfs_halfclose.py PORT EXPORT
"""
import socket
import struct
import sys
sys.path.insert(0, sys.path[0])
from nfsclient import (Client, Packer, NFS3_OK, READ, WRITE, COMMIT, GETATTR,
                       NFS_PROG, NFS_VERS, UNSTABLE, UNCHECKED)

port, export = int(sys.argv[1]), sys.argv[2].encode()
c = Client(port)
root = c.mnt(export).fh
f = c.create(root, b"half", mode=UNCHECKED).fh
assert c.write(f, 0, bytes(range(256)) * 1024).status == NFS3_OK

calls = {}
for i in range(24):
    xid = c.next_xid()
    if i % 3 == 0:
        proc, args = READ, Packer().opaque(f).u64(i * 4096).u32(65536)
    elif i % 3 == 1:
        proc, args = WRITE, (Packer().opaque(f).u64(300000 + i * 512).u32(512)
                             .u32(UNSTABLE).opaque(b"x" * 512))
    else:
        proc, args = (COMMIT, Packer().opaque(f).u64(0).u32(0)) if i % 2 else \
            (GETATTR, Packer().opaque(f))
    calls[xid] = proc
    c.send_record(c.call_msg(NFS_PROG, NFS_VERS, proc, args.bytes(), xid))
c.sock.shutdown(socket.SHUT_WR)
got = 0
for xid, proc in calls.items():
    rec = c.recv_reply(xid)
    _, u = c.decode_reply(rec)
    st = u.u32()
    if st != NFS3_OK:
        print("FAIL: call %d (proc %d) status %d" % (xid, proc, st))
        sys.exit(1)
    got += 1
# then the server closes: EOF, not a reset
tail = c.sock.recv(1)
if tail != b"":
    print("FAIL: bytes after the last reply: %r" % tail)
    sys.exit(1)
print("all %d calls answered after the half-close, then EOF" % got)
