//! `edgeconform check`, `list` and `coverage`: load the suites under the given paths (default
//! `specs/`, skipping `distributions/`), report every problem as `file:line:column: message`, and
//! then compare stated expectations with the model, list the selected cases, or print which
//! scenarios check each rule.
//!
//! ```text
//! $ edgeconform check
//! ok   specs/billing.yaml: 9 cases, 9 with stated expectations
//! ...
//! checked 11 suites: 948 cases (112 hand-written, 836 generated); every stated expectation agrees with the model
//! ```

use crate::exit;
use clap::Args;
use edgeconform_core::spec::{self, load_suite, Suite};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Paths of suites or directories of suites.
#[derive(Args, Debug, Clone)]
pub struct SuitePaths {
    /// Suite files or directories, searched recursively for *.yaml (directories named
    /// `distributions` are skipped: they hold distribution files, not suites).
    #[arg(value_name = "PATH", default_value = "specs")]
    pub paths: Vec<PathBuf>,
}

#[derive(Args, Debug)]
#[command(
    after_help = "Each suite prints `ok` or `FAIL` with its case count; a disagreement prints \
file:line:column, the scenario, the field, what the spec states and what the model predicts. \
Problems (bad YAML, unknown keys or rule IDs, duplicate ids, impossible requests) print as \
file:line:column: message and nothing is checked.\n\nExit: 0 all agree; 1 a disagreement; 2 a spec problem."
)]
pub struct CheckArgs {
    #[command(flatten)]
    pub suites: SuitePaths,
}

#[derive(Args, Debug)]
#[command(
    after_help = "Prints one tab-separated line per selected case: id, level, rules, \
file:line, name; then `selected N of M cases` on stderr.\n\nExamples:\n  \
edgeconform list --tag redirect-pair\n  edgeconform list --id 'matrix-post-*' specs/matrix-standard.yaml\n\n\
Exit: 0 some case selected; 2 a spec problem, an --id that matches nothing, or no case selected."
)]
pub struct ListArgs {
    #[command(flatten)]
    pub suites: SuitePaths,
    /// Select the cases carrying this tag; repeatable (any of them).
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Select the case with this id, or the ids starting with a prefix written `prefix*`;
    /// repeatable (any of them). An id that selects nothing is an error.
    #[arg(long = "id", value_name = "ID")]
    pub ids: Vec<String>,
}

#[derive(Args, Debug)]
#[command(
    after_help = "One line per rule of RULES.md, in catalog order: the number of \
hand-written scenarios and of matrix cases that rest on it, and the scenario ids. Config and \
project rules (MTH-ALLOWED-SETS, PAT-SYNTAX, PAT-LINEAR) are checked on distributions and by \
tests, not by requests.\n\nExit: 0 every request-checkable rule has a scenario; 1 one has none; \
2 a spec problem."
)]
pub struct CoverageArgs {
    #[command(flatten)]
    pub suites: SuitePaths,
    /// Instead of suites: the suite derived from this distribution, and the rules the
    /// distribution gives no way to reach, with the reason.
    #[arg(long, value_name = "FILE")]
    pub distribution: Option<PathBuf>,
}

/// The suite files under `paths`, sorted, or a message for a path that does not exist.
pub fn suite_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out)
                .map_err(|e| format!("{}: cannot read the directory: {e}", p.display()))?;
        } else if p.is_file() {
            out.push(p.clone());
        } else {
            return Err(format!(
                "{}: no such file or directory; expected a suite file or a directory of suites",
                p.display()
            ));
        }
    }
    out.dedup();
    if out.is_empty() {
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(format!(
            "no suite (*.yaml) found under {}",
            names.join(", ")
        ));
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for p in entries {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with('.') {
            continue;
        }
        if p.is_dir() {
            if name != "distributions" {
                walk(&p, out)?;
            }
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
            out.push(p);
        }
    }
    Ok(())
}

/// Loads every suite under `paths`. `Err` carries every problem, rendered
/// `file:line:column: message`, including ids used by two suites.
pub fn load_all(paths: &[PathBuf]) -> Result<Vec<Suite>, Vec<String>> {
    let files = suite_files(paths).map_err(|e| vec![e])?;
    let read = |p: &str| std::fs::read_to_string(p).map_err(|e| e.to_string());
    let mut suites = Vec::new();
    let mut problems = Vec::new();
    for f in files {
        let name = f.display().to_string();
        let text = match std::fs::read_to_string(&f) {
            Ok(t) => t,
            Err(e) => {
                problems.push(format!("{name}: cannot read: {e}"));
                continue;
            }
        };
        match load_suite(&text, &name, &read) {
            Ok(s) => suites.push(s),
            Err(p) => problems.extend(p.0.iter().map(|p| p.render(&name))),
        }
    }
    problems.extend(spec::duplicate_ids(&suites));
    if problems.is_empty() {
        Ok(suites)
    } else {
        Err(problems)
    }
}

fn loaded(cmd: &str, paths: &[PathBuf]) -> Result<Vec<Suite>, u8> {
    load_all(paths).map_err(|problems| {
        for p in &problems {
            eprintln!("{p}");
        }
        eprintln!(
            "edgeconform {cmd}: {} problem{} found; nothing was checked",
            problems.len(),
            plural(problems.len())
        );
        exit::USAGE
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// `edgeconform check`: exit 0 when every suite loads and every stated expectation equals the
/// model's, 1 on a disagreement, 2 on a spec problem.
pub fn check(args: &CheckArgs) -> u8 {
    let suites = match loaded("check", &args.suites.paths) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut disagreements = 0;
    let (mut cases, mut generated) = (0, 0);
    for s in &suites {
        let d = spec::model_agreement(s);
        let stated = s.scenarios.iter().filter(|c| c.explicit).count();
        cases += s.len();
        generated += s.generated();
        let verdict = if d.is_empty() { "ok  " } else { "FAIL" };
        println!(
            "{verdict} {}: {} case{}, {stated} with stated expectations",
            s.file,
            s.len(),
            plural(s.len())
        );
        for x in &d {
            println!("     {x}");
        }
        disagreements += d.len();
    }
    let summary = format!(
        "checked {} suite{}: {cases} case{} ({} hand-written, {generated} generated)",
        suites.len(),
        plural(suites.len()),
        plural(cases),
        cases - generated
    );
    if disagreements == 0 {
        println!("{summary}; every stated expectation agrees with the model");
        exit::OK
    } else {
        println!(
            "{summary}; {disagreements} disagreement{} between the specs and the model",
            plural(disagreements)
        );
        exit::FAIL
    }
}

/// `edgeconform list`: one line per selected case; selecting nothing is an error (exit 2).
pub fn list(args: &ListArgs) -> u8 {
    let suites = match loaded("list", &args.suites.paths) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let total: usize = suites.iter().map(Suite::len).sum();
    for id in &args.ids {
        let found = suites
            .iter()
            .any(|s| s.select(&[], std::slice::from_ref(id)).next().is_some());
        if !found {
            eprintln!(
                "edgeconform list: --id {id} matches no case; `edgeconform list` shows every id"
            );
            return exit::USAGE;
        }
    }
    // Cases are printed as they are built: a 100k-cell matrix is never held at once.
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut selected = 0usize;
    for s in &suites {
        for i in s.select(&args.tags, &args.ids) {
            let c = s.case(i);
            selected += 1;
            let rules: Vec<&str> = c.rules.iter().map(|r| r.as_str()).collect();
            let level = format!("{:?}", c.level).to_lowercase();
            let line = writeln!(
                out,
                "{}\t{level}\t{}\t{}:{}\t{}",
                c.id,
                rules.join(","),
                c.file,
                c.pos.line,
                c.name
            );
            if line.is_err() {
                return exit::OK; // stdout closed (`| head`): nothing more to show
            }
        }
    }
    let _ = out.flush();
    if selected == 0 {
        eprintln!(
            "edgeconform list: no case selected (of {total}) by --tag {} --id {}; selecting nothing is an error",
            if args.tags.is_empty() { "(any)".to_string() } else { args.tags.join(",") },
            if args.ids.is_empty() { "(any)".to_string() } else { args.ids.join(",") },
        );
        return exit::USAGE;
    }
    eprintln!("selected {selected} of {total} cases");
    exit::OK
}

/// `edgeconform coverage`: per rule, the scenarios that check it; exit 1 when a
/// request-checkable rule has no hand-written scenario.
pub fn coverage(args: &CoverageArgs) -> u8 {
    if let Some(d) = &args.distribution {
        return crate::cmd::derive::coverage(d);
    }
    let suites = match loaded("coverage", &args.suites.paths) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let cov = spec::coverage(suites.iter().flat_map(|s| s.cases()));
    println!(
        "{:<22} {:>9} {:>7}  checked by",
        "rule", "scenarios", "matrix"
    );
    for r in &cov.rows {
        let by = if !r.request_checkable {
            "(config or project rule: no request exercises it)".to_string()
        } else if r.scenarios.is_empty() {
            "NOT COVERED".to_string()
        } else {
            r.scenarios.join(", ")
        };
        println!(
            "{:<22} {:>9} {:>7}  {by}",
            r.rule.as_str(),
            r.scenarios.len(),
            r.matrix_cases
        );
    }
    let missing = cov.uncovered();
    if missing.is_empty() {
        println!("every request-checkable rule has at least one scenario");
        exit::OK
    } else {
        let ids: Vec<&str> = missing.iter().map(|r| r.as_str()).collect();
        println!(
            "{} request-checkable rule{} without a scenario: {}",
            ids.len(),
            plural(ids.len()),
            ids.join(", ")
        );
        exit::FAIL
    }
}
