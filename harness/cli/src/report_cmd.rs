//! `edgeconform report`: render several `report.json` files as one rules × targets matrix (HTML,
//! and optionally Markdown). A file that is not a report of this schema version is an error naming
//! the file (exit 2); a file that cannot be written is a harness fault (exit 3).
//!
//! ```text
//! $ edgeconform report reports/reference/report.json reports/nginx/report.json \
//!     -o reports/matrix/index.html --markdown reports/matrix/summary.md
//! wrote reports/matrix/index.html (2 targets)
//! wrote reports/matrix/summary.md
//! ```

use crate::exit;
use crate::report::matrix::{render_matrix, render_matrix_markdown};
use crate::report::model::RunResult;
use crate::report::{json, write::write_atomic};
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// `report.json` files written by `edgeconform run`, one per target (column), in column order.
    #[arg(required = true, value_name = "REPORT.json")]
    pub files: Vec<PathBuf>,
    /// Where to write the matrix page (HTML, self-contained).
    #[arg(long, short = 'o', value_name = "OUT.html")]
    pub output: PathBuf,
    /// Also write the matrix as a Markdown table.
    #[arg(long, value_name = "OUT.md")]
    pub markdown: Option<PathBuf>,
}

/// Run the subcommand; returns the exit code.
pub fn run(args: &ReportArgs) -> u8 {
    let runs = match read_all(&args.files) {
        Ok(r) => r,
        Err(msg) => {
            eprintln!("edgeconform report: {msg}");
            return exit::USAGE;
        }
    };
    if let Err(msg) = write(&args.output, &render_matrix(&runs)) {
        eprintln!("edgeconform report: {msg}");
        return exit::HARNESS;
    }
    println!("wrote {} ({} targets)", args.output.display(), runs.len());
    if let Some(md) = &args.markdown {
        if let Err(msg) = write(md, &render_matrix_markdown(&runs)) {
            eprintln!("edgeconform report: {msg}");
            return exit::HARNESS;
        }
        println!("wrote {}", md.display());
    }
    exit::OK
}

/// Read and check every file; the first bad one is the error, named.
pub fn read_all(files: &[PathBuf]) -> Result<Vec<RunResult>, String> {
    files.iter().map(|f| read(f)).collect()
}

/// One `report.json`, or an error that names it.
pub fn read(file: &Path) -> Result<RunResult, String> {
    let name = file.display();
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {name}: {e}"))?;
    json::parse(&text).map_err(|e| format!("{name}: {e}"))
}

fn write(path: &Path, body: &str) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    write_atomic(path, body.as_bytes()).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
