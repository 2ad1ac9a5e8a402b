"""A Whisper service that goes wrong on purpose, one way per --fault, for the fault-injection suite.

It loads the restored model as the real service does (reads models/large-v3.pt from its folder) and
answers the OpenAI-compatible API (POST /v1/audio/transcriptions) — or, for the event-stream fault,
Gradio 5's — then misbehaves as told. Standard library only.
"""
import argparse
import json
import os
import signal
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FAULT = None


def load_model():
    with open(os.path.join("models", "large-v3.pt"), "rb") as model:
        while model.read(1 << 20):
            pass


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body, content_type="application/json", close=False):
        data = body if isinstance(body, bytes) else body.encode()
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(data)))
        if close:
            self.send_header("connection", "close")
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def read_body(self):
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self):
        if FAULT == "never-ready":
            return self.send(503, '{"detail":"model still loading"}')
        if self.path == "/config":
            return self.send(200, json.dumps({"version": "5.9.1", "api_prefix": "/gradio_api", "components": []}))
        if self.path.startswith("/gradio_api/call/predict/"):
            # An event stream that never completes: heartbeats only.
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.end_headers()
            try:
                while True:
                    self.wfile.write(b"event: heartbeat\ndata: null\n\n")
                    self.wfile.flush()
                    time.sleep(0.2)
            except (BrokenPipeError, ConnectionResetError):
                return
        return self.send(200, "<html>whisper</html>", "text/html")

    def do_POST(self):
        if FAULT == "refuse-before-upload":
            # An auth proxy: answers before reading the upload, and closes.
            self.send(403, '{"detail":"Invalid API key"}', close=True)
            self.close_connection = True
            return
        body = self.read_body()
        if self.path == "/gradio_api/upload":
            return self.send(200, '["/tmp/gradio/upload.wav"]')
        if self.path == "/gradio_api/call/predict":
            return self.send(200, '{"event_id":"e1"}')
        if FAULT == "crash-in-assert":
            print("Fatal Python error: Segmentation fault", file=sys.stderr, flush=True)
            os._exit(139)
        if FAULT == "killed-in-assert":
            os.kill(os.getpid(), signal.SIGKILL)
        if FAULT == "http-500":
            return self.send(500, '{"detail":"CUDA error: out of memory (tried to allocate 2.00 GiB)"}')
        if FAULT == "malformed-json":
            return self.send(200, '{"text": "欢迎使用')
        return self.send(200, json.dumps({"text": "欢迎使用Whisper服务", "bytes": len(body)}))


def main():
    global FAULT
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--fault", required=True)
    args = parser.parse_args()
    FAULT = args.fault
    load_model()
    if FAULT == "exit-at-start":
        print("RuntimeError: CUDA driver initialization failed", file=sys.stderr, flush=True)
        return 1
    if FAULT == "ignore-sigterm":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if FAULT == "setsid-daemon":
        # A worker that leaves the process group (and its parent): only the run id marks it as the service's.
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                os.closerange(3, 1 << 16)
                while True:
                    time.sleep(1)
            os._exit(0)
    if FAULT == "log-flood":
        # 50 MB of log a second, for as long as it runs.
        import threading
        block = b"".join(b"INFO decoding frame %08d: tokens ok, logits ok, beam 5 of 5\n" % i for i in range(16384))

        def flood():
            out = sys.stdout.buffer
            while True:
                began = time.monotonic()
                out.write(block)
                out.flush()
                time.sleep(max(0.0, len(block) / 50e6 - (time.monotonic() - began)))

        threading.Thread(target=flood, daemon=True).start()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print("* Running on local URL:  http://127.0.0.1:%d" % args.port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
