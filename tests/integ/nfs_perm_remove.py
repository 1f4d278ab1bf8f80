# SPDX-License-Identifier: BSD-2-Clause
"""REMOVE, RMDIR and RENAME as the caller (driven by nfs-perm.sh).

    python3 nfs_perm_remove.py PORT EXPORT COUNT

EXPORT as nfs_perm.py has it (root-owned 0755, with public (0644) and
open/ (0777)). As uid 65000: COUNT files created in open/ and removed,
a directory made and removed (RMDIR), a file renamed to a new name and
another over it, and a REMOVE of public in the export root and its RENAME
to open/ refused with NFS3ERR_ACCES (the unlinkat and renameat run as the
caller: on io_uring with the worker's personality of uid 65000). These
are the only file operations of the run: nfs-perm.sh counts them
(COUNT + 6). The names that go away are looked up first (as the Linux
client does), so that krpc finds them in the kernel's dentry cache.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nfsclient import *  # noqa: E402,F401,F403

port, export, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
check = Check()
user = Client(port, uid=65000, gid=65000)
root = user.mnt(export.encode()).fh
opendir = user.lookup(root, b"open").fh
user.lookup(root, b"public")
for i in range(count):
    name = b"rm%d" % i
    check.status(user.create(opendir, name, mode=GUARDED), NFS3_OK, "CREATE open/%s" % name)
    r = user.remove(opendir, name)
    check.ok(r.status == NFS3_OK and r.wcc.before is not None and r.wcc.after is not None,
             "uid 65000 REMOVE of its open/%s: %r" % (name, r))
    check.ok(not os.path.exists(os.path.join(export, "open", name.decode())),
             "open/%s still there" % name)
check.status(user.mkdir(opendir, b"d"), NFS3_OK, "MKDIR open/d")
check.status(user.rmdir(opendir, b"d"), NFS3_OK, "uid 65000 RMDIR of its open/d")
check.ok(not os.path.exists(os.path.join(export, "open", "d")), "open/d still there")
check.status(user.remove(root, b"public"), NFS3ERR_ACCES, "uid 65000 REMOVE in a 0755 dir")
check.ok(os.path.exists(os.path.join(export, "public")), "public was removed")
# RENAME to a new name, then over an existing one
o = os.path.join(export, "open")
check.status(user.create(opendir, b"ra", mode=GUARDED), NFS3_OK, "CREATE open/ra")
check.status(user.lookup(opendir, b"rb"), NFS3ERR_NOENT, "LOOKUP open/rb")
r = user.rename(opendir, b"ra", opendir, b"rb")
check.ok(r.status == NFS3_OK and r.from_wcc.before is not None and r.to_wcc.after is not None,
         "uid 65000 RENAME open/ra to open/rb: %r" % r)
check.status(user.create(opendir, b"rc", mode=GUARDED), NFS3_OK, "CREATE open/rc")
with open(os.path.join(o, "rc"), "w") as f:
    f.write("rc\n")
check.status(user.rename(opendir, b"rc", opendir, b"rb"), NFS3_OK,
             "uid 65000 RENAME open/rc over open/rb")
names = os.listdir(o)
check.ok("ra" not in names and "rc" not in names and open(os.path.join(o, "rb")).read() == "rc\n",
         "open/ after the RENAMEs: %r" % sorted(names))
check.status(user.lookup(opendir, b"p"), NFS3ERR_NOENT, "LOOKUP open/p")
check.status(user.rename(root, b"public", opendir, b"p"), NFS3ERR_ACCES,
             "uid 65000 RENAME out of a 0755 dir")
check.ok(os.path.exists(os.path.join(export, "public")), "public was moved")
check.status(user.remove(opendir, b"rb"), NFS3_OK, "uid 65000 REMOVE of its open/rb")
check.exit()
