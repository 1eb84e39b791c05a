#!/usr/bin/env python3
"""Writes a naive variant's expected.yaml from a run of it: every rule with a failing case, with
the reason of the tutorial configuration's limit behind it (lib/naive_baseline.py NAME REPORT.json).

The naive variants break nearly every rule; this keeps their baselines exact and the reasons
consistent. The full recipes' baselines are written by hand.
"""
import json, sys, collections
# Reasons shared by the naive variants; {redir} is the variant's redirect, {proxy} its HTTPS side.
R = {
 "VPP-REDIRECT-SAFE": "{redir_safe}",
 "VPP-REDIRECT-UNSAFE": "{redir} answers every method: HTTP POST/PUT/DELETE/PATCH/OPTIONS get a redirect instead of 403",
 "VPP-HTTPS-ONLY": "https-only paths get the same redirect as everything else instead of 403",
 "VPP-ALLOW-ALL": "allow-all paths are redirected over HTTP instead of forwarded",
 "VPP-HTTPS-SERVED": "{served}",
 "VPP-PER-BEHAVIOR": "one policy for everything: the configuration has no per-path behaviors",
 "PAT-ORDER": "no path patterns at all: cases that test pattern order see the one policy instead",
 "PAT-WILDCARD": "no path patterns at all: cases that test `*` and `?` see the one policy instead",
 "PAT-ANCHORED": "no path patterns at all: cases that test anchoring see the one policy instead",
 "PAT-CASE": "no path patterns at all: cases that test case-sensitive matching see the one policy instead",
 "PAT-SLASH": "no path patterns at all: media/* (https-only) is redirected like everything else",
 "PAT-QUERY": "no path patterns at all: cases that test the query's part in matching see the one policy instead",
 "PAT-NORMALIZE": "no path patterns at all: cases that test path normalisation see the one policy (and {proxy} forwards the path as it likes)",
 "MTH-ALLOWED": "no method restriction: methods outside a behavior's AllowedMethods are redirected over HTTP and forwarded over HTTPS",
 "MTH-SUPPORTED": "any method token (TRACE, get, FOO) is redirected or answered by the software itself, never refused with 403",
 "MTH-GET-BODY": "a GET with a body is redirected like any GET",
 "HOST-ROUTE": "{host}",
 "LOC-SAFE": "{locsafe}",
 "LOC-HOST": "{lochost}",
 "LOC-SCHEME": "counted by cases that expect no redirect (allow-all, https-only, refusals) but get one",
 "LOC-TARGET": "{loctarget}",
 "LOC-EDGE-ONLY": "a method the behavior does not allow is forwarded over HTTPS, so the origin sees a request the edge should have refused",
 "ORG-S3-MATCH-VIEWER": "counted by s3-origin-http-viewer-http: an HTTP request is redirected instead of reaching the S3 origin over HTTP",
 "ORG-WEBSITE-HTTP": "the S3 website paths are proxied over HTTPS to the one backend",
 "ORG-CUSTOM-POLICY": "one backend over HTTPS: the http-only legacy origin and the https-only secure origin are never used",
 "ORG-PATH": "no origin path: /api/x reaches the origin as /api/x, not /v1/api/x",
 "ORG-CF-PROTO": "no CloudFront-Forwarded-Proto is ever added (and a viewer's passes through)",
 "ORG-XFP-STRIPPED": "{xfp}",
 "LIM-SIZE": "{lim}",
 "BIL-PER-RESPONSE": "billing follows the wrong answers: requests the edge should refuse or forward are redirected, so each is charged in the wrong line item",
 "BIL-REDIRECT-PAIR": "{bilpair}",
 "BIL-REFUSAL": "requests CloudFront refuses with an edge 403 are forwarded over HTTPS and charged with the object's bytes",
}
V = {
 "nginx-naive": dict(redir="`return 301 https://$host$request_uri`", redir_safe="", proxy="proxy_pass",
   host="server_name _ answers any Host (and none: Location https://_/...) over HTTP, and proxies any Host over HTTPS",
   locsafe="$host is whatever the viewer sent: Host evil.example gets Location https://evil.example/...",
   lochost="$host is lower-cased (Host WWW.Example.COM gets https://www.example.com/...), and redirects that should not exist are counted",
   loctarget="counted by cases that expect no redirect but get one (the one-liner's target itself is the raw $request_uri)",
   xfp="the tutorial's proxy_set_header X-Forwarded-Proto $scheme sends an X-Forwarded-Proto to the origin",
   lim="no URL or head limit of 413: nginx answers 414 or 400, and an oversized request is otherwise redirected",
   bilpair="counted by redirect-pair-alias-port-billing, whose HTTPS leg (to /site/) is proxied to the one backend over HTTPS instead of the website origin over HTTP", served="one backend for every HTTPS request (requests for the api and secure origins are judged not served), and the software's default head limit refuses a head of 20,480 bytes"),
 "haproxy-naive": dict(redir="`http-request redirect scheme https`", redir_safe="", proxy="the backend",
   host="no Host check: any Host, none, or a malformed one is redirected over HTTP and proxied over HTTPS",
   locsafe="redirect scheme copies the Host header verbatim: Host evil.example gives https://evil.example/..., Host 'a b' gives https://a b/...",
   lochost="redirect scheme keeps the Host's port (Host www.example.com:8080 gives https://www.example.com:8080/...), and redirects that should not exist are counted",
   loctarget="counted by cases that expect no redirect but get one (redirect scheme keeps the raw target itself)",
   xfp="the tutorial's set-header X-Forwarded-Proto sends an X-Forwarded-Proto to the origin",
   lim="no URL limit (an oversized URL is redirected) and HAProxy's parser answers 400 to an oversized head",
   bilpair="counted by redirect-pair-alias-port-billing, whose HTTPS leg (to /site/) is proxied to the one backend over HTTPS instead of the website origin over HTTP", served="one backend for every HTTPS request (requests for the api and secure origins are judged not served), and the software's default head limit refuses a head of 20,480 bytes"),
 "caddy-naive": dict(redir="Caddy's automatic HTTPS redirect", redir_safe="Caddy's automatic HTTP-to-HTTPS redirect is 308 Permanent Redirect, not 301, and cannot be changed without writing the redirects by hand", proxy="reverse_proxy",
   host="the automatic redirect is a catch-all on the HTTP port: any Host (or none: Location https:///...) is redirected, and over HTTPS an unknown Host gets an empty 200",
   locsafe="the catch-all redirect copies the viewer's Host: Host evil.example gets Location https://evil.example/...",
   lochost="counted by the redirect cases (the automatic redirect answers 308, not 301) and by cases that expect no redirect but get one",
   loctarget="counted by cases that expect no redirect (allow-all, https-only, refusals, oversized) but get one",
   xfp="reverse_proxy sets X-Forwarded-Proto on every request to the origin",
   lim="no URL limit and Go's default 1 MiB head limit: oversized requests are redirected",
   bilpair="the redirect pairs start with a 308, not a 301, and their HTTPS leg to /site/ reaches the one backend over HTTPS", served="one backend for every HTTPS request: requests for the api and secure origins are judged not served"),
 "apache-naive": dict(redir="`Redirect permanent / https://www.example.com/`", redir_safe="httpd answers a target with an encoded slash (/images/a%2Fb) with 404 (AllowEncodedSlashes is off by default) instead of redirecting it", proxy="ProxyPass",
   host="the only virtual host answers any Host and none; a malformed one gets httpd's 400",
   locsafe="a Host of www.example.com@evil.example gets httpd's 400, and Redirect's fixed host is never the viewer's, which the Location cases count",
   lochost="the Location names the fixed host of the Redirect, not the viewer's: Host d111111abcdef8.cloudfront.net is sent to www.example.com",
   loctarget="Redirect appends the decoded, dot-segment-free path: /public/../images/a gets .../images/a, and an encoded slash gets 404",
   xfp="mod_proxy passes the viewer's X-Forwarded-Proto to the origin unchanged",
   lim="httpd answers 414 (long URL) or 400 (long field), and a long head of several fields is redirected",
   bilpair="counted by redirect-pair-alias-port-billing, whose HTTPS leg (to /site/) is proxied to the one backend over HTTPS instead of the website origin over HTTP", served="one backend for every HTTPS request (requests for the api and secure origins are judged not served), and the software's default head limit refuses a head of 20,480 bytes"),
}
name = sys.argv[1]
d = json.load(open(sys.argv[2] if len(sys.argv) > 2 else "reports/latest/report.json"))
cases = collections.defaultdict(set)
for c in d["cases"]:
    if c["verdict"] == "pass": continue
    for f in c.get("findings", []):
        for r in f["rules"]: cases[r].add(c["id"])
order = ["VPP-ALLOW-ALL","VPP-REDIRECT-SAFE","VPP-REDIRECT-UNSAFE","VPP-HTTPS-ONLY","VPP-HTTPS-SERVED","VPP-PER-BEHAVIOR",
 "LOC-SCHEME","LOC-HOST","LOC-TARGET","LOC-SAFE","LOC-EDGE-ONLY","MTH-SUPPORTED","MTH-ALLOWED","MTH-GET-BODY",
 "PAT-ORDER","PAT-WILDCARD","PAT-ANCHORED","PAT-CASE","PAT-SLASH","PAT-QUERY","PAT-NORMALIZE",
 "ORG-S3-MATCH-VIEWER","ORG-WEBSITE-HTTP","ORG-CUSTOM-POLICY","ORG-PATH","ORG-XFP-STRIPPED","ORG-CF-PROTO",
 "BIL-PER-RESPONSE","BIL-REDIRECT-PAIR","BIL-REFUSAL","HOST-ROUTE","LIM-SIZE"]
missing = set(cases) - set(order)
assert not missing, missing
head = {
 "nginx-naive": "targets/nginx-naive (the tutorial config: `return 301 https://$host$request_uri;` for all HTTP,\n# one proxy_pass for all HTTPS)",
 "haproxy-naive": "targets/haproxy-naive (the tutorial config: `http-request redirect scheme https code 301\n# unless { ssl_fc }`, one backend over HTTPS with X-Forwarded-Proto)",
 "caddy-naive": "targets/caddy-naive (a site block with reverse_proxy; Caddy's automatic HTTPS adds the\n# HTTP-to-HTTPS redirect)",
 "apache-naive": "targets/apache-naive (the tutorial config: `Redirect permanent / https://www.example.com/`,\n# one ProxyPass for all HTTPS)",
}[name]
print(f"# Known deviations of {head} from specs/distributions/standard.yaml.")
print(f"# The baseline is exactly the rules `edgeconform run --recipe {name}` finds violated: with no")
print("# behaviors, nearly every rule has a failing case; the reasons say which limit of the tutorial")
print(f"# configuration each comes from. smoke.sh cases in observed/{name}.md.")
for r in order:
    if r not in cases: continue
    reason = R[r].format(**V[name])
    assert reason, (name, r)
    ids = sorted(cases[r]); ex = ", ".join(ids[:2]) + (f" and {len(ids)-2} more" if len(ids) > 2 else "")
    reason = reason.replace('"', '\\"')
    print(f"- rule: {r}\n  reason: \"{reason}\"  # {ex}")
