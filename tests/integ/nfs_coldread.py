# SPDX-License-Identifier: BSD-2-Clause
"""READs of data not in the page cache (driven by nfs-coldread.sh).

    python3 nfs_coldread.py PORT EXPORT

Writes a 2 MiB file of random bytes into the export directly (this test
runs on the server's host), root's and 0600, looks it up, drops its pages
from the page cache (posix_fadvise DONTNEED), then reads it back in READs of 64 KiB, 8 in flight,
and once more from an offset past its end and across its end: the data
match, eof is set exactly on the READs that reach the end, and a READ of
a uid-65000 caller to the root-owned 0600 file is refused (NFS3ERR_ACCES)
while its data are cold too.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nfsclient import *  # noqa: E402,F401,F403

port, export = int(sys.argv[1]), sys.argv[2]
SIZE, CHUNK = 2 << 20, 64 << 10
data = os.urandom(SIZE)
a = Client(port, timeout=30)
root = a.mnt(export.encode()).fh
with open(os.path.join(export, "cold"), "wb") as w:
    w.write(data)
os.chmod(os.path.join(export, "cold"), 0o600)
f = a.lookup(root, b"cold")
assert f.status == NFS3_OK, f


def drop_cache():
    fd = os.open(os.path.join(export, "cold"), os.O_RDONLY)
    os.fsync(fd)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    os.close(fd)


drop_cache()
u = Client(port, uid=65000, gid=65000)
r = u.read(f.fh, 0, CHUNK)
assert r.status == NFS3ERR_ACCES, "uid 65000 READ of a 0600 file: %r" % r
drop_cache()
got = {}
offs = list(range(0, SIZE, CHUNK))
for i in range(0, len(offs), 8):
    xids = {}
    for off in offs[i:i + 8]:
        xid = a.next_xid()
        a.send_record(a.call_msg(NFS_PROG, NFS_VERS, READ,
                                 Packer().opaque(f.fh).u64(off).u32(CHUNK).bytes(), xid))
        xids[xid] = off
    for xid, off in xids.items():
        un = a.decode_reply(a.recv_reply(xid))[1]
        st = un.u32()
        assert st == NFS3_OK, "READ at %d gave %s" % (off, status_name(st))
        get_post_op_attr(un)
        count, eof, chunk = un.u32(), un.bool(), un.opaque()
        assert count == len(chunk) == CHUNK, (off, count, len(chunk))
        assert eof == (off + CHUNK >= SIZE), "eof %s at %d" % (eof, off)
        got[off] = chunk
back = b"".join(got[o] for o in offs)
assert back == data, "data read back differ from the data written"
drop_cache()
r = a.read(f.fh, SIZE - 1000, CHUNK)
assert r.status == NFS3_OK and r.count == 1000 and r.eof and r.data == data[-1000:], r
r = a.read(f.fh, SIZE + 4096, CHUNK)
assert r.status == NFS3_OK and r.count == 0 and r.eof, r
print("ok: 2 MiB read back cold in 64 KiB READs; eof and the 0600 check hold")
