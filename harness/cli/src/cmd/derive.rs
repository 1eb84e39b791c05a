//! `edgeconform derive FILE [-o suite.yaml]`: the full conformance suite for a distribution,
//! derived from it (`edgeconform_core::derive`), written for review and version control; the
//! derived suite of `run --distribution FILE` with no suite paths; and `coverage --distribution
//! FILE`: the rules the derived suite exercises and those the distribution gives no way to reach.
//!
//! ```text
//! $ edgeconform derive my-dist.yaml -o specs/my-dist.yaml
//! specs/my-dist.yaml: 142 scenarios and a matrix of 350 cells on ../my-dist.yaml
//! ```

use crate::exit;
use clap::Args;
use edgeconform_core::derive;
use edgeconform_core::distribution::Distribution;
use edgeconform_core::rules::CATALOG;
use edgeconform_core::spec::{self, load_suite, Suite};
use std::path::{Component, Path, PathBuf};

#[derive(Args, Debug)]
#[command(
    after_help = "The suite names the distribution by a path relative to the output file's folder \
(relative to the current folder without -o; absolute when no relative path exists). Every \
expectation comes from the decision model. Regenerate after editing the distribution.\n\n\
Exit: 0 written; 2 the distribution has problems or the output cannot be written."
)]
pub struct DeriveArgs {
    /// The distribution file (YAML).
    pub file: PathBuf,
    /// Write the suite here instead of to stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Leave out the HTTP/2 cells of the matrix (for a target that does not offer h2).
    #[arg(long)]
    pub no_http2: bool,
}

/// `edgeconform derive`.
pub fn run(args: &DeriveArgs) -> u8 {
    let dist = match read(&args.file) {
        Ok(d) => d,
        Err(problems) => return report(&problems),
    };
    let folder = match &args.output {
        Some(o) => o.parent().map(Path::to_path_buf).unwrap_or_default(),
        None => PathBuf::new(),
    };
    let name = relative_to(&args.file, &folder);
    let opts = derive::Options {
        http2: !args.no_http2,
    };
    let mut text = derive::derive_suite(&dist, &name, opts);
    // In the usual layout (specs/distributions/X.yaml) the suite schema is specs/schema.json:
    // point editors at it, as every hand-written suite does.
    let schema = args
        .file
        .parent()
        .and_then(Path::parent)
        .map(|p| p.join("schema.json"))
        .filter(|p| p.is_file());
    if let Some(schema) = schema {
        let rel = relative_to(&schema, &folder);
        text.insert_str(0, &format!("# yaml-language-server: $schema={rel}\n#\n"));
    }
    match &args.output {
        None => {
            use std::io::Write;
            // A closed stdout (`| head`) is not an error worth a panic.
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
            exit::OK
        }
        Some(o) => {
            if let Err(e) = std::fs::write(o, &text) {
                eprintln!("edgeconform derive: cannot write {}: {e}", o.display());
                return exit::USAGE;
            }
            let d = derive::derive(&dist);
            eprintln!(
                "{}: {} scenarios and a matrix over {} paths, on {name}",
                o.display(),
                d.scenarios.len(),
                d.matrix_paths.len()
            );
            exit::OK
        }
    }
}

fn report(problems: &[String]) -> u8 {
    for p in problems {
        eprintln!("{p}");
    }
    exit::USAGE
}

/// Reads and validates a distribution file; every problem rendered `file:line:column: ...`.
fn read(path: &Path) -> Result<Distribution, Vec<String>> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| vec![format!("{name}: cannot read the distribution: {e}")])?;
    Distribution::from_yaml(&text).map_err(|p| p.0.iter().map(|p| p.render(&name)).collect())
}

/// The derived suite of the distribution at `path`, loaded as a suite file would be. It is named
/// `<stem>.derived.yaml` beside the distribution (no such file is written), so reports show
/// which distribution it comes from.
pub fn derived_suite(path: &Path, opts: derive::Options) -> Result<Suite, Vec<String>> {
    let dist = read(path)?;
    let folder = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let stem = path
        .file_stem()
        .map_or("distribution".into(), |s| s.to_string_lossy());
    let file = folder
        .join(format!("{stem}.derived.yaml"))
        .display()
        .to_string();
    let rel = path.file_name().map_or(path.display().to_string(), |n| {
        n.to_string_lossy().into_owned()
    });
    let text = derive::derive_suite(&dist, &rel, opts);
    let read = |p: &str| std::fs::read_to_string(p).map_err(|e| e.to_string());
    load_suite(&text, &file, &read).map_err(|p| p.0.iter().map(|p| p.render(&file)).collect())
}

/// The suites `edgeconform run` runs: the derived suite of `--distribution` when it was given
/// and no suite path was, else the suites under the paths (default `specs`).
pub fn suites_for_run(
    paths: &[PathBuf],
    distribution: &Path,
    distribution_given: bool,
) -> Result<Vec<Suite>, Vec<String>> {
    match (paths.is_empty(), distribution_given) {
        (true, true) => derived_suite(distribution, derive::Options::default()).map(|s| vec![s]),
        (true, false) => crate::cmd::spec::load_all(&[PathBuf::from("specs")]),
        (false, _) => crate::cmd::spec::load_all(paths),
    }
}

/// `edgeconform coverage --distribution FILE`: per rule, the derived scenarios that check it, or
/// why the distribution gives no way to reach it. Exit 1 when a reachable rule has no scenario
/// (a gap in the derivation), 2 when the distribution has problems.
pub fn coverage(path: &Path) -> u8 {
    let suite = match derived_suite(path, derive::Options::default()) {
        Ok(s) => s,
        Err(p) => return report(&p),
    };
    let cov = spec::coverage(suite.cases());
    let unreachable = derive::unreachable(&suite.distribution);
    println!(
        "{:<22} {:>9} {:>7}  checked by",
        "rule", "scenarios", "matrix"
    );
    let (mut exercised, mut gaps) = (0, Vec::new());
    for r in &cov.rows {
        let why = unreachable.iter().find(|u| u.rule == r.rule);
        let by = if !r.request_checkable {
            "(config or project rule: no request exercises it)".to_string()
        } else if let Some(u) = why {
            format!("UNREACHABLE: {}", u.reason)
        } else if r.scenarios.is_empty() {
            gaps.push(r.rule.as_str());
            "NOT COVERED".to_string()
        } else {
            exercised += 1;
            let shown: Vec<&str> = r.scenarios.iter().take(4).map(String::as_str).collect();
            let more = r.scenarios.len().saturating_sub(shown.len());
            if more > 0 {
                format!("{}, +{more} more", shown.join(", "))
            } else {
                shown.join(", ")
            }
        };
        println!(
            "{:<22} {:>9} {:>7}  {by}",
            r.rule.as_str(),
            r.scenarios.len(),
            r.matrix_cases
        );
    }
    for (b, by) in derive::shadowed(&suite.distribution) {
        println!("behavior {b} is never selected: the paths it matches select {by} first");
    }
    let checkable = CATALOG.iter().filter(|r| r.request_checkable).count();
    println!(
        "{exercised} of {checkable} request-checkable rules exercised by the derived suite ({} cases); {} unreachable on this distribution",
        suite.len(),
        unreachable.len()
    );
    if gaps.is_empty() {
        exit::OK
    } else {
        println!("reachable but not covered: {}", gaps.join(", "));
        exit::FAIL
    }
}

/// `path` relative to `folder` (both taken from the current folder when relative), or absolute
/// when there is no such relative path.
pub fn relative_to(path: &Path, folder: &Path) -> String {
    let abs = |p: &Path| -> Option<PathBuf> {
        let p = if p.as_os_str().is_empty() {
            Path::new(".")
        } else {
            p
        };
        std::path::absolute(p).ok().map(|p| normal(&p))
    };
    let (Some(target), Some(base)) = (abs(path), abs(folder)) else {
        return path.display().to_string();
    };
    let t: Vec<Component> = target.components().collect();
    let b: Vec<Component> = base.components().collect();
    let common = t.iter().zip(&b).take_while(|(x, y)| x == y).count();
    // Sharing no more than the root (or a drive), a relative path would only climb to it.
    if common <= 1 {
        return target.display().to_string();
    }
    let mut rel = PathBuf::new();
    for _ in common..b.len() {
        rel.push("..");
    }
    for c in &t[common..] {
        rel.push(c);
    }
    rel.to_string_lossy().replace('\\', "/")
}

/// `a/./b/../c` → `a/c`, without touching the file system.
fn normal(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::relative_to;
    use std::path::Path;

    #[test]
    fn distribution_paths_are_relative_to_the_output_folder() {
        let p = |a: &str, b: &str| relative_to(Path::new(a), Path::new(b));
        assert_eq!(
            p("specs/distributions/standard.yaml", "specs"),
            "distributions/standard.yaml"
        );
        assert_eq!(
            p("specs/distributions/standard.yaml", "out/suites"),
            "../../specs/distributions/standard.yaml"
        );
        assert_eq!(p("d.yaml", ""), "d.yaml");
        assert_eq!(p("/tmp/x/d.yaml", "/tmp/y"), "../x/d.yaml");
        assert_eq!(p("/srv/d.yaml", "/tmp/y"), "/srv/d.yaml");
        assert_eq!(p("./a/../d.yaml", "."), "d.yaml");
    }
}
