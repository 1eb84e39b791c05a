//! Writes the distribution YAML in the layout of `specs/distributions/*.yaml`: one flow mapping
//! per origin, one block per behavior, scalars quoted only where YAML needs it.

use super::mapping::{Behavior, Origin};
use crate::distribution::MethodSet;
use crate::yaml::write::{flow_list, method_list, origin_kind_fields, scalar, WebsitePort};

/// The distribution YAML body.
pub(super) fn distribution(
    domain: &str,
    aliases: &[String],
    origins: &[Origin],
    behaviors: &[Behavior],
    default: &Behavior,
) -> String {
    let mut y = String::new();
    y.push_str(&format!("domain: {}\n", scalar(domain)));
    if !aliases.is_empty() {
        y.push_str(&format!("aliases: {}\n", flow_list(aliases)));
    }
    y.push_str("origins:\n");
    for o in origins {
        let mut fields = origin_kind_fields(&o.kind, WebsitePort::UnlessDefault);
        if !o.path.is_empty() {
            fields.push(format!("origin_path: {}", scalar(&o.path)));
        }
        if let Some(d) = &o.domain {
            fields.push(format!("domain_name: {}", scalar(d)));
        }
        y.push_str(&format!("  {}: {{{}}}\n", scalar(&o.id), fields.join(", ")));
    }
    if !behaviors.is_empty() {
        y.push_str("behaviors:\n");
        for b in behaviors {
            y.push_str(&format!("  - path_pattern: {}\n", scalar(&b.pattern)));
            behavior_fields(&mut y, b, origins, "    ");
        }
    }
    y.push_str("default_behavior:\n");
    behavior_fields(&mut y, default, origins, "  ");
    if behaviors.len() > crate::distribution::Limits::default().max_behaviors {
        y.push_str(&format!("limits: {{max_behaviors: {}}}\n", behaviors.len()));
    }
    y
}

fn behavior_fields(y: &mut String, b: &Behavior, origins: &[Origin], indent: &str) {
    y.push_str(&format!(
        "{indent}viewer_protocol_policy: {}\n",
        b.vpp.as_str()
    ));
    if b.allowed != MethodSet::GET_HEAD {
        y.push_str(&format!(
            "{indent}allowed_methods: {}\n",
            method_list(b.allowed)
        ));
    }
    if b.cached != MethodSet::GET_HEAD {
        y.push_str(&format!(
            "{indent}cached_methods: {}\n",
            method_list(b.cached)
        ));
    }
    y.push_str(&format!(
        "{indent}origin: {}\n",
        scalar(&origins[b.origin].id)
    ));
    if b.proto {
        y.push_str(&format!("{indent}forward_cloudfront_proto: true\n"));
    }
}
