#!/usr/bin/env python3
"""The key-case matrix of targets/README.md, from the observed/<recipe>.md tables smoke.sh saves.

Usage: lib/matrix.py [OBSERVED_DIR] > table.md   (run from targets/)
"""
import re
import sys

RECIPES = ["nginx", "haproxy", "caddy", "apache", "trafficserver", "varnish", "lighttpd", "h2o",
           "nginx-naive", "haproxy-naive", "caddy-naive", "apache-naive"]
KEYS = ["img-get", "img-post", "img-https", "acct-get", "acct-https", "pub-http", "pub-raw", "pub-post",
        "pub-xfp", "site-https", "api-http-get", "api-http-del", "api-https-get", "legacy-https",
        "docs-1char", "img-host-port", "img-host-case", "dotdot", "pct-slash", "evil-host-http", "evil-host-https",
        "no-host-1.0", "bad-host", "method-foo", "get-chunked", "url-9000", "head-3x8k"]


def short(text, cid):
    """A cell: the status or the origin reached, plus the Location host where that is the point."""
    m = re.match(r"^(\d{3}|[A-Za-z]+)", text)
    st = m.group(1) if m else ""
    if st == "ConnectionResetError":
        return "reset"
    org = re.findall(r"→ (\w+) (https?)", text)
    if org:
        return (f"{st} " if st not in ("", "200") else "") + f"→ {org[0][0]} {org[0][1]}"
    loc = re.search(r"`(https?://[^/`]*)", text)
    if loc and cid.startswith(("evil", "no-host", "img-host")):
        return f"{st} {loc.group(1)}…"
    return st


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "observed"
    rows, model, req = {}, {}, {}
    for r in RECIPES:
        for line in open(f"{folder}/{r}.md"):
            if not line.startswith("| ") or line.startswith("| case"):
                continue
            c = [x.strip() for x in line.strip().strip("|").split("|")]
            cid, rq, m, o = c[:4]
            d = c[4] if len(c) > 4 else ""
            req[cid], model[cid] = rq, m
            rows.setdefault(cid, {})[r] = short(o, cid) + (" ✘" if d else " ✔")
    print("| case | request | CloudFront | " + " | ".join(RECIPES) + " |")
    print("|---|---|---|" + "---|" * len(RECIPES))
    for k in KEYS:
        print(f"| {k} | {req[k]} | {short(model[k], k)} | " + " | ".join(rows[k].get(r, "") for r in RECIPES) + " |")


if __name__ == "__main__":
    main()
