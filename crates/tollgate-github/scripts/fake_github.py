#!/usr/bin/env python3
"""A minimal fake GitHub REST API on 127.0.0.1 for measuring `tollgate run --post` (not for
tests: those use tests/support/fake.rs, which validates every request against GitHub's
OpenAPI description).

    python3 fake_github.py PORT [UPLOAD_DIR]

Answers what publishing asks (check runs, reviews, comments, code-scanning uploads and their
status) and, with UPLOAD_DIR, saves each code-scanning upload's SARIF log there, decoded from
base64 and gunzipped, as upload-N.sarif. Never reaches the network."""

import base64
import gzip
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

UPLOADS = [0]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("content-length") or 0)
        return json.loads(self.rfile.read(n) or b"null")

    def do_GET(self):
        path = self.path.split("?")[0]
        if "/code-scanning/sarifs/" in path:
            self.answer(200, {"processing_status": "complete", "analyses_url": None, "errors": []})
        elif path.endswith(("/files", "/comments", "/reviews")):
            self.answer(200, [])
        else:
            self.answer(200, {})

    def do_POST(self):
        body = self.body()
        if self.path.endswith("/code-scanning/sarifs"):
            out = sys.argv[2] if len(sys.argv) > 2 else None
            if out:
                UPLOADS[0] += 1
                log = gzip.decompress(base64.b64decode(body["sarif"]))
                with open(os.path.join(out, f"upload-{UPLOADS[0]}.sarif"), "wb") as f:
                    f.write(log)
            self.answer(202, {"id": "47177e22-5596-11eb-80a1-c1e54ef945c6", "url": "x"})
        else:
            self.answer(201, {"id": 1, "node_id": "x", "html_url": "http://127.0.0.1/x"})

    def do_PATCH(self):
        self.body()
        self.answer(200, {"id": 1, "html_url": "http://127.0.0.1/x"})

    def do_DELETE(self):
        self.answer(204, {})


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
