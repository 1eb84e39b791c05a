//! Validation: the YAML form checked against every config rule (MTH-ALLOWED-SETS, PAT-SYNTAX,
//! ORG-WEBSITE-HTTP, ports, names) and turned into the model; every problem at once, each at its
//! line:column.

use super::format::{BehaviorSpec, DistributionSpec, OriginSpec, OriginType};
use super::host::valid_host_name;
use super::{Behavior, Distribution, MethodSet, Origin, OriginKind, OriginProtocolPolicy};
use crate::pattern::PathPattern;
use crate::request::Method;
use crate::yaml::{OrderedMap, Pos, Problem, Problems, Spanned};
use crate::RuleId;

fn legal_port(p: u16) -> bool {
    p == 80 || p == 443 || p >= 1024
}

impl DistributionSpec {
    /// Checks every config rule and builds the model; all problems at once, sorted by position.
    pub fn validate(self) -> Result<Distribution, Problems> {
        let mut problems = Vec::new();
        let (domain, aliases) = self.validate_names(&mut problems);
        let mut origins = Vec::new();
        for (id, o) in &self.origins.0 {
            if let Some(origin) = validate_origin(id, o, &mut problems) {
                origins.push(origin);
            }
        }
        if self.origins.0.is_empty() {
            problems.push(Problem::new(
                Pos::of(&self.domain),
                "`origins` is empty; expected at least one origin",
            ));
        }
        let behaviors = self.validate_behaviors(&mut problems);
        if problems.is_empty() {
            Ok(Distribution {
                domain,
                aliases,
                ruleset: self.ruleset,
                origins,
                behaviors,
                limits: self.limits,
            })
        } else {
            problems.sort_by_key(|p| p.pos);
            Err(Problems(problems))
        }
    }

    /// The domain and the aliases: DNS names (an alias may start with `*.`), none listed twice.
    fn validate_names(&self, problems: &mut Vec<Problem>) -> (String, Vec<String>) {
        let domain = match valid_host_name(&self.domain.value) {
            Some(d) if !self.domain.value.contains(':') => d,
            _ => {
                problems.push(Problem::new(
                    Pos::of(&self.domain),
                    format!("`{}` is not a valid domain name; expected a DNS name like d111111abcdef8.cloudfront.net", self.domain.value),
                ));
                String::new()
            }
        };
        let mut aliases = Vec::new();
        for a in &self.aliases {
            let (wild, rest) = match a.value.strip_prefix("*.") {
                Some(r) => (true, r),
                None => (false, a.value.as_str()),
            };
            match valid_host_name(rest) {
                Some(n) if !rest.contains(':') && !rest.ends_with('.') => {
                    let n = if wild { format!("*.{n}") } else { n };
                    if aliases.contains(&n) || n == domain {
                        problems.push(Problem::new(Pos::of(a), format!("alias `{}` is listed twice", a.value)));
                    } else {
                        aliases.push(n);
                    }
                }
                _ => problems.push(Problem::new(
                    Pos::of(a),
                    format!("`{}` is not a valid alternate domain name; expected a DNS name like www.example.com or a wildcard like *.example.com", a.value),
                )),
            }
        }
        (domain, aliases)
    }

    /// The cache behaviors within the quota, each with a path pattern (PAT-SYNTAX), then the
    /// default behavior, last.
    fn validate_behaviors(&self, problems: &mut Vec<Problem>) -> Vec<Behavior> {
        if self.behaviors.len() > self.limits.max_behaviors {
            let pos = Pos::of(&self.behaviors[self.limits.max_behaviors].viewer_protocol_policy);
            problems.push(
                Problem::new(
                    pos,
                    format!(
                        "{} cache behaviors exceed the quota of {} (set limits.max_behaviors to raise it)",
                        self.behaviors.len(),
                        self.limits.max_behaviors
                    ),
                )
                .rule(RuleId::PatSyntax),
            );
        }

        let mut behaviors = Vec::new();
        for b in &self.behaviors {
            let pattern = match &b.path_pattern {
                None => {
                    problems.push(Problem::new(
                        Pos::of(&b.viewer_protocol_policy),
                        "this cache behavior has no path_pattern; expected one like /images/* (only default_behavior has none)",
                    ));
                    None
                }
                Some(pp) => match PathPattern::parse(&pp.value) {
                    Ok(p) => Some(p),
                    Err(e) => {
                        problems.push(
                            Problem::new(Pos::of(pp), format!("path pattern `{}`: {e}", pp.value))
                                .rule(RuleId::PatSyntax),
                        );
                        None
                    }
                },
            };
            if let Some(beh) = validate_behavior(b, &self.origins, problems) {
                if let Some(pattern) = pattern {
                    behaviors.push(Behavior {
                        path_pattern: pattern,
                        ..beh
                    });
                }
            }
        }
        if let Some(pp) = &self.default_behavior.path_pattern {
            problems.push(Problem::new(
                Pos::of(pp),
                "default_behavior takes no path_pattern: it is always `*` and evaluated last; remove it",
            ));
        }
        if let Some(beh) = validate_behavior(&self.default_behavior, &self.origins, problems) {
            behaviors.push(Behavior {
                is_default: true,
                ..beh
            });
        }
        behaviors
    }
}

fn validate_origin(id: &str, o: &OriginSpec, problems: &mut Vec<Problem>) -> Option<Origin> {
    let before = problems.len();
    let mut port = |p: &Option<Spanned<u16>>, default: u16, what: &str| -> u16 {
        match p {
            Some(s) if !legal_port(s.value) => {
                problems.push(Problem::new(
                    Pos::of(s),
                    format!(
                        "origin `{id}`: {what} {} is not allowed; expected 80, 443 or 1024-65535",
                        s.value
                    ),
                ));
                default
            }
            Some(s) => s.value,
            None => default,
        }
    };
    let http_port = port(&o.http_port, 80, "http_port");
    let https_port = port(&o.https_port, 443, "https_port");
    let kind = match o.kind.value {
        OriginType::S3 => {
            if let Some(p) = &o.protocol_policy {
                problems.push(
                    Problem::new(
                        Pos::of(p),
                        format!("origin `{id}`: an S3 REST origin is always reached over the viewer's protocol, so it takes no protocol_policy; remove it or use type: custom"),
                    )
                    .rule(RuleId::OrgS3MatchViewer),
                );
            }
            for p in [&o.http_port, &o.https_port].into_iter().flatten() {
                problems.push(
                    Problem::new(Pos::of(p), format!("origin `{id}`: an S3 REST origin is reached on ports 80 and 443 only; remove the port"))
                        .rule(RuleId::OrgS3MatchViewer),
                );
            }
            OriginKind::S3
        }
        OriginType::S3Website => {
            if let Some(p) = &o.protocol_policy {
                if p.value != OriginProtocolPolicy::HttpOnly {
                    problems.push(
                        Problem::new(
                            Pos::of(p),
                            format!("origin `{id}`: an S3 website endpoint does not support HTTPS, so protocol_policy must be http-only, not {}", p.value.as_str()),
                        )
                        .rule(RuleId::OrgWebsiteHttp),
                    );
                }
            }
            if let Some(p) = &o.https_port {
                problems.push(
                    Problem::new(Pos::of(p), format!("origin `{id}`: an S3 website endpoint is reached over HTTP only; https_port has no meaning, remove it"))
                        .rule(RuleId::OrgWebsiteHttp),
                );
            }
            OriginKind::S3Website { http_port }
        }
        OriginType::Custom => match &o.protocol_policy {
            Some(p) => OriginKind::Custom {
                protocol_policy: p.value,
                http_port,
                https_port,
            },
            None => {
                problems.push(Problem::new(
                    Pos::of(&o.kind),
                    format!("origin `{id}`: a custom origin needs protocol_policy; expected http-only, https-only or match-viewer"),
                ));
                OriginKind::Custom {
                    protocol_policy: OriginProtocolPolicy::MatchViewer,
                    http_port,
                    https_port,
                }
            }
        },
    };
    let origin_path = match &o.origin_path {
        Some(p) if p.value.is_empty() => String::new(),
        Some(p)
            if !p.value.starts_with('/')
                || p.value.ends_with('/')
                || p.value.contains(['?', '#', ' ']) =>
        {
            problems.push(Problem::new(
                Pos::of(p),
                format!("origin `{id}`: origin_path `{}` is not valid; expected a path that starts with `/` and does not end with `/`, like /v1", p.value),
            ));
            String::new()
        }
        Some(p) => p.value.clone(),
        None => String::new(),
    };
    (problems.len() == before).then(|| Origin {
        id: id.to_string(),
        kind,
        origin_path,
    })
}

fn validate_behavior(
    c: &BehaviorSpec,
    origins: &OrderedMap<String, OriginSpec>,
    problems: &mut Vec<Problem>,
) -> Option<Behavior> {
    let before = problems.len();
    let origin = origins.0.iter().position(|(id, _)| *id == c.origin.value);
    if origin.is_none() {
        let known: Vec<&str> = origins.0.iter().map(|(id, _)| id.as_str()).collect();
        problems.push(Problem::new(
            Pos::of(&c.origin),
            format!(
                "unknown origin `{}`; expected one of: {}",
                c.origin.value,
                known.join(", ")
            ),
        ));
    }
    let set = |s: &Option<Spanned<Vec<Method>>>, problems: &mut Vec<Problem>| -> MethodSet {
        let Some(s) = s else {
            return MethodSet::GET_HEAD;
        };
        for (i, m) in s.value.iter().enumerate() {
            if s.value[..i].contains(m) {
                problems.push(
                    Problem::new(Pos::of(s), format!("method {m} is listed twice"))
                        .rule(RuleId::MthAllowedSets),
                );
            }
        }
        match MethodSet::from_methods(&s.value) {
            Some(set) => set,
            None => {
                let bad: Vec<&str> = s
                    .value
                    .iter()
                    .filter(|m| !m.is_supported())
                    .map(|m| m.as_str())
                    .collect();
                problems.push(
                    Problem::new(Pos::of(s), format!("{} is not a method CloudFront supports; expected GET, HEAD, OPTIONS, PUT, POST, PATCH, DELETE", bad.join(", ")))
                        .rule(RuleId::MthAllowedSets),
                );
                MethodSet::GET_HEAD
            }
        }
    };
    let n = problems.len();
    let allowed = set(&c.allowed_methods, problems);
    if problems.len() == n && !allowed.is_legal_allowed() {
        let s = c
            .allowed_methods
            .as_ref()
            .expect("the default set is legal");
        problems.push(
            Problem::new(Pos::of(s), "allowed_methods must be [GET, HEAD], [GET, HEAD, OPTIONS] or all seven methods [GET, HEAD, OPTIONS, PUT, POST, PATCH, DELETE]")
                .rule(RuleId::MthAllowedSets),
        );
    }
    let n = problems.len();
    let cached = set(&c.cached_methods, problems);
    if problems.len() == n {
        if let Some(s) = &c.cached_methods {
            if !cached.is_legal_cached() {
                problems.push(
                    Problem::new(
                        Pos::of(s),
                        "cached_methods must be [GET, HEAD] or [GET, HEAD, OPTIONS]",
                    )
                    .rule(RuleId::MthAllowedSets),
                );
            } else if !cached.is_subset_of(allowed) {
                problems.push(
                    Problem::new(Pos::of(s), "cached_methods must be a subset of allowed_methods (OPTIONS cannot be cached unless it is allowed)")
                        .rule(RuleId::MthAllowedSets),
                );
            }
        }
    }
    (problems.len() == before).then(|| Behavior {
        path_pattern: PathPattern::default_pattern(),
        viewer_protocol_policy: c.viewer_protocol_policy.value,
        allowed_methods: allowed,
        cached_methods: cached,
        origin: origin.unwrap_or(0),
        forward_cloudfront_proto: c.forward_cloudfront_proto,
        is_default: false,
    })
}
