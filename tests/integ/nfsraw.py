#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# nfsraw.py PORT DIR NAME UID GID: a minimal NFS v3 client over TCP for
# tests (nfs-perm.sh) that must send what libnfs would not: MOUNT v3 MNT
# of DIR, NFS v3 LOOKUP of NAME and READ of its first 4 KiB, with AUTH_SYS
# UID GID (no groups), each only if the one before succeeded; prints
# "mnt=S lookup=S read=S" (status numbers, - when not reached).
import socket, struct, sys

def opaque(b):
    return struct.pack('>I', len(b)) + b + b'\0' * (-len(b) % 4)

class Client:
    def __init__(self, port, uid, gid):
        self.s = socket.create_connection(('127.0.0.1', port), timeout=10)
        self.xid = 0x4b534600
        self.cred = struct.pack('>I', 1) + opaque(b'nfsraw') + struct.pack('>III', uid, gid, 0)

    def recvall(self, n):
        b = b''
        while len(b) < n:
            c = self.s.recv(n - len(b))
            if not c:
                raise EOFError('connection closed')
            b += c
        return b

    def call(self, prog, vers, proc, args):
        self.xid += 1
        m = struct.pack('>IIIIII', self.xid, 0, 2, prog, vers, proc)
        m += struct.pack('>I', 1) + opaque(self.cred) + struct.pack('>II', 0, 0) + args
        self.s.sendall(struct.pack('>I', 0x80000000 | len(m)) + m)
        r = b''
        while True:
            h, = struct.unpack('>I', self.recvall(4))
            r += self.recvall(h & 0x7fffffff)
            if h & 0x80000000:
                break
        xid, mtype, rstat = struct.unpack('>III', r[:12])
        vlen, = struct.unpack('>I', r[16:20])
        pos = 20 + vlen + (-vlen % 4)
        acc, = struct.unpack('>I', r[pos:pos + 4])
        if xid != self.xid or mtype != 1 or rstat != 0 or acc != 0:
            raise RuntimeError('RPC reply not accepted: %d %d %d %d' % (xid, mtype, rstat, acc))
        return r[pos + 4:]

def fh_of(body):
    n, = struct.unpack('>I', body[4:8])
    return body[8:8 + n]

port, path, name, uid, gid = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
c = Client(port, uid, gid)
out = {'mnt': '-', 'lookup': '-', 'read': '-'}
r = c.call(100005, 3, 1, opaque(path.encode()))
out['mnt'], = struct.unpack('>I', r[:4])
if out['mnt'] == 0:
    r = c.call(100003, 3, 3, opaque(fh_of(r)) + opaque(name.encode()))
    out['lookup'], = struct.unpack('>I', r[:4])
    if out['lookup'] == 0:
        r = c.call(100003, 3, 6, opaque(fh_of(r)) + struct.pack('>QI', 0, 4096))
        out['read'], = struct.unpack('>I', r[:4])
print('mnt=%s lookup=%s read=%s' % (out['mnt'], out['lookup'], out['read']))
