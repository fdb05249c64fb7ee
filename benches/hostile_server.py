#!/usr/bin/env python3
"""A hostile Scenario-like server for the memory figures in BENCHMARKS.md
(issue 20). Not a test fixture: the tests have their own in Rust
(tests/suite/support/hostile.rs).

    python3 benches/hostile_server.py worst PORT     # every list answer is one
                                                     # 14 MB page of a million
                                                     # tiny assets
    python3 benches/hostile_server.py extras PORT    # 1000 items of ~15 KB of
                                                     # unknown nested values
    python3 benches/hostile_server.py endless PORT   # /assets, /tags and
                                                     # /collections pages never
                                                     # end: fresh tokens forever

Then point assetui at http://127.0.0.1:PORT/v1 (any credentials).
"""

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

MODE = sys.argv[1]
PORT = int(sys.argv[2])


def base36(i):
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        i, r = divmod(i, 36)
        out = digits[r] + out
        if i == 0:
            return out


# a million {"id":"xxxx"} items (base-36 ids): ~14 MB, built once
WORST = None
if MODE == "worst":
    items = ",".join('{"id":"%s"}' % base36(i) for i in range(1_000_000))
    WORST = ('{"assets":[%s],"hits":[],"tags":[],"collections":[]}' % items).encode()
elif MODE == "extras":
    # 1000 items (the page cap), each with ~15 KB of empty arrays in an
    # unknown field: under every byte and item bound, the worst a page can
    # cost once decoded (unknown fields are kept as JSON trees)
    pad = ",".join(["[]"] * 5000)
    items = ",".join('{"id":"a%d","x":[%s]}' % (i, pad) for i in range(1000))
    WORST = ('{"assets":[%s],"hits":[],"tags":[],"collections":[]}' % items).encode()


def endless(path, token):
    n = int(token or 0)
    nxt = str(n + 1)
    if path.endswith("/tags"):
        body = {"tags": [{"tagName": "t%d-%d" % (n, i), "itemCount": 1} for i in range(100)]}
    elif path.endswith("/collections"):
        body = {"collections": [{"id": "c%d-%d" % (n, i), "name": "c"} for i in range(100)]}
    else:
        body = {"assets": [{"id": "a%d-%d" % (n, i)} for i in range(100)]}
    body["nextPaginationToken"] = nxt
    return json.dumps(body).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self):
        url = urlparse(self.path)
        token = parse_qs(url.query).get("paginationToken", [None])[0]
        length = int(self.headers.get("content-length") or 0)
        if length:
            self.rfile.read(length)
        body = WORST if WORST is not None else endless(url.path, token)
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    do_GET = answer
    do_POST = answer


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
