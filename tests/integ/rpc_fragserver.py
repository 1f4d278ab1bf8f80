#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# A tiny ONC RPC server over TCP for tests/integ/rpctest-stream.sh: it
# answers every call with MSG_ACCEPTED/SUCCESS and no results (a NULL
# reply: xid copied from the call, verifier AUTH_NONE of length 0,
# accept_stat 0) and cuts its replies into record fragments (RFC 5531 §11)
# in ways krpc never does, so that rpctest's receive path meets them:
#
#   rpc_fragserver.py MODE [LIFETIME_S]
#
#   split3   each reply in 3 non-empty fragments (8 + 8 + 8 body bytes)
#   zeros    3 zero-length non-last fragments, then the body as the last
#   dribble  every byte of every reply in its own send() (TCP_NODELAY);
#            even-numbered replies of a connection are one fragment, odd
#            ones 3 fragments, so marks and bodies arrive cut anywhere
#   badxid   like split3, but the 5th reply of each connection carries the
#            call's xid with every bit flipped: a client must reject it
#   windowN  holds its replies until N calls are outstanding (or none came
#            for 50 ms: the end of a run), waits 5 ms more for any call
#            beyond them, then sends them all at once (one fragment each,
#            but every third reply in 3, so that records of two lengths
#            mix); more than N calls outstanding is an error (on stderr,
#            and the connection ends): the client's window is -a N
#
# Listens on 127.0.0.1, port 0, and prints the port on stdout. Serves any
# number of connections, one thread each. Calls are parsed with their own
# record marking (a call may come in several fragments, as rpctest -f
# sends them; several calls may come in one segment, as rpctest -b sends
# them). A call that is not a CALL (msg_type 1) or a bad record mark ends
# its connection with a message on stderr. Exits after LIFETIME_S
# (default 120) whatever happens, so it cannot outlive a test.
import os
import socket
import struct
import sys
import threading
import time

LAST = 0x80000000
MODES = ("split3", "zeros", "dribble", "badxid")


def frame(body, sizes):
    """The record of body cut into fragments of the given sizes (the last
    one gets the rest and the last-fragment bit)."""
    out, off = [], 0
    for n in sizes:
        out.append(struct.pack(">I", n) + body[off:off + n])
        off += n
    out.append(struct.pack(">I", LAST | (len(body) - off)) + body[off:])
    return b"".join(out)


def window_of(mode):
    """N of windowN, or 0."""
    if mode.startswith("window") and mode[6:].isdigit() and int(mode[6:]) > 0:
        return int(mode[6:])
    return 0


def reply(mode, xid, nth):
    if window_of(mode):
        return frame(struct.pack(">IIIIII", xid, 1, 0, 0, 0, 0), (8, 8) if nth % 3 == 2 else ())
    if mode == "badxid" and nth == 4:
        xid ^= 0xFFFFFFFF
    # xid, REPLY, MSG_ACCEPTED, verf AUTH_NONE + length 0, SUCCESS.
    body = struct.pack(">IIIIII", xid, 1, 0, 0, 0, 0)
    if mode in ("split3", "badxid"):
        return frame(body, (8, 8))
    if mode == "zeros":
        return frame(body, (0, 0, 0))
    # dribble
    return frame(body, () if nth % 2 == 0 else (8, 8))


def late_calls(conn):
    """windowN, with N calls outstanding: whatever else the client sends
    within 5 ms (nothing, if it keeps to its window)."""
    time.sleep(0.005)
    conn.setblocking(False)
    try:
        return conn.recv(65536)
    except BlockingIOError:
        return b""
    finally:
        conn.setblocking(True)


def serve(conn, mode):
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buf = b""
    frags = []	# the fragments of the call being gathered
    nth = 0
    window = window_of(mode)
    held = []	# windowN: replies not sent yet
    try:
        while True:
            conn.settimeout(0.05 if held else None)
            try:
                data = conn.recv(65536)
            except socket.timeout:
                conn.sendall(b"".join(held))	# the last calls of a run
                held = []
                continue
            if not data:
                return
            buf += data
            while len(buf) >= 4:
                (hdr,) = struct.unpack(">I", buf[:4])
                flen = hdr & ~LAST
                if flen > 1 << 20:
                    sys.stderr.write("rpc_fragserver: fragment of %d bytes\n" % flen)
                    return
                if len(buf) < 4 + flen:
                    break
                frags.append(buf[4:4 + flen])
                buf = buf[4 + flen:]
                if not hdr & LAST:
                    continue
                call = b"".join(frags)
                frags = []
                if len(call) < 8 or struct.unpack(">I", call[4:8])[0] != 0:
                    sys.stderr.write("rpc_fragserver: not a CALL (%d bytes)\n" % len(call))
                    return
                (xid,) = struct.unpack(">I", call[:4])
                rec = reply(mode, xid, nth)
                nth += 1
                if window:
                    held.append(rec)
                    if len(held) > window:
                        sys.stderr.write("rpc_fragserver: %d calls outstanding, more than "
                                         "%d\n" % (len(held), window))
                        return
                    if len(held) == window and not buf:
                        more = late_calls(conn)
                        if more:
                            buf += more	# parsed next: too many is an error
                            continue
                        conn.sendall(b"".join(held))
                        held = []
                    continue
                if mode == "dribble":
                    for i in range(len(rec)):
                        conn.sendall(rec[i:i + 1])
                else:
                    conn.sendall(rec)
    except OSError:
        pass	# the client went away: its business
    finally:
        conn.close()


def main():
    if len(sys.argv) not in (2, 3) or (sys.argv[1] not in MODES and
                                        not window_of(sys.argv[1])):
        sys.stderr.write("usage: rpc_fragserver.py %s|windowN [LIFETIME_S]\n" %
                         "|".join(MODES))
        sys.exit(2)
    mode = sys.argv[1]
    life = float(sys.argv[2]) if len(sys.argv) == 3 else 120.0
    t = threading.Timer(life, lambda: os._exit(0))
    t.daemon = True
    t.start()
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(64)
    print(ls.getsockname()[1], flush=True)
    while True:
        conn, _ = ls.accept()
        threading.Thread(target=serve, args=(conn, mode), daemon=True).start()


if __name__ == "__main__":
    main()
