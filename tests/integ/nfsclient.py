# SPDX-License-Identifier: BSD-2-Clause
"""A small raw ONC RPC / NFS v3 / MOUNT v3 client for krpc's tests.

Standard library only (socket, struct). It speaks RPC over TCP with record
marking (RFC 5531 §11), AUTH_SYS with any uid, gid and groups (RFC 5531
§A), and the NFS v3 and MOUNT v3 procedures of RFC 1813, but unlike a real
client it lets a test choose everything a server must not trust: the xid
(to send an exact retransmission), the raw bytes of the arguments
(truncated, oversized, corrupted handles and names) and even the record
mark. Replies are decoded with bounds checks: a short or malformed reply
raises DecodeError, never returns garbage.

    c = Client(port, uid=65000, gid=65000)
    root = c.mnt(b"/srv/export").fh
    r = c.lookup(root, b"file")
    if r.status == NFS3_OK:
        data = c.read(r.fh, 0, 4096).data

Every NFS helper returns a Result: .status (nfsstat3), the decoded fields
of RFC 1813's resok/resfail, and .raw (the whole reply record). A call
that gets an RPC-level error (PROC_UNAVAIL, GARBAGE_ARGS, ...) raises
RpcError with .accept_stat. Used by tests/integ/nfs_*.py.
"""
import os
import socket
import struct

NFS_PROG, NFS_VERS = 100003, 3
MOUNT_PROG, MOUNT_VERS = 100005, 3

# nfsstat3 (RFC 1813 §2.6)
NFS3_OK = 0
NFS3ERR = dict(PERM=1, NOENT=2, IO=5, NXIO=6, ACCES=13, EXIST=17, XDEV=18,
               NODEV=19, NOTDIR=20, ISDIR=21, INVAL=22, FBIG=27, NOSPC=28,
               ROFS=30, MLINK=31, NAMETOOLONG=63, NOTEMPTY=66, DQUOT=69,
               STALE=70, REMOTE=71, BADHANDLE=10001, NOT_SYNC=10002,
               BAD_COOKIE=10003, NOTSUPP=10004, TOOSMALL=10005,
               SERVERFAULT=10006, BADTYPE=10007, JUKEBOX=10008)
globals().update({"NFS3ERR_" + k: v for k, v in NFS3ERR.items()})
STATUS_NAME = {v: "NFS3ERR_" + k for k, v in NFS3ERR.items()}
STATUS_NAME[0] = "NFS3_OK"

# accept_stat (RFC 5531 §9)
SUCCESS, PROG_UNAVAIL, PROG_MISMATCH, PROC_UNAVAIL, GARBAGE_ARGS, SYSTEM_ERR = range(6)
ACCEPT_NAME = ["SUCCESS", "PROG_UNAVAIL", "PROG_MISMATCH", "PROC_UNAVAIL",
               "GARBAGE_ARGS", "SYSTEM_ERR"]

# procedures (RFC 1813 §3.3 and Appendix I)
(NULL, GETATTR, SETATTR, LOOKUP, ACCESS, READLINK, READ, WRITE, CREATE, MKDIR,
 SYMLINK, MKNOD, REMOVE, RMDIR, RENAME, LINK, READDIR, READDIRPLUS, FSSTAT,
 FSINFO, PATHCONF, COMMIT) = range(22)
MNTPROC_MNT, MNTPROC_UMNT = 1, 3
UNSTABLE, DATA_SYNC, FILE_SYNC = range(3)
UNCHECKED, GUARDED, EXCLUSIVE = range(3)


def status_name(s):
    return STATUS_NAME.get(s, str(s))


class DecodeError(Exception):
    pass


class RpcError(Exception):
    """The call was not executed: an accept_stat other than SUCCESS, or a
    denied reply (then accept_stat is None and .reject says why)."""

    def __init__(self, accept_stat, reject=None):
        self.accept_stat, self.reject = accept_stat, reject
        name = ACCEPT_NAME[accept_stat] if accept_stat is not None and \
            accept_stat < len(ACCEPT_NAME) else "denied %r" % (reject,)
        super().__init__("RPC error " + name)


class Result:
    def __init__(self, **kw):
        self.__dict__.update(kw)

    def __repr__(self):
        return "Result(%s)" % ", ".join("%s=%r" % (k, v) for k, v in self.__dict__.items()
                                        if k != "raw")


# ---- XDR (RFC 4506) ----

class Packer:
    def __init__(self):
        self.parts = []

    def u32(self, v):
        self.parts.append(struct.pack(">I", v & 0xffffffff)); return self

    def u64(self, v):
        self.parts.append(struct.pack(">Q", v & 0xffffffffffffffff)); return self

    def fixed(self, b):
        self.parts.append(b + b"\0" * (-len(b) % 4)); return self

    def opaque(self, b, length=None):
        """Variable-length opaque; length overrides the count sent."""
        self.u32(len(b) if length is None else length)
        return self.fixed(b)

    def string(self, s):
        return self.opaque(s.encode() if isinstance(s, str) else s)

    def raw(self, b):
        self.parts.append(b); return self

    def bytes(self):
        return b"".join(self.parts)


class Unpacker:
    def __init__(self, data, pos=0):
        self.data, self.pos = data, pos

    def take(self, n):
        if n < 0 or self.pos + n > len(self.data):
            raise DecodeError("reply too short: want %d bytes at %d of %d"
                              % (n, self.pos, len(self.data)))
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def u32(self):
        return struct.unpack(">I", self.take(4))[0]

    def u64(self):
        return struct.unpack(">Q", self.take(8))[0]

    def bool(self):
        v = self.u32()
        if v > 1:
            raise DecodeError("bool %d" % v)
        return bool(v)

    def fixed(self, n):
        b = self.take(n)
        self.take(-n % 4)
        return b

    def opaque(self, maxlen=1 << 24):
        n = self.u32()
        if n > maxlen:
            raise DecodeError("opaque of %d bytes > %d" % (n, maxlen))
        return self.fixed(n)

    def done(self):
        if self.pos != len(self.data):
            raise DecodeError("%d bytes left over" % (len(self.data) - self.pos))


# ---- NFS v3 types (RFC 1813 §2.5-2.6) ----

FATTR_FIELDS = ("type", "mode", "nlink", "uid", "gid")


def get_fattr(u):
    a = Result(**dict(zip(FATTR_FIELDS, struct.unpack(">5I", u.take(20)))))
    a.size, a.used, a.rdev, a.fsid, a.fileid = struct.unpack(">5Q", u.take(40))
    a.atime, a.mtime, a.ctime = (struct.unpack(">II", u.take(8)) for _ in range(3))
    return a


def get_post_op_attr(u):
    return get_fattr(u) if u.bool() else None


def get_wcc(u):
    pre = struct.unpack(">QIIII", u.take(24)) if u.bool() else None
    return Result(before=pre, after=get_post_op_attr(u))


def get_post_op_fh(u):
    return u.opaque(64) if u.bool() else None


def put_sattr(p, mode=None, uid=None, gid=None, size=None, atime=None, mtime=None):
    for v in (mode, uid, gid):
        p.u32(0) if v is None else p.u32(1).u32(v)
    p.u32(0) if size is None else p.u32(1).u64(size)
    for t in (atime, mtime):	# None: DONT_CHANGE; "server"; (sec, nsec)
        if t is None:
            p.u32(0)
        elif t == "server":
            p.u32(1)
        else:
            p.u32(2).u32(t[0]).u32(t[1])
    return p


def put_dirop(p, fh, name):
    return p.opaque(fh).string(name)


class Client:
    """One TCP connection to an RPC server. uid/gid/gids: the AUTH_SYS
    credential (uid None: AUTH_NONE). bind_port: bind the local end to
    this port (SO_REUSEADDR) before connecting, as the Linux client does
    when it reconnects. Every socket operation times out after timeout
    seconds (socket.timeout)."""

    def __init__(self, port, host="127.0.0.1", uid=0, gid=0, gids=(), timeout=10,
                 bind_port=None, machine=b"nfsclient.py"):
        self.addr, self.timeout, self.bind_port = (host, port), timeout, bind_port
        self.uid, self.gid, self.gids, self.machine = uid, gid, tuple(gids), machine
        self.xid = struct.unpack(">I", os.urandom(4))[0]
        self.sock = None
        self.early = {}		# replies received before they were waited for
        self.connect()

    def connect(self):
        self.close()
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        if self.bind_port is not None:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", self.bind_port))
        s.connect(self.addr)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = s
        self.local_port = s.getsockname()[1]

    def close(self, abort=False):
        """abort: reset the connection (SO_LINGER 0), leaving no TIME_WAIT
        behind, so that the same local port can connect again at once."""
        if self.sock:
            if abort:
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                     struct.pack("ii", 1, 0))
            self.sock.close()
            self.sock = None

    # ---- RPC (RFC 5531) ----

    def next_xid(self):
        self.xid = (self.xid + 1) & 0xffffffff
        return self.xid

    def cred(self):
        if self.uid is None:
            return Packer().u32(0).opaque(b"").bytes()
        body = Packer().u32(0).string(self.machine).u32(self.uid).u32(self.gid)
        body.u32(len(self.gids))
        for g in self.gids:
            body.u32(g)
        return Packer().u32(1).opaque(body.bytes()).bytes()

    def call_msg(self, prog, vers, proc, args, xid):
        """The bytes of a CALL message (without record mark)."""
        p = Packer().u32(xid).u32(0).u32(2).u32(prog).u32(vers).u32(proc)
        return p.raw(self.cred()).u32(0).opaque(b"").raw(args).bytes()

    def send_raw(self, data):
        self.sock.sendall(data)

    def send_record(self, msg):
        self.send_raw(struct.pack(">I", 0x80000000 | len(msg)) + msg)

    def recv_exact(self, n):
        buf = bytearray()
        while len(buf) < n:
            b = self.sock.recv(n - len(buf))
            if not b:
                raise ConnectionError("connection closed by the server")
            buf += b
        return bytes(buf)

    def recv_record(self, maxlen=64 << 20):
        rec = b""
        while True:
            mark = struct.unpack(">I", self.recv_exact(4))[0]
            n = mark & 0x7fffffff
            if len(rec) + n > maxlen:
                raise DecodeError("record of %d bytes" % (len(rec) + n))
            rec += self.recv_exact(n)
            if mark & 0x80000000:
                return rec

    def recv_reply(self, xid):
        """The reply to xid. Replies to other xids that arrive first are
        kept for their own recv_reply: calls on helper threads may be
        answered out of order."""
        while xid not in self.early:
            rec = self.recv_record()
            if len(rec) >= 4:
                self.early[struct.unpack(">I", rec[:4])[0]] = rec
        return self.early.pop(xid)

    def decode_reply(self, rec):
        """(xid, Unpacker at the results); RpcError unless SUCCESS."""
        u = Unpacker(rec)
        xid, mtype, stat = u.u32(), u.u32(), u.u32()
        if mtype != 1:
            raise DecodeError("not a REPLY: %d" % mtype)
        if stat == 1:		# MSG_DENIED
            rs = u.u32()
            raise RpcError(None, (rs, u.u32()))
        if stat != 0:
            raise DecodeError("reply_stat %d" % stat)
        u.u32()
        u.opaque(400)		# verifier
        acc = u.u32()
        if acc != SUCCESS:
            raise RpcError(acc)
        return xid, u

    def call(self, prog, vers, proc, args=b"", xid=None):
        """Send one call and wait for its reply: (raw record, Unpacker at
        the results). xid None: the next one."""
        xid = self.next_xid() if xid is None else xid
        self.send_record(self.call_msg(prog, vers, proc, args, xid))
        rec = self.recv_reply(xid)
        return rec, self.decode_reply(rec)[1]

    # ---- MOUNT v3 (RFC 1813 Appendix I) ----

    def mnt(self, path):
        rec, u = self.call(MOUNT_PROG, MOUNT_VERS, MNTPROC_MNT, Packer().string(path).bytes())
        r = Result(status=u.u32(), raw=rec, fh=None)
        if r.status == 0:
            r.fh = u.opaque(64)
            r.flavors = [u.u32() for _ in range(min(u.u32(), 16))]
        return r

    # ---- NFS v3 (RFC 1813 §3.3) ----

    def nfs(self, proc, args=b"", xid=None):
        """A raw NFS call: (raw reply, Unpacker at the status)."""
        return self.call(NFS_PROG, NFS_VERS, proc, args, xid)

    def _res(self, proc, p, xid, ok, fail=None):
        """Call proc with Packer p, decode status then ok(u, r) or fail(u, r)."""
        rec, u = self.nfs(proc, p.bytes(), xid)
        r = Result(status=u.u32(), raw=rec)
        (ok if r.status == NFS3_OK else (fail or ok_attr_only))(u, r)
        u.done()
        return r

    def null(self, xid=None):
        rec, u = self.nfs(NULL, b"", xid)
        u.done()
        return rec

    def getattr(self, fh, xid=None):
        def ok(u, r): r.attr = get_fattr(u)
        return self._res(GETATTR, Packer().opaque(fh), xid, ok, lambda u, r: None)

    def setattr(self, fh, guard=None, xid=None, **sattr):
        p = put_sattr(Packer().opaque(fh), **sattr)
        p.u32(0) if guard is None else p.u32(1).u32(guard[0]).u32(guard[1])
        return self._res(SETATTR, p, xid, wcc_only, wcc_only)

    def lookup(self, dfh, name, xid=None):
        def ok(u, r):
            r.fh, r.attr, r.dir_attr = u.opaque(64), get_post_op_attr(u), get_post_op_attr(u)
        def fail(u, r): r.dir_attr = get_post_op_attr(u)
        return self._res(LOOKUP, put_dirop(Packer(), dfh, name), xid, ok, fail)

    def access(self, fh, mask=0x3f, xid=None):
        def ok(u, r): r.attr, r.access = get_post_op_attr(u), u.u32()
        return self._res(ACCESS, Packer().opaque(fh).u32(mask), xid, ok)

    def readlink(self, fh, xid=None):
        def ok(u, r): r.attr, r.path = get_post_op_attr(u), u.opaque(4096)
        return self._res(READLINK, Packer().opaque(fh), xid, ok)

    def read(self, fh, offset, count, xid=None):
        def ok(u, r):
            r.attr, r.count, r.eof, r.data = get_post_op_attr(u), u.u32(), u.bool(), u.opaque()
        return self._res(READ, Packer().opaque(fh).u64(offset).u32(count), xid, ok)

    def write(self, fh, offset, data, stable=FILE_SYNC, count=None, xid=None):
        """count: the count field (default len(data))."""
        p = Packer().opaque(fh).u64(offset).u32(len(data) if count is None else count)
        p.u32(stable).opaque(data)
        def ok(u, r):
            r.wcc, r.count, r.committed, r.verf = get_wcc(u), u.u32(), u.u32(), u.fixed(8)
        return self._res(WRITE, p, xid, ok, wcc_only)

    def create(self, dfh, name, mode=UNCHECKED, verf=b"\0" * 8, xid=None, perm=None, **sattr):
        """mode: the createmode3; perm: the sattr3 mode."""
        if perm is not None:
            sattr["mode"] = perm
        p = put_dirop(Packer(), dfh, name).u32(mode)
        p.fixed(verf) if mode == EXCLUSIVE else put_sattr(p, **sattr)
        return self._res(CREATE, p, xid, newobj, wcc_only)

    def mkdir(self, dfh, name, xid=None, **sattr):
        p = put_sattr(put_dirop(Packer(), dfh, name), **sattr)
        return self._res(MKDIR, p, xid, newobj, wcc_only)

    def symlink(self, dfh, name, target, xid=None, **sattr):
        p = put_sattr(put_dirop(Packer(), dfh, name), **sattr).string(target)
        return self._res(SYMLINK, p, xid, newobj, wcc_only)

    def remove(self, dfh, name, xid=None):
        return self._res(REMOVE, put_dirop(Packer(), dfh, name), xid, wcc_only, wcc_only)

    def rmdir(self, dfh, name, xid=None):
        return self._res(RMDIR, put_dirop(Packer(), dfh, name), xid, wcc_only, wcc_only)

    def rename(self, fdir, fname, tdir, tname, xid=None):
        p = put_dirop(put_dirop(Packer(), fdir, fname), tdir, tname)
        def both(u, r): r.from_wcc, r.to_wcc = get_wcc(u), get_wcc(u)
        return self._res(RENAME, p, xid, both, both)

    def link(self, fh, dfh, name, xid=None):
        p = put_dirop(Packer().opaque(fh), dfh, name)
        def both(u, r): r.attr, r.wcc = get_post_op_attr(u), get_wcc(u)
        return self._res(LINK, p, xid, both, both)

    def readdir(self, dfh, cookie=0, verf=b"\0" * 8, count=4096, xid=None):
        p = Packer().opaque(dfh).u64(cookie).fixed(verf).u32(count)
        return self._res(READDIR, p, xid, lambda u, r: dir_entries(u, r, False))

    def readdirplus(self, dfh, cookie=0, verf=b"\0" * 8, dircount=4096, maxcount=32768,
                    xid=None):
        p = Packer().opaque(dfh).u64(cookie).fixed(verf).u32(dircount).u32(maxcount)
        return self._res(READDIRPLUS, p, xid, lambda u, r: dir_entries(u, r, True))

    def fsstat(self, fh, xid=None):
        def ok(u, r):
            r.attr = get_post_op_attr(u)
            r.tbytes, r.fbytes, r.abytes, r.tfiles, r.ffiles, r.afiles = \
                struct.unpack(">6Q", u.take(48))
            r.invarsec = u.u32()
        return self._res(FSSTAT, Packer().opaque(fh), xid, ok)

    def fsinfo(self, fh, xid=None):
        def ok(u, r):
            r.attr = get_post_op_attr(u)
            (r.rtmax, r.rtpref, r.rtmult, r.wtmax, r.wtpref, r.wtmult,
             r.dtpref) = struct.unpack(">7I", u.take(28))
            r.maxfilesize, r.time_delta, r.properties = u.u64(), u.take(8), u.u32()
        return self._res(FSINFO, Packer().opaque(fh), xid, ok)

    def pathconf(self, fh, xid=None):
        def ok(u, r):
            r.attr = get_post_op_attr(u)
            r.linkmax, r.name_max = u.u32(), u.u32()
            r.no_trunc, r.chown_restricted, r.case_insensitive, r.case_preserving = \
                (u.bool() for _ in range(4))
        return self._res(PATHCONF, Packer().opaque(fh), xid, ok)

    def commit(self, fh, offset=0, count=0, xid=None):
        def ok(u, r): r.wcc, r.verf = get_wcc(u), u.fixed(8)
        return self._res(COMMIT, Packer().opaque(fh).u64(offset).u32(count), xid, ok, wcc_only)


def ok_attr_only(u, r):
    r.attr = get_post_op_attr(u)


def wcc_only(u, r):
    r.wcc = get_wcc(u)


def newobj(u, r):
    r.fh, r.attr, r.wcc = get_post_op_fh(u), get_post_op_attr(u), get_wcc(u)


def dir_entries(u, r, plus):
    r.attr, r.verf, r.entries = get_post_op_attr(u), u.fixed(8), []
    while u.bool():
        if len(r.entries) > 100000:
            raise DecodeError("too many entries")
        e = Result(fileid=u.u64(), name=u.opaque(4096), cookie=u.u64())
        if plus:
            e.attr, e.fh = get_post_op_attr(u), get_post_op_fh(u)
        r.entries.append(e)
    r.eof = u.bool()


class Check:
    """Assertions for the test scripts: each failure prints one line; the
    script exits 1 at the end if any failed (check.exit())."""

    def __init__(self):
        self.failed = self.passed = 0

    def ok(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL: " + what, flush=True)
        return cond

    def status(self, r, want, what):
        """r.status is want (an int or a tuple of allowed ones)."""
        wants = want if isinstance(want, tuple) else (want,)
        return self.ok(r.status in wants, "%s: got %s, want %s" % (
            what, status_name(r.status), " or ".join(status_name(w) for w in wants)))

    def rpc_error(self, fn, want, what):
        """fn() raises RpcError with accept_stat want."""
        try:
            r = fn()
        except RpcError as e:
            return self.ok(e.accept_stat == want, "%s: got %s, want %s" % (
                what, e, ACCEPT_NAME[want]))
        return self.ok(False, "%s: got a reply (%r), want %s" % (what, r, ACCEPT_NAME[want]))

    def exit(self):
        print("# %d checks passed, %d failed" % (self.passed, self.failed), flush=True)
        raise SystemExit(1 if self.failed else 0)
