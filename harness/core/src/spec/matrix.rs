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

/// A validated matrix block: its axes, expanded one cell at a time ([`Matrix::case`]), so a
/// 100k-cell matrix costs its axes in memory, not 100k cases. Cells are numbered in the order
/// method × scheme × path × version (HTTP/2 cells over http skipped: no such request exists).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matrix {
    prefix: String,
    file: String,
    pos: Pos,
    tags: Vec<String>,
    object_size: Option<u64>,
    host: String,
    methods: Vec<Method>,
    /// Each scheme with the versions a request over it can use.
    schemes: Vec<(Scheme, Vec<HttpVersion>)>,
    paths: Vec<String>,
    /// Cells per method: Σ over schemes of paths × versions.
    per_method: usize,
}

/// Validates a matrix block (every problem into `ps`; `None` when it has any).
pub(crate) fn expand(
    m: &MatrixSpec,
    file: &str,
    dist: &Distribution,
    suite_tags: &[String],
    ps: &mut Vec<Problem>,
) -> Option<Matrix> {
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
    // A value listed twice is one cell, not two cases with the same id.
    let (methods, schemes, versions, paths) = (
        dedup(methods),
        dedup(schemes),
        dedup(versions),
        dedup(paths),
    );
    let mut slugs: BTreeMap<String, &str> = BTreeMap::new();
    for p in &paths {
        if let Some(other) = slugs.insert(slug(p), p) {
            ps.push(Problem::new(pos, format!("matrix paths {other:?} and {p:?} give the same case id `{}`; expected paths that differ in more than case and punctuation", slug(p))));
        }
    }
    let mut names: BTreeMap<String, &Method> = BTreeMap::new();
    for x in &methods {
        if let Some(other) = names.insert(x.as_str().to_ascii_lowercase(), x) {
            ps.push(Problem::new(pos, format!("matrix methods `{other}` and `{x}` give the same case id; expected methods that differ in more than case")));
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
        return None;
    }
    let schemes: Vec<(Scheme, Vec<HttpVersion>)> = schemes
        .into_iter()
        .map(|s| {
            let vs = versions
                .iter()
                .copied()
                .filter(|&v| !(s == Scheme::Http && v == HttpVersion::Http2))
                .collect();
            (s, vs)
        })
        .collect();
    let per_method = schemes.iter().map(|(_, vs)| paths.len() * vs.len()).sum();
    Some(Matrix {
        prefix: m.id.value.clone(),
        file: file.to_string(),
        pos,
        tags: case_tags,
        object_size: m.object_size,
        host,
        methods,
        schemes,
        paths,
        per_method,
    })
}

/// The values in first-seen order, each once (linear: a generated matrix lists 100k paths).
fn dedup<T: Eq + std::hash::Hash + Clone>(xs: Vec<T>) -> Vec<T> {
    let mut seen = std::collections::HashSet::with_capacity(xs.len());
    xs.into_iter().filter(|x| seen.insert(x.clone())).collect()
}

impl Matrix {
    /// Number of cells.
    pub fn len(&self) -> usize {
        self.methods.len() * self.per_method
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Where the block is (the position of its `id`): every cell points there.
    pub fn pos(&self) -> Pos {
        self.pos
    }

    /// Tags of every cell (the suite's, `matrix`, and the block's own).
    pub fn tags(&self) -> &[String] {
        &self.tags
    }

    /// The axes of cell `i` (`i < len()`).
    fn coords(&self, i: usize) -> (&Method, Scheme, &str, HttpVersion) {
        let method = &self.methods[i / self.per_method];
        let mut r = i % self.per_method;
        for (scheme, versions) in &self.schemes {
            let block = self.paths.len() * versions.len();
            if r < block {
                let path = &self.paths[r / versions.len()];
                return (method, *scheme, path, versions[r % versions.len()]);
            }
            r -= block;
        }
        unreachable!("cell {i} is beyond the matrix ({} cells)", self.len())
    }

    /// The id of cell `i`, without building the case.
    pub fn id(&self, i: usize) -> String {
        // Built piece by piece: every cell of a 100k-cell run pays for it.
        let (method, scheme, path, version) = self.coords(i);
        let mut id = String::with_capacity(self.prefix.len() + path.len() + 24);
        id.push_str(&self.prefix);
        id.push('-');
        id.extend(method.as_str().chars().map(|c| c.to_ascii_lowercase()));
        id.push('-');
        id.push_str(scheme.as_str());
        id.push('-');
        push_slug(&mut id, path);
        id.push('-');
        id.push_str(version.as_str());
        id
    }

    /// Cell `i` as a case, its expectations from the model.
    pub fn case(&self, i: usize, dist: &Distribution) -> Case {
        let (method, scheme, path, version) = self.coords(i);
        let req = Request {
            method: method.clone(),
            scheme,
            host: Some(self.host.clone()),
            target: path.to_string(),
            version,
            headers: Vec::new(),
            body_len: 0,
            content_length: false,
        }
        .with_client_body();
        Case::from_model(
            dist,
            req,
            ModelCase {
                id: self.id(i),
                file: self.file.clone(),
                pos: self.pos,
                tags: self.tags.clone(),
                object_size: self.object_size,
            },
        )
    }
}

/// Where a case built from a request alone comes from ([`Case::from_model`]).
#[derive(Debug, Clone, Default)]
pub struct ModelCase {
    pub id: String,
    pub file: String,
    pub pos: Pos,
    pub tags: Vec<String>,
    pub object_size: Option<u64>,
}

impl Case {
    /// The case of one request whose expectations all come from the model, as a matrix cell is
    /// built (and judged): used by `matrix:` blocks and by `edgeconform fuzz` for every request
    /// it generates.
    pub fn from_model(dist: &Distribution, req: Request, from: ModelCase) -> Case {
        let model = model::predict(dist, &req, false, from.object_size, None);
        let d = &model.decisions[0];
        Case {
            id: from.id,
            name: describe(dist, &req, d, model.ambiguous),
            file: from.file,
            pos: from.pos,
            rules: d.rules.to_vec(),
            level: if model.ambiguous {
                Level::Info
            } else {
                Level::Must
            },
            tags: from.tags,
            follow: false,
            object_size: from.object_size,
            origin_failure: None,
            access_log: false,
            prime: None,
            cacheable: None,
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
}

/// The requirement a matrix cell checks, in words.
fn describe(
    dist: &Distribution,
    req: &Request,
    d: &crate::decide::Decision,
    ambiguous: bool,
) -> String {
    let host = req.host.as_deref().unwrap_or("");
    let mut what = String::with_capacity(160 + host.len() + req.target.len());
    for part in [
        "An HTTP/",
        req.version.as_str(),
        " ",
        req.method.as_str(),
        " to ",
        req.scheme.as_str(),
        "://",
        host,
        &req.target,
        " ",
    ] {
        what.push_str(part);
    }
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
    what.push_str(&how);
    what
}

/// A path slug for case ids: lowercase ASCII letters and digits, runs of anything else as `-`.
pub(crate) fn slug(path: &str) -> String {
    let mut s = String::new();
    push_slug(&mut s, path);
    s
}

/// Appends the [`slug`] of `path` to `out`.
fn push_slug(out: &mut String, path: &str) {
    let start = out.len();
    // `-` for a run of anything else, but never a leading or trailing one.
    let mut gap = false;
    for c in path.chars() {
        if c.is_ascii_alphanumeric() {
            if gap && out.len() > start {
                out.push('-');
            }
            gap = false;
            out.push(c.to_ascii_lowercase());
        } else {
            gap = true;
        }
    }
    if out.len() == start {
        out.push_str("root");
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
        assert_eq!(slug("//a..B//"), "a-b");
        assert_eq!(slug("/café/€"), "caf");
        assert_eq!(slug("/%%"), "root");
    }
}
