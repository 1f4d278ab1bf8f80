# SPDX-License-Identifier: BSD-2-Clause
"""Permissions through raw calls (driven by nfs-perm.sh).

    python3 nfs_perm.py PORT EXPORT RO_EXPORT

krpc runs with root squash (the default). nfs-perm.sh prepared, all owned
by root: EXPORT (0755) with secret (0600), public (0644), group (0640,
group 4242), closed/ (0755) and open/ (0777); RO_EXPORT (exported ,ro)
with open/ (0777) holding f (0666).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nfsclient import *  # noqa: E402,F401,F403

port, export, ro_export = int(sys.argv[1]), sys.argv[2], sys.argv[3]
check = Check()
user = Client(port, uid=65000, gid=65000)
root = user.mnt(export.encode()).fh
fh = {n: user.lookup(root, n.encode()).fh for n in ("secret", "public", "group", "closed", "open")}

# an unprivileged user
check.status(user.read(fh["secret"], 0, 100), NFS3ERR_ACCES, "uid 65000 READ of a 0600 file")
r = user.read(fh["public"], 0, 100)
check.ok(r.status == NFS3_OK and r.data == b"public\n", "uid 65000 READ of a 0644 file: %r" % r)
r = user.access(fh["secret"], 0x3f)
check.ok(r.status == NFS3_OK and not r.access & 1, "ACCESS of a 0600 file grants READ: %r" % r)
check.status(user.write(fh["public"], 0, b"x"), NFS3ERR_ACCES, "uid 65000 WRITE to a 0644 file")
check.status(user.setattr(fh["public"], mode=0o666), NFS3ERR_PERM,
             "uid 65000 SETATTR mode of root's file")
check.status(user.setattr(fh["public"], size=0), NFS3ERR_ACCES, "uid 65000 truncate")
check.status(user.create(fh["closed"], b"x"), NFS3ERR_ACCES, "uid 65000 CREATE in a 0755 dir")
check.status(user.mkdir(fh["closed"], b"x"), NFS3ERR_ACCES, "uid 65000 MKDIR in a 0755 dir")
check.status(user.remove(root, b"public"), NFS3ERR_ACCES, "uid 65000 REMOVE in a 0755 dir")
check.status(user.rename(root, b"public", fh["open"], b"p"), NFS3ERR_ACCES,
             "uid 65000 RENAME out of a 0755 dir")
r = user.create(fh["open"], b"mine", mode=GUARDED)
check.ok(r.status == NFS3_OK and (r.attr.uid, r.attr.gid) == (65000, 65000),
         "uid 65000 CREATE in a 0777 dir: %r" % r)
st = os.lstat(os.path.join(export, "open", "mine"))
check.ok((st.st_uid, st.st_gid) == (65000, 65000), "open/mine is owned by %d:%d"
         % (st.st_uid, st.st_gid))
# the owner may write its own file whatever its mode bits (the nfsd's
# owner override), and a write as that user clears a set-user-ID bit
# (the write runs as the caller: io_uring personality or helper identity)
mine = os.path.join(export, "open", "mine")
for stable in (UNSTABLE, FILE_SYNC):
    os.chmod(mine, 0o4755)
    check.status(user.write(r.fh, 0, b"data", stable=stable), NFS3_OK,
                 "uid 65000 WRITE (stable %d) of its own 04755 file" % stable)
    mode = os.lstat(mine).st_mode
    check.ok(not mode & 0o4000, "WRITE (stable %d) by uid 65000 left mode %o" % (stable, mode))
os.chmod(mine, 0o444)
check.status(user.write(r.fh, 0, b"own"), NFS3_OK, "uid 65000 WRITE of its own 0444 file")
check.status(user.commit(r.fh), NFS3_OK, "uid 65000 COMMIT of its own 0444 file")
check.status(Client(port, uid=65001, gid=65001).write(r.fh, 0, b"x"), NFS3ERR_ACCES,
             "uid 65001 WRITE of uid 65000's 0444 file")
# supplementary groups
check.status(user.read(fh["group"], 0, 10), NFS3ERR_ACCES, "READ of a 0640 file, not in group")
member = Client(port, uid=65000, gid=65000, gids=(100, 4242))
check.status(member.read(fh["group"], 0, 10), NFS3_OK, "READ of a 0640 file, in its group")
# the identity of one call does not leak into the next (one helper thread)
for i in range(10):
    check.status(member.read(fh["group"], 0, 10), NFS3_OK, "group member READ #%d" % i)
    check.status(user.read(fh["group"], 0, 10), NFS3ERR_ACCES, "non-member READ #%d" % i)

# root is squashed to 65534
sroot = Client(port, uid=0, gid=0)
check.status(sroot.read(fh["secret"], 0, 100), NFS3ERR_ACCES, "squashed root READ of a 0600 file")
check.status(sroot.create(fh["closed"], b"x"), NFS3ERR_ACCES,
             "squashed root CREATE in root's 0755 dir")
check.status(sroot.create(root, b"x"), NFS3ERR_ACCES, "squashed root CREATE in the export root")
r = sroot.create(fh["open"], b"byroot", mode=GUARDED)
check.ok(r.status == NFS3_OK and (r.attr.uid, r.attr.gid) == (65534, 65534),
         "squashed root CREATE in a 0777 dir: %r" % r)
st = os.lstat(os.path.join(export, "open", "byroot"))
check.ok((st.st_uid, st.st_gid) == (65534, 65534), "open/byroot is owned by %d:%d"
         % (st.st_uid, st.st_gid))
r = sroot.mkdir(fh["open"], b"rootdir")
check.ok(r.status == NFS3_OK and r.attr.uid == 65534, "squashed root MKDIR: %r" % r)
check.status(sroot.setattr(r.fh, uid=0), NFS3ERR_PERM, "squashed root chown to 0")
anon = Client(port, uid=None)
r = anon.create(fh["open"], b"byanon", mode=GUARDED)
check.ok(r.status == NFS3_OK and (r.attr.uid, r.attr.gid) == (65534, 65534),
         "AUTH_NONE CREATE in a 0777 dir: %r" % r)

# a read-only export
ro = Client(port, uid=65000, gid=65000)
rroot = ro.mnt(ro_export.encode()).fh
rdir = ro.lookup(rroot, b"open").fh
rf = ro.lookup(rdir, b"f").fh
r = ro.read(rf, 0, 100)
check.ok(r.status == NFS3_OK and r.data == b"ro\n", "READ on the ro export: %r" % r)
for what, fn in (("WRITE", lambda: ro.write(rf, 0, b"x")),
                 ("WRITE UNSTABLE", lambda: ro.write(rf, 0, b"x", stable=UNSTABLE)),
                 ("CREATE", lambda: ro.create(rdir, b"new")),
                 ("CREATE EXCLUSIVE", lambda: ro.create(rdir, b"new", mode=EXCLUSIVE)),
                 ("MKDIR", lambda: ro.mkdir(rdir, b"new")),
                 ("SYMLINK", lambda: ro.symlink(rdir, b"new", b"f")),
                 ("LINK", lambda: ro.link(rf, rdir, b"new")),
                 ("RENAME", lambda: ro.rename(rdir, b"f", rdir, b"g")),
                 ("REMOVE", lambda: ro.remove(rdir, b"f")),
                 ("RMDIR", lambda: ro.rmdir(rroot, b"open")),
                 ("SETATTR mode", lambda: ro.setattr(rf, mode=0o600)),
                 ("SETATTR size", lambda: ro.setattr(rf, size=0)),
                 ("SETATTR mtime", lambda: ro.setattr(rf, mtime="server"))):
    check.status(fn(), NFS3ERR_ROFS, "%s on the ro export" % what)
check.ok(sorted(os.listdir(os.path.join(ro_export, "open"))) == ["f"], "the ro export changed")
check.ok(open(os.path.join(ro_export, "open", "f")).read() == "ro\n", "the ro file changed")
r = ro.access(rf, 0x3f)
check.ok(r.status == NFS3_OK and not r.access & (0x04 | 0x08 | 0x10),
         "ACCESS on the ro export grants MODIFY/EXTEND/DELETE: %r" % r)
check.exit()
