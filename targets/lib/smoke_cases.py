#!/usr/bin/env python3
"""Key cases of standard.yaml sent to a running recipe, compared with the model, as a Markdown table.

Not the conformance runner (that is `edgeconform run`): a hand check for recipes while the runner
is not there, and the source of the observed-behaviour tables in targets/README.md. Requests are
written byte for byte on raw sockets (raw request-targets, missing Host, GET with a body, HTTP/1.0),
one connection per case. What reached the origin is read from the origin's control endpoint
(records by correlation id), never from the response echo.

Usage: smoke_cases.py EDGECONFORM DISTRIBUTION HTTP_PORT HTTPS_PORT CONTROL_ADDR CA_PEM [FILTER]
"""

import json
import socket
import ssl
import subprocess
import sys
import urllib.request

DOMAIN = "d111111abcdef8.cloudfront.net"
ALIAS = "www.example.com"

# (id, scheme, method, host or None for no Host, raw target, extra headers, body bytes, version)
CASES = [
    ("img-get", "http", "GET", ALIAS, "/images/a.jpg?x=1", [], b"", "1.1"),
    ("img-head", "http", "HEAD", ALIAS, "/images/a.jpg", [], b"", "1.1"),
    ("img-post", "http", "POST", ALIAS, "/images/a", [], b"x=1", "1.1"),
    ("img-post-1.0", "http", "POST", ALIAS, "/images/a", [], b"x=1", "1.0"),
    ("img-https", "https", "GET", ALIAS, "/images/a.jpg", [], b"", "1.1"),
    ("img-png-shadow", "http", "GET", ALIAS, "/images/a.png", [], b"", "1.1"),
    ("img-raw-target", "http", "GET", ALIAS, "/images/a%2Fb%41;p?q=%7e&r=a+b", [], b"", "1.1"),
    ("img-host-port", "http", "GET", ALIAS + ":8080", "/images/a", [], b"", "1.1"),
    ("img-host-case", "http", "GET", "WWW.Example.COM", "/images/a", [], b"", "1.1"),
    ("img-domain", "http", "GET", DOMAIN, "/images/a", [], b"", "1.1"),
    ("acct-get", "http", "GET", ALIAS, "/account/x", [], b"", "1.1"),
    ("acct-post", "http", "POST", ALIAS, "/account/x", [], b"x=1", "1.1"),
    ("acct-https", "https", "GET", ALIAS, "/account/x", [], b"", "1.1"),
    ("acct-https-del", "https", "DELETE", ALIAS, "/account/x", [], b"", "1.1"),
    ("pub-http", "http", "GET", ALIAS, "/public/p?v=1", [], b"", "1.1"),
    ("pub-raw", "http", "GET", ALIAS, "/public/a%41%2Fb/./c?x=%20", [], b"", "1.1"),
    ("pub-https", "https", "GET", ALIAS, "/public/p", [], b"", "1.1"),
    ("pub-post", "http", "POST", ALIAS, "/public/p", [], b"x=1", "1.1"),
    ("pub-xfp", "https", "GET", ALIAS, "/public/p", [("X-Forwarded-Proto", "http")], b"", "1.1"),
    ("site-http", "http", "GET", ALIAS, "/site/x", [], b"", "1.1"),
    ("site-https", "https", "GET", ALIAS, "/site/x", [], b"", "1.1"),
    ("api-http-get", "http", "GET", ALIAS, "/api/x?y=1", [], b"", "1.1"),
    ("api-http-del", "http", "DELETE", ALIAS, "/api/x", [], b"", "1.1"),
    ("api-http-put", "http", "PUT", ALIAS, "/api/x", [], b"x=1", "1.1"),
    ("api-https-get", "https", "GET", ALIAS, "/api/x?y=1", [], b"", "1.1"),
    ("api-https-post", "https", "POST", ALIAS, "/api/x", [], b"x=1", "1.1"),
    ("legacy-http", "http", "GET", ALIAS, "/legacy/x", [], b"", "1.1"),
    ("legacy-https", "https", "GET", ALIAS, "/legacy/x", [], b"", "1.1"),
    ("legacy-options", "http", "OPTIONS", ALIAS, "/legacy/x", [], b"", "1.1"),
    ("legacy-post", "https", "POST", ALIAS, "/legacy/x", [], b"x=1", "1.1"),
    ("legacy-cfp-spoof", "http", "GET", ALIAS, "/legacy/x", [("CloudFront-Forwarded-Proto", "https")], b"", "1.1"),
    ("secure-http", "http", "GET", ALIAS, "/secure/x", [], b"", "1.1"),
    ("docs-1char", "http", "GET", ALIAS, "/Docs/a.html", [], b"", "1.1"),
    ("media-http", "http", "GET", ALIAS, "/media/clip.mp4", [], b"", "1.1"),
    ("media-https", "https", "GET", ALIAS, "/media/clip.mp4", [], b"", "1.1"),
    ("docs-2char", "http", "GET", ALIAS, "/Docs/ab.html", [], b"", "1.1"),
    ("docs-lower", "http", "GET", ALIAS, "/docs/a.html", [], b"", "1.1"),
    ("images-case", "http", "GET", ALIAS, "/Images/a.jpg", [], b"", "1.1"),
    ("dotdot", "http", "GET", ALIAS, "/public/../images/a", [], b"", "1.1"),
    ("pct-dot", "http", "GET", ALIAS, "/public/%2e%2e/images/a", [], b"", "1.1"),
    ("pct-slash", "http", "GET", ALIAS, "/images%2Fa", [], b"", "1.1"),
    ("default-http", "http", "GET", ALIAS, "/index.html", [], b"", "1.1"),
    ("evil-host-http", "http", "GET", "evil.example", "/images/a", [], b"", "1.1"),
    ("evil-host-https", "https", "GET", "evil.example", "/public/p", [], b"", "1.1"),
    ("no-host-1.0", "http", "GET", None, "/images/a", [], b"", "1.0"),
    ("bad-host", "http", "GET", "a b", "/images/a", [], b"", "1.1"),
    ("method-foo", "http", "FOO", ALIAS, "/public/p", [], b"", "1.1"),
    ("method-lower", "http", "get", ALIAS, "/public/p", [], b"", "1.1"),
    ("get-body", "http", "GET", ALIAS, "/public/p", [], b"hello", "1.1"),
    ("get-chunked", "http", "GET", ALIAS, "/public/p", [("Transfer-Encoding", "chunked")], b"", "1.1"),
    ("img-options-https", "https", "OPTIONS", ALIAS, "/images/a", [], b"", "1.1"),
    ("head-3x8k", "http", "GET", ALIAS, "/public/p", [("X-Big1", "b" * 8000), ("X-Big2", "b" * 8000),
                                                     ("X-Big3", "b" * 8000)], b"", "1.1"),
    ("url-9000", "http", "GET", ALIAS, "/public/" + "a" * 9000, [], b"", "1.1"),
    ("head-21k", "http", "GET", ALIAS, "/public/p", [("X-Big", "b" * 21000)], b"", "1.1"),
]


def decide(exe, dist, case):
    cid, scheme, method, host, target, headers, body, version = case
    if host is None or " " in host:
        # The model takes a URL: a missing or malformed Host is HOST-ROUTE's 403 (RULES.md).
        return {"status": 403}
    args = [exe, "decide", "-d", dist, "-X", method, "--url", f"{scheme}://{host}{target}",
            "--http-version", version, "--body-len", str(len(body) or (5 if ("Transfer-Encoding", "chunked") in headers else 0))]
    for name, value in headers:
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run(args, capture_output=True, text=True)
    if out.returncode != 0:
        return {"status": None, "error": out.stderr.strip()[:80]}
    return json.loads(out.stdout)


def send(case, http_port, https_port, ca):
    cid, scheme, method, host, target, headers, body, version = case
    lines = [f"{method} {target} HTTP/{version}"]
    if host is not None:
        lines.append(f"Host: {host}")
    lines.append(f"x-edgeconform-id: smoke-{cid}")
    lines.append("Connection: close")
    for name, value in headers:
        lines.append(f"{name}: {value}")
    if body:
        lines.append(f"Content-Length: {len(body)}")
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
    if ("Transfer-Encoding", "chunked") in headers:
        raw += b"5\r\nhello\r\n0\r\n\r\n"
    port = http_port if scheme == "http" else https_port
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    if scheme == "https":
        ctx = ssl.create_default_context(cafile=ca)
        ctx.check_hostname = False  # the SNI is the alias; a hostile Host must still go out
        sock = ctx.wrap_socket(sock, server_hostname=ALIAS)
    data = b""
    try:
        sock.sendall(raw)
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except (socket.timeout, ConnectionResetError, ssl.SSLError, BrokenPipeError) as e:
        if not data:
            return {"status": None, "error": type(e).__name__}
    finally:
        sock.close()
    if not data:
        return {"status": None, "error": "closed, no answer"}
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    status_line, *hdr_lines = head.split("\r\n")
    parts = status_line.split(" ", 2)
    hdrs = {}
    for h in hdr_lines:
        if ":" in h:
            k, v = h.split(":", 1)
            hdrs.setdefault(k.strip().lower(), v.strip())
    try:
        status = int(parts[1])
    except (IndexError, ValueError):
        return {"status": None, "error": "garbage: " + status_line[:40]}
    return {"status": status, "location": hdrs.get("location"), "close": "close" in hdrs.get("connection", "")}


def records(control, cid):
    with urllib.request.urlopen(f"http://{control}/records?id=smoke-{cid}", timeout=5) as r:
        return json.load(r)


def summarize_model(m):
    if m.get("status") is not None:
        s = str(m["status"])
        if m.get("location"):
            s += " `" + m["location"] + "`"
        return s
    if m.get("origin"):
        s = f"→ {m['origin']} {m['origin_protocol']} `{short(m['origin_path'])}`"
        if m.get("cloudfront_forwarded_proto"):
            s += f" CFP={m['cloudfront_forwarded_proto']}"
        return s
    return m.get("error", "?")


def short(t):
    return t if len(t) < 60 else t[:40] + f"…({len(t)} B)"


def header(rec, name):
    for k, v in rec["headers"]:
        if k.lower() == name:
            return v
    return None


def summarize_observed(o, recs):
    if o.get("status") is None:
        s = o.get("error", "no answer")
    else:
        s = str(o["status"])
        if o.get("location"):
            s += " `" + o["location"] + "`"
    for r in recs:
        s += f" → {r['listener']} {r['protocol']} `{short(r['target'])}`"
        cfp = header(r, "cloudfront-forwarded-proto")
        if cfp:
            s += f" CFP={cfp}"
        xfp = header(r, "x-forwarded-proto")
        if xfp:
            s += f" XFP={xfp}"
    return s


def compare(m, o, recs):
    """Differences between the model's decision and what was observed, in words."""
    diffs = []
    if m.get("status") is not None:
        if o.get("status") != m["status"]:
            diffs.append(f"status {o.get('status')}≠{m['status']}")
        if m.get("location") and o.get("location") != m["location"]:
            diffs.append("Location")
        if recs:
            diffs.append("origin contacted")
        if m.get("close_connection") and o.get("status") is not None and not o.get("close"):
            diffs.append("no Connection: close")
        return diffs
    if not recs:
        return [f"not forwarded ({o.get('status')})"]
    r = recs[0]
    if len(recs) > 1:
        diffs.append(f"{len(recs)} origin requests")
    if r["listener"] != m["origin"]:
        diffs.append(f"origin {r['listener']}≠{m['origin']}")
    if r["protocol"] != m["origin_protocol"]:
        diffs.append(f"origin proto {r['protocol']}≠{m['origin_protocol']}")
    if r["target"] != m["origin_path"]:
        diffs.append("origin target")
    cfp = header(r, "cloudfront-forwarded-proto")
    if cfp != m.get("cloudfront_forwarded_proto"):
        diffs.append(f"CFP {cfp}≠{m.get('cloudfront_forwarded_proto')}")
    if header(r, "x-forwarded-proto") is not None:
        diffs.append("XFP reached origin")
    if o.get("status") != 200:
        diffs.append(f"status {o.get('status')}")
    return diffs


def describe(case):
    cid, scheme, method, host, target, headers, body, version = case
    s = f"{scheme} {method} `{short(target)}`"
    if host is None:
        s += " no Host"
    elif host != ALIAS:
        s += f" Host `{host}`"
    for name, value in headers:
        s += f" +{name}" + (f": {value}" if len(value) < 20 else f" ({len(value)} B)")
    if body:
        s += f" body {len(body)} B"
    if version != "1.1":
        s += f" HTTP/{version}"
    return s


def main():
    exe, dist, http_port, https_port, control, ca = sys.argv[1:7]
    only = sys.argv[7] if len(sys.argv) > 7 else ""
    ok = bad = 0
    print("| case | request | CloudFront (model) | observed | differs |")
    print("|---|---|---|---|---|")
    for case in CASES:
        if only and only not in case[0]:
            continue
        m = decide(exe, dist, case)
        o = send(case, int(http_port), int(https_port), ca)
        recs = records(control, case[0])
        diffs = compare(m, o, recs)
        ok += not diffs
        bad += bool(diffs)
        print(f"| {case[0]} | {describe(case)} | {summarize_model(m)} | {summarize_observed(o, recs)} | "
              f"{'; '.join(diffs) if diffs else ''} |".replace("\n", " "))
    print(f"\n{ok} cases match the model, {bad} differ")


if __name__ == "__main__":
    main()
