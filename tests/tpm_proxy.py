#!/usr/bin/env python3
"""A TCP proxy between a tool and swtpm that understands TPM 2.0 command framing.

The tool's TCTI points at the proxy (swtpm:host=127.0.0.1,port=LISTEN); the proxy forwards to
swtpm's server port (TARGET) and its control channel (LISTEN+1 -> TARGET+1, passed through as is).
Each TPM command is read whole (header: tag u16, size u32, code u32, big-endian) and each response
too, so the proxy can act on command boundaries. It has no TPM logic of its own; the real swtpm
answers everything, except:

  --cut-after N         "the TPM goes away": forward N commands, then close the connection at the
                        next one (it never reaches the TPM) and refuse every later connection.
  --cut-at CODE         the same at the first command with this command code (a name such as
                        ActivateCredential / Certify / EvictControl, or hex 0x147).
  --record FILE         save swtpm's response to the first TPM2_Certify in FILE.
  --replay FILE         a replaying TPM: every TPM2_Certify goes to swtpm (its state moves on as
                        usual) but the tool gets the response parameters recorded in FILE (the
                        certifyInfo and signature of an earlier session) instead. The response's
                        session area stays the live one (fresh nonceTPM), and the HMAC of a session
                        without a key (unsalted, unbound, no authValue: the policy sessions of the
                        TCG templates) is computed over the replayed parameters, as anyone on the
                        TPM's wire can: so what must catch the replay is the nonce check.
  --replay-verbatim     with --replay: the recorded response byte for byte (stale session area).
  --log FILE            one line per command: "N CODE NAME rc=0xRC [cut|replayed|recorded]".
  --port-file FILE      where the listening port goes once the proxy accepts connections
                        (with --listen 0 a free even port pair is picked).

Runs in the foreground until killed (SIGTERM). Standard library only.
"""
import argparse
import hashlib
import hmac
import os
import random
import signal
import socket
import struct
import sys
import threading

CODES = {
    'NV_UndefineSpaceSpecial': 0x11F, 'EvictControl': 0x120, 'HierarchyControl': 0x121,
    'NV_UndefineSpace': 0x122, 'Clear': 0x126, 'NV_DefineSpace': 0x12A, 'CreatePrimary': 0x131,
    'NV_Write': 0x137, 'StartUp': 0x144, 'Startup': 0x144, 'Shutdown': 0x145,
    'ActivateCredential': 0x147, 'Certify': 0x148, 'CertifyCreation': 0x14A, 'NV_Read': 0x14E,
    'Create': 0x153, 'Load': 0x157, 'Quote': 0x158, 'Sign': 0x15D, 'Unseal': 0x15E,
    'PolicySecret': 0x151, 'ContextLoad': 0x161, 'ContextSave': 0x162, 'FlushContext': 0x165,
    'LoadExternal': 0x167, 'MakeCredential': 0x168, 'NV_ReadPublic': 0x169,
    'PolicyCommandCode': 0x16C, 'PolicyOR': 0x171, 'ReadPublic': 0x173, 'StartAuthSession': 0x176,
    'GetCapability': 0x17A, 'GetRandom': 0x17B, 'PCR_Read': 0x17E, 'PolicyGetDigest': 0x189,
    'CreateLoaded': 0x191, 'TestParms': 0x18A, 'Hash': 0x17D,
}
NAMES = {v: k for k, v in CODES.items()}
CERTIFY = CODES['Certify']


def code_of(text):
    if text in CODES:
        return CODES[text]
    try:
        return int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f'unknown TPM command code {text!r} (a name like Certify, or hex)')


def tpm2b(b, off):
    n = struct.unpack('>H', b[off:off + 2])[0]
    return b[off + 2:off + 2 + n], off + 2 + n


def command_sessions(cmd, handles):
    """[(sessionHandle, nonceCaller, attributes)] of a TPM_ST_SESSIONS command."""
    if struct.unpack('>H', cmd[0:2])[0] != 0x8002:
        return []
    off = 10 + 4 * handles
    end = off + 4 + struct.unpack('>I', cmd[off:off + 4])[0]
    off += 4
    out = []
    while off < end:
        h = struct.unpack('>I', cmd[off:off + 4])[0]
        nonce, off = tpm2b(cmd, off + 4)
        attrs = cmd[off]
        _, off = tpm2b(cmd, off + 1)
        out.append((h, nonce, attrs))
    return out


def response_parts(rsp):
    """(parameters, [(nonceTPM, attributes, hmac)]) of a TPM_ST_SESSIONS response without handles."""
    psize = struct.unpack('>I', rsp[10:14])[0]
    params = rsp[14:14 + psize]
    off, areas = 14 + psize, []
    while off < len(rsp):
        nonce, off = tpm2b(rsp, off)
        attrs = rsp[off]
        mac, off = tpm2b(rsp, off + 1)
        areas.append((nonce, attrs, mac))
    return params, areas


def replay_response(cmd, live, recorded):
    """The recorded response's parameters with the live session area, keyless HMACs recomputed
    (TPM 2.0 Part 1 §19.6.18: HMAC(sessionKey || authValue, rpHash || nonceTPM || nonceCaller ||
    sessionAttributes), rpHash = H(responseCode || commandCode || parameters))."""
    if struct.unpack('>H', live[0:2])[0] != 0x8002 or struct.unpack('>H', recorded[0:2])[0] != 0x8002:
        return recorded
    params, _ = response_parts(recorded)
    _, areas = response_parts(live)
    sessions = command_sessions(cmd, 2)  # TPM2_Certify: objectHandle, signHandle
    code = cmd[6:10]
    tail = b''
    for i, (nonce_tpm, attrs, mac) in enumerate(areas):
        if mac and i < len(sessions):
            algo = {32: hashlib.sha256, 48: hashlib.sha384, 20: hashlib.sha1, 64: hashlib.sha512}[len(mac)]
            rp_hash = algo(b'\0\0\0\0' + code + params).digest()
            mac = hmac.new(b'', rp_hash + nonce_tpm + sessions[i][1] + bytes([attrs]), algo).digest()
        tail += struct.pack('>H', len(nonce_tpm)) + nonce_tpm + bytes([attrs]) + struct.pack('>H', len(mac)) + mac
    body = struct.pack('>I', len(params)) + params + tail
    return struct.pack('>HII', 0x8002, 10 + len(body), 0) + body


def recv_exact(sock, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return bytes(buf)


def recv_frame(sock):
    """One TPM command or response: the 10-byte header, then size-10 more bytes. None on EOF."""
    head = recv_exact(sock, 10)
    if head is None:
        return None
    size = struct.unpack('>I', head[2:6])[0]
    if size < 10 or size > 1 << 20:
        raise ValueError(f'bad TPM frame size {size}')
    rest = recv_exact(sock, size - 10)
    if rest is None:
        return None
    return head + rest


class Proxy:
    def __init__(self, args):
        self.args = args
        self.count = 0
        self.gone = False
        self.lock = threading.Lock()
        self.recorded = False
        self.replay = open(args.replay, 'rb').read() if args.replay else None
        self.log = open(args.log, 'a', buffering=1) if args.log else None

    def note(self, text):
        if self.log:
            self.log.write(text + '\n')

    def serve_tpm(self, client):
        upstream = None
        try:
            if self.gone:
                return
            upstream = socket.create_connection(('127.0.0.1', self.args.target))
            while True:
                cmd = recv_frame(client)
                if cmd is None:
                    return
                code = struct.unpack('>I', cmd[6:10])[0]
                name = NAMES.get(code, '?')
                with self.lock:
                    n = self.count + 1
                    cut = self.gone or (self.args.cut_after is not None and n > self.args.cut_after) or \
                        (self.args.cut_at is not None and code == self.args.cut_at)
                    if cut:
                        self.gone = True
                        self.note(f'{n} 0x{code:03x} {name} cut')
                        return
                    self.count = n
                upstream.sendall(cmd)
                rsp = recv_frame(upstream)
                if rsp is None:
                    self.note(f'{n} 0x{code:03x} {name} swtpm closed')
                    return
                rc = struct.unpack('>I', rsp[6:10])[0]
                what = ''
                if code == CERTIFY and rc == 0:
                    if self.args.record and not self.recorded:
                        with open(self.args.record, 'wb') as f:
                            f.write(rsp)
                        self.recorded = True
                        what = ' recorded'
                    if self.replay is not None:
                        try:
                            rsp = self.replay if self.args.replay_verbatim else replay_response(cmd, rsp, self.replay)
                        except (IndexError, KeyError, struct.error):
                            rsp = self.replay
                        what = ' replayed'
                self.note(f'{n} 0x{code:03x} {name} rc=0x{rc:x}{what}')
                client.sendall(rsp)
        except (OSError, ValueError) as e:
            self.note(f'connection error: {e}')
        finally:
            for s in (client, upstream):
                if s is not None:
                    try:
                        s.close()
                    except OSError:
                        pass

    def serve_ctrl(self, client):
        """The control channel: bytes passed through both ways (nothing gone unless the TPM is)."""
        if self.gone:
            client.close()
            return
        try:
            upstream = socket.create_connection(('127.0.0.1', self.args.target + 1))
        except OSError:
            client.close()
            return

        def pump(a, b):
            try:
                while True:
                    data = a.recv(65536)
                    if not data:
                        break
                    b.sendall(data)
            except OSError:
                pass
            finally:
                for s in (a, b):
                    try:
                        s.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

        t = threading.Thread(target=pump, args=(upstream, client), daemon=True)
        t.start()
        pump(client, upstream)
        t.join()
        client.close()
        upstream.close()


def listen_pair(port):
    """Two listening sockets on PORT and PORT+1 (PORT 0: a free even pair)."""
    for _ in range(50):
        p = port or 20000 + 2 * random.randrange(10000)
        a = socket.socket()
        b = socket.socket()
        try:
            for s in (a, b):
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            a.bind(('127.0.0.1', p))
            b.bind(('127.0.0.1', p + 1))
            a.listen(8)
            b.listen(8)
            return p, a, b
        except OSError:
            a.close()
            b.close()
            if port:
                raise
    raise OSError('no free port pair')


def accept_loop(sock, handler):
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=handler, args=(conn,), daemon=True).start()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--listen', type=int, default=0, help='port for the tool (its control channel is +1); 0 = free')
    ap.add_argument('--target', type=int, required=True, help="swtpm's server port (control channel +1)")
    ap.add_argument('--cut-after', type=int, metavar='N')
    ap.add_argument('--cut-at', type=code_of, metavar='CODE')
    ap.add_argument('--record', metavar='FILE')
    ap.add_argument('--replay', metavar='FILE')
    ap.add_argument('--replay-verbatim', action='store_true')
    ap.add_argument('--log', metavar='FILE')
    ap.add_argument('--port-file', metavar='FILE')
    args = ap.parse_args()
    if args.replay and not os.path.exists(args.replay):
        ap.error(f'--replay: no such file {args.replay}')
    proxy = Proxy(args)
    port, tpm_sock, ctrl_sock = listen_pair(args.listen)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    threading.Thread(target=accept_loop, args=(ctrl_sock, proxy.serve_ctrl), daemon=True).start()
    if args.port_file:
        tmp = args.port_file + '.tmp'
        with open(tmp, 'w') as f:
            f.write(f'{port}\n')
        os.rename(tmp, args.port_file)
    else:
        print(port, flush=True)
    try:
        accept_loop(tpm_sock, proxy.serve_tpm)
    except KeyboardInterrupt:
        pass


if __name__ == '__main__':
    sys.exit(main())
