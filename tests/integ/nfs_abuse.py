# SPDX-License-Identifier: BSD-2-Clause
"""Bad input against krpc's NFS v3 and MOUNT v3 (driven by nfs-abuse.sh).

    python3 nfs_abuse.py PORT EXPORT OUTSIDE

EXPORT is krpc's export (run with --no-root-squash), OUTSIDE a directory
outside it holding a file "secret". Every case must get its NFS3ERR_* or
RPC error, and after each one a NULL and a GETATTR of the root (on a
fresh connection when the case closed it) must succeed. Exits 1 if any
check failed.
"""
import os
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nfsclient import *  # noqa: E402,F401,F403

port, export, outside = int(sys.argv[1]), sys.argv[2], sys.argv[3]
check = Check()
c = Client(port)
root = c.mnt(export.encode()).fh
root_id = c.getattr(root).attr.fileid
BAD = (NFS3ERR_BADHANDLE, NFS3ERR_STALE)


def alive(what):
    """The server still serves: NULL and GETATTR of the root, on c."""
    global c
    try:
        c.null()
        r = c.getattr(root)
        check.ok(r.status == NFS3_OK and r.attr.fileid == root_id,
                 "after %s: GETATTR of the root gave %s" % (what, status_name(r.status)))
    except (OSError, DecodeError, RpcError) as e:
        check.ok(False, "after %s: the server no longer serves: %r" % (what, e))
        c = Client(port)


def reconnect_alive(what):
    global c
    c.close()
    c = Client(port)
    alive(what)


# ---- handles ----
f = c.create(root, b"file", mode=GUARDED)
check.status(f, NFS3_OK, "CREATE file")
fh = f.fh
check.status(c.write(fh, 0, b"inside\n"), NFS3_OK, "WRITE file")
for i in range(20):
    check.status(c.getattr(os.urandom(32)), BAD, "GETATTR of a random 32-byte handle #%d" % i)
for i in range(len(fh)):
    for bit in (0x01, 0x80):
        bad = bytearray(fh)
        bad[i] ^= bit
        check.status(c.getattr(bytes(bad)), BAD,
                     "GETATTR of a handle with byte %d ^ 0x%02x" % (i, bit))
        check.status(c.read(bytes(bad), 0, 10), BAD, "READ of a handle with byte %d flipped" % i)
alive("flipped handles")
for n in (0, 1, 3, 4, 8, len(fh) - 16, len(fh) - 1):
    check.status(c.getattr(fh[:n]), BAD, "GETATTR of a handle cut to %d bytes" % n)
    check.status(c.lookup(fh[:n], b"x"), BAD, "LOOKUP in a handle cut to %d bytes" % n)
check.status(c.getattr(fh + b"\0" * 4), BAD, "GETATTR of a handle with 4 bytes more")
for n in (65, 128, 1000):
    check.rpc_error(lambda: c.getattr(fh + b"\0" * (n - len(fh))), GARBAGE_ARGS,
                    "GETATTR of a %d-byte handle" % n)
# a count of 2^32-1 for the handle's length, with 64 bytes after it
check.rpc_error(lambda: c.nfs(GETATTR, Packer().opaque(b"x" * 64, 0xffffffff).bytes()),
                GARBAGE_ARGS, "GETATTR of a handle of length 2^32-1")
other = bytearray(fh)
other[1] = 2		# export id 2 (the ro export of the test) with the MAC of id 1
check.status(c.getattr(bytes(other)), BAD, "GETATTR of a handle moved to export id 2")
for eid in (0, 7, 255):
    other[1] = eid
    check.status(c.getattr(bytes(other)), BAD, "GETATTR of a handle of export id %d" % eid)
alive("truncated, oversized and foreign handles")

# ---- names ----
TRAVERSAL = [b"..", b"../..", b"a/b", b"/etc", b"/", b"../../etc/passwd",
             b"file\0x", b"\0", b"x" * 256, b"x" * 1000, b""]
for name in TRAVERSAL:
    sh = name[:20]
    r = c.lookup(root, name)
    if name == b"..":
        check.status(r, NFS3_OK, "LOOKUP .. at the root")
        if r.status == NFS3_OK:
            check.ok(r.attr.fileid == root_id, "LOOKUP .. at the root gave fileid %d, "
                     "root is %d" % (r.attr.fileid, root_id))
            check.ok(c.getattr(r.fh).attr.fileid == root_id, "the handle of .. is the root")
            rr = c.lookup(r.fh, b"..")
            check.ok(rr.status == NFS3_OK and rr.attr.fileid == root_id, "LOOKUP ../..")
    else:
        check.status(r, (NFS3ERR_NOENT, NFS3ERR_INVAL, NFS3ERR_NAMETOOLONG, NFS3ERR_ACCES),
                     "LOOKUP %r" % sh)
    if name in (b"..",):
        continue
    for what, fn in (("CREATE", lambda: c.create(root, name)),
                     ("MKDIR", lambda: c.mkdir(root, name)),
                     ("SYMLINK", lambda: c.symlink(root, name, b"target")),
                     ("LINK", lambda: c.link(fh, root, name)),
                     ("RENAME to", lambda: c.rename(root, b"file", root, name)),
                     ("RENAME from", lambda: c.rename(root, name, root, b"z")),
                     ("REMOVE", lambda: c.remove(root, name)),
                     ("RMDIR", lambda: c.rmdir(root, name))):
        check.ok(fn().status != NFS3_OK, "%s %r succeeded" % (what, sh))
for what, fn in (("CREATE", lambda n: c.create(root, n)), ("MKDIR", lambda n: c.mkdir(root, n)),
                 ("REMOVE", lambda n: c.remove(root, n)), ("RMDIR", lambda n: c.rmdir(root, n))):
    for n in (b".", b".."):
        check.ok(fn(n).status != NFS3_OK, "%s %r succeeded" % (what, n))
check.status(c.lookup(root, b"x" * 256), NFS3ERR_NAMETOOLONG, "LOOKUP of a 256-byte name")
check.status(c.create(root, b"x" * 256), NFS3ERR_NAMETOOLONG, "CREATE of a 256-byte name")
check.status(c.create(root, b"a/b"), NFS3ERR_INVAL, "CREATE a/b")
check.status(c.create(root, b"f\0x"), NFS3ERR_INVAL, "CREATE f\\0x")
check.status(c.lookup(root, b"file\0x"), (NFS3ERR_INVAL, NFS3ERR_NOENT), "LOOKUP file\\0x")
check.status(c.create(root, b"x" * 255), NFS3_OK, "CREATE of a 255-byte name")
check.status(c.remove(root, b"x" * 255), NFS3_OK, "REMOVE of a 255-byte name")
check.rpc_error(lambda: c.lookup(root, b"x" * 5000), GARBAGE_ARGS, "LOOKUP of a 5000-byte name")
check.ok(os.path.exists(os.path.join(outside, "secret")), "outside/secret still exists")
check.ok(sorted(os.listdir(export)) == ["file"],
         "the export holds only 'file': %r" % sorted(os.listdir(export)))
alive("path-traversal names")

# ---- symlinks that point out ----
rel = os.path.relpath(outside, export).encode()
for name, target in ((b"etc", b"/etc"), (b"up", b"../.."), (b"out", rel)):
    check.status(c.symlink(root, name, target), NFS3_OK, "SYMLINK %s -> %s" % (name, target))
    r = c.lookup(root, name)
    if not check.status(r, NFS3_OK, "LOOKUP of symlink %s" % name):
        continue
    check.ok(r.attr.type == 5, "LOOKUP %s gives type %d, not a symlink" % (name, r.attr.type))
    check.ok(c.readlink(r.fh).path == target, "READLINK %s" % name)
    check.status(c.read(r.fh, 0, 100), (NFS3ERR_INVAL, NFS3ERR_ACCES, NFS3ERR_BADTYPE,
                                        NFS3ERR_IO), "READ of symlink %s" % name)
    for sub in (b"passwd", b"secret", b"..", b"tmp"):
        check.ok(c.lookup(r.fh, sub).status == NFS3ERR_NOTDIR, "LOOKUP %s/%s" % (name, sub))
        check.ok(c.create(r.fh, sub + b"-new").status != NFS3_OK, "CREATE %s/%s" % (name, sub))
        check.ok(c.mkdir(r.fh, sub + b"-new").status != NFS3_OK, "MKDIR %s/%s" % (name, sub))
        check.ok(c.remove(r.fh, sub).status != NFS3_OK, "REMOVE %s/%s" % (name, sub))
    check.ok(c.write(r.fh, 0, b"x").status != NFS3_OK, "WRITE to symlink %s" % name)
    check.ok(c.readdir(r.fh).status != NFS3_OK, "READDIR of symlink %s" % name)
    check.ok(c.setattr(r.fh, mode=0o777).status in (NFS3_OK, NFS3ERR_INVAL, NFS3ERR_NOTSUPP),
             "SETATTR of symlink %s" % name)
    check.ok(c.rename(r.fh, b"secret", root, b"stolen").status != NFS3_OK,
             "RENAME %s/secret" % name)
    check.ok(c.link(r.fh, root, name + b"-hard").status in (NFS3_OK, NFS3ERR_NOTSUPP,
                                                            NFS3ERR_INVAL),
             "LINK of symlink %s" % name)
check.ok(os.path.exists(os.path.join(outside, "secret")), "outside/secret still exists")
check.ok(oct(os.stat(outside).st_mode & 0o777) == oct(0o755), "outside's mode is unchanged")
check.ok(not any(n.endswith("-new") for n in os.listdir(outside)), "nothing made outside")
check.ok(not os.path.exists("/etc/passwd-new"), "nothing made in /etc")
alive("symlink escapes")

# ---- counts ----
check.status(c.write(fh, 0, b"0123456789" * 100), NFS3_OK, "WRITE 1000 bytes")
r = c.read(fh, 0, 0)
check.ok(r.status == NFS3_OK and r.count == 0 and r.data == b"", "READ count 0: %r" % r)
r = c.read(fh, 0, 0xffffffff)
check.ok(r.status == NFS3_OK and r.data == b"0123456789" * 100, "READ count 2^32-1")
r = c.read(fh, 1 << 62, 0xffffffff)
check.ok(r.status == NFS3_OK and r.count == 0 and r.eof, "READ at offset 2^62")
r = c.read(fh, 0xffffffffffffffff, 100)
check.ok(r.status in (NFS3_OK, NFS3ERR_INVAL, NFS3ERR_FBIG), "READ at offset 2^64-1: %r" % r)
check.status(c.read(root, 0, 100), (NFS3ERR_ISDIR, NFS3ERR_INVAL), "READ of a directory")
for n in range(30):
    c.create(root, b"d%03d" % n)
for count in (0, 1, 100, 0xffffffff):
    r = c.readdir(root, count=count)
    check.status(r, (NFS3_OK, NFS3ERR_TOOSMALL), "READDIR count %d" % count)
    if count == 0xffffffff:
        n = len(os.listdir(export)) + 2
        check.ok(len(r.entries) == n and r.eof, "READDIR count 2^32-1 lists %d of %d"
                 % (len(r.entries), n))
    for dc, mc in ((count, count), (count, 0xffffffff), (0xffffffff, count)):
        r = c.readdirplus(root, dircount=dc, maxcount=mc)
        check.status(r, (NFS3_OK, NFS3ERR_TOOSMALL), "READDIRPLUS counts %d %d" % (dc, mc))
check.status(c.readdir(fh), NFS3ERR_NOTDIR, "READDIR of a file")
check.status(c.readdir(root, cookie=0x123456789, verf=b"12345678"),
             (NFS3ERR_BAD_COOKIE, NFS3_OK), "READDIR with a made-up cookie and verifier")
check.status(c.commit(fh, 0xffffffffffffff00, 0xffffffff), (NFS3_OK, NFS3ERR_INVAL),
             "COMMIT of a huge range")
alive("counts")

# ---- WRITE data vs the record ----
def write_with_len(data, datalen, count):
    p = Packer().opaque(fh).u64(0).u32(count).u32(UNSTABLE).u32(datalen).raw(data)
    return c.nfs(WRITE, p.bytes())


check.rpc_error(lambda: write_with_len(b"abcd" * 4, 1 << 20, 1 << 20), GARBAGE_ARGS,
                "WRITE whose data length (1 MiB) exceeds the record")
check.rpc_error(lambda: write_with_len(b"abcd", 0xffffffff, 4), GARBAGE_ARGS,
                "WRITE whose data length is 2^32-1")
check.status(c.write(fh, 0, b"abcd", count=3), NFS3ERR_INVAL, "WRITE count 3, 4 bytes")
check.status(c.write(fh, 0, b"abcd", count=100), NFS3ERR_INVAL, "WRITE count 100, 4 bytes")
check.status(c.write(root, 0, b"abcd"), (NFS3ERR_ISDIR, NFS3ERR_INVAL), "WRITE to a directory")
check.status(c.write(fh, 0xfffffffffffffff0, b"abcd"), (NFS3ERR_FBIG, NFS3ERR_INVAL),
             "WRITE at offset 2^64-16")
check.ok(c.read(fh, 0, 10).data == b"0123456789", "the file is unchanged by bad WRITEs")
# truncated arguments of every procedure
for proc in range(1, 22):
    good = Packer().opaque(fh).u64(0).u32(8).u32(0).u32(0).bytes()
    for cut in (0, 2, 4, 7):
        try:
            c.nfs(proc, good[:cut])
            check.ok(False, "procedure %d with %d bytes of arguments got a reply" % (proc, cut))
        except RpcError as e:
            check.ok(e.accept_stat == GARBAGE_ARGS, "procedure %d, %d bytes: %s" % (proc, cut, e))
alive("bad WRITE and truncated arguments")

# ---- RPC level ----
for proc in (22, 23, 100, 0xffffffff):
    check.rpc_error(lambda: c.nfs(proc, Packer().opaque(root).bytes()), PROC_UNAVAIL,
                    "NFS procedure %d" % proc)
check.rpc_error(lambda: c.call(MOUNT_PROG, MOUNT_VERS, 99), PROC_UNAVAIL, "MOUNT procedure 99")
check.rpc_error(lambda: c.call(NFS_PROG, 2, 0), PROG_MISMATCH, "NFS version 2")
check.rpc_error(lambda: c.call(NFS_PROG, 4, 1, Packer().opaque(root).bytes()), PROG_MISMATCH,
                "NFS version 4")
check.rpc_error(lambda: c.call(100227, 3, 0), PROG_UNAVAIL, "NFS ACL NULL")
alive("unknown procedures")

# a record mark of 2^31-1: the connection is closed, others are served
bad = Client(port)
bad.send_raw(struct.pack(">I", 0xffffffff) + b"\0" * 64)
try:
    bad.sock.settimeout(5)
    got = bad.sock.recv(100)
    check.ok(got == b"", "a record mark of 2^31-1 got %r, not a close" % got)
except ConnectionResetError:
    pass
except socket.timeout:
    check.ok(False, "a record mark of 2^31-1: connection not closed in 5 s")
bad.close()
alive("a record mark of 2^31-1")
# garbage: random bytes as records, then raw random bytes
for i in range(20):
    g = Client(port)
    try:
        if i % 2:
            g.send_raw(os.urandom(256))
        else:
            g.send_record(os.urandom(4 * (i + 1)))
        g.sock.settimeout(0.1)
        g.sock.recv(1000)
    except (OSError, socket.timeout):
        pass
    g.close()
alive("garbage bytes")
# a call of another RPC version, then a REPLY instead of a call: no crash
g = Client(port)
g.send_record(struct.pack(">6I", 1, 0, 3, NFS_PROG, 3, 0) + b"\0" * 16)
g.send_record(struct.pack(">3I", 2, 1, 0))
g.close()
alive("rpc version 3 and a REPLY")
# a record in many tiny fragments still works
msg = c.call_msg(NFS_PROG, NFS_VERS, GETATTR, Packer().opaque(root).bytes(), 4242)
frags = b"".join(struct.pack(">I", (0x80000000 if i + 4 >= len(msg) else 0) | len(msg[i:i + 4]))
                 + msg[i:i + 4] for i in range(0, len(msg), 4))
c.send_raw(frags)
r = Unpacker(c.recv_reply(4242))
check.ok(c.decode_reply(r.data)[1].u32() == NFS3_OK, "GETATTR in 4-byte fragments")
# AUTH_SYS with a machine name over 255 bytes and 17 groups: AUTH_ERROR (denied)
for kw in (dict(machine=b"m" * 300), dict(gids=range(17))):
    a = Client(port, uid=1000, gid=1000, **kw)
    try:
        a.getattr(root)
        check.ok(False, "a bad AUTH_SYS credential %r was accepted" % list(kw))
    except RpcError as e:
        check.ok(e.accept_stat is None, "a bad AUTH_SYS credential: %s" % e)
    except (ConnectionError, socket.timeout):
        pass
    a.close()
alive("bad credentials")

# ---- MOUNT outside the exports ----
for path in ("/etc", "/", "../", export + "/..", export + "/../..", outside,
             export + "/file", export + "/etc", export + "/up", export + "/up/etc",
             export + "/nosuch", "", "etc", export + "/../" + os.path.basename(export)):
    r = c.mnt(path.encode())
    check.ok(r.status in (2, 13, 20, 22, 70), "MNT %r gave %d" % (path, r.status))
check.rpc_error(lambda: c.mnt(b"/" * 2000), GARBAGE_ARGS, "MNT of a 2000-byte path")
check.rpc_error(lambda: c.mnt(export.encode() + b"\0x"), GARBAGE_ARGS, "MNT of a path with NUL")
check.ok(c.mnt(export.encode()).status == 0, "MNT of the export")
check.ok(c.mnt((export + "/").encode()).status in (0, 2), "MNT of the export with a /")
alive("MNT outside the exports")
reconnect_alive("everything")
check.exit()
