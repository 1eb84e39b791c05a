//! The access-log files a run is given, as CloudFront delivers them: files or folders (searched
//! recursively, in name order), each plain text or gzipped (told by its first bytes, not by its
//! name: S3 keys end in `.gz`, a downloaded copy may not). Read line by line through
//! [`edgeconform_core::logline::LineReader`]; a folder is never held, only the line being read.

use edgeconform_core::logline::{Entry, LineReader};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

/// The files under `paths`: a file as given, a folder's files recursively, sorted by path;
/// hidden files (a leading `.`) are skipped. A path that cannot be listed is a problem.
pub fn expand(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<String>) {
    let (mut files, mut problems) = (Vec::new(), Vec::new());
    for p in paths {
        if p.is_dir() {
            walk(p, &mut files, &mut problems);
        } else {
            files.push(p.clone());
        }
    }
    (files, problems)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>, problems: &mut Vec<String>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            problems.push(format!("{}: cannot list: {e}", dir.display()));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            walk(&p, files, problems);
        } else {
            files.push(p);
        }
    }
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const PARQUET_MAGIC: &[u8; 4] = b"PAR1";

/// Reads one log file, plain or gzipped, handing each entry to `entry` and each problem
/// (`file:line:column: …`) to `problem`. `reader` is the file's line reader (it keeps what the
/// header said). An unreadable, corrupt or Parquet file is one problem and ends the file.
pub fn read(
    path: &Path,
    mut reader: LineReader,
    mut entry: impl FnMut(Entry),
    mut problem: impl FnMut(String),
) {
    let name = path.display();
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return problem(format!("{name}: cannot read: {e}")),
    };
    let mut raw = BufReader::new(file);
    let head = match raw.fill_buf() {
        Ok(b) => b.get(..4.min(b.len())).unwrap_or_default().to_vec(),
        Err(e) => return problem(format!("{name}: cannot read: {e}")),
    };
    if head.starts_with(PARQUET_MAGIC) {
        return problem(format!(
            "{name}: Parquet logs are not read; deliver as JSON, W3C or plain"
        ));
    }
    let gzipped = head.starts_with(&GZIP_MAGIC);
    // MultiGzDecoder: a file of several gzip members (concatenated deliveries) reads as one.
    let mut lines: Box<dyn BufRead> = if gzipped {
        Box::new(BufReader::new(flate2::bufread::MultiGzDecoder::new(raw)))
    } else {
        Box::new(raw)
    };
    let mut buf = Vec::new();
    let mut line_no = 0;
    loop {
        buf.clear();
        match lines.read_until(b'\n', &mut buf) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) => {
                let what = if gzipped {
                    "the gzip data is corrupt or cut short"
                } else {
                    "cannot read"
                };
                return problem(format!("{name}:{}: {what}: {e}", line_no + 1));
            }
        }
        line_no += 1;
        let bytes = buf.strip_suffix(b"\n").unwrap_or(&buf);
        let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
        let Ok(line) = std::str::from_utf8(bytes) else {
            problem(format!(
                "{name}:{line_no}:1: the line is not UTF-8 (LOG-FORMAT)"
            ));
            continue;
        };
        match reader.line(line, line_no) {
            Ok(Some(e)) => entry(e),
            Ok(None) => {}
            Err(e) => problem(format!("{name}:{e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::GzEncoder;
    use std::io::Write;

    fn gz(text: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(text).unwrap();
        e.finish().unwrap()
    }

    fn read_all(path: &Path) -> (Vec<Entry>, Vec<String>) {
        let (mut entries, mut problems) = (Vec::new(), Vec::new());
        read(
            path,
            LineReader::new(),
            |e| entries.push(e),
            |p| problems.push(p),
        );
        (entries, problems)
    }

    #[test]
    fn gzip_is_told_by_its_bytes_and_corruption_is_a_positioned_problem() {
        let dir = std::env::temp_dir().join(format!("edgeconform-logfiles-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        let text = b"{\"sc-status\":\"200\"}\n{\"sc-status\":\"301\"}\n";
        // A gzipped file named like a plain one, and two gzip members in one file.
        std::fs::write(dir.join("a.log"), gz(text)).unwrap();
        let mut two = gz(text);
        two.extend(gz(b"{\"sc-status\":\"403\"}\n"));
        std::fs::write(dir.join("sub/b.gz"), two).unwrap();
        assert_eq!(read_all(&dir.join("a.log")).0.len(), 2);
        assert_eq!(read_all(&dir.join("sub/b.gz")).0.len(), 3);
        // Cut short: the lines before the cut are read, then one problem naming the file.
        let whole = gz(&text.repeat(200));
        std::fs::write(dir.join("cut.gz"), &whole[..whole.len() / 2]).unwrap();
        let (_, problems) = read_all(&dir.join("cut.gz"));
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].contains("cut.gz:") && problems[0].contains("corrupt or cut short"),
            "{problems:?}"
        );
        std::fs::write(dir.join("p.parquet"), b"PAR1\0\0").unwrap();
        let (_, problems) = read_all(&dir.join("p.parquet"));
        assert!(
            problems[0].contains("Parquet logs are not read"),
            "{problems:?}"
        );
        std::fs::write(dir.join(".hidden"), b"x").unwrap();
        let (files, problems) = expand(std::slice::from_ref(&dir));
        let names: Vec<String> = files
            .iter()
            .map(|f| f.strip_prefix(&dir).unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["a.log", "cut.gz", "p.parquet", "sub/b.gz"]);
        assert!(problems.is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
