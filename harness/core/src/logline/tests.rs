use super::value::{days_from_civil, epoch_seconds};
use super::*;
use crate::accesslog::header;

/// AWS's first example line (CloudFront developer guide), tab-separated.
const AWS_LINE: &str = "2019-12-04\t21:02:31\tLAX1\t392\t192.0.2.100\tGET\td111111abcdef8.cloudfront.net\t/index.html\t200\t-\tcurl/7.55.1\t-\t-\tHit\tSOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==\td111111abcdef8.cloudfront.net\thttps\t23\t0.001\t-\tTLSv1.2\tECDHE-RSA-AES128-GCM-SHA256\tHit\tHTTP/2.0\t-\t-\t11040\t0.001\tHit\ttext/html\t78\t-\t-";

fn read(text: &str) -> (Vec<Entry>, Vec<LogError>) {
    read_with(LineReader::new(), text)
}

fn read_with(mut r: LineReader, text: &str) -> (Vec<Entry>, Vec<LogError>) {
    let (mut entries, mut errors) = (Vec::new(), Vec::new());
    for (i, line) in text.lines().enumerate() {
        match r.line(line, i + 1) {
            Ok(Some(e)) => entries.push(e),
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }
    (entries, errors)
}

fn aws_entry() -> Entry {
    Entry {
        request_id: Some("SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==".into()),
        method: Some("GET".into()),
        protocol: Some("https".into()),
        uri_stem: Some("/index.html".into()),
        uri_query: None,
        status: Some(200),
        result_type: Some("Hit".into()),
        detailed_result_type: Some("Hit".into()),
        sc_bytes: Some(392),
        cs_bytes: Some(23),
        // 2019-12-04T21:02:31Z
        time_ms: Some(1_575_493_351_000),
    }
}

#[test]
fn legacy_log_is_read_strictly() {
    let (entries, errors) = read(&format!("{}{AWS_LINE}\n", header()));
    assert_eq!((entries, errors), (vec![aws_entry()], vec![]));
    // The legacy layout keeps LOG-FORMAT's strictness: a 32-field line is an error.
    let short = AWS_LINE.rsplit_once('\t').unwrap().0;
    let (_, errors) = read(&format!("{}{short}\n", header()));
    assert_eq!(errors.len(), 1);
    assert!(errors[0].to_string().starts_with("3:"), "{}", errors[0]);
}

#[test]
fn plain_lines_default_to_the_legacy_fields() {
    assert_eq!(read(AWS_LINE), (vec![aws_entry()], vec![]));
}

#[test]
fn v2_json_any_subset_any_order() {
    let text = concat!(
        r#"{"sc-status":"301","cs-protocol":"http","x-edge-result-type":"Redirect","timestamp":"1575493351.5","c-ip":"192.0.2.1","cs-uri-stem":"/images/a.jpg","sc-bytes":412}"#,
        "\n",
        r#"{"x-edge-request-id":"abc","sc-bytes":"-","timestamp(ms)":1575493351000,"cs-uri-query":null}"#,
        "\n"
    );
    let (entries, errors) = read(text);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        entries[0],
        Entry {
            protocol: Some("http".into()),
            uri_stem: Some("/images/a.jpg".into()),
            status: Some(301),
            result_type: Some("Redirect".into()),
            sc_bytes: Some(412),
            time_ms: Some(1_575_493_351_500),
            ..Entry::default()
        }
    );
    assert_eq!(
        entries[1],
        Entry {
            request_id: Some("abc".into()),
            time_ms: Some(1_575_493_351_000),
            ..Entry::default()
        }
    );
}

#[test]
fn v2_json_problems_are_positioned() {
    let (_, errors) = read("{\"sc-status\":\"301\"}\n[1]\n{\"sc-status\": 42}\n{\"a\":\n");
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(shown.len(), 3, "{shown:?}");
    assert!(
        shown[0].starts_with("2:1: a JSON value that is not an object"),
        "{shown:?}"
    );
    assert!(
        shown[1].starts_with("3:1: field `sc-status`: `42` is not a status code"),
        "{shown:?}"
    );
    assert!(
        shown[2].starts_with("4:") && shown[2].contains("not JSON"),
        "{shown:?}"
    );
    let (_, errors) = read("[{}]\n");
    assert!(errors[0].to_string().starts_with("1:1: a JSON array"));
}

#[test]
fn v2_w3c_subset_reordered_tab_or_space() {
    for sep in ["\t", " "] {
        let text = [
            "#Version: 1.0",
            "#Fields: cs-protocol sc-status x-edge-request-id date time x-edge-location",
            &["https", "403", "id-1", "2019-12-04", "21:02:31", "LAX1"].join(sep),
        ]
        .join("\n");
        let (entries, errors) = read(&text);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            entries,
            vec![Entry {
                request_id: Some("id-1".into()),
                protocol: Some("https".into()),
                status: Some(403),
                time_ms: Some(1_575_493_351_000),
                ..Entry::default()
            }]
        );
    }
}

#[test]
fn v2_w3c_problems_are_positioned() {
    let text =
        "#Fields: cs-protocol sc-status\nhttps\t30x\nhttps\t301\textra\n#Fields: a a\n#Nope: x\n";
    let (entries, errors) = read(text);
    assert!(entries.is_empty());
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(shown.len(), 4, "{shown:?}");
    assert!(
        shown[0].starts_with("2:7: field `sc-status`: `30x`"),
        "{shown:?}"
    );
    assert!(
        shown[1].starts_with("3:1: found 3 tab-separated fields; expected 2"),
        "{shown:?}"
    );
    assert!(
        shown[2].starts_with("4:12: the field `a` is named twice"),
        "{shown:?}"
    );
    assert!(
        shown[3].starts_with("5:1: unknown directive `#Nope`"),
        "{shown:?}"
    );
}

#[test]
fn v2_plain_with_its_field_selection() {
    let r = LineReader::with_plain_fields(["sc-bytes", "cs-method", "cs-uri-stem"]).unwrap();
    let (entries, errors) = read_with(r, "1200\tGET\t/a%20b\n");
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        entries,
        vec![Entry {
            method: Some("GET".into()),
            uri_stem: Some("/a b".into()),
            sc_bytes: Some(1200),
            ..Entry::default()
        }]
    );
    let r = LineReader::with_plain_fields(["sc-status", "cs-protocol"])
        .unwrap()
        .with_delimiter("||")
        .unwrap();
    let (entries, errors) = read_with(r, "301||http\n301|http\n");
    assert_eq!(entries[0].status, Some(301));
    assert!(
        errors[0]
            .to_string()
            .starts_with("2:1: found 1 `||`-separated fields; expected 2"),
        "{errors:?}"
    );
    assert!(LineReader::new().with_delimiter("").is_err());
    assert!(LineReader::with_plain_fields(["a", "a"]).is_err());
    assert!(LineReader::with_plain_fields([]).is_err());
}

proptest::proptest! {
    /// The `log_lines` fuzz target's property, on stable: any text is read without a panic,
    /// every problem at the line read and a column inside it.
    #[test]
    fn any_text_is_read_with_positioned_problems(
        text in "(\\{\"[a-z()-]{0,12}\":\"?[0-9a-z.-]{0,6}\"?\\}|#Fields: [a-z -]{0,30}|[0-9a-z/ \t%.:é-]{0,40}|\\[|\n){0,12}"
    ) {
        let mut reader = LineReader::new();
        for (i, line) in text.lines().enumerate() {
            if let Err(e) = reader.line(line, i + 1) {
                proptest::prop_assert_eq!(e.line, i + 1);
                let chars = line.chars().count();
                proptest::prop_assert!((1..=chars + 1).contains(&e.column), "{} in {:?}", e, line);
            }
        }
    }
}

#[test]
fn epoch_conversions() {
    assert_eq!(days_from_civil(1970, 1, 1), Some(0));
    assert_eq!(days_from_civil(2000, 3, 1), Some(11_017));
    assert_eq!(epoch_seconds("1.5"), Some(1500));
    assert_eq!(epoch_seconds("1.2345"), None);
    assert_eq!(epoch_seconds("-1"), None);
}
