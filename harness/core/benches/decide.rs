//! Decisions per second: a 75-behavior distribution where every request falls through to the
//! default behavior (the worst case: every pattern is tried), and a typical 10-behavior one.
//! Goal: at least 5 million decisions per second per core in the worst case (≤ 200 ns each);
//! `scripts/bench-decide.sh` prints the worst case against it, `scripts/callgrind-decide.sh` the
//! instructions per decision.

mod fixtures;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use edgeconform_core::decide::decide;
use edgeconform_core::{Method, Request, Scheme};
use std::hint::black_box;
use std::time::Duration;

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("decide");
    g.measurement_time(Duration::from_secs(3))
        .sample_size(30)
        .throughput(Throughput::Elements(1));
    for n in [75usize, 10] {
        let d = fixtures::distribution(n);
        let https = Request {
            scheme: Scheme::Https,
            ..fixtures::worst_case()
        };
        for (label, r) in [
            ("fallthrough-http-301", fixtures::worst_case()),
            ("fallthrough-https-forward", https),
        ] {
            g.bench_function(format!("{n}-behaviors/{label}"), |b| {
                b.iter(|| decide(black_box(&d), black_box(&r)))
            });
        }
        // A match in the middle of the list, with dot segments to normalise.
        let mid = format!("/section{}/a/../b/img-01.jpg", n / 2);
        let r = Request::new(Method::Get, Scheme::Https, "x.media.example.com", &mid);
        g.bench_function(format!("{n}-behaviors/middle-match-normalised"), |b| {
            b.iter_batched(
                || r.clone(),
                |r| decide(black_box(&d), &r),
                BatchSize::SmallInput,
            )
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
