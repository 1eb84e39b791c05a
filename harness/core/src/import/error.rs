//! Why an input could not be imported. Each error says where (line:column when the format gives
//! one), what is wrong, and what was expected.

use crate::yaml::Pos;
use crate::RuleId;

/// A bad input: the import stops and writes nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// Not JSON, YAML or HCL, or not valid in the format it claims.
    #[error("{message}")]
    Syntax { pos: Pos, message: String },
    /// No CloudFront distribution anywhere in the file.
    #[error("{message}")]
    NoDistribution { pos: Pos, message: String },
    /// Several distributions and no `--resource` to choose one (or one that names none of them).
    #[error("{message}")]
    Ambiguous {
        pos: Pos,
        message: String,
        names: Vec<String>,
    },
    /// A distribution that CloudFront would reject or that cannot be expressed at all: no
    /// default behavior, a behavior naming an unknown origin, an illegal AllowedMethods set, ….
    #[error("{message}")]
    Invalid {
        pos: Pos,
        message: String,
        rule: Option<RuleId>,
    },
}

impl ImportError {
    pub fn syntax(pos: Pos, message: impl Into<String>) -> ImportError {
        ImportError::Syntax {
            pos,
            message: message.into(),
        }
    }

    pub fn invalid(pos: Pos, message: impl Into<String>) -> ImportError {
        ImportError::Invalid {
            pos,
            message: message.into(),
            rule: None,
        }
    }

    pub fn invalid_rule(pos: Pos, message: impl Into<String>, rule: RuleId) -> ImportError {
        ImportError::Invalid {
            pos,
            message: message.into(),
            rule: Some(rule),
        }
    }

    pub fn pos(&self) -> Pos {
        match self {
            ImportError::Syntax { pos, .. }
            | ImportError::NoDistribution { pos, .. }
            | ImportError::Ambiguous { pos, .. }
            | ImportError::Invalid { pos, .. } => *pos,
        }
    }

    pub fn rule(&self) -> Option<RuleId> {
        match self {
            ImportError::Invalid { rule, .. } => *rule,
            _ => None,
        }
    }

    /// `file:line:column: error: message (RULE)`.
    pub fn render(&self, file: &str) -> String {
        match self.rule() {
            Some(r) => format!("{file}:{}: error: {self} ({r})", self.pos()),
            None => format!("{file}:{}: error: {self}", self.pos()),
        }
    }
}
