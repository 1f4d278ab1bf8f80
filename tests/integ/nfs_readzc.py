# SPDX-License-Identifier: BSD-2-Clause
"""READ replies whose data leave by reference (driven by nfs-readzc.sh).

    python3 nfs_readzc.py PORT EXPORT

Two files are written into the export directly (this test runs on the
server's host): "p", whose every aligned 8-byte word holds its own offset
tagged 0x5A, and "q", tagged 0xA5 at every word, read in between so that
the worker's pooled buffers hold other data when the next READ of "p"
reuses them. Every reply is checked byte by byte: one record fragment whose
mark counts exactly the reply, count <= what was asked, a short READ only
with eof, eof exactly at the end of a file that does not change, the data
those of the file at that offset, and the XDR padding after them zero.

  1. cached: READs of 1 B to 1 MiB (every padding length, the end of the
     file: short READs with eof, past the end: count 0 with eof), 8 in
     flight, interleaved with READs of "q";
  2. cold: the pages of "p" dropped (posix_fadvise DONTNEED), READs of
     64 KiB and 1 MiB, 8 in flight (the worker's file operations);
  3. a truncate race: a thread shrinks "p" to page-aligned sizes, writes
     it back, drops its pages, for at most 6 s, while READs of "p" and "q"
     go on: every word of a reply is "p"'s word for that offset or zero
     (the kernel may copy a page it is truncating), never "q"'s or another
     offset's; a READ that comes back short has eof set.

Prints the READ data bytes it received (for the counters), one line
"bytes N".
"""
import os
import random
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nfsclient import *  # noqa: E402,F401,F403

port, export = int(sys.argv[1]), sys.argv[2]
SIZE = (5 << 20) + 1234			# not a multiple of 4 or of a page
MAXREAD = 1 << 20


def words(tag, off, n):
    """n bytes of the file tagged tag from offset off (8-byte aligned)."""
    first = off & ~7
    b = b"".join(struct.pack(">Q", (tag << 56) | w)
                 for w in range(first, off + n + 8, 8))
    return b[off - first:off - first + n]


def make(name, tag, size):
    path = os.path.join(export, name)
    with open(path, "wb") as w:
        w.write(words(tag, 0, size))
    return path


PPATH, QPATH = make("p", 0x5A, SIZE), make("q", 0xA5, SIZE)
P, Q = words(0x5A, 0, SIZE), words(0xA5, 0, SIZE)
c = Client(port, timeout=30)
root = c.mnt(export.encode()).fh
pfh, qfh = c.lookup(root, b"p").fh, c.lookup(root, b"q").fh
assert pfh and qfh
total = 0


def drop(path):
    fd = os.open(path, os.O_RDONLY)
    os.fsync(fd)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    os.close(fd)


def recv_one_fragment():
    """A reply record, which must be one fragment; (xid, record)."""
    mark = struct.unpack(">I", c.recv_exact(4))[0]
    assert mark & 0x80000000, "a reply of more than one fragment"
    rec = c.recv_exact(mark & 0x7fffffff)
    return struct.unpack(">I", rec[:4])[0], rec


def read_reply(rec, want):
    """(count, eof, data) of a READ reply record, checked to the byte."""
    u = Unpacker(rec)
    u.u32(), u.u32(), u.u32(), u.u32(), u.opaque(400)
    assert u.u32() == SUCCESS
    st = u.u32()
    assert st == NFS3_OK, "READ gave %s" % status_name(st)
    get_post_op_attr(u)
    count, eof, n = u.u32(), u.bool(), u.u32()
    assert count == n <= want, "count %d, opaque %d, asked %d" % (count, n, want)
    data = u.take(n)
    pad = u.take(-n % 4)
    assert pad == b"\0" * len(pad), "padding %r" % pad
    u.done()
    assert count == want or eof, "short READ (%d of %d) without eof" % (count, want)
    return count, eof, data


def reads(calls):
    """Send READs [(fh, off, count)] 8 at a time; their (call, result)."""
    global total
    out = []
    for i in range(0, len(calls), 8):
        xids = {}
        for fh, off, n in calls[i:i + 8]:
            xid = c.next_xid()
            c.send_record(c.call_msg(NFS_PROG, NFS_VERS, READ,
                                     Packer().opaque(fh).u64(off).u32(n).bytes(), xid))
            xids[xid] = (fh, off, n)
        while xids:
            xid, rec = recv_one_fragment()
            call = xids.pop(xid)
            res = read_reply(rec, call[2])
            total += res[0]
            out.append((call, res))
    return out


def check_exact(results):
    for (fh, off, n), (count, eof, data) in results:
        src = P if fh == pfh else Q
        end = min(off + n, SIZE)
        assert data == src[off:end], "data of READ(%d, %d) differ" % (off, n)
        assert eof == (off + n >= SIZE), "eof %s for READ(%d, %d)" % (eof, off, n)


# 1. cached (read once first so that the pages are in memory)
for path in (PPATH, QPATH):
    with open(path, "rb") as f:
        f.read()
calls = []
for n in (1, 2, 3, 4, 5, 4095, 4097, 16383, 16385, 65535, 65536, 65537, 300001, MAXREAD):
    for off in (0, 1, 4093, SIZE - n // 2, SIZE - 1, SIZE + 4096):
        calls += [(pfh, off, n), (qfh, (off * 7) % SIZE, n)]
random.seed(7)
random.shuffle(calls)
check_exact(reads(calls))

# 2. cold
drop(PPATH)
check_exact(reads([(pfh, off, 65536) for off in range(0, SIZE, 65536)]))
drop(PPATH)
check_exact(reads([(pfh, off, MAXREAD) for off in range(0, SIZE, MAXREAD)]))

# 3. a truncate race
stop = threading.Event()
errors = []


def shrinker():
    r = random.Random(11)
    try:
        while not stop.is_set():
            cut = r.randrange(0, SIZE // 4096) * 4096
            with open(PPATH, "r+b") as f:
                f.truncate(cut)
                f.seek(cut)
                f.write(P[cut:])
            if r.random() < 0.3:
                drop(PPATH)
    except Exception as e:  # noqa: BLE001
        errors.append(e)


def check_words(off, data):
    """Each 8-byte word of data (off aligned) is p's word at its offset,
    or zero; so is the last, partial one, as far as it goes."""
    assert off % 8 == 0
    for i in range(0, len(data), 8):
        w, want = data[i:i + 8], P[off + i:off + i + 8][:len(data) - i]
        assert w == want or w == bytes(len(w)), \
            "word at %d: %r, want %r or zeros" % (off + i, w, want)


t = threading.Thread(target=shrinker)
t.start()
deadline = time.monotonic() + 6
rr = random.Random(5)
n_race = 0
try:
    while time.monotonic() < deadline and n_race < 2000:
        batch = []
        for _ in range(8):
            off, n = rr.randrange(0, SIZE // 8) * 8, rr.choice((4096, 65536, MAXREAD))
            batch.append((pfh, off, n) if rr.random() < 0.7 else (qfh, off, n))
        for (fh, off, n), (count, eof, data) in reads(batch):
            n_race += 1
            if fh == qfh:
                assert data == Q[off:off + count] and count == min(n, SIZE - off)
            else:
                check_words(off, data)
finally:
    stop.set()
    t.join()
assert not errors, errors
print("ok: %d READs in the truncate race" % n_race)
print("bytes %d" % total)
