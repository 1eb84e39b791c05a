//! `--shard I/N`: one of N parts of a run, so a CI matrix of N jobs (or N Indexed Jobs, or GitLab's
//! `parallel: N`) covers it once. `run` splits its cases by a stable hash of their ids; `fuzz`
//! splits a seed's request stream by index (request `i` belongs to shard `i % N + 1`).
//! `report --merge` puts the shards' reports back together.

/// `I/N` with `1 <= I <= N`, as `(I, N)`.
pub fn parse_shard(s: &str) -> Result<(u64, u64), String> {
    let bad = || format!("`{s}` is not a shard; expected I/N with 1 <= I <= N, e.g. 1/4");
    let (i, n) = s.split_once('/').ok_or_else(bad)?;
    let (i, n): (u64, u64) = (
        i.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if n == 0 || i == 0 || i > n {
        return Err(bad());
    }
    Ok((i, n))
}

#[cfg(test)]
mod tests {
    use super::parse_shard;

    #[test]
    fn shards_parse() {
        assert_eq!(parse_shard("2/4"), Ok((2, 4)));
        assert_eq!(parse_shard(" 1 / 1 "), Ok((1, 1)));
        for bad in ["0/4", "5/4", "1/0", "x", "1-4", "1/", "/4", "-1/4"] {
            assert!(
                parse_shard(bad).unwrap_err().contains("expected I/N"),
                "{bad}"
            );
        }
    }
}
