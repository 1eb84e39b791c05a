//! Helpers shared by the fuzz targets in `fuzz_targets/` (the structure-aware inputs and the
//! oracles of the core targets live in `edgeconform_core::fuzzgen`, where `edgeconform promote`
//! reaches them too).

use edgeconform_core::yaml::Problems;

/// The distribution files `specs/` suites name, so that a fuzzed suite that names one loads it.
pub const DISTRIBUTIONS: [(&str, &str); 2] = [
    (
        "distributions/standard.yaml",
        include_str!("../../specs/distributions/standard.yaml"),
    ),
    (
        "distributions/current.yaml",
        include_str!("../../specs/distributions/current.yaml"),
    ),
];

/// Reads a distribution file for `load_suite`: one of [`DISTRIBUTIONS`], else an error.
pub fn read_distribution(path: &str) -> Result<String, String> {
    DISTRIBUTIONS
        .iter()
        .find(|(name, _)| path.ends_with(name))
        .map(|(_, text)| text.to_string())
        .ok_or_else(|| "no such file".to_string())
}

/// The lines of `text` as YAML counts them: `\n`, `\r\n` and a lone `\r` each end one.
pub fn yaml_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let bytes = text.as_bytes();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                lines.push(&text[start..i]);
                start = i + 1;
            }
            b'\r' => {
                lines.push(&text[start..i]);
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    lines.push(&text[start..]);
    lines
}

/// Panics unless every problem points inside `text`: line 1 to the number of lines (the last one
/// may be the empty line after a final line break), column 1 to one past the end of that line.
pub fn assert_positions_inside(text: &str, problems: &Problems) {
    let lines = yaml_lines(text);
    for p in &problems.0 {
        let (line, column) = (p.pos.line as usize, p.pos.column as usize);
        assert!(
            (1..=lines.len()).contains(&line),
            "problem at line {line} of a {}-line input: {}\ninput: {text:?}",
            lines.len(),
            p
        );
        let len = lines[line - 1].len();
        assert!(
            (1..=len + 1).contains(&column),
            "problem at {line}:{column}, but line {line} has {len} bytes: {}\ninput: {text:?}",
            p
        );
    }
}
