# SPDX-License-Identifier: BSD-2-Clause
"""krpc's duplicate request cache, from a raw client (driven by nfs-drc.sh).

    python3 nfs_drc.py PORT EXPORT on|off

on:  CREATE (GUARDED), MKDIR, SYMLINK, LINK, RENAME, REMOVE and RMDIR are
     each sent twice with the same xid on one connection, and again after
     a reconnection from the same source port: the second reply is
     byte-identical to the first (NFS3_OK both times, not EXIST/NOENT).
     The same xid with other arguments is a new call. Prints the number
     of retransmissions that must have been cache hits ("hits=N").
off: (krpc --drc 0) the retransmitted CREATE GUARDED gets NFS3ERR_EXIST:
     without the cache the test above would fail.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nfsclient import *  # noqa: E402,F401,F403

port, export, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
check = Check()
c = Client(port)
root = c.mnt(export.encode()).fh
hits = 0


def twice(what, fn, reconnect=False):
    """fn(xid) twice with one xid; the replies must be identical and OK.
    With reconnect, the second goes on a new connection from the same
    local port (what the Linux client does after a lost connection)."""
    global c, hits
    if reconnect:	# a local port that can be bound again (SO_REUSEADDR)
        c.close()
        c = Client(port, bind_port=0)
    xid = c.next_xid()
    r1 = fn(xid)
    if reconnect:
        lport = c.local_port
        c.close(abort=True)
        try:
            c = Client(port, bind_port=lport)
        except OSError as e:		# the 4-tuple still in TIME_WAIT
            c = Client(port)
            print("# %s: cannot reconnect from port %d (%s)" % (what, lport, e))
            return check.status(r1, NFS3_OK, what + ", first")
        check.ok(c.local_port == lport, "reconnected from port %d" % lport)
    r2 = fn(xid)
    hits += 1
    check.status(r1, NFS3_OK, what + ", first")
    check.ok(r1.raw == r2.raw, "%s: the retransmission got another reply: %s then %s" % (
        what, status_name(r1.status), status_name(r2.status)))
    return r1


f = c.create(root, b"file")
if mode == "off":
    xid = c.next_xid()
    r1 = c.create(root, b"g1", mode=GUARDED, xid=xid)
    r2 = c.create(root, b"g1", mode=GUARDED, xid=xid)
    check.status(r1, NFS3_OK, "CREATE GUARDED g1")
    check.status(r2, NFS3ERR_EXIST, "CREATE GUARDED g1 retransmitted with --drc 0")
    check.exit()

for reconnect in (False, True):
    sfx = b"-r" if reconnect else b""
    how = " (reconnected)" if reconnect else ""
    twice("CREATE GUARDED" + how, lambda x: c.create(root, b"c1" + sfx, mode=GUARDED, xid=x),
          reconnect)
    twice("MKDIR" + how, lambda x: c.mkdir(root, b"d1" + sfx, xid=x), reconnect)
    twice("SYMLINK" + how, lambda x: c.symlink(root, b"s1" + sfx, b"target", xid=x), reconnect)
    twice("LINK" + how, lambda x: c.link(f.fh, root, b"l1" + sfx, xid=x), reconnect)
    twice("RENAME" + how, lambda x: c.rename(root, b"c1" + sfx, root, b"c2" + sfx, xid=x),
          reconnect)
    twice("REMOVE" + how, lambda x: c.remove(root, b"l1" + sfx, xid=x), reconnect)
    twice("RMDIR" + how, lambda x: c.rmdir(root, b"d1" + sfx, xid=x), reconnect)
    twice("SETATTR" + how, lambda x: c.setattr(f.fh, mode=0o640, xid=x), reconnect)

names = sorted(os.listdir(export))
want = sorted(["file", "c2", "s1", "c2-r", "s1-r"])
check.ok(names == want, "the export holds %r, want %r" % (names, want))

# a retransmission after other calls in between is still answered from the cache
xid = c.next_xid()
r1 = c.create(root, b"late", mode=GUARDED, xid=xid)
for i in range(5):
    c.getattr(root)
    c.lookup(root, b"late")
r2 = c.create(root, b"late", mode=GUARDED, xid=xid)
hits += 1
check.ok(r1.status == NFS3_OK and r1.raw == r2.raw, "CREATE GUARDED late, retransmitted "
         "after 10 calls: %s then %s" % (status_name(r1.status), status_name(r2.status)))

# the same xid with other arguments is a new call
xid = c.next_xid()
r1 = c.create(root, b"n1", mode=GUARDED, xid=xid)
r2 = c.create(root, b"n2", mode=GUARDED, xid=xid)
check.status(r1, NFS3_OK, "CREATE GUARDED n1")
check.status(r2, NFS3_OK, "CREATE GUARDED n2 with n1's xid")
check.ok(os.path.exists(os.path.join(export, "n2")), "n2 was created")
r3 = c.remove(root, b"n1", xid=xid)
check.status(r3, NFS3_OK, "REMOVE n1 with the same xid (another procedure)")
# and from another client port (another connection) it is a new call too
d = Client(port)
r4 = d.create(root, b"n2", mode=GUARDED, xid=xid)
check.status(r4, NFS3ERR_EXIST, "CREATE GUARDED n2 with the same xid from another port")
# idempotent procedures are executed again (not cached): GETATTR sees the change
xid = c.next_xid()
a1 = c.getattr(f.fh, xid=xid)
check.status(c.setattr(f.fh, mode=0o600), NFS3_OK, "SETATTR mode 0600")
a2 = c.getattr(f.fh, xid=xid)
check.ok(a1.attr.mode & 0o777 == 0o640 and a2.attr.mode & 0o777 == 0o600,
         "GETATTR with one xid twice sees the change: %o %o" % (a1.attr.mode, a2.attr.mode))
print("hits=%d" % hits)
check.exit()
