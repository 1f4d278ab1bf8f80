#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# nfsraw.py PORT DIR NAME UID GID: what libnfs would not send, for
# nfs-libnfs-perm.sh: MOUNT v3 MNT of DIR, NFS v3 LOOKUP of NAME and READ
# of its first 4 KiB, with AUTH_SYS UID GID (no groups), each only if the
# one before succeeded (nfsclient.py); prints "mnt=S lookup=S read=S"
# (status numbers, - when not reached).
import sys
sys.path.insert(0, sys.path[0])
from nfsclient import Client, NFS3_OK

port, path, name, uid, gid = (int(sys.argv[1]), sys.argv[2], sys.argv[3],
                              int(sys.argv[4]), int(sys.argv[5]))
c = Client(port, uid=uid, gid=gid, machine=b"nfsraw")
out = {"mnt": "-", "lookup": "-", "read": "-"}
m = c.mnt(path.encode())
out["mnt"] = m.status
if m.status == NFS3_OK:
    r = c.lookup(m.fh, name.encode())
    out["lookup"] = r.status
    if r.status == NFS3_OK:
        out["read"] = c.read(r.fh, 0, 4096).status
print("mnt=%s lookup=%s read=%s" % (out["mnt"], out["lookup"], out["read"]))
