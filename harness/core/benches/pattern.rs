//! PAT-LINEAR in practice: time to match one path of 1, 4, 16 and 64 KiB against
//!
//! - `stars`: `/*a*a*a*a*a*a*a*a*b*a`, the pattern that makes backtracking matchers polynomial of
//!   degree 8 (or exponential); a path of `a`s, so the match fails only at the end (the trailing
//!   `*a` lets the path pass the quick checks on its last bytes, so the general matcher runs);
//! - `near-miss`: `/*aaaaaaaaaaaaaaab*`, the worst case of the single-backtrack matcher itself
//!   (~n·m steps), same path (without the trailing `*` the pattern would be a plain suffix,
//!   decided by comparing the path's last bytes);
//! - `typical`: `/images/*.jpg` against a matching `/images/…/x.jpg`.
//!
//! Throughput is in path bytes, so a flat bytes/s across lengths is linear growth.
//! Run with `cargo bench -p edgeconform-core --bench pattern` (about 40 s).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use edgeconform_core::pattern::PathPattern;
use std::hint::black_box;
use std::time::Duration;

const LENGTHS: [usize; 4] = [1024, 4 * 1024, 16 * 1024, 64 * 1024];

/// `/` followed by `a`s, `len` bytes in all.
fn all_a(len: usize) -> Vec<u8> {
    let mut path = vec![b'/'];
    path.resize(len, b'a');
    path
}

/// `/images/` + filler + `.jpg`, `len` bytes in all.
fn image(len: usize) -> Vec<u8> {
    let mut path = b"/images/".to_vec();
    path.resize(len - 4, b'x');
    path.extend_from_slice(b".jpg");
    path
}

fn bench(c: &mut Criterion, name: &str, pattern: &str, path: fn(usize) -> Vec<u8>, expected: bool) {
    let pattern = PathPattern::parse(pattern).expect("valid pattern");
    let mut group = c.benchmark_group(format!("pattern/{name}"));
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for len in LENGTHS {
        let path = path(len);
        assert_eq!(pattern.matches(&path), expected, "{name} at {len} bytes");
        group.throughput(Throughput::Bytes(len as u64));
        group.bench_with_input(BenchmarkId::from_parameter(len), &path, |b, path| {
            b.iter(|| pattern.matches(black_box(path)))
        });
    }
    group.finish();
}

fn patterns(c: &mut Criterion) {
    bench(c, "stars", "/*a*a*a*a*a*a*a*a*b*a", all_a, false);
    bench(c, "near-miss", "/*aaaaaaaaaaaaaaab*", all_a, false);
    bench(c, "typical", "/images/*.jpg", image, true);
}

criterion_group!(benches, patterns);
criterion_main!(benches);
