//! Probes about the distribution as a whole: unsupported methods (MTH-SUPPORTED), a GET with a
//! body (MTH-GET-BODY), the size limits (LIM-SIZE) and the access log (LOG-*, BIL-LOG-RECONCILE).

use super::probe::{Probe, Req};
use super::{Ctx, OBJECT_SIZE, UNSAFE};
use crate::decide::Action;
use crate::distribution::ViewerProtocolPolicy as P;
use crate::request::{Method, Scheme};
use crate::rules::RuleId as R;

pub(super) fn probes(cx: &mut Ctx) {
    let reachable = cx.reachable();
    let Some((_, default)) = reachable.last().cloned() else {
        return;
    };
    let with_policy = |p: P| {
        reachable
            .iter()
            .find(|(bi, _)| cx.dist.behaviors[*bi].viewer_protocol_policy == p)
            .map(|(_, path)| path.clone())
    };
    let paths = Paths {
        redirect: with_policy(P::RedirectToHttps),
        https_only: with_policy(P::HttpsOnly),
        default,
    };
    methods(cx, &paths);
    limits(cx, &paths);
    access_log(cx, &paths, &reachable);
}

/// The sample paths the probes go to: the default behavior's, and a redirect-to-https and an
/// https-only behavior's where there are such behaviors.
struct Paths {
    default: String,
    redirect: Option<String>,
    https_only: Option<String>,
}

impl Paths {
    /// Where a redirect would be (a redirect-to-https behavior), else the default behavior.
    fn over_http(&self) -> &str {
        self.redirect.as_deref().unwrap_or(&self.default)
    }
}

/// MTH-SUPPORTED (another token, a lowercase one, one over HTTP where a redirect would be) and
/// MTH-GET-BODY.
fn methods(cx: &mut Ctx, paths: &Paths) {
    let Paths { default, .. } = paths;
    let m = |t: &str| Method::parse(t);
    let supported =
        |id: &str, what: &str, r: Req| Probe::new(id, what, &[R::MthSupported], r).tag("methods");
    cx.push(supported(
        "method-unsupported-trace",
        "A TRACE request is refused whatever the behavior (403, or 400/405/501)",
        Req::new(m("TRACE"), Scheme::Https, default),
    ));
    cx.push(supported(
        "method-unsupported-lowercase",
        "Method tokens are case-sensitive: `get` is not GET and is refused",
        Req::new(m("get"), Scheme::Https, default),
    ));
    let over_http = paths.over_http();
    cx.push(supported(
        "method-unsupported-over-http",
        "An unsupported method over HTTP is refused, not redirected",
        Req::new(m("PROPFIND"), Scheme::Http, over_http),
    ));

    // MTH-GET-BODY.
    cx.push(
        Probe::new(
            "get-with-body-refused",
            "A GET carrying a body is refused with 403",
            &[R::MthGetBody],
            Req::new(Method::Get, Scheme::Https, default).body(10),
        )
        .tag("methods"),
    );
}

/// LIM-SIZE: over and just under the head limit, over the URL limit (over HTTP too, where a
/// redirect would be), and not logged.
fn limits(cx: &mut Ctx, paths: &Paths) {
    let Paths { default, .. } = paths;
    let limits = cx.dist.limits;
    let head = limits.max_head_bytes as u64;
    let url = limits.max_url_bytes as u64;
    let lim = |id: &str, what: String, r: Req| Probe::new(id, what, &[R::LimSize], r).tag("limits");
    let mut r = Req::new(Method::Get, Scheme::Https, default);
    r.pad_header = Some(head);
    cx.push(lim("limit-head-over", format!("A request whose line and headers exceed {head} bytes is refused at the edge (413, or 400/431)"), r.clone()));
    if head > 1024 {
        let mut under = r.clone();
        under.pad_header = Some(head - 480);
        cx.push(lim(
            "limit-head-under",
            format!("A request whose line and headers are just under {head} bytes is served"),
            under,
        ));
    }
    let mut u = Req::new(Method::Get, Scheme::Https, default);
    u.pad_path = Some(url + 8);
    cx.push(lim(
        "limit-url-over",
        format!("A request whose URL exceeds {url} bytes is refused at the edge (413, or 400/414)"),
        u,
    ));
    let mut u = Req::new(Method::Get, Scheme::Http, paths.over_http());
    u.pad_path = Some(url + 8);
    cx.push(lim(
        "limit-url-over-http",
        format!("An HTTP request whose URL exceeds {url} bytes is refused, not redirected"),
        u,
    ));
    let mut p = Probe::new(
        "limit-not-logged",
        "A request refused for its size is not written to the access log",
        &[R::LimSize, R::LogResultType],
        {
            let mut r = Req::new(Method::Get, Scheme::Https, default);
            r.pad_header = Some(head + 520);
            r
        },
    )
    .tag("limits");
    p.access_log = true;
    cx.push(p);
}

/// The access log: result types, one line per leg of a redirect pair, bytes that reconcile.
fn access_log(cx: &mut Ctx, paths: &Paths, reachable: &[(usize, String)]) {
    let logged = |id: &str, what: &str, rules: &[R], r: Req| {
        let mut p = Probe::new(id, what, rules, r).tag("access-log");
        p.access_log = true;
        p
    };
    if let Some(path) = &paths.redirect {
        cx.push(logged(
            "log-redirect",
            "A VPP redirect is logged with x-edge-result-type Redirect and cs-protocol http",
            &[R::LogResultType, R::LogFormat],
            Req::new(Method::Get, Scheme::Http, path),
        ));
        let mut p = logged("log-redirect-pair", "Each leg of a redirect pair is one log line with its own cs-protocol, and the log's bytes match the wire", &[R::LogFormat, R::BilLogReconcile, R::BilPerResponse], Req::new(Method::Get, Scheme::Http, &format!("{path}?log=1")));
        p.follow = true;
        p.object_size = Some(4096);
        p.tags.push("redirect-pair");
        cx.push(p);
    }
    if let Some(path) = &paths.https_only {
        cx.push(logged(
            "log-https-only-refusal",
            "An https-only refusal is logged with x-edge-result-type Error",
            &[R::LogResultType],
            Req::new(Method::Get, Scheme::Http, path),
        ));
    }
    let refused = reachable.iter().find_map(|(bi, p)| {
        let b = &cx.dist.behaviors[*bi];
        UNSAFE
            .iter()
            .find(|m| !b.allowed_methods.contains(m))
            .map(|m| Req::new(m.clone(), Scheme::Https, p))
    });
    if let Some(r) = refused {
        cx.push(logged("log-method-refusal", "A method refused by AllowedMethods is logged as Error with detailed type InvalidRequestMethod", &[R::LogResultType], r));
    }
    let forwarded = Req::new(Method::Get, Scheme::Https, &paths.default);
    if matches!(cx.decide(&forwarded).action, Action::Forward(_)) {
        let mut p = logged(
            "log-forwarded-bytes",
            "A forwarded request's log line reports the bytes sent on the wire",
            &[R::BilLogReconcile, R::LogFormat],
            forwarded,
        );
        p.object_size = Some(OBJECT_SIZE);
        cx.push(p);
    }
}
