# SPDX-License-Identifier: BSD-2-Clause
"""Handles across krpc restarts (driven by nfs-restart.sh).

    python3 nfs_restart.py PORT EXPORT DIR

One client, three servers in turn on the same port; DIR holds the files
that hand over between this script and the shell:
  1. mount, LOOKUP, WRITE (UNSTABLE, then COMMIT), keep the handles and the
     write verifier; create DIR/phase1, wait for DIR/go2;
  2. (krpc restarted with the same --state-dir) reconnect: the old handles
     still work (GETATTR gives the same fileids, READ the same data, LOOKUP
     in the old directory handle), the write verifier is new; create
     DIR/phase2, wait for DIR/go3;
  3. (krpc restarted with another --state-dir: a new key) the old handles
     get NFS3ERR_BADHANDLE, a new MNT works.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nfsclient import *  # noqa: E402,F401,F403

port, export, sync = int(sys.argv[1]), sys.argv[2], sys.argv[3]
check = Check()
DATA = os.urandom(100000)


def wait_for(name):
    open(os.path.join(sync, "phase%d" % (int(name[-1]) - 1)), "w").close()
    deadline = time.time() + 40
    while not os.path.exists(os.path.join(sync, name)):
        if time.time() > deadline:
            check.ok(False, "the shell did not restart krpc within 40 s")
            check.exit()
        time.sleep(0.05)
    return Client(port)


# 1: before the restart
c = Client(port)
root = c.mnt(export.encode()).fh
check.status(c.mkdir(root, b"dir"), NFS3_OK, "MKDIR dir")
d = c.lookup(root, b"dir")
check.status(c.create(d.fh, b"file", mode=GUARDED), NFS3_OK, "CREATE dir/file")
f = c.lookup(d.fh, b"file")
check.status(f, NFS3_OK, "LOOKUP dir/file")
w = c.write(f.fh, 0, DATA, stable=UNSTABLE)
check.status(w, NFS3_OK, "WRITE UNSTABLE")
cm = c.commit(f.fh)
check.status(cm, NFS3_OK, "COMMIT")
check.ok(w.verf == cm.verf, "WRITE and COMMIT verifiers differ before the restart")
handles = {"root": root, "dir": d.fh, "file": f.fh}
ids = {k: c.getattr(h).attr.fileid for k, h in handles.items()}
c.close()

# 2: same state directory
c = wait_for("go2")
for k, h in handles.items():
    r = c.getattr(h)
    if check.status(r, NFS3_OK, "GETATTR of the old %s handle after the restart" % k):
        check.ok(r.attr.fileid == ids[k], "%s: fileid %d, was %d" % (k, r.attr.fileid, ids[k]))
r = c.read(f.fh, 0, len(DATA))
check.ok(r.status == NFS3_OK and r.data == DATA, "READ of the old handle: %s, %d bytes" % (
    status_name(r.status), len(getattr(r, "data", b""))))
r = c.lookup(d.fh, b"file")
check.ok(r.status == NFS3_OK and r.fh == f.fh, "LOOKUP in the old dir handle gives the same handle")
w2 = c.write(f.fh, 0, b"after", stable=UNSTABLE)
check.status(w2, NFS3_OK, "WRITE after the restart")
check.ok(w2.verf != w.verf, "the write verifier did not change across the restart")
cm2 = c.commit(f.fh)
check.ok(cm2.status == NFS3_OK and cm2.verf == w2.verf, "COMMIT verifier after the restart")
check.ok(c.mnt(export.encode()).fh == root, "MNT after the restart gives the same root handle")
c.close()

# 3: another state directory: another key
c = wait_for("go3")
for k, h in handles.items():
    check.status(c.getattr(h), NFS3ERR_BADHANDLE, "GETATTR of the old %s handle, new key" % k)
check.status(c.read(f.fh, 0, 10), NFS3ERR_BADHANDLE, "READ of the old handle, new key")
check.status(c.lookup(d.fh, b"file"), NFS3ERR_BADHANDLE, "LOOKUP in the old dir, new key")
check.status(c.create(d.fh, b"new"), NFS3ERR_BADHANDLE, "CREATE in the old dir, new key")
m = c.mnt(export.encode())
check.ok(m.status == 0 and m.fh != root, "MNT with the new key gives a new root handle")
r = c.lookup(c.lookup(m.fh, b"dir").fh, b"file")
check.ok(r.status == NFS3_OK and r.attr.fileid == ids["file"], "LOOKUP with the new key")
c.null()
check.exit()
