//! `edgeconform mutants`: the mutants of the reference edge, each with the rules it breaks and
//! its bug in one line (`edgeconform edge --mutant NAME`, `edgeconform run --mutant NAME`,
//! `edgeconform selftest`).
//!
//! ```text
//! $ edgeconform mutants
//! MUTANT                       BREAKS                                BUG
//! redirect-302                 VPP-REDIRECT-SAFE                     answers 302 Found instead of 301 to HTTP GET/HEAD under redirect-to-https
//! ...
//! ```

use crate::edge::Mutant;
use crate::exit;

/// List the mutants of the reference edge with the rules each breaks.
#[derive(clap::Args, Debug, Clone)]
pub struct MutantsArgs {
    /// One JSON object per line (`name`, `rules`, `description`) instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// The table (or JSON lines) of every mutant.
pub fn render(json: bool) -> String {
    let mut s = String::new();
    if !json {
        s.push_str(&format!("{:<28} {:<37} BUG\n", "MUTANT", "BREAKS"));
    }
    for m in Mutant::ALL {
        let rules: Vec<&str> = m.rules().iter().map(|r| r.as_str()).collect();
        if json {
            let line = serde_json::json!({
                "name": m.name(),
                "rules": rules,
                "description": m.description(),
            });
            s.push_str(&format!("{line}\n"));
        } else {
            s.push_str(&format!(
                "{:<28} {:<37} {}\n",
                m.name(),
                rules.join(", "),
                m.description()
            ));
        }
    }
    s
}

/// `edgeconform mutants`.
pub fn run(args: &MutantsArgs) -> u8 {
    print!("{}", render(args.json));
    exit::OK
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_mutant_is_listed_with_its_rules() {
        let table = super::render(false);
        assert_eq!(table.lines().count(), 1 + crate::edge::Mutant::ALL.len());
        assert!(table.contains("redirect-302"), "{table}");
        let json = super::render(true);
        let first: serde_json::Value = serde_json::from_str(json.lines().next().unwrap()).unwrap();
        assert_eq!(first["rules"][0], "VPP-REDIRECT-SAFE");
    }
}
