# SPDX-License-Identifier: BSD-2-Clause
"""New objects stay in the handle cache (driven by nfs-newcache.sh).

    python3 nfs_newcache.py PORT EXPORT N

N times: CREATE a file, WRITE 4 KiB to the handle CREATE returned (as the
Linux client does, with no LOOKUP in between), MKDIR a directory, GETATTR
it. Every reply must be NFS3_OK and the attributes those of the new
objects. The shell side then counts the calls that went to a helper:
the WRITE and the GETATTR find the new object's descriptor cached only
if CREATE and MKDIR kept it.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nfsclient import *  # noqa: E402,F401,F403

port, export, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
c = Client(port)
c.connect()
root = c.mnt(export).fh
for i in range(n):
    f = c.create(root, "f%d" % i, perm=0o644)
    assert f.status == 0 and f.fh, ("CREATE", i, f)
    w = c.write(f.fh, 0, b"%04d" % i * 1024, stable=UNSTABLE)
    assert w.status == 0 and w.count == 4096, ("WRITE", i, w)
    d = c.mkdir(root, "d%d" % i, mode=0o755)
    assert d.status == 0 and d.fh, ("MKDIR", i, d)
    a = c.getattr(d.fh)
    assert a.status == 0 and a.attr.type == 2, ("GETATTR", i, a)
for i in range(n):
    with open(os.path.join(export, "f%d" % i), "rb") as r:
        assert r.read() == b"%04d" % i * 1024, ("data", i)
print("ok: %d CREATE+WRITE+MKDIR+GETATTR" % n)
