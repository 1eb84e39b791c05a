use super::escape::needs_escape;
use super::parse::{parse_millis, parse_u64};
use super::*;
use proptest::prelude::*;

/// LOG-6 of the notes: AWS's example file, tabs as `\t`.
const AWS_HEADER: &str = "#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end\n";
const AWS_LINES: [&str; 3] = [
    "2019-12-04\t21:02:31\tLAX1\t392\t192.0.2.100\tGET\td111111abcdef8.cloudfront.net\t/index.html\t200\t-\tMozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/78.0.3904.108%20Safari/537.36\t-\t-\tHit\tSOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==\td111111abcdef8.cloudfront.net\thttps\t23\t0.001\t-\tTLSv1.2\tECDHE-RSA-AES128-GCM-SHA256\tHit\tHTTP/2.0\t-\t-\t11040\t0.001\tHit\ttext/html\t78\t-\t-",
    "2019-12-13\t22:36:27\tSEA19-C1\t900\t192.0.2.200\tGET\td111111abcdef8.cloudfront.net\t/favicon.ico\t502\thttp://www.example.com/\tMozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/78.0.3904.108%20Safari/537.36\t-\t-\tError\t1pkpNfBQ39sYMnjjUQjmH2w1wdJnbHYTbag21o_3OfcQgPzdL2RSSQ==\twww.example.com\thttp\t675\t0.102\t-\t-\t-\tError\tHTTP/1.1\t-\t-\t25260\t0.102\tOriginDnsError\ttext/html\t507\t-\t-",
    "2019-12-13\t22:37:02\tSEA19-C2\t900\t192.0.2.200\tGET\td111111abcdef8.cloudfront.net\t/\t502\t-\tcurl/7.55.1\t-\t-\tError\tkBkDzGnceVtWHqSCqBUqtA_cEs2T3tFUBbnBNkB9El_uVRhHgcZfcw==\twww.example.com\thttp\t387\t0.103\t-\t-\t-\tError\tHTTP/1.1\t-\t-\t12644\t0.103\tOriginDnsError\ttext/html\t507\t-\t-",
];
const CHROME_78: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.108 Safari/537.36";

fn aws_log() -> String {
    format!("{AWS_HEADER}{}\n", AWS_LINES.join("\n"))
}

fn aws_record(i: usize) -> LogRecord {
    parse_line(AWS_LINES[i], 1).expect("AWS example line parses")
}

/// Line `line_no` of `log` with field `index` (0-based) replaced by `text`.
fn with_field(line: &str, index: usize, text: &str) -> String {
    let mut fields: Vec<&str> = line.split('\t').collect();
    fields[index] = text;
    fields.join("\t")
}

fn one_error(text: &str) -> LogError {
    let errors = parse_log(text).expect_err("the log is rejected");
    assert_eq!(errors.len(), 1, "{errors:#?}");
    errors[0].clone()
}

#[test]
fn aws_example_file_parses() {
    let records = parse_log(&aws_log()).expect("AWS example parses");
    assert_eq!(records.len(), 3);

    let hit = &records[0];
    assert_eq!(hit.date, LogDate::new(2019, 12, 4).unwrap());
    assert_eq!(hit.time, LogTime::new(21, 2, 31).unwrap());
    assert_eq!(hit.x_edge_location, "LAX1");
    assert_eq!(hit.sc_bytes, 392);
    assert_eq!(hit.c_ip, "192.0.2.100");
    assert_eq!(hit.cs_method, "GET");
    assert_eq!(hit.cs_uri_stem, "/index.html");
    assert_eq!(hit.sc_status, 200);
    assert_eq!(hit.cs_referer, "");
    assert_eq!(hit.cs_user_agent, CHROME_78);
    assert_eq!(hit.cs_uri_query, "");
    assert_eq!(hit.x_edge_result_type, ResultType::Hit);
    assert_eq!(hit.x_host_header, "d111111abcdef8.cloudfront.net");
    assert_eq!(hit.cs_protocol, "https");
    assert_eq!(hit.cs_bytes, 23);
    assert_eq!(hit.time_taken_ms, 1);
    assert_eq!(hit.ssl_protocol, "TLSv1.2");
    assert_eq!(hit.ssl_cipher, "ECDHE-RSA-AES128-GCM-SHA256");
    assert_eq!(hit.cs_protocol_version, "HTTP/2.0");
    assert_eq!(hit.fle_encrypted_fields, None);
    assert_eq!(hit.c_port, Some(11040));
    assert_eq!(hit.time_to_first_byte_ms, Some(1));
    assert_eq!(hit.x_edge_detailed_result_type, "Hit");
    assert_eq!(hit.sc_content_len, Some(78));
    assert_eq!((hit.sc_range_start, hit.sc_range_end), (None, None));

    let dns = &records[1];
    assert_eq!(dns.sc_status, 502);
    assert_eq!(dns.cs_referer, "http://www.example.com/");
    assert_eq!(dns.cs_host, "d111111abcdef8.cloudfront.net");
    assert_eq!(dns.x_host_header, "www.example.com");
    assert_eq!(dns.x_edge_result_type, ResultType::Error);
    assert_eq!(dns.x_edge_response_result_type, ResultType::Error);
    assert_eq!(dns.x_edge_detailed_result_type, "OriginDnsError");
    assert_eq!(dns.cs_protocol, "http");
    assert_eq!(
        (dns.ssl_protocol.as_str(), dns.ssl_cipher.as_str()),
        ("", "")
    );
    assert_eq!(dns.time_taken_ms, 102);
    assert_eq!(dns.c_port, Some(25260));

    let curl = &records[2];
    assert_eq!(curl.cs_uri_stem, "/");
    assert_eq!(curl.cs_user_agent, "curl/7.55.1");
    assert_eq!(curl.cs_bytes, 387);
    assert_eq!(curl.time_to_first_byte_ms, Some(103));
}

#[test]
fn writer_reproduces_the_aws_example_byte_for_byte() {
    let records = parse_log(&aws_log()).unwrap();
    assert_eq!(write_log(&records), aws_log());
    assert_eq!(header(), AWS_HEADER);
}

#[test]
fn the_escape_table_is_the_log_formats_list() {
    for b in 0..=255u8 {
        let listed = b <= b' ' || b >= 0x7f || b"<>\"#%{}|\\^~[]'`".contains(&b);
        assert_eq!(needs_escape(b), listed, "byte {b:#04x}");
    }
}

#[test]
fn escape_follows_log_format() {
    assert_eq!(escape(""), "-");
    assert_eq!(escape("-"), "%2D");
    assert_eq!(escape("a-b"), "a-b");
    assert_eq!(escape("--"), "--");
    assert_eq!(escape("a b\tc\n"), "a%20b%09c%0A");
    assert_eq!(escape("100%"), "100%25");
    assert_eq!(escape("é€"), "%C3%A9%E2%82%AC");
    assert_eq!(
        escape("<>\"#%{}|\\^~[]'`"),
        "%3C%3E%22%23%25%7B%7D%7C%5C%5E%7E%5B%5D%27%60"
    );
    assert_eq!(escape("\u{7f}"), "%7F");
    assert_eq!(escape("(a,b;c)=&?/:@!$*+"), "(a,b;c)=&?/:@!$*+");
    assert_eq!(unescape("-"), Ok(String::new()));
    assert_eq!(unescape("%2d"), Ok("-".to_string()));
    assert_eq!(unescape("a%20b%c3%a9"), Ok("a bé".to_string()));
    assert_eq!(unescape(""), Err(EscapeError::Empty));
    assert_eq!(
        unescape("ab%4"),
        Err(EscapeError::BadEscape {
            offset: 2,
            found: "%4".into()
        })
    );
    assert_eq!(
        unescape("a b"),
        Err(EscapeError::NotEncoded {
            offset: 1,
            found: ' '
        })
    );
    assert_eq!(
        unescape("aé"),
        Err(EscapeError::NotEncoded {
            offset: 1,
            found: 'é'
        })
    );
    assert_eq!(unescape("%FF"), Err(EscapeError::NotUtf8));
    assert_eq!(unescape_bytes("%FFa"), Ok(vec![0xff, b'a']));
}

#[test]
fn awkward_values_round_trip() {
    let mut r = aws_record(0);
    r.cs_uri_stem = "/a b/%41/ü/\u{0}".to_string();
    r.cs_uri_query = "x=1&y=%20&z=-".to_string();
    r.cs_user_agent = "tab\there\r\nand \"quotes\" ~[]{}|^`'#<>\\".to_string();
    r.cs_referer = "-".to_string();
    r.cs_cookie = "--".to_string();
    r.x_forwarded_for = " ".to_string();
    r.x_host_header = "日本.example".to_string();
    r.ssl_protocol = String::new();
    r.x_edge_detailed_result_type = "%2D".to_string();
    r.sc_status = Status::CLIENT_CLOSED;
    r.date = LogDate::new(2024, 2, 29).unwrap();
    r.time = LogTime::new(0, 0, 0).unwrap();
    r.time_taken_ms = 12_345;
    r.time_to_first_byte_ms = None;
    r.c_port = Some(0);
    r.fle_encrypted_fields = Some(u64::MAX);
    r.sc_range_start = Some(0);
    r.sc_range_end = Some(u64::MAX);
    let line = r.to_line();
    assert!(!line.contains(['\n', '\r', ' ']), "{line}");
    assert_eq!(line.matches('\t').count(), 32, "{line}");
    assert!(line.contains("\t000\t"), "{line}");
    assert!(line.contains("\t000\t%2D\t"), "referer `-`: {line}");
    assert!(line.contains("\t--\tHit\t"), "cookie `--`: {line}");
    assert!(line.contains("\t12.345\t"), "{line}");
    assert_eq!(parse_line(&line, 7), Ok(r));
}

#[test]
fn non_utf8_escapes_are_kept_as_logged() {
    let line = with_field(AWS_LINES[2], 10, "curl%FF%20x");
    let r = parse_line(&line, 1).unwrap();
    assert_eq!(r.cs_user_agent, "curl%FF%20x");
    assert_eq!(unescape_bytes(&r.cs_user_agent), Ok(b"curl\xff x".to_vec()));
}

#[test]
fn numbers_and_times_are_strict() {
    assert_eq!(parse_millis("0.102"), Some(102));
    assert_eq!(parse_millis("2"), Some(2000));
    assert_eq!(parse_millis("1.5"), Some(1500));
    for bad in [
        "",
        ".5",
        "1.",
        "1.2345",
        "-1",
        "+1",
        "1e3",
        "0x1",
        " 1",
        "18446744073709551.616",
    ] {
        assert_eq!(parse_millis(bad), None, "{bad:?}");
    }
    assert_eq!(parse_u64("18446744073709551615"), Some(u64::MAX));
    assert_eq!(parse_u64("18446744073709551616"), None);
    assert_eq!(Status::parse("000"), Some(Status::CLIENT_CLOSED));
    for bad in ["", "20", "2000", "20x", "+20", "-01"] {
        assert_eq!(Status::parse(bad), None, "{bad:?}");
    }
    assert_eq!(Status::new(1000), None);
    assert_eq!(
        LogDate::parse("2019-12-04")
            .map(|d| d.to_string())
            .as_deref(),
        Some("2019-12-04")
    );
    for bad in [
        "2019-13-04",
        "2019-02-29",
        "2019-12-00",
        "2019-12-4",
        "2019/12/04",
        "20191204xx",
    ] {
        assert_eq!(LogDate::parse(bad), None, "{bad:?}");
    }
    assert!(LogDate::parse("2000-02-29").is_some());
    assert_eq!(
        LogTime::parse("23:59:59").map(|t| t.to_string()).as_deref(),
        Some("23:59:59")
    );
    for bad in [
        "24:00:00",
        "12:60:00",
        "12:00:60",
        "1:00:00",
        "12-00-00",
        "12:00:0٠",
    ] {
        assert_eq!(LogTime::parse(bad), None, "{bad:?}");
    }
    for t in ResultType::ALL {
        assert_eq!(ResultType::parse(t.as_str()), Some(t));
    }
    assert_eq!(ResultType::parse("hit"), None);
}

#[test]
fn wrong_field_count_is_positioned() {
    let short = AWS_LINES[2].rsplit_once('\t').unwrap().0;
    let e = one_error(&format!("{AWS_HEADER}{short}\n"));
    // AWS line 3 has 266 characters; without "\t-" it ends at 264, so the missing field
    // would start at 265.
    assert_eq!((e.line, e.column, e.field), (3, 265, None));
    assert!(
        e.message.starts_with("found 32 tab-separated fields"),
        "{e}"
    );

    let long = format!("{}\tx", AWS_LINES[2]);
    let e = one_error(&format!("{}\n\n{long}\n", AWS_LINES[0]));
    // The 34th field starts right after the 266 characters and the tab.
    assert_eq!((e.line, e.column, e.field), (3, 268, None));
    assert!(
        e.message.starts_with("found 34 tab-separated fields"),
        "{e}"
    );
}

#[test]
fn bad_status_is_positioned() {
    // sc-status of AWS line 3 starts at column 82: 10+1 + 8+1 + 8+1 + 3+1 + 11+1 + 3+1 + 29+1 + 1+1 = 81.
    let e = one_error(&format!(
        "{AWS_HEADER}{}\n{}\n",
        AWS_LINES[0],
        with_field(AWS_LINES[2], 8, "5x2")
    ));
    assert_eq!((e.line, e.column, e.field), (4, 82, Some("sc-status")));
}

#[test]
fn bad_fields_header_is_positioned() {
    let header = AWS_HEADER.replace(" cs-uri-stem ", " cs-uri ");
    let e = one_error(&format!("{header}{}\n", AWS_LINES[0]));
    // "#Fields: " (9) + "date time x-edge-location sc-bytes c-ip cs-method cs(Host) " (59) = 68.
    assert_eq!((e.line, e.column, e.field), (2, 69, Some("cs-uri-stem")));
}

#[test]
fn bad_escape_is_positioned_at_the_percent() {
    // cs(User-Agent) of AWS line 3 starts at column 82 + 4 + 2 = 88; `%G` is its 6th character.
    let e = one_error(&format!("{}\n", with_field(AWS_LINES[2], 10, "curl/%G7")));
    assert_eq!((e.line, e.column, e.field), (1, 93, Some("cs(User-Agent)")));
}

#[test]
fn error_messages() {
    let line = AWS_LINES[2];
    let log = [
        "#Version: 2.0".to_string(),
        AWS_HEADER
            .lines()
            .nth(1)
            .unwrap()
            .replace(" sc-range-end", ""),
        "#Software: Amazon CloudFront".to_string(),
        AWS_HEADER
            .lines()
            .nth(1)
            .unwrap()
            .replace("cs(Host)", "cs(host)"),
        String::new(),
        line.rsplit_once('\t').unwrap().0.to_string(),
        format!("{line}\t-"),
        with_field(line, 0, "2019-02-30"),
        with_field(line, 1, "22:37"),
        with_field(line, 3, "-"),
        with_field(line, 3, "1e3"),
        with_field(line, 7, "/a b"),
        with_field(line, 7, "/caf\u{e9}"),
        with_field(line, 7, ""),
        with_field(line, 8, "5x2"),
        with_field(line, 10, "100%"),
        with_field(line, 13, "Redirected"),
        with_field(line, 18, "0.1034"),
        with_field(line, 26, "65536"),
        with_field(line, 9, "\u{1}\u{7f}"),
        with_field(line, 30, &"9".repeat(60)),
    ]
    .join("\n");
    let errors = parse_log(&log).expect_err("every line but the blank one is wrong");
    assert_eq!(errors.len(), 20);
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    insta::assert_snapshot!(shown.join("\n"));
}

#[test]
fn totals_split_by_scheme() {
    let mut records = parse_log(&aws_log()).unwrap();
    let mut ws = aws_record(2);
    ws.cs_protocol = "ws".into();
    ws.sc_status = Status::CLIENT_CLOSED;
    records.push(ws);
    let mut odd = aws_record(0);
    odd.cs_protocol = "gopher".into();
    records.push(odd);
    let t = totals(&records);
    assert_eq!(t.requests, 5);
    assert_eq!(t.sc_bytes, 392 + 900 + 900 + 900 + 392);
    assert_eq!(t.cs_bytes, 23 + 675 + 387 + 387 + 23);
    assert_eq!(t.client_closed, 1);
    assert_eq!(
        t.https,
        SchemeTotals {
            requests: 1,
            sc_bytes: 392
        }
    );
    assert_eq!(
        t.http,
        SchemeTotals {
            requests: 3,
            sc_bytes: 2700
        }
    );
    assert_eq!(
        t.other,
        SchemeTotals {
            requests: 1,
            sc_bytes: 392
        }
    );
    assert_eq!(totals(&[]), LogTotals::default());
}

#[test]
fn serde_uses_log_spellings() {
    let json = serde_json::to_value(aws_record(0)).unwrap();
    assert_eq!(json["date"], "2019-12-04");
    assert_eq!(json["time"], "21:02:31");
    assert_eq!(json["sc_status"], 200);
    assert_eq!(json["x_edge_result_type"], "Hit");
    let back: LogRecord = serde_json::from_value(json).unwrap();
    assert_eq!(back, aws_record(0));
    assert!(serde_json::from_str::<Status>("1000").is_err());
    assert!(serde_json::from_str::<LogDate>("\"2019-02-30\"").is_err());
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("-".to_string()),
        "[ -~]{0,12}",
        "(%[0-9A-Fa-f]{2}|-){1,3}",
        proptest::collection::vec(any::<char>(), 0..12).prop_map(|cs| cs.into_iter().collect()),
    ]
}

fn record() -> impl Strategy<Value = LogRecord> {
    let date = (0u16..=9999, 1u8..=12, 1u8..=31)
        .prop_filter_map("a real day", |(y, m, d)| LogDate::new(y, m, d));
    let time = (0u8..24, 0u8..60, 0u8..60).prop_map(|(h, m, s)| LogTime::new(h, m, s).unwrap());
    let result = || proptest::sample::select(ResultType::ALL.to_vec());
    (
        proptest::collection::vec(text(), 19),
        date,
        time,
        (0u16..=999).prop_map(|s| Status::new(s).unwrap()),
        proptest::array::uniform3(any::<u64>()),
        proptest::array::uniform5(any::<Option<u64>>()),
        any::<Option<u16>>(),
        result(),
        result(),
    )
        .prop_map(
            |(t, date, time, sc_status, [sc_bytes, cs_bytes, time_taken_ms], o, c_port, r1, r2)| {
                LogRecord {
                    date,
                    time,
                    x_edge_location: t[0].clone(),
                    sc_bytes,
                    c_ip: t[1].clone(),
                    cs_method: t[2].clone(),
                    cs_host: t[3].clone(),
                    cs_uri_stem: t[4].clone(),
                    sc_status,
                    cs_referer: t[5].clone(),
                    cs_user_agent: t[6].clone(),
                    cs_uri_query: t[7].clone(),
                    cs_cookie: t[8].clone(),
                    x_edge_result_type: r1,
                    x_edge_request_id: t[9].clone(),
                    x_host_header: t[10].clone(),
                    cs_protocol: t[11].clone(),
                    cs_bytes,
                    time_taken_ms,
                    x_forwarded_for: t[12].clone(),
                    ssl_protocol: t[13].clone(),
                    ssl_cipher: t[14].clone(),
                    x_edge_response_result_type: r2,
                    cs_protocol_version: t[15].clone(),
                    fle_status: t[16].clone(),
                    fle_encrypted_fields: o[0],
                    c_port,
                    time_to_first_byte_ms: o[1],
                    x_edge_detailed_result_type: t[17].clone(),
                    sc_content_type: t[18].clone(),
                    sc_content_len: o[2],
                    sc_range_start: o[3],
                    sc_range_end: o[4],
                }
            },
        )
}

proptest! {
    #[test]
    fn write_then_parse_is_identity(records in proptest::collection::vec(record(), 0..4)) {
        let log = write_log(&records);
        prop_assert_eq!(parse_log(&log), Ok(records.clone()));
        for r in &records {
            prop_assert_eq!(parse_line(&r.to_line(), 1), Ok(r.clone()));
        }
    }

    #[test]
    fn escape_is_the_byte_by_byte_definition(value in "[a-z0-9./ %~<\t\u{e9}\u{1F600}-]{0,40}") {
        let mut reference = String::new();
        for &b in value.as_bytes() {
            if super::escape::needs_escape(b) {
                reference.push_str(&format!("%{b:02X}"));
            } else {
                reference.push(char::from(b));
            }
        }
        let reference = match value.as_str() {
            "" => "-".to_string(),
            "-" => "%2D".to_string(),
            _ => reference,
        };
        prop_assert_eq!(escape(&value), reference);
    }

    #[test]
    fn escape_then_unescape_is_identity(value in text()) {
        prop_assert_eq!(unescape(&escape(&value)), Ok(value));
    }

    #[test]
    fn any_input_is_read_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let text = String::from_utf8_lossy(&bytes);
        let (_, errors) = parse_log_partial(&text);
        for e in errors {
            prop_assert!(e.line >= 1 && e.column >= 1);
            prop_assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn damaged_lines_are_read_without_panicking(
        i in 0usize..3,
        at in 0usize..400,
        junk in "[\t %#\u{e9}\u{fffd}0-9a-zA-Z-]{0,4}",
    ) {
        let line = AWS_LINES[i];
        let at = line.char_indices().map(|(b, _)| b).chain([line.len()]).nth(at).unwrap_or(line.len());
        let damaged = format!("{}{junk}{}", &line[..at], &line[at..]);
        if let Err(e) = parse_line(&damaged, 9) {
            prop_assert_eq!(e.line, 9);
            prop_assert!(e.column <= damaged.chars().count() + 1);
        }
    }
}

#[cfg(feature = "arbitrary")]
proptest! {
    #[test]
    fn arbitrary_records_round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let mut u = arbitrary::Unstructured::new(&bytes);
        if let Ok(r) = <LogRecord as arbitrary::Arbitrary>::arbitrary(&mut u) {
            prop_assert_eq!(parse_line(&r.to_line(), 1), Ok(r));
        }
    }
}
