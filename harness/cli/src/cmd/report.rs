//! `edgeconform report`: render several `report.json` files as one rules × targets matrix (HTML,
//! and optionally Markdown). With `--targets DIR`, a target whose name has a recipe baseline
//! `DIR/<name>/expected.yaml` gets its listed rules shown as expected deviations. A file that is not
//! a report of this schema version, or a baseline that does not parse, is an error naming the file
//! (exit 2); a file that cannot be written is a harness fault (exit 3).
//!
//! With `--merge`, the files are the shards of one run (`run --shard I/N`) and `-o` a folder: the
//! whole run's four reports are written there and the exit code is the run's (0, 1, or 3 for an
//! interrupted shard). Shards of one fuzz (`fuzz --shard I/N`, their `fuzz.json`, told from a
//! `report.json` by content) merge the same way into `fuzz.json`, `fuzz.md` and `fuzz.html`, with
//! the fuzz run's exit code.
//!
//! ```text
//! $ edgeconform report reports/reference/report.json reports/nginx/report.json --targets targets \
//!     -o reports/matrix/index.html --markdown reports/matrix/summary.md
//! wrote reports/matrix/index.html (2 targets)
//! wrote reports/matrix/summary.md
//! ```

use crate::exit;
use crate::report::json;
use crate::report::matrix::{render_matrix_columns, render_matrix_markdown_columns, Column};
use crate::report::model::RunResult;
use crate::report::write::{sanitise, write_atomic};
use anyhow::{anyhow, Context};
use clap::Args;
use edgeconform_core::rules::RuleId;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// `report.json` files written by `edgeconform run`, one per target (column), in column order;
    /// with --merge, the shards' `report.json` (or the `fuzz.json` of `fuzz --shard`).
    #[arg(required = true, value_name = "REPORT.json")]
    pub files: Vec<PathBuf>,
    /// Where to write the matrix page (HTML, self-contained); with --merge, the folder for the
    /// merged run's report.json, junit.xml, summary.md and index.html (for fuzz shards: fuzz.json,
    /// fuzz.md and fuzz.html).
    #[arg(long, short = 'o', value_name = "OUT.html|DIR")]
    pub output: PathBuf,
    /// The files are the shards of one run (`run --shard I/N` in N jobs): put them back together
    /// into the report of the whole run, cases in the run's order. For the `fuzz.json` of `fuzz
    /// --shard I/N` (one seed): one fuzz report, groups joined by (rule, misreading), counts
    /// added up, each group's example the one of lowest stream index.
    #[arg(long, conflicts_with_all = ["markdown", "targets"])]
    pub merge: bool,
    /// Also write the matrix as a Markdown table.
    #[arg(long, value_name = "OUT.md")]
    pub markdown: Option<PathBuf>,
    /// Recipes folder: a target named NAME with a `DIR/NAME/expected.yaml` baseline gets the rules
    /// listed there shown as expected deviations instead of failures.
    #[arg(long, value_name = "DIR")]
    pub targets: Option<PathBuf>,
}

/// Run the subcommand; returns the exit code.
pub fn run(args: &ReportArgs) -> u8 {
    if args.merge {
        return merge(args);
    }
    let runs = match read_all(&args.files) {
        Ok(r) => r,
        Err(msg) => {
            eprintln!("edgeconform report: {msg:#}");
            return exit::USAGE;
        }
    };
    let mut expected = Vec::with_capacity(runs.len());
    for run in &runs {
        match baseline(args.targets.as_deref(), &run.target.name) {
            Ok(e) => expected.push(e),
            Err(msg) => {
                eprintln!("edgeconform report: {msg:#}");
                return exit::USAGE;
            }
        }
    }
    let columns: Vec<Column> = runs
        .iter()
        .zip(expected)
        .map(|(run, e)| Column::with_expected(run, e))
        .collect();
    if let Err(msg) = write(&args.output, &render_matrix_columns(&columns)) {
        eprintln!("edgeconform report: {msg:#}");
        return exit::HARNESS;
    }
    println!("wrote {} ({} targets)", args.output.display(), runs.len());
    if let Some(md) = &args.markdown {
        if let Err(msg) = write(md, &render_matrix_markdown_columns(&columns)) {
            eprintln!("edgeconform report: {msg:#}");
            return exit::HARNESS;
        }
        println!("wrote {}", md.display());
    }
    exit::OK
}

/// `--merge`: the shards' reports as the whole run's (or fuzz's), written into `-o`; the run's exit
/// code.
fn merge(args: &ReportArgs) -> u8 {
    use crate::report::merge::{merge, Shard};
    let texts: anyhow::Result<Vec<(String, String)>> = args
        .files
        .iter()
        .map(|f| read_text(f).map(|t| (f.display().to_string(), t)))
        .collect();
    let texts = match texts {
        Ok(t) => t,
        Err(msg) => {
            eprintln!("edgeconform report: {msg:#}");
            return exit::USAGE;
        }
    };
    let fuzz: Vec<bool> = texts
        .iter()
        .map(|(_, t)| crate::cmd::fuzz::is_fuzz_report(t))
        .collect();
    match (fuzz.iter().position(|f| *f), fuzz.iter().position(|f| !f)) {
        (Some(_), None) => return crate::cmd::fuzz::merge_files(&texts, &args.output),
        (Some(f), Some(r)) => {
            eprintln!(
                "edgeconform report: {} is a fuzz report (fuzz.json) and {} a run report (report.json): merge the shards of one fuzz or of one run",
                texts[f].0, texts[r].0
            );
            return exit::USAGE;
        }
        _ => {}
    }
    let shards: anyhow::Result<Vec<Shard>> = texts
        .into_iter()
        .map(|(name, text)| parse(&name, &text).map(|run| Shard { name, run }))
        .collect();
    let run = match shards.and_then(|s| merge(s).map_err(|e| anyhow!(e))) {
        Ok(r) => r,
        Err(msg) => {
            eprintln!("edgeconform report: {msg:#}");
            return exit::USAGE;
        }
    };
    println!(
        "merged {} shards: {} cases; {}",
        args.files.len(),
        run.len(),
        run.totals()
    );
    if let Err(e) = crate::report::write::write_into(&run, &args.output) {
        eprintln!(
            "edgeconform report: cannot write into {}: {e}",
            args.output.display()
        );
        return exit::HARNESS;
    }
    println!(
        "wrote {}/report.json, junit.xml, summary.md, index.html",
        args.output.display()
    );
    if run.interrupted {
        eprintln!("edgeconform report: a shard was interrupted: its missing cases are absent");
        exit::HARNESS
    } else if run.gated() {
        exit::FAIL
    } else {
        exit::OK
    }
}

/// Read and check every file; the first bad one is the error, named.
pub fn read_all(files: &[PathBuf]) -> anyhow::Result<Vec<RunResult>> {
    files.iter().map(|f| read(f)).collect()
}

/// One `report.json`, or an error that names it.
pub fn read(file: &Path) -> anyhow::Result<RunResult> {
    parse(&file.display().to_string(), &read_text(file)?)
}

fn read_text(file: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))
}

/// The `report.json` read from file `name`, or an error that names it.
fn parse(name: &str, text: &str) -> anyhow::Result<RunResult> {
    json::parse(text).map_err(|e| anyhow!("{name}: {e}"))
}

/// The expected deviations of target `name` from `targets/<name>/expected.yaml`: none without
/// `--targets`, for a name that is not one safe path component, or when the recipe has no baseline.
pub fn baseline(targets: Option<&Path>, name: &str) -> anyhow::Result<BTreeMap<RuleId, String>> {
    let Some(dir) = targets else {
        return Ok(BTreeMap::new());
    };
    if name.is_empty() || sanitise(name) != name {
        return Ok(BTreeMap::new());
    }
    let path = dir.join(name).join("expected.yaml");
    if !path.exists() {
        return Ok(BTreeMap::new());
    }
    crate::runner::recipe::read_baseline(&path).map_err(|e| anyhow!(e))
}

fn write(path: &Path, body: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    write_atomic(path, body.as_bytes()).with_context(|| format!("cannot write {}", path.display()))
}
