# SPDX-License-Identifier: BSD-2-Clause
"""CREATE, MKDIR, SYMLINK, LINK and a truncating SETATTR as the caller
(driven by nfs-perm.sh).

    python3 nfs_perm_create.py PORT EXPORT

EXPORT as nfs_perm.py has it (root-owned 0755, with public (0644) and
open/ (0777)). As uid 65000 in open/: CREATE in each mode (UNCHECKED,
GUARDED, EXCLUSIVE; a GUARDED one over a taken name is NFS3ERR_EXIST, an
UNCHECKED one takes the file, an EXCLUSIVE retry with the same verifier
gets the same file, with another verifier NFS3ERR_EXIST; a retransmission
with the same xid gets the first reply from the duplicate request cache),
a mode the umask cuts (0777: finished on a helper), MKDIR, SYMLINK, LINK
and a SETATTR of a size (the file looked up first, so krpc has it
cached); in the root's 0755 export root the same calls are NFS3ERR_ACCES.
Each reply carries the directory's wcc data. Prints "fileops N": the file
operations krpc starts (one each: the openat, mkdirat, symlinkat, linkat
or ftruncate; a retransmission answered from the cache, a guarded SETATTR
that fails its guard, a SETATTR of a mode none), which nfs-perm.sh checks
against its counters: on io_uring all on the worker's ring.
"""
import os
import stat
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nfsclient import *  # noqa: E402,F401,F403

port, export = int(sys.argv[1]), sys.argv[2]
check = Check()
user = Client(port, uid=65000, gid=65000)
root = user.mnt(export.encode()).fh
opendir = user.lookup(root, b"open").fh
o = os.path.join(export, "open")
fileops = 0


def made(r, what, name, mode=None, kind=stat.S_ISREG):
    global fileops
    fileops += 1
    p = os.path.join(o, name)
    st = os.lstat(p) if os.path.lexists(p) else None
    check.ok(r.status == NFS3_OK and r.fh is not None and r.attr is not None and
             r.wcc.before is not None and r.wcc.after is not None, "%s: %r" % (what, r))
    check.ok(st is not None and kind(st.st_mode) and st.st_uid == 65000 and
             (mode is None or stat.S_IMODE(st.st_mode) == mode),
             "%s: on disk %r" % (what, st))
    if st is not None and r.attr is not None:
        check.ok(r.attr.fileid == st.st_ino and r.attr.mode == stat.S_IMODE(st.st_mode),
                 "%s: attributes %r, on disk %r" % (what, r.attr, st))
    return r


def refused(r, want, what):
    global fileops
    fileops += 1
    check.status(r, want, what)
    check.ok(r.wcc.before is not None and r.wcc.after is not None, "%s: wcc %r" % (what, r))


c1 = made(user.create(opendir, b"c1"), "CREATE UNCHECKED open/c1", "c1", 0o644)
c2 = made(user.create(opendir, b"c2", GUARDED, perm=0o600), "CREATE GUARDED open/c2", "c2",
          0o600)
refused(user.create(opendir, b"c2", GUARDED), NFS3ERR_EXIST, "CREATE GUARDED of a taken name")
r = made(user.create(opendir, b"c2"), "CREATE UNCHECKED of open/c2 (taken)", "c2", 0o600)
check.ok(r.fh == c2.fh, "UNCHECKED over c2: another handle")
# a retransmission: the first reply again, from the duplicate request cache
xid = user.next_xid()
c5 = made(user.create(opendir, b"c5", GUARDED, xid=xid), "CREATE GUARDED open/c5", "c5")
r = user.create(opendir, b"c5", GUARDED, xid=xid)
check.ok(r.status == NFS3_OK and r.fh == c5.fh, "CREATE open/c5 retransmitted: %r" % r)
verf = b"verf1234"
c3 = made(user.create(opendir, b"c3", EXCLUSIVE, verf=verf), "CREATE EXCLUSIVE open/c3", "c3")
r = made(user.create(opendir, b"c3", EXCLUSIVE, verf=verf), "CREATE EXCLUSIVE again", "c3")
check.ok(r.fh == c3.fh, "EXCLUSIVE retry: another handle")
refused(user.create(opendir, b"c3", EXCLUSIVE, verf=b"otherone"), NFS3ERR_EXIST,
        "CREATE EXCLUSIVE with another verifier")
made(user.create(opendir, b"c4", GUARDED, perm=0o777), "CREATE open/c4 0777", "c4", 0o777)
made(user.mkdir(opendir, b"d1"), "MKDIR open/d1", "d1", 0o755, stat.S_ISDIR)
made(user.mkdir(opendir, b"d2", mode=0o777), "MKDIR open/d2 0777", "d2", 0o777, stat.S_ISDIR)
made(user.symlink(opendir, b"s1", b"c1"), "SYMLINK open/s1", "s1", None, stat.S_ISLNK)
check.ok(os.readlink(os.path.join(o, "s1")) == "c1", "open/s1's target")
# LINK and SETATTR start on the ring only for an object krpc has cached:
# the client's next call finds it so (a LOOKUP, a GETATTR or the first
# WRITE, on a helper, caches it; a CREATE does not)
user.lookup(opendir, b"c1")
r = user.link(c1.fh, opendir, b"l1")
fileops += 1
check.ok(r.status == NFS3_OK and r.attr is not None and r.attr.nlink == 2 and
         r.wcc.before is not None and r.wcc.after is not None, "LINK open/l1: %r" % r)
check.ok(os.stat(os.path.join(o, "l1")).st_ino == os.stat(os.path.join(o, "c1")).st_ino,
         "open/l1 is not open/c1")
r = user.setattr(c1.fh, size=1000)
fileops += 1
check.ok(r.status == NFS3_OK and r.wcc.before is not None and r.wcc.after is not None and
         r.wcc.after.size == 1000, "SETATTR open/c1 size 1000: %r" % r)
check.ok(os.stat(os.path.join(o, "c1")).st_size == 1000, "open/c1's size")
r = user.setattr(c1.fh, size=10, mtime="server")
fileops += 1
check.ok(r.status == NFS3_OK and r.wcc.after is not None and r.wcc.after.size == 10,
         "SETATTR open/c1 size 10, mtime now: %r" % r)
check.status(user.setattr(c1.fh, guard=(1, 0), size=0), NFS3ERR_NOT_SYNC,
             "SETATTR with a stale guard")
check.status(user.setattr(c1.fh, mode=0o600), NFS3_OK, "SETATTR mode")
check.ok(os.stat(os.path.join(o, "c1")).st_size == 10, "open/c1's size after the guard")
# in the root's 0755 directory: refused, the kernel checking as uid 65000
refused(user.create(root, b"x", GUARDED), NFS3ERR_ACCES, "CREATE in a 0755 dir")
refused(user.mkdir(root, b"x"), NFS3ERR_ACCES, "MKDIR in a 0755 dir")
refused(user.symlink(root, b"x", b"c1"), NFS3ERR_ACCES, "SYMLINK in a 0755 dir")
r = user.link(c1.fh, root, b"x")
fileops += 1
check.ok(r.status == NFS3ERR_ACCES and r.wcc.before is not None, "LINK into a 0755 dir: %r" % r)
check.ok(not os.path.lexists(os.path.join(export, "x")), "x made in the export root")
user.lookup(root, b"public")
check.status(user.setattr(user.lookup(root, b"public").fh, size=0), NFS3ERR_ACCES,
             "SETATTR size of root's 0644 public")
check.ok(os.path.getsize(os.path.join(export, "public")) > 0, "public truncated")
print("fileops %d" % fileops)
check.exit()
