//! Writing a run's reports to disk: `reports/<run-name>/{report.json, junit.xml, summary.md,
//! index.html}` and a copy in `reports/latest/`. Each file is written to a temporary name in the
//! same directory and renamed into place, so an interrupted run never leaves a half-written report;
//! `latest/` is built beside the old one and swapped in.
//!
//! ```text
//! reports/
//!   20261128T171500Z-reference/   report.json junit.xml summary.md index.html
//!   latest/                       the same four files, from the last run written
//! ```

use super::model::RunResult;
use super::{html, json, junit, markdown};
use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

/// The file names written for one run.
pub const FILES: [&str; 4] = ["report.json", "junit.xml", "summary.md", "index.html"];

/// Write every report of `run` into `reports_dir/<run-name>/` and refresh `reports_dir/latest/`.
/// Returns the run's directory.
pub fn write_all(run: &RunResult, reports_dir: &Path) -> io::Result<PathBuf> {
    fs::create_dir_all(reports_dir)?;
    let dir = fresh_dir(reports_dir, &run_name(run));
    write_into(run, &dir)?;
    refresh_latest(reports_dir, &dir, &FILES)?;
    Ok(dir)
}

/// `reports_dir/base`, or `base-2`, `base-3`, … when taken: two runs in the same second against
/// the same target get distinct folders.
pub fn fresh_dir(reports_dir: &Path, base: &str) -> PathBuf {
    let mut dir = reports_dir.join(base);
    let mut n = 2;
    while dir.exists() {
        dir = reports_dir.join(format!("{base}-{n}"));
        n += 1;
    }
    dir
}

/// Write every report of `run` into `dir` itself (created if missing).
pub fn write_into(run: &RunResult, dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    // report.json and junit.xml are streamed (a big run's cases live in a spool); the summary
    // and the page show a bounded number of cases.
    write_atomic_with(&dir.join(FILES[0]), |f| json::write_streaming(run, f))?;
    write_atomic_with(&dir.join(FILES[1]), |f| junit::write_streaming(run, f))?;
    let others = [markdown::render(run), html::render(run)];
    for (name, body) in FILES[2..].iter().zip(&others) {
        write_atomic(&dir.join(name), body.as_bytes())?;
    }
    Ok(())
}

/// `<UTC timestamp>-<target>`, e.g. `20261128T171500Z-reference`: the start time without
/// separators, then the target name, both reduced to `[A-Za-z0-9._-]`.
pub fn run_name(run: &RunResult) -> String {
    let stamp: String = run
        .started
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let target = sanitise(&run.target.name);
    match (stamp.is_empty(), target.is_empty()) {
        (true, true) => "run".to_string(),
        (true, false) => target,
        (false, true) => stamp,
        (false, false) => format!("{stamp}-{target}"),
    }
}

/// A name safe as one path component: `[A-Za-z0-9._-]` kept, runs of anything else become one
/// `-`, no leading dot (so never `.` or `..`), at most 64 characters.
pub fn sanitise(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_start_matches(['.', '-']).trim_end_matches('-');
    out.chars().take(64).collect()
}

/// Write `bytes` to `path` through a temporary file in the same directory, synced, then renamed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_with(path, |f| f.write_all(bytes))
}

/// [`write_atomic`] with the content written by `fill`.
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut fs::File) -> io::Result<()>,
) -> io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("report");
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        fill(&mut f)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Replace `reports_dir/latest` by a copy of `files` in the run's `dir`: built as `.latest.new-<pid>`, then
/// swapped in.
pub fn refresh_latest(reports_dir: &Path, dir: &Path, files: &[&str]) -> io::Result<()> {
    let pid = std::process::id();
    let new = reports_dir.join(format!(".latest.new-{pid}"));
    let old = reports_dir.join(format!(".latest.old-{pid}"));
    let latest = reports_dir.join("latest");
    let _ = fs::remove_dir_all(&new);
    fs::create_dir_all(&new)?;
    for name in files {
        fs::copy(dir.join(name), new.join(name))?;
    }
    // A directory cannot be renamed over a non-empty one: move the old aside first.
    if latest.symlink_metadata().is_ok() {
        fs::rename(&latest, &old)?;
    }
    fs::rename(&new, &latest)?;
    if old.symlink_metadata().is_ok() {
        if old.is_dir() && !old.symlink_metadata()?.file_type().is_symlink() {
            fs::remove_dir_all(&old)?;
        } else {
            fs::remove_file(&old)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::sanitise;

    #[test]
    fn sanitise_keeps_one_safe_component() {
        assert_eq!(sanitise("nginx"), "nginx");
        assert_eq!(sanitise("../../etc/passwd"), "etc-passwd");
        assert_eq!(sanitise("a b/c<script>"), "a-b-c-script");
        assert_eq!(sanitise(".."), "");
        assert_eq!(
            sanitise("d111.cloudfront.net:443"),
            "d111.cloudfront.net-443"
        );
    }
}
