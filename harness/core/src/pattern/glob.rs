//! The general matcher: an iterative glob with a single backtrack point, O(n·m) steps at worst
//! and no allocation (PAT-LINEAR).

/// The general matcher out of line, so that the quick checks stay small where they are inlined.
#[inline(never)]
pub(super) fn general(prog: &[u8], body: &[u8]) -> bool {
    glob::<false>(prog, body).0
}

/// The matcher behind [`PathPattern::matches`](super::PathPattern::matches) (`COUNT = false`, the counter compiles away) and
/// [`PathPattern::match_steps`](super::PathPattern::match_steps) (`COUNT = true`).
///
/// Single backtrack point: when a literal or `?` fails, only the most recent `*` is retried, one byte
/// further on. Retrying an earlier `*` is never needed: whatever it could absorb, the later `*`
/// (which matches anything, `/` included) can absorb too. Step bound: every step either advances
/// `pi` or is a backtrack; the backtrack mark `star_si` only grows and stays below n, so there are at
/// most n backtracks, and between two of them at most m advances of `pi` — (n+1)·m + n steps in all.
///
/// `path` has lost its leading `/` already (PAT-SLASH, path side), as the pattern did at compile
/// time.
#[inline(always)]
pub(super) fn glob<const COUNT: bool>(prog: &[u8], path: &[u8]) -> (bool, u64) {
    let mut steps = 0u64;
    let (mut pi, mut si) = (0usize, 0usize);
    // The last `*` seen: the pattern index just after it, and where in the path its match ends now.
    let mut star: Option<(usize, usize)> = None;
    while let Some(&byte) = path.get(si) {
        if COUNT {
            steps += 1;
        }
        match prog.get(pi) {
            Some(b'*') => {
                star = Some((pi + 1, si));
                pi += 1;
            }
            Some(&c) if c == b'?' || c == byte => {
                pi += 1;
                si += 1;
            }
            _ => match star {
                Some((star_pi, star_si)) => {
                    star = Some((star_pi, star_si + 1));
                    pi = star_pi;
                    si = star_si + 1;
                }
                None => return (false, steps),
            },
        }
    }
    // PAT-ANCHORED: the path is used up; only a trailing `*` may remain of the pattern.
    while prog.get(pi) == Some(&b'*') {
        if COUNT {
            steps += 1;
        }
        pi += 1;
    }
    (pi == prog.len(), steps)
}
