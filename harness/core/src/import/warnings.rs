//! What an import could not carry into the distribution YAML but changes what a viewer sees
//! ([`Warning`]), and what static scanners report about the configuration ([`Finding`]), each at
//! its position in the input:
//!
//! ```text
//! cf.yaml:41:11: warning: behavior `/api/*`: Lambda@Edge on viewer-request runs before the viewer protocol policy …
//! cf.yaml:30:9: warning: [CKV_AWS_34, AVD-AWS-0012, CloudFront.3] behavior `*` (default) uses allow-all: … (settled by VPP-ALLOW-ALL)
//! ```

use crate::yaml::Pos;
use crate::RuleId;

/// Something the distribution YAML cannot say, or a guess the import had to make.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Warning {
    pub pos: Pos,
    pub message: String,
}

impl Warning {
    pub fn new(pos: Pos, message: impl Into<String>) -> Warning {
        Warning {
            pos,
            message: message.into(),
        }
    }

    /// `file:line:column: warning: message`.
    pub fn render(&self, file: &str) -> String {
        format!("{file}:{}: warning: {}", self.pos, self.message)
    }
}

/// A static finding under its scanners' well-known IDs, with the rules of a live run that
/// settle it (what the edge really does, rather than what the configuration says).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    pub pos: Pos,
    /// Scanner rule IDs: checkov, tfsec/Trivy, AWS Security Hub.
    pub ids: Vec<&'static str>,
    /// The behavior's path pattern (`*` for the default behavior).
    pub behavior: String,
    pub message: String,
    pub settled_by: Vec<RuleId>,
}

impl Finding {
    /// `file:line:column: warning: [IDS] message (settled by RULES)`.
    pub fn render(&self, file: &str) -> String {
        format!("{file}:{}: warning: {}", self.pos, self.text())
    }

    /// The finding without its position.
    pub fn text(&self) -> String {
        let rules: Vec<&str> = self.settled_by.iter().map(|r| r.as_str()).collect();
        format!(
            "[{}] {} (a live run settles it: {})",
            self.ids.join(", "),
            self.message,
            rules.join(", ")
        )
    }
}
