# SPDX-License-Identifier: BSD-2-Clause
"""LOOKUP as the caller, on the event loop when it can (driven by nfs-perm.sh).

    python3 nfs_perm_lookup.py PORT EXPORT COUNT

EXPORT as nfs_perm.py has it (root-owned 0755, with public (0644) and
open/ (0777)), plus priv/ (root's, 0700) with the file in, and the
symlink lnk -> /etc. As uid 65000: COUNT rounds of 5 LOOKUPs of names in
the kernel's dentry cache (public, lnk: the symlink itself, never
followed; "." and ".." of open/; ".." of the export root: the root), each
answer checked against the file system; then the calls that go to a
helper: a missing name (NFS3ERR_NOENT), in in priv/ (NFS3ERR_ACCES: no
search permission), bad names. Prints "helper N": how many LOOKUPs it
made that must run on a helper; every other one may run on the worker
(nfs-perm.sh counts them through krpc's offloaded counter).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nfsclient import *  # noqa: E402,F401,F403

NF3DIR, NF3LNK = 2, 5
port, export, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
check = Check()
user = Client(port, uid=65000, gid=65000)
root = user.mnt(export.encode()).fh
opendir = user.lookup(root, b"open").fh
priv = user.lookup(root, b"priv").fh
ino = {n: os.lstat(os.path.join(export, n)).st_ino for n in ("", "public", "lnk", "open")}


def want(r, what, fh, fileid, ftype, dir_fileid):
    check.ok(r.status == NFS3_OK and r.fh == fh and r.attr is not None and
             r.attr.fileid == fileid and r.attr.type == ftype and
             r.dir_attr is not None and r.dir_attr.fileid == dir_fileid,
             "LOOKUP %s: %r" % (what, r))


pub = user.lookup(root, b"public").fh
lnk = user.lookup(root, b"lnk").fh
for i in range(count):
    want(user.lookup(root, b"public"), "public", pub, ino["public"], 1, ino[""])
    want(user.lookup(root, b"lnk"), "lnk", lnk, ino["lnk"], NF3LNK, ino[""])
    want(user.lookup(opendir, b"."), "open/.", opendir, ino["open"], NF3DIR, ino["open"])
    want(user.lookup(opendir, b".."), "open/..", root, ino[""], NF3DIR, ino["open"])
    want(user.lookup(root, b".."), "..", root, ino[""], NF3DIR, ino[""])
helper = 0
for i in range(3):
    check.status(user.lookup(opendir, b"nope"), NFS3ERR_NOENT, "LOOKUP open/nope")
    check.status(user.lookup(priv, b"in"), NFS3ERR_ACCES, "uid 65000 LOOKUP in a 0700 dir")
    helper += 2
for name, st in ((b"", NFS3ERR_NOENT), (b"a/b", NFS3ERR_INVAL), (b"x" * 256, NFS3ERR_NAMETOOLONG)):
    r = user.lookup(root, name)
    check.ok(r.status == st, "LOOKUP %r: %s" % (name[:8], status_name(r.status)))
    helper += 1
print("helper %d" % helper)
check.exit()
