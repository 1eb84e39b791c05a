//! Matrix expansion: methods × schemes × paths × HTTP versions, each cell a case whose
//! expectations all come from the model. Ids are `<prefix>-<method>-<scheme>-<path slug>-<version>`
//! (`matrix-post-http-images-a-1.0`): stable as long as the axes are. Without `paths`, one sample
//! path per behavior is derived from its pattern (`/images/*` → `/images/a`).

use super::fields::{check_host, check_path, is_kebab, method, scheme, tags, version};
use super::format::MatrixSpec;
use super::{model, Case, Expectation};
use crate::decide::Action;
use crate::distribution::Distribution;
use crate::request::{HttpVersion, Method, Request, Scheme};
use crate::rules::Level;
use crate::yaml::{Pos, Problem};
use std::collections::BTreeMap;

/// Expands a matrix block into cases (none when it has problems).
pub(crate) fn expand(
    m: &MatrixSpec,
    file: &str,
    dist: &Distribution,
    suite_tags: &[String],
    ps: &mut Vec<Problem>,
) -> Vec<Case> {
    let before = ps.len();
    let pos = Pos::of(&m.id);
    if !is_kebab(&m.id.value) {
        ps.push(Problem::new(pos, format!("matrix id `{}` is not kebab-case; expected lowercase words joined by `-`, like `matrix`", m.id.value)));
    }
    let methods: Vec<Method> = match &m.methods {
        None => Method::SUPPORTED.to_vec(),
        Some(ms) => ms.iter().filter_map(|x| method(x, ps)).collect(),
    };
    let schemes: Vec<Scheme> = match &m.schemes {
        None => Scheme::ALL.to_vec(),
        Some(ss) => ss.iter().filter_map(|x| scheme(x, ps)).collect(),
    };
    let versions: Vec<HttpVersion> = match &m.versions {
        None => vec![HttpVersion::Http10, HttpVersion::Http11],
        Some(vs) => vs.iter().filter_map(|x| version(x, ps)).collect(),
    };
    let paths: Vec<String> = match &m.paths {
        None => sample_paths(dist),
        Some(xs) => xs
            .iter()
            .filter(|p| check_path(p, ps))
            .map(|p| p.value.clone())
            .collect(),
    };
    let host = match &m.host {
        Some(h) if check_host(h, ps) => h.value.clone(),
        _ => dist.domain.clone(),
    };
    let mut case_tags = suite_tags.to_vec();
    for t in std::iter::once("matrix".to_string()).chain(tags(&m.tags, ps)) {
        if !case_tags.contains(&t) {
            case_tags.push(t);
        }
    }
    let mut slugs: BTreeMap<String, &str> = BTreeMap::new();
    for p in &paths {
        if let Some(other) = slugs.insert(slug(p), p) {
            if other != p {
                ps.push(Problem::new(pos, format!("matrix paths {other:?} and {p:?} give the same case id `{}`; expected paths that differ in more than case and punctuation", slug(p))));
            }
        }
    }
    for (axis, empty) in [
        ("methods", methods.is_empty()),
        ("schemes", schemes.is_empty()),
        ("paths", paths.is_empty()),
        ("versions", versions.is_empty()),
    ] {
        if empty && ps.len() == before {
            ps.push(Problem::new(pos, format!("matrix `{axis}` is empty, so the matrix has no case; expected at least one value")));
        }
    }
    if ps.len() > before {
        return Vec::new();
    }
    let mut seen_paths = Vec::new();
    let mut cases = Vec::new();
    for method in &methods {
        for &scheme in &schemes {
            for path in &paths {
                if seen_paths.contains(&(method, scheme, path)) {
                    continue;
                }
                seen_paths.push((method, scheme, path));
                for &version in &versions {
                    if scheme == Scheme::Http && version == HttpVersion::Http2 {
                        continue; // HTTP/2 needs TLS: no such request exists.
                    }
                    let req = Request {
                        method: method.clone(),
                        scheme,
                        host: Some(host.clone()),
                        target: path.clone(),
                        version,
                        headers: Vec::new(),
                        body_len: 0,
                    };
                    cases.push(cell(m, file, dist, pos, &case_tags, req));
                }
            }
        }
    }
    cases
}

fn cell(
    m: &MatrixSpec,
    file: &str,
    dist: &Distribution,
    pos: Pos,
    tags: &[String],
    req: Request,
) -> Case {
    let model = model::predict(dist, &req, false, m.object_size, None);
    let d = &model.decisions[0];
    let id = format!(
        "{}-{}-{}-{}-{}",
        m.id.value,
        req.method.as_str().to_ascii_lowercase(),
        req.scheme,
        slug(&req.target),
        req.version
    );
    let name = describe(dist, &req, d, model.ambiguous);
    Case {
        id,
        name,
        file: file.to_string(),
        pos,
        rules: d.rules.clone(),
        level: if model.ambiguous {
            Level::Info
        } else {
            Level::Must
        },
        tags: tags.to_vec(),
        follow: false,
        object_size: m.object_size,
        origin_failure: None,
        access_log: false,
        expect: Expectation {
            viewer: model.viewer(0),
            origin: model.origin(0),
            billing: model.billing(),
            log: None,
            follow: None,
        },
        explicit: false,
        stated: Vec::new(),
        generated: true,
        request: req,
    }
}

/// The requirement a matrix cell checks, in words.
fn describe(
    dist: &Distribution,
    req: &Request,
    d: &crate::decide::Decision,
    ambiguous: bool,
) -> String {
    let what = format!(
        "An HTTP/{} {} to {}://{}{}",
        req.version,
        req.method,
        req.scheme,
        req.host.as_deref().unwrap_or(""),
        req.target
    );
    let how = match &d.action {
        Action::Respond(_) if ambiguous => {
            "gets 307 or 403 (under `current` the order of VPP and AllowedMethods is open)"
                .to_string()
        }
        Action::Respond(r) if r.location.is_some() => {
            format!(
                "is redirected with {} to the same URL over HTTPS, origin not contacted",
                r.status
            )
        }
        Action::Respond(r) if r.status == 403 => {
            "is refused with 403 at the edge, origin not contacted".to_string()
        }
        Action::Respond(r) => format!("gets {} from the edge, origin not contacted", r.status),
        Action::Forward(f) => format!(
            "is forwarded to origin `{}` over {} port {}",
            dist.origins[f.origin].id, f.protocol, f.port
        ),
    };
    format!("{what} {how}")
}

/// A path slug for case ids: lowercase ASCII letters and digits, runs of anything else as `-`.
pub(crate) fn slug(path: &str) -> String {
    let mut s = String::new();
    for c in path.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('-') {
            s.push('-');
        }
    }
    let s = s.trim_matches('-');
    if s.is_empty() {
        "root".to_string()
    } else {
        s.to_string()
    }
}

/// One request-target per behavior that the behavior's pattern matches (`*` and `?` become `a`),
/// and for the default behavior one that no other behavior matches. Duplicates are dropped.
pub(crate) fn sample_paths(dist: &Distribution) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for b in &dist.behaviors {
        let p = if b.is_default {
            ["/index.html", "/default/a", "/zz-default/a"]
                .into_iter()
                .find(|p| dist.behaviors[dist.select_behavior(p.as_bytes())].is_default)
                .unwrap_or("/index.html")
                .to_string()
        } else {
            let raw = b.path_pattern.to_string();
            let body: String = raw
                .trim_start_matches('/')
                .chars()
                .map(|c| if c == '*' || c == '?' { 'a' } else { c })
                .collect();
            format!("/{body}")
        };
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn slugs_are_kebab() {
        assert_eq!(slug("/images/a"), "images-a");
        assert_eq!(slug("/Docs/a.html"), "docs-a-html");
        assert_eq!(slug("/"), "root");
        assert_eq!(slug("/a?x=1"), "a-x-1");
    }
}
