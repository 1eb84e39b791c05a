//! Which requests of a seed's stream a run sends: indices `0, 1, 2, …` below `--requests`, or with
//! `--shard I/N` only `I-1, I-1+N, I-1+2N, …` below it, so the N shards of one seed send the
//! unsharded run's requests between them, none twice. `--max-requests` caps what this process
//! sends, shard or not.

/// The indices a run sends, in order: its `k`-th request is stream index `first + k * step`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stream {
    first: u64,
    step: u64,
    /// Stream indices from here on are not sent (`--requests`, counted over the whole stream).
    end: u64,
    /// Requests this process sends at most (`--max-requests`).
    cap: u64,
}

impl Stream {
    /// The stream of shard `(I, N)` (or all of it), below `end`, at most `cap` requests.
    pub fn new(shard: Option<(u64, u64)>, end: u64, cap: u64) -> Stream {
        let (i, n) = shard.unwrap_or((1, 1));
        Stream {
            first: i.saturating_sub(1),
            step: n.max(1),
            end,
            cap,
        }
    }

    /// The stream index of this run's `k`-th request; `None` once the run has sent all it may.
    pub fn index(&self, k: u64) -> Option<u64> {
        if k >= self.cap {
            return None;
        }
        let i = k.checked_mul(self.step)?.checked_add(self.first)?;
        (i < self.end).then_some(i)
    }

    /// How many of the stream's indices below `end` are this shard's, whatever the cap.
    pub fn share(&self) -> u64 {
        if self.end <= self.first {
            0
        } else {
            (self.end - self.first - 1) / self.step + 1
        }
    }

    /// How many requests this run sends at most.
    pub fn len(&self) -> u64 {
        self.share().min(self.cap)
    }
}

#[cfg(test)]
mod tests {
    use super::Stream;
    use edgeconform_core::distribution::Distribution;
    use edgeconform_core::fuzzgen::live::LiveGen;
    use std::collections::BTreeMap;

    fn every(s: Stream) -> Vec<u64> {
        (0..).map_while(|k| s.index(k)).collect()
    }

    #[test]
    fn the_shards_partition_the_stream() {
        for end in [0, 1, 2, 7, 100, 101] {
            for n in 1..=5 {
                let mut seen: Vec<u64> = Vec::new();
                for i in 1..=n {
                    let s = Stream::new(Some((i, n)), end, u64::MAX);
                    let mine = every(s);
                    assert_eq!(mine.len() as u64, s.len(), "{i}/{n} below {end}");
                    assert!(mine.iter().all(|x| x % n == i - 1), "{i}/{n}: {mine:?}");
                    seen.extend(mine);
                }
                seen.sort_unstable();
                let whole = every(Stream::new(None, end, u64::MAX));
                assert_eq!(seen, whole, "{n} shards below {end}");
            }
        }
    }

    #[test]
    fn the_cap_counts_this_shards_requests() {
        let s = Stream::new(Some((2, 3)), 100, 4);
        assert_eq!(every(s), [1, 4, 7, 10]);
        assert_eq!((s.share(), s.len()), (33, 4));
        let s = Stream::new(Some((3, 4)), 2, 10);
        assert_eq!((every(s), s.len()), (vec![], 0));
        // No --requests: the index never wraps around.
        let s = Stream::new(Some((4, 4)), u64::MAX, u64::MAX);
        assert_eq!(s.index(u64::MAX / 4 + 1), None);
        assert_eq!(s.index(2), Some(11));
    }

    /// The shards of one seed send the unsharded run's requests: the same requests, none twice.
    #[test]
    fn the_shards_send_the_unsharded_runs_requests() {
        let yaml = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../specs/distributions/standard.yaml"
        ))
        .expect("the standard distribution");
        let dist = Distribution::from_yaml(&yaml).unwrap_or_else(|_| panic!("it parses"));
        let (seed, end) = (42, 600);
        let key = |r: edgeconform_core::Request| format!("{r:?}");
        let mut whole: BTreeMap<String, u32> = BTreeMap::new();
        let gen = LiveGen::new(&dist, seed);
        for i in every(Stream::new(None, end, u64::MAX)) {
            *whole.entry(key(gen.request(i))).or_default() += 1;
        }
        for n in 2..=4 {
            let mut sharded: BTreeMap<String, u32> = BTreeMap::new();
            for i in 1..=n {
                // Each shard is its own process with its own generator.
                let gen = LiveGen::new(&dist, seed);
                for x in every(Stream::new(Some((i, n)), end, u64::MAX)) {
                    *sharded.entry(key(gen.request(x))).or_default() += 1;
                }
            }
            assert_eq!(sharded, whole, "{n} shards");
        }
    }
}
