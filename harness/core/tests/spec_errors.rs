//! The broken-spec corpus (`tests/broken-specs/*.yaml`): every file fails to load, every problem is
//! rendered `file:line:column: what is wrong; what was expected`, and the whole list is one insta
//! snapshot reviewed like code. Nothing panics, whatever the input.

use edgeconform_core::spec::load_suite;
use std::path::{Path, PathBuf};

fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

/// Reads files named relative to `tests/` (the corpus names itself `broken-specs/<file>`).
fn read(p: &str) -> Result<String, String> {
    std::fs::read_to_string(tests_dir().join(p)).map_err(|e| e.kind().to_string())
}

fn corpus() -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = std::fs::read_dir(tests_dir().join("broken-specs"))
        .expect("the corpus exists")
        .map(|e| e.expect("readable").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| {
            let name = format!("broken-specs/{}", p.file_name().unwrap().to_string_lossy());
            (name, std::fs::read_to_string(&p).expect("readable spec"))
        })
        .collect();
    v.sort();
    v
}

#[test]
fn every_broken_spec_is_refused_with_positioned_messages() {
    let corpus = corpus();
    assert!(
        corpus.len() >= 30,
        "the corpus has {} specs; keep at least 30",
        corpus.len()
    );
    let mut out = String::new();
    for (name, text) in &corpus {
        let problems = match load_suite(text, name, &read) {
            Ok(s) => panic!(
                "{name} loaded ({} cases) but is in the broken corpus",
                s.len()
            ),
            Err(p) => p,
        };
        assert!(!problems.0.is_empty(), "{name}: an error without problems");
        out.push_str(&format!("== {name}\n"));
        for p in &problems.0 {
            let line = p.render(name);
            // file:line:column: message
            let rest = line
                .strip_prefix(&format!("{name}:"))
                .expect("starts with the file");
            let mut parts = rest.splitn(3, ':');
            let (l, c) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            assert!(
                l.parse::<u64>().is_ok_and(|n| n >= 1) && c.parse::<u64>().is_ok_and(|n| n >= 1),
                "{line}"
            );
            // What was expected, or (distribution messages) what to do instead.
            let says = ["expected", "duplicate", "remove", "use ", "allowed are"]
                .iter()
                .any(|w| line.contains(w));
            assert!(says, "says what was expected: {line}");
            out.push_str(&line);
            out.push('\n');
        }
    }
    insta::assert_snapshot!("broken_specs", out);
}

#[test]
fn many_problems_are_reported_at_once() {
    let text = read("broken-specs/many-problems.yaml").unwrap();
    let p = load_suite(&text, "many.yaml", &read).unwrap_err();
    assert!(p.0.len() >= 6, "{}", p.render("many.yaml"));
    // In source order.
    assert!(p.0.windows(2).all(|w| w[0].pos <= w[1].pos));
}

/// Every prefix of every spec in the corpus and in specs/ loads or fails without panicking.
#[test]
fn truncated_specs_never_panic() {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../specs");
    let mut texts: Vec<String> = corpus().into_iter().map(|(_, t)| t).collect();
    for e in std::fs::read_dir(&specs).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|e| e == "yaml") {
            texts.push(std::fs::read_to_string(p).unwrap());
        }
    }
    let read_specs = |p: &str| std::fs::read_to_string(specs.join(p)).map_err(|e| e.to_string());
    for t in &texts {
        let step = (t.len() / 150).max(1);
        for end in (0..t.len())
            .step_by(step)
            .filter(|&i| t.is_char_boundary(i))
        {
            let _ = load_suite(&t[..end], "s.yaml", &read_specs);
            let mangled = t[..end].replace(": ", ":").replace('-', "");
            let _ = load_suite(&mangled, "s.yaml", &read_specs);
        }
    }
}
