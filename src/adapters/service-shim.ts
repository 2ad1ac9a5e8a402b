/**
 * The service's shim: a python3 program (standard library, ctypes; Linux x86_64) the drill starts the
 * service through, so that
 *  - with `--netns` (run under `unshare --net`): the namespace's loopback is brought up, and a
 *    forwarder inside it carries the drill's connections from a Unix socket in the workspace to the
 *    service's port — the namespace has no other interface, so nothing outside is reachable;
 *  - with `--trace FILE`: every outgoing connection attempt of the service's whole process tree is
 *    written to FILE as a JSON line — connect(), and sendto()/sendmsg()/sendmmsg() to an address (UDP,
 *    DNS) — refused ones included, which sampling /proc/<pid>/net cannot see. It is a tracer that
 *    stops the service only at those calls: a seccomp filter (SECCOMP_RET_TRACE) picks them, ptrace
 *    reads their address, everything else runs untouched.
 * The shim waits for every process of the service and exits as its first one did; it ignores
 * TERM/INT/HUP (the whole process group gets them, the service decides), and its tracees die with it
 * (PTRACE_O_EXITKILL) — so it leaves only when they are gone.
 * Usage: python3 -I -S shim.py [--netns --socket PATH --host H --port N] [--trace FILE] -- CMD...
 */
import { PY_COMMAND_OF } from './system-python.js';

export const SERVICE_SHIM_PY = String.raw`
import ctypes, fcntl, json, os, signal, socket, struct, sys, threading

argv = sys.argv[1:]
split = argv.index("--")
opts, command = argv[:split], argv[split + 1:]
def opt(name):
    return opts[opts.index(name) + 1] if name in opts else None

def loopback_up():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    request = struct.pack("16sH14s", b"lo", 0, b"")
    flags = struct.unpack("16sH14s", fcntl.ioctl(s, 0x8913, request))[1]
    fcntl.ioctl(s, 0x8914, struct.pack("16sH14s", b"lo", flags | 0x1 | 0x40, b""))
    s.close()

def pump(source, sink, ended):
    # One direction. When it ends (or its sink refuses more: a service that answered and closed with the
    # request unread), only that direction is closed: the other still carries the answer back whole.
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            sink.sendall(data)
    except OSError:
        pass
    try:
        sink.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    with ended[0]:
        ended[1] += 1
        last = ended[1] == 2
    if last:
        for s in (sink, source):
            s.close()

def forward(path, host, port):
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(128)
    def serve():
        while True:
            client, _ = server.accept()
            try:
                upstream = socket.create_connection((host, port))
            except OSError:
                client.close()
                continue
            ended = [threading.Lock(), 0]
            threading.Thread(target=pump, args=(client, upstream, ended), daemon=True).start()
            threading.Thread(target=pump, args=(upstream, client, ended), daemon=True).start()
    threading.Thread(target=serve, daemon=True).start()

if "--netns" in opts:
    loopback_up()
    forward(opt("--socket"), opt("--host"), int(opt("--port")))

libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.restype = ctypes.c_long
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
PTRACE_TRACEME, PTRACE_CONT, PTRACE_GETREGS, PTRACE_SETOPTIONS = 0, 7, 12, 0x4200
OPTIONS = 0x2 | 0x4 | 0x8 | 0x10 | 0x80 | 0x100000  # fork, vfork, clone, exec, seccomp, exitkill
EVENT_SECCOMP = 7
WALL = 0x40000000
CONNECT, SENDTO, SENDMSG, SENDMMSG = 42, 44, 46, 307
NAMES = {CONNECT: "connect", SENDTO: "sendto", SENDMSG: "sendmsg", SENDMMSG: "sendmmsg"}

def bpf(code, jt, jf, k):
    return struct.pack("HBBI", code, jt, jf, k)

ALLOW, TRACE = 0x7FFF0000, 0x7FF00000
REFUSE = 0x00050000 | 1     # SECCOMP_RET_ERRNO, EPERM
NO_SUCH_CALL = 0x00050000 | 38  # SECCOMP_RET_ERRNO, ENOSYS: as on a kernel without it
IO_URING_SETUP = 425
# Paths the tracer cannot follow are closed rather than left open: i386 network calls (int 0x80, or a
# 32-bit program: socketcall, connect, sendto, sendmsg, sendmmsg) are refused, x32 calls (numbers from
# 0x40000000) too, and io_uring, whose connects and sends no system call shows, looks absent (ENOSYS).
FILTER = b"".join([
    bpf(0x20, 0, 0, 4), bpf(0x15, 8, 0, 0xC000003E),                          # 0-1: x86_64 on to 10
    bpf(0x20, 0, 0, 0),                                                       # 2: an i386 call's number
    bpf(0x15, 5, 0, 102), bpf(0x15, 4, 0, 362), bpf(0x15, 3, 0, 369),         # 3-5: socketcall, connect, sendto
    bpf(0x15, 2, 0, 370), bpf(0x15, 1, 0, 345),                               # 6-7: sendmsg, sendmmsg
    bpf(0x06, 0, 0, ALLOW), bpf(0x06, 0, 0, REFUSE),                          # 8-9
    bpf(0x20, 0, 0, 0),                                                       # 10: the call's number
    bpf(0x25, 0, 1, 0x3FFFFFFF), bpf(0x06, 0, 0, REFUSE),                     # 11-12: x32
    bpf(0x15, 0, 1, IO_URING_SETUP), bpf(0x06, 0, 0, NO_SUCH_CALL),          # 13-14
    bpf(0x15, 9, 0, CONNECT), bpf(0x15, 8, 0, SENDMSG), bpf(0x15, 7, 0, SENDMMSG),  # 15-17
    bpf(0x15, 1, 0, SENDTO), bpf(0x06, 0, 0, ALLOW),                          # 18-19
    bpf(0x20, 0, 0, 48), bpf(0x15, 0, 3, 0), bpf(0x20, 0, 0, 52), bpf(0x15, 0, 1, 0),  # 20-23: sendto(..., NULL, 0): a connected socket
    bpf(0x06, 0, 0, ALLOW), bpf(0x06, 0, 0, TRACE),                           # 24-25
])

class Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_char_p)]

def read(pid, address, size):
    with open("/proc/%d/mem" % pid, "rb", buffering=0) as mem:
        mem.seek(address)
        return mem.read(size)

def addresses_of(pid, regs):
    nr = regs[15]
    if nr == CONNECT:
        names = [(regs[13], regs[12])]
    elif nr == SENDTO:
        names = [(regs[9], regs[8])]
    elif nr == SENDMSG:
        names = [struct.unpack("QI", read(pid, regs[13], 12))]
    else:  # sendmmsg: every message of the vector (struct mmsghdr: a msghdr of 56 bytes, then msg_len, padded to 64)
        vector = read(pid, regs[13], 64 * min(regs[12], 1024))
        names = [struct.unpack_from("QI", vector, 64 * i) for i in range(len(vector) // 64)]
    found = []
    for where, size in names:
        target = sockaddr(pid, where, size)
        if target and target not in found:
            found.append(target)
    return found

def sockaddr(pid, where, size):
    if not where or size < 2:
        return None
    raw = read(pid, where, min(size, 28))
    family = struct.unpack("H", raw[:2])[0]
    if family == socket.AF_INET and len(raw) >= 8:
        return socket.inet_ntop(socket.AF_INET, raw[4:8]), struct.unpack(">H", raw[2:4])[0]
    if family == socket.AF_INET6 and len(raw) >= 24:
        return socket.inet_ntop(socket.AF_INET6, raw[8:24]), struct.unpack(">H", raw[2:4])[0]
    return None

${PY_COMMAND_OF}
trace_file = opt("--trace")
for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(number, signal.SIG_IGN)

child = os.fork()
if child == 0:
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(number, signal.SIG_DFL)
    if trace_file:
        if libc.ptrace(PTRACE_TRACEME, 0, None, None) != 0:
            os.write(2, ("whisper-drill: the connection tracer cannot trace the service here (ptrace: %s)\n" % os.strerror(ctypes.get_errno())).encode())
            os._exit(125)
        os.kill(os.getpid(), signal.SIGSTOP)
        if os.geteuid() != 0:
            libc.prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS, which a filter needs without CAP_SYS_ADMIN
        program = Program(len(FILTER) // 8, FILTER)
        if libc.prctl(22, 2, ctypes.addressof(program), 0, 0) != 0:  # PR_SET_SECCOMP, SECCOMP_MODE_FILTER
            os.write(2, b"whisper-drill: the connection tracer could not be installed\n")
            os._exit(126)
    try:
        os.execvp(command[0], command)
    except OSError as error:
        os.write(2, ("whisper-drill: %s: %s\n" % (command[0], error.strerror)).encode())
        os._exit(127)

def finish(status):
    if os.WIFEXITED(status):
        sys.exit(os.WEXITSTATUS(status))
    sys.exit(128 + os.WTERMSIG(status))

if not trace_file:
    finish(os.waitpid(child, 0)[1])

out = open(trace_file, "a", buffering=1)
os.waitpid(child, WALL)
libc.ptrace(PTRACE_SETOPTIONS, child, None, OPTIONS)
libc.ptrace(PTRACE_CONT, child, None, None)
regs = (ctypes.c_ulonglong * 27)()
# Until the last traced process is gone: leaving when the first one does would kill the others with us
# (PTRACE_O_EXITKILL) before they finish stopping — a service whose shell forked it loses its cleanup.
main_status = 0
while True:
    try:
        pid, status = os.waitpid(-1, WALL)
    except ChildProcessError:
        finish(main_status)
    if os.WIFEXITED(status) or os.WIFSIGNALED(status):
        if pid == child:
            main_status = status
        continue
    if not os.WIFSTOPPED(status):
        continue
    deliver = 0
    if status >> 16 == EVENT_SECCOMP:
        if libc.ptrace(PTRACE_GETREGS, pid, None, ctypes.addressof(regs)) == 0:
            try:
                targets = addresses_of(pid, regs)
            except (OSError, struct.error):
                targets = []
            for target in targets:
                out.write(json.dumps({"pid": pid, "command": command_of(pid), "call": NAMES.get(regs[15], "?"), "address": target[0], "port": target[1]}) + "\n")
    elif status >> 16 == 0 and os.WSTOPSIG(status) not in (signal.SIGSTOP, signal.SIGTRAP):
        deliver = os.WSTOPSIG(status)
    libc.ptrace(PTRACE_CONT, pid, None, deliver)
`;
