//! `access_log`: arbitrary bytes as a standard access log must parse without panicking, with
//! every problem at a line and column inside the input, and every record read must write back to
//! a line that reads as the same record. The same bytes, read as `Arbitrary` records, must survive
//! `write_log` → `parse_log` unchanged (LOG-FORMAT).
#![no_main]

use edgeconform_core::accesslog::{parse_line, parse_log, parse_log_partial, write_log, LogRecord};
use libfuzzer_sys::arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines: Vec<&str> = text.lines().collect();
    let (records, errors) = parse_log_partial(&text);
    for e in &errors {
        assert!(
            (1..=lines.len()).contains(&e.line),
            "{e} in a {}-line input",
            lines.len()
        );
        let chars = lines[e.line - 1].chars().count();
        assert!(
            (1..=chars + 1).contains(&e.column),
            "{e}: line {} has {chars} characters",
            e.line
        );
    }
    for r in &records {
        let line = r.to_line();
        assert_eq!(parse_line(&line, 1).as_ref(), Ok(r), "{line:?}");
    }

    let mut u = Unstructured::new(data);
    if let Ok(records) = Vec::<LogRecord>::arbitrary(&mut u) {
        let log = write_log(&records);
        assert_eq!(parse_log(&log), Ok(records), "{log:?}");
    }
});
