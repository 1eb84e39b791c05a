//! `import`: arbitrary bytes as a CloudFront configuration, with format detection and with each
//! `--format`. `import()` must return a distribution whose written YAML loads back to the same
//! distribution with the project's loader, or an error; warnings, findings and errors must point
//! inside the input; nothing may panic (hostile JSON nesting, YAML tags, HCL expressions).
#![no_main]

use edgeconform_core::distribution::Distribution;
use edgeconform_core::import::{import, Format, Options};
use edgeconform_core::yaml::Pos;
use edgeconform_fuzz::yaml_lines;
use libfuzzer_sys::fuzz_target;

/// A position lies inside the input whichever line breaks the parser counted (`\n` only, or
/// `\r` too as YAML does).
fn assert_inside(text: &str, pos: Pos, what: &str) {
    let by_yaml = yaml_lines(text);
    let by_lf: Vec<&str> = text.split('\n').collect();
    let lines = by_yaml.len().max(by_lf.len()) as u64;
    let widest = by_yaml
        .iter()
        .chain(&by_lf)
        .map(|l| l.len())
        .max()
        .unwrap_or(0) as u64;
    assert!(
        (1..=lines).contains(&pos.line) && (1..=widest + 1).contains(&pos.column),
        "{what} at {pos} is outside the {lines}-line input: {text:?}"
    );
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let formats = std::iter::once(None).chain(Format::ALL.into_iter().map(Some));
    for format in formats {
        let options = Options {
            format,
            ..Options::default()
        };
        match import(&text, &options) {
            Ok(imported) => {
                let written = imported.render("fuzz", "distribution.schema.json");
                let loaded = Distribution::from_yaml(&written)
                    .unwrap_or_else(|p| panic!("written YAML does not load: {p}\n{written}"));
                assert_eq!(loaded, imported.distribution);
                for w in &imported.warnings {
                    assert_inside(&text, w.pos, &w.message);
                }
                for f in &imported.findings {
                    assert_inside(&text, f.pos, &f.message);
                }
            }
            Err(e) => assert_inside(&text, e.pos(), &e.to_string()),
        }
    }
});
