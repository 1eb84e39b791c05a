//! `make fuzz-seeds`: seed corpora for every fuzz target, generated from `specs/`.
//!
//! ```text
//! cargo run --example fuzz_seeds -- [SPECS] [OUT]     # defaults: specs fuzz/corpus
//! fuzz_seeds: decide 961, location 402, pattern 188, normalize 151, spec_yaml 13, distribution_yaml 2, access_log 4
//! ```
//!
//! Each scenario's distribution and request are written in the byte format the structure-aware
//! targets decode (`edgeconform_core::fuzzgen::encode_*`), so the fuzzers start from every case
//! the suites describe; the parsers get the suite and distribution files themselves (and the
//! broken specs of the core's tests), the access-log parser AWS's sample log and variants of it.
//! Files are named by a hash of their content, so running it twice adds nothing.

use edgeconform::cmd::spec::suite_files;
use edgeconform_core::accesslog::{parse_log, write_log, ResultType, Status};
use edgeconform_core::decide::decide;
use edgeconform_core::fuzzgen::{encode_case, encode_location, encode_pattern};
use edgeconform_core::spec::load_suite;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// AWS's example of a standard log (as in `harness/core/src/accesslog.rs`'s tests).
const AWS_LOG: &str = "#Version: 1.0
#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end
2019-12-04\t21:02:31\tLAX1\t392\t192.0.2.100\tGET\td111111abcdef8.cloudfront.net\t/index.html\t200\t-\tMozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/78.0.3904.108%20Safari/537.36\t-\t-\tHit\tSOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==\td111111abcdef8.cloudfront.net\thttps\t23\t0.001\t-\tTLSv1.2\tECDHE-RSA-AES128-GCM-SHA256\tHit\tHTTP/2.0\t-\t-\t11040\t0.001\tHit\ttext/html\t78\t-\t-
2019-12-13\t22:37:02\tSEA19-C2\t900\t192.0.2.200\tGET\td111111abcdef8.cloudfront.net\t/\t502\t-\tcurl/7.55.1\t-\t-\tError\tkBkDzGnceVtWHqSCqBUqtA_cEs2T3tFUBbnBNkB9El_uVRhHgcZfcw==\twww.example.com\thttp\t387\t0.103\t-\t-\t-\tError\tHTTP/1.1\t-\t-\t12644\t0.103\tOriginDnsError\ttext/html\t507\t-\t-
";

/// Seeds per target, by file name.
#[derive(Default)]
struct Seeds(BTreeMap<&'static str, BTreeMap<String, Vec<u8>>>);

/// libFuzzer's default `-max_len`: a larger seed raises it for the whole run and slows every
/// execution, so the few cases padded for LIM-SIZE are left out (small `limits` reach it too).
const MAX_SEED: usize = 4096;

impl Seeds {
    fn add(&mut self, target: &'static str, bytes: Vec<u8>) {
        if bytes.len() > MAX_SEED && !matches!(target, "spec_yaml" | "distribution_yaml") {
            return;
        }
        let name = format!("{:016x}", fnv1a(&bytes));
        self.0.entry(target).or_default().insert(name, bytes);
    }
}

fn fnv1a(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn main() {
    let mut args = std::env::args().skip(1);
    let specs = PathBuf::from(args.next().unwrap_or_else(|| "specs".into()));
    let out = PathBuf::from(args.next().unwrap_or_else(|| "fuzz/corpus".into()));
    let mut seeds = Seeds::default();
    let files = match suite_files(std::slice::from_ref(&specs)) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("fuzz_seeds: {e}");
            std::process::exit(2);
        }
    };
    for file in &files {
        let text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("fuzz_seeds: skipping {}: {e}", file.display());
                continue;
            }
        };
        seeds.add("spec_yaml", text.clone().into_bytes());
        let read = |p: &str| std::fs::read_to_string(p).map_err(|e| e.to_string());
        let suite = match load_suite(&text, &file.display().to_string(), &read) {
            Ok(s) => s,
            Err(p) => {
                eprintln!("fuzz_seeds: skipping {}: {p}", file.display());
                continue;
            }
        };
        let dist = &suite.distribution;
        for case in suite.cases() {
            for req in case.leg_requests() {
                seeds.add_opt("decide", encode_case(dist, &req));
                seeds.add_opt("location", encode_location(dist, &req));
                seeds.add("normalize", req.path().as_bytes().to_vec());
                let pattern = decide(dist, &req)
                    .behavior
                    .map(|i| dist.behaviors[i].path_pattern.as_str().to_string())
                    .unwrap_or_else(|| "/*".into());
                seeds.add_opt("pattern", encode_pattern(&pattern, req.path().as_bytes()));
            }
        }
    }
    add_files(
        &mut seeds,
        "distribution_yaml",
        &specs.join("distributions"),
    );
    add_files(
        &mut seeds,
        "spec_yaml",
        Path::new("harness/core/tests/broken-specs"),
    );
    seeds.add("access_log", AWS_LOG.as_bytes().to_vec());
    if let Ok(records) = parse_log(AWS_LOG) {
        // The answers the edge logs most: a redirect and a refusal over HTTP.
        for (result, status, detail) in [
            (ResultType::Redirect, 301, "Redirect"),
            (ResultType::Error, 403, "InvalidRequestMethod"),
        ] {
            let mut r = records[0].clone();
            r.x_edge_result_type = result;
            r.x_edge_response_result_type = result;
            r.sc_status = Status::new(status).unwrap_or(r.sc_status);
            r.x_edge_detailed_result_type = detail.into();
            r.cs_protocol = "http".into();
            r.ssl_protocol.clear();
            r.ssl_cipher.clear();
            seeds.add("access_log", write_log(&[r]).into_bytes());
        }
    }

    let mut counts = Vec::new();
    for (target, files) in &seeds.0 {
        let dir = out.join(target);
        if let Err(e) = std::fs::create_dir_all(&dir) {
            eprintln!("fuzz_seeds: cannot create {}: {e}", dir.display());
            std::process::exit(3);
        }
        for (name, bytes) in files {
            if let Err(e) = std::fs::write(dir.join(name), bytes) {
                eprintln!("fuzz_seeds: cannot write {}: {e}", dir.join(name).display());
                std::process::exit(3);
            }
        }
        counts.push(format!("{target} {}", files.len()));
    }
    println!("fuzz_seeds: {} (in {})", counts.join(", "), out.display());
}

impl Seeds {
    fn add_opt(&mut self, target: &'static str, bytes: Option<Vec<u8>>) {
        if let Some(b) = bytes {
            self.add(target, b);
        }
    }
}

/// Every `*.yaml` directly in `dir`.
fn add_files(seeds: &mut Seeds, target: &'static str, dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "yaml") {
            if let Ok(b) = std::fs::read(&p) {
                seeds.add(target, b);
            }
        }
    }
}
