//! `log_lines`: arbitrary bytes as a delivered access log in any form (legacy, v2 JSON, v2 W3C,
//! v2 plain) must be read line by line without panicking, with every problem at the line being
//! read and at a column inside it. The first line, when it is a short list of names, is also
//! tried as a plain log's field selection.
#![no_main]

use edgeconform_core::logline::LineReader;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines: Vec<&str> = text.lines().collect();
    let mut readers = vec![LineReader::new()];
    if let Some(first) = lines.first() {
        if let Ok(r) = LineReader::with_plain_fields(first.split([',', ' '])) {
            readers.push(r);
        }
    }
    for mut reader in readers {
        for (i, line) in lines.iter().enumerate() {
            if let Err(e) = reader.line(line, i + 1) {
                assert_eq!(e.line, i + 1, "{e}");
                let chars = line.chars().count();
                assert!((1..=chars + 1).contains(&e.column), "{e}: line {} has {chars} characters", i + 1);
            }
        }
    }
});
