//! The committed JSON Schemas (`specs/schema.json`, `specs/distribution.schema.json`) are the ones
//! the types generate, and every spec file points editors at them with its modeline.

use edgeconform_core::spec::schema::{distribution_schema, suite_schema};
use std::path::{Path, PathBuf};

fn specs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs")
}

#[test]
fn committed_schemas_are_current() {
    let update = std::env::var_os("UPDATE_SCHEMA").is_some();
    let mut stale = Vec::new();
    for (name, generated) in [
        ("schema.json", suite_schema()),
        ("distribution.schema.json", distribution_schema()),
    ] {
        let path = specs_dir().join(name);
        if update {
            std::fs::write(&path, &generated)
                .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
            continue;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != generated {
            stale.push(format!("specs/{name}"));
        }
    }
    assert!(
        stale.is_empty(),
        "{} out of date with the spec types; regenerate with:\n    UPDATE_SCHEMA=1 cargo test -p edgeconform-core --test spec_schema\nand commit the result",
        stale.join(" and ")
    );
}

#[test]
fn every_spec_starts_with_its_schema_modeline() {
    let mut missing = Vec::new();
    for (dir, modeline) in [
        (specs_dir(), "# yaml-language-server: $schema=schema.json"),
        (
            specs_dir().join("distributions"),
            "# yaml-language-server: $schema=../distribution.schema.json",
        ),
    ] {
        for entry in std::fs::read_dir(&dir).expect("specs/ exists") {
            let path = entry.expect("readable dir").path();
            if path.extension().is_some_and(|e| e == "yaml") {
                let text = std::fs::read_to_string(&path).expect("readable spec");
                if text.lines().next() != Some(modeline) {
                    missing.push(format!(
                        "{}: first line must be `{modeline}`",
                        path.display()
                    ));
                }
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn suite_schema_names_the_rule_ids_and_the_inline_distribution() {
    let s = suite_schema();
    assert!(s.contains("\"VPP-REDIRECT-SAFE\""));
    assert!(s.contains("\"DistributionSpec\""));
    assert!(s.contains("same-url-over-https"));
}
