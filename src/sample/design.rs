//! Sampling designs beyond plain Monte Carlo: Latin hypercube, scrambled Sobol' sequences, and the
//! structured designs of global sensitivity analysis (Saltelli's A/B/AB matrices, Morris
//! trajectories).
//!
//! A design maps (seed, global trial index, dimension) to a uniform number in (0, 1); a parameter's
//! value is then its distribution's quantile at that number (`quantile`), and an uncertain event
//! happens when that number is below its probability (`Design::occurs`; Morris instead screens
//! events on and off, see `morris_event_on`). Nothing is stored per
//! trial, so a design is indexable by trial like the keyed streams: results do not depend on
//! threads or shards. The dimensions are a scenario's uncertain parameters in scenario order
//! (`ParamTable::reported`).
//!
//! Limits: Sobol' sequences have at most `MAX_SOBOL_DIMS` dimensions (the embedded Joe-Kuo table)
//! and `2^32` points (trial indices wrap beyond that); Saltelli sampling on a Sobol' base needs two
//! dimensions per parameter, so at most `MAX_SOBOL_DIMS / 2` parameters.

use std::sync::Arc;

use rand::RngExt;
use statrs::distribution::{Beta, ContinuousCDF};

use super::dist::{Dist, inverse_phi, lognormal_shape, pert_shape, phi};
use super::joe_kuo::JOE_KUO;
use super::stream::{splitmix, stream};

/// Dimensions of the embedded Sobol' direction numbers (dimension 1 plus the Joe-Kuo rows).
pub const MAX_SOBOL_DIMS: usize = JOE_KUO.len() + 1;

/// Levels of the Morris grid; a step moves one parameter by `MORRIS_DELTA` of the grid.
pub const MORRIS_LEVELS: u32 = 4;
/// Morris step in grid units, `p / (2 (p - 1))` for `p = MORRIS_LEVELS`.
pub const MORRIS_DELTA: f64 = 2.0 / 3.0;

const TAG_LHS: u64 = 0x4c48_535f_7065_726d;
const TAG_SOBOL: u64 = 0x536f_626f_6c5f_7363;
const TAG_SALTELLI: u64 = 0x5361_6c74_656c_6c69;
const TAG_MORRIS_LEVEL: u64 = 0x4d6f_7272_6973_4c76;
const TAG_MORRIS_ORDER: u64 = 0x4d6f_7272_6973_4f72;

/// How the uncertain parameters of a trial are chosen.
#[derive(Debug, Clone, PartialEq)]
pub enum Design {
    /// Latin hypercube over each block of `n` consecutive trials (`n` = the run's trials): in every
    /// block, each parameter has exactly one draw in each of `n` equally likely strata.
    Lhs { n: u64 },
    /// Owen-scrambled Sobol' sequence: trial `i` is point `i`.
    Sobol(Arc<SobolSeq>),
    /// Saltelli's design for Sobol' indices over `k` parameters: trials come in groups of
    /// `k + 2` (row `j` of matrix A, of B, then of each `AB_i`, A with column `i` taken from B).
    /// With `groups`, `k` counts groups of parameters (`groups[dim]` is parameter `dim`'s group)
    /// and `AB_i` takes every column of group `i` from B; `params` is the number of parameters.
    Saltelli {
        k: usize,
        params: usize,
        groups: Option<Arc<Vec<usize>>>,
        base: SaltelliBase,
    },
    /// Morris trajectories over `k` parameters: groups of `k + 1` trials, each moving one more
    /// parameter by `MORRIS_DELTA` on a `MORRIS_LEVELS`-level grid, in a random order. An
    /// uncertain event is on in the lower half of the grid and off in the upper half, whatever
    /// its probability (`morris_event_on`), so every step that moves it toggles it.
    Morris { k: usize },
}

/// Where the rows of Saltelli's A and B matrices come from.
#[derive(Debug, Clone, PartialEq)]
pub enum SaltelliBase {
    /// Independent uniforms from keyed streams.
    Random,
    /// A scrambled Sobol' sequence of `2k` dimensions: A is dimensions `0..k`, B `k..2k`.
    Sobol(Arc<SobolSeq>),
}

impl Design {
    /// A Saltelli design over `k` parameters; `sobol` picks the quasi-random base.
    pub fn saltelli(k: usize, sobol: bool) -> Result<Design, String> {
        Ok(Design::Saltelli {
            k,
            params: k,
            groups: None,
            base: saltelli_base(k, sobol)?,
        })
    }

    /// A Saltelli design over groups of parameters: `groups[dim]` in `0..k` for each parameter.
    pub fn saltelli_grouped(groups: Vec<usize>, sobol: bool) -> Result<Design, String> {
        let params = groups.len();
        let k = groups.iter().map(|g| g + 1).max().unwrap_or(0);
        Ok(Design::Saltelli {
            k,
            params,
            groups: Some(Arc::new(groups)),
            base: saltelli_base(params, sobol)?,
        })
    }

    /// Trials per group of a structured design (1 for designs without groups).
    pub fn group(&self) -> u64 {
        match self {
            Design::Saltelli { k, .. } => *k as u64 + 2,
            Design::Morris { k } => *k as u64 + 1,
            Design::Lhs { .. } | Design::Sobol(_) => 1,
        }
    }

    /// The uniform number in (0, 1) of dimension `dim` in global trial `trial`; `key` is the
    /// parameter's stream key (designs that are not structured key their randomness by it, so two
    /// scenarios sharing a parameter path share its values).
    pub fn uniform(&self, seed: u64, trial: u64, dim: usize, key: u64) -> f64 {
        match self {
            Design::Lhs { n } => {
                let n = (*n).max(1);
                let (block, i) = (trial / n, trial % n);
                let p = splitmix(seed ^ splitmix(key ^ splitmix(block ^ TAG_LHS)));
                let stratum = permute(i, n, p);
                let jitter: f64 = stream(seed, trial, key).random();
                (stratum as f64 + jitter) / n as f64
            }
            Design::Sobol(seq) => seq.uniform(seed, trial, dim, key),
            Design::Saltelli {
                k,
                params,
                groups,
                base,
            } => {
                let g = *k as u64 + 2;
                let (row, m) = (trial / g, trial % g);
                let group = groups.as_ref().map_or(dim, |gs| gs[dim]);
                // m = 0: A; m = 1: B; m = 2 + i: A with the columns of group i from B.
                let from_b = m == 1 || (m >= 2 && (m - 2) as usize == group);
                let col = if from_b { params + dim } else { dim };
                match base {
                    SaltelliBase::Random => {
                        let ckey = splitmix(col as u64 ^ TAG_SALTELLI);
                        stream(seed ^ TAG_SALTELLI, row, ckey).random()
                    }
                    SaltelliBase::Sobol(seq) => {
                        seq.uniform(seed, row, col, splitmix(col as u64 ^ TAG_SALTELLI))
                    }
                }
            }
            Design::Morris { k } => {
                let l = morris_level(seed, trial, dim, *k);
                (f64::from(l) + 0.5) / f64::from(MORRIS_LEVELS)
            }
        }
    }

    /// Whether an uncertain event of probability `p` happens where this design's number for it
    /// is `u`; `p_uncertain`: `p` is itself an uncertain parameter. Every design but Morris
    /// samples `u` uniformly, so `u < p` makes the event happen with probability `p`. Morris
    /// screens the event instead: on in the lower half of its grid, off in the upper half (the
    /// same direction as `u < p`: low numbers are "happens"), so the two ends of its range are
    /// its two levels and a move always toggles it (the usual treatment of a binary factor in
    /// elementary effects). Its probability then changes nothing, even when it is uncertain; a
    /// fixed probability of 0 stays "never": that event cannot happen in this model.
    pub fn occurs(&self, u: f64, p: f64, p_uncertain: bool) -> bool {
        match self {
            Design::Morris { .. } if p_uncertain || p > 0.0 => u < 0.5,
            _ if p >= 1.0 => true,
            _ if p <= 0.0 => false,
            _ => u < p,
        }
    }
}

fn saltelli_base(params: usize, sobol: bool) -> Result<SaltelliBase, String> {
    if !sobol {
        return Ok(SaltelliBase::Random);
    }
    let seq = SobolSeq::new(2 * params).map_err(|_| {
        format!(
            "{params} uncertain parameters need {} Sobol' dimensions, more than the {} \
             supported: use --base random (or --base auto, the default)",
            2 * params,
            MAX_SOBOL_DIMS
        )
    })?;
    Ok(SaltelliBase::Sobol(Arc::new(seq)))
}

/// Starting grid level (0..MORRIS_LEVELS) of parameter `dim` on trajectory `traj`.
pub fn morris_start(seed: u64, traj: u64, dim: usize) -> u32 {
    let key = splitmix(dim as u64 ^ TAG_MORRIS_LEVEL);
    stream(seed ^ TAG_MORRIS_LEVEL, traj, key).random_range(0..MORRIS_LEVELS)
}

/// The step (1..=k) of trajectory `traj` at which parameter `dim` moves.
pub fn morris_step(seed: u64, traj: u64, dim: usize, k: usize) -> u64 {
    let p = splitmix(seed ^ splitmix(traj ^ TAG_MORRIS_ORDER));
    permute(dim as u64, k as u64, p) + 1
}

/// The grid level the start level `l` moves to: up by `MORRIS_DELTA` from the lower half of the
/// grid, down from the upper half, so every point stays on the grid.
pub fn morris_moved(l: u32) -> u32 {
    let step = MORRIS_LEVELS / 2;
    if l < step { l + step } else { l - step }
}

/// Whether a Morris design puts an uncertain event on at grid level `l`: on the lower half of
/// the grid, where `Design::uniform` is below 1/2 (`Design::occurs`). `morris_moved` always
/// crosses halves, so every move toggles the event.
pub fn morris_event_on(l: u32) -> bool {
    l < MORRIS_LEVELS / 2
}

/// Grid level of parameter `dim` in global trial `trial` of a Morris design over `k` parameters.
pub fn morris_level(seed: u64, trial: u64, dim: usize, k: usize) -> u32 {
    let g = k as u64 + 1;
    let (traj, s) = (trial / g, trial % g);
    let l = morris_start(seed, traj, dim);
    if morris_step(seed, traj, dim, k) <= s {
        morris_moved(l)
    } else {
        l
    }
}

/// A random permutation of `0..n` keyed by `p`, evaluated at `i < n` without storing it: a
/// bijection on the next power of two (xor, odd multiply and xorshift rounds, each invertible
/// modulo that power) with cycle walking back into `0..n`.
pub fn permute(i: u64, n: u64, p: u64) -> u64 {
    if n <= 1 {
        return 0;
    }
    let bits = 64 - (n - 1).leading_zeros();
    let w = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    let shift = (bits / 2).max(1);
    let mut x = i;
    loop {
        for r in 0..4u64 {
            let k = splitmix(p.wrapping_add(r.wrapping_mul(0x9e37_79b9_7f4a_7c15)));
            x = (x ^ k) & w;
            x = x.wrapping_mul(k | 1) & w;
            x ^= x >> shift;
        }
        if x < n {
            return x;
        }
    }
}

/// A Sobol' sequence of up to `MAX_SOBOL_DIMS` dimensions with 32-bit direction numbers,
/// Owen-scrambled per dimension by a nested hash (Burley 2020, after Laine and Karras).
#[derive(Debug, Clone, PartialEq)]
pub struct SobolSeq {
    dirs: Vec<[u32; 32]>,
}

impl SobolSeq {
    /// Direction numbers for `dims` dimensions; an error above `MAX_SOBOL_DIMS`.
    pub fn new(dims: usize) -> Result<SobolSeq, String> {
        if dims > MAX_SOBOL_DIMS {
            return Err(format!(
                "a Sobol' sequence supports at most {MAX_SOBOL_DIMS} dimensions, not {dims}"
            ));
        }
        let mut dirs = Vec::with_capacity(dims);
        for d in 0..dims {
            let mut v = [0u32; 32];
            if d == 0 {
                for (i, vi) in v.iter_mut().enumerate() {
                    *vi = 1 << (31 - i);
                }
            } else {
                let (s, a, m) = JOE_KUO[d - 1];
                let s = s as usize;
                for i in 0..s.min(32) {
                    v[i] = m[i] << (31 - i);
                }
                for i in s..32 {
                    let mut x = v[i - s] ^ (v[i - s] >> s);
                    for k in 1..s {
                        if (a >> (s - 1 - k)) & 1 == 1 {
                            x ^= v[i - k];
                        }
                    }
                    v[i] = x;
                }
            }
            dirs.push(v);
        }
        Ok(SobolSeq { dirs })
    }

    pub fn dims(&self) -> usize {
        self.dirs.len()
    }

    /// The unscrambled 32-bit coordinate of point `index` in dimension `dim`.
    pub fn raw(&self, index: u32, dim: usize) -> u32 {
        let v = &self.dirs[dim];
        let mut x = 0u32;
        let mut i = index;
        let mut bit = 0;
        while i != 0 {
            if i & 1 == 1 {
                x ^= v[bit];
            }
            i >>= 1;
            bit += 1;
        }
        x
    }

    /// The scrambled coordinate in (0, 1) of point `index` (taken modulo `2^32`) in dimension
    /// `dim`; the scramble is keyed by `seed` and `key`.
    pub fn uniform(&self, seed: u64, index: u64, dim: usize, key: u64) -> f64 {
        let s = (splitmix(seed ^ splitmix(key ^ TAG_SOBOL)) >> 32) as u32;
        let x = owen_scramble(self.raw(index as u32, dim), s);
        (f64::from(x) + 0.5) / 4_294_967_296.0
    }
}

/// Nested uniform (Owen) scramble of a 32-bit fraction: each output digit is the input digit
/// flipped by a hash of the digits above it.
pub fn owen_scramble(x: u32, seed: u32) -> u32 {
    let mut v = x.reverse_bits();
    // Every step changes bit j by a function of bits below j only (in reversed order: of the
    // more significant digits), so the map is a nested digit scramble and a bijection.
    v ^= v.wrapping_mul(0x3d20_adea);
    v = v.wrapping_add(seed);
    v = v.wrapping_mul((seed >> 16) | 1);
    v ^= v.wrapping_mul(0x0552_6c56);
    v ^= v.wrapping_mul(0x53a2_2864);
    v.reverse_bits()
}

/// The value of `d` at probability `u` (its quantile function); `u` is kept inside (0, 1).
pub fn quantile(d: &Dist, u: f64) -> f64 {
    let u = u.clamp(1e-16, 1.0 - 1e-16);
    match d {
        Dist::Const(v) => *v,
        Dist::Uniform { lo, hi } => lo + (hi - lo) * u,
        Dist::UniformInt { lo, hi } => {
            let n = (*hi - *lo) as f64 + 1.0;
            (*lo as f64 + (u * n).floor()).min(*hi as f64)
        }
        Dist::Triangular { min, mode, max } => {
            if min == max {
                return *min;
            }
            let (a, c, b) = (*min, *mode, *max);
            if u < (c - a) / (b - a) {
                a + (u * (b - a) * (c - a)).sqrt()
            } else {
                b - ((1.0 - u) * (b - a) * (b - c)).sqrt()
            }
        }
        Dist::Pert { min, mode, max } => {
            if min == max {
                return *min;
            }
            let (a, b) = pert_shape(*min, *mode, *max);
            min + beta_quantile(a, b, u) * (max - min)
        }
        Dist::Normal { mean, sd, min, max } => {
            if *sd == 0.0 {
                return *mean;
            }
            let lo = min.map_or(0.0, |m| phi((m - mean) / sd));
            let hi = max.map_or(1.0, |m| phi((m - mean) / sd));
            let p = (lo + u * (hi - lo)).clamp(1e-300, 1.0 - 1e-16);
            (mean + sd * inverse_phi(p)).clamp(
                min.unwrap_or(f64::NEG_INFINITY),
                max.unwrap_or(f64::INFINITY),
            )
        }
        Dist::LogNormal { median, p90 } => {
            let (mu, sigma) = lognormal_shape(*median, *p90);
            (mu + sigma * inverse_phi(u)).exp()
        }
        Dist::Beta { alpha, beta } => beta_quantile(*alpha, *beta, u),
        Dist::Choice { values, weights } => {
            let mut acc = 0.0;
            for (v, w) in values.iter().zip(weights) {
                acc += w;
                if u < acc {
                    return *v;
                }
            }
            *values.last().expect("choice has at least one value")
        }
    }
}

fn beta_quantile(a: f64, b: f64, u: f64) -> f64 {
    match Beta::new(a, b) {
        Ok(d) => d.inverse_cdf(u).clamp(0.0, 1.0),
        // Validated shapes are positive and finite; fall back to the mean rather than panic.
        Err(_) => a / (a + b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permute_is_a_permutation_for_any_length() {
        for n in [1u64, 2, 3, 7, 64, 100, 1000, 4097] {
            for p in [0u64, 1, 0xdead_beef] {
                let mut seen = vec![false; n as usize];
                for i in 0..n {
                    let j = permute(i, n, p);
                    assert!(j < n && !seen[j as usize], "n {n} p {p}: {i} -> {j}");
                    seen[j as usize] = true;
                }
            }
        }
        // Different keys give different orders.
        let a: Vec<u64> = (0..50).map(|i| permute(i, 50, 1)).collect();
        let b: Vec<u64> = (0..50).map(|i| permute(i, 50, 2)).collect();
        assert_ne!(a, b);
    }

    #[test]
    fn sobol_matches_the_published_first_points() {
        let s = SobolSeq::new(3).unwrap();
        let f = |i: u32, d: usize| f64::from(s.raw(i, d)) / 4_294_967_296.0;
        // Natural (not Gray-code) order of the Joe-Kuo sequence.
        let d1: Vec<f64> = (0..4).map(|i| f(i, 0)).collect();
        let d2: Vec<f64> = (0..4).map(|i| f(i, 1)).collect();
        let d3: Vec<f64> = (0..4).map(|i| f(i, 2)).collect();
        // Dimension 3 (degree 2, a = 1, m = 1 3) uses the polynomial's middle coefficient:
        // v3 = v1 ^ (v1 >> 2) ^ v2 = 0.375.
        assert_eq!(d1, [0.0, 0.5, 0.25, 0.75]);
        assert_eq!(d2, [0.0, 0.5, 0.75, 0.25]);
        assert_eq!(d3, [0.0, 0.5, 0.75, 0.25]);
        assert_eq!(f(4, 1), 0.625);
        assert_eq!(f(4, 2), 0.375);
        assert_eq!(f(7, 2), 0.125);
        assert!(SobolSeq::new(MAX_SOBOL_DIMS).is_ok());
        assert!(SobolSeq::new(MAX_SOBOL_DIMS + 1).is_err());
    }

    /// Every row of the embedded table is a valid Sobol' generator: degrees never fall, no
    /// primitive polynomial repeats, the packed coefficients fit below the degree, and each
    /// initial direction integer `m_i` is odd and below `2^i`.
    #[test]
    fn every_joe_kuo_row_is_a_valid_generator() {
        let mut seen = std::collections::HashSet::new();
        let mut last = 0;
        for (d, &(s, a, m)) in JOE_KUO.iter().enumerate() {
            assert!(s >= last, "dimension {}: degree fell", d + 2);
            last = s;
            assert!(
                seen.insert((s, a)),
                "dimension {}: repeated polynomial",
                d + 2
            );
            assert!(s == 1 && a == 0 || a < 1 << (s - 1), "dimension {}", d + 2);
            assert_eq!(m.len(), s as usize, "dimension {}", d + 2);
            for (i, &mi) in m.iter().enumerate() {
                assert!(mi % 2 == 1 && mi < 1 << (i + 1), "dimension {}", d + 2);
            }
        }
        // The published file's first rows (dimensions 2-4).
        assert_eq!(JOE_KUO[0], (1, 0, &[1][..]));
        assert_eq!(JOE_KUO[1], (2, 1, &[1, 3][..]));
        assert_eq!(JOE_KUO[2], (3, 1, &[1, 3, 1][..]));
        // The table takes every primitive polynomial over GF(2) in order of degree, and there
        // are phi(2^s - 1) / s of degree s: 1, 1, 2, 2, 6, 6, 18, ... up to 1,800 of degree 15;
        // degree 16 starts at dimension 3,668.
        let phi = |n: u64| {
            let (mut r, mut m, mut p) = (n, n, 2);
            while p * p <= m {
                if m % p == 0 {
                    while m % p == 0 {
                        m /= p;
                    }
                    r -= r / p;
                }
                p += 1;
            }
            if m > 1 {
                r -= r / m;
            }
            r
        };
        for deg in 1..=15u32 {
            let count = JOE_KUO.iter().filter(|r| r.0 == deg).count() as u64;
            assert_eq!(count, phi((1 << deg) - 1) / u64::from(deg), "degree {deg}");
        }
        assert_eq!(JOE_KUO.iter().position(|r| r.0 == 16), Some(3668 - 2));
    }

    /// The first `2^m` points of every dimension fall one in each interval of width `2^-m`,
    /// scrambled or not (a digit scramble maps elementary intervals onto elementary intervals),
    /// and every pair of the first dimensions is a (t, m, 2)-net with small t.
    #[test]
    fn sobol_points_are_stratified_before_and_after_scrambling() {
        let m = 10u32;
        let n = 1u64 << m;
        let s = SobolSeq::new(MAX_SOBOL_DIMS).unwrap();
        for d in 0..MAX_SOBOL_DIMS {
            for scrambled in [false, true] {
                let mut seen = vec![false; n as usize];
                for i in 0..n {
                    let u = if scrambled {
                        s.uniform(7, i, d, 99)
                    } else {
                        f64::from(s.raw(i as u32, d)) / 4_294_967_296.0
                    };
                    assert!((0.0..1.0).contains(&u));
                    let b = (u * n as f64) as usize;
                    assert!(
                        !seen[b],
                        "dim {d} scrambled {scrambled}: two points in bin {b}"
                    );
                    seen[b] = true;
                }
            }
        }
        // Dimensions 1 and 2 form a (0, m, 2)-net: one point in each 2^-a x 2^-(m-a) box.
        for a in 0..=m {
            let (nx, ny) = (1usize << a, 1usize << (m - a));
            let mut seen = vec![false; nx * ny];
            for i in 0..n {
                let x = (s.uniform(3, i, 0, 5) * nx as f64) as usize;
                let y = (s.uniform(3, i, 1, 6) * ny as f64) as usize;
                assert!(!seen[x * ny + y], "box {a}: ({x}, {y}) twice");
                seen[x * ny + y] = true;
            }
        }
    }

    #[test]
    fn scrambling_depends_on_the_seed_and_is_a_bijection_on_digits() {
        let s = SobolSeq::new(2).unwrap();
        assert_ne!(s.uniform(1, 3, 0, 0), s.uniform(2, 3, 0, 0));
        assert_eq!(s.uniform(1, 3, 0, 0), s.uniform(1, 3, 0, 0));
        // On 8-bit prefixes, the scramble permutes the 256 values.
        let mut seen = [false; 256];
        for x in 0..256u32 {
            let y = owen_scramble(x << 24, 12345) >> 24;
            assert!(!seen[y as usize]);
            seen[y as usize] = true;
        }
    }

    #[test]
    fn latin_hypercube_has_one_draw_per_stratum_in_each_block() {
        let n = 200u64;
        let d = Design::Lhs { n };
        for key in [1u64, 2, 3] {
            for block in 0..3 {
                let mut seen = vec![false; n as usize];
                for i in 0..n {
                    let u = d.uniform(42, block * n + i, 0, key);
                    let b = (u * n as f64) as usize;
                    assert!(!seen[b], "key {key} block {block}: stratum {b} twice");
                    seen[b] = true;
                }
            }
        }
        // Same inputs, same value; another seed, another design.
        assert_eq!(d.uniform(1, 5, 0, 9), d.uniform(1, 5, 0, 9));
        assert_ne!(d.uniform(1, 5, 0, 9), d.uniform(2, 5, 0, 9));
    }

    #[test]
    fn saltelli_rows_share_columns_as_the_estimators_expect() {
        for sobol in [false, true] {
            let k = 3;
            let d = Design::saltelli(k, sobol).unwrap();
            let g = d.group();
            for row in 0..5u64 {
                let at = |m: u64, dim: usize| d.uniform(9, row * g + m, dim, 0);
                for i in 0..k {
                    for dim in 0..k {
                        let expect = if dim == i { at(1, dim) } else { at(0, dim) };
                        assert_eq!(at(2 + i as u64, dim), expect);
                    }
                    assert_ne!(at(0, i), at(1, i));
                }
            }
        }
        assert!(Design::saltelli(MAX_SOBOL_DIMS / 2 + 1, true).is_err());
        // Grouped: parameters 0 and 2 form group 0, parameter 1 group 1.
        let d = Design::saltelli_grouped(vec![0, 1, 0], false).unwrap();
        assert_eq!(d.group(), 4);
        let at = |m: u64, dim: usize| d.uniform(9, 3 * 4 + m, dim, 0);
        for dim in 0..3 {
            let g = [0, 1, 0][dim];
            for i in 0..2 {
                let expect = if g == i { at(1, dim) } else { at(0, dim) };
                assert_eq!(at(2 + i as u64, dim), expect);
            }
        }
    }

    #[test]
    fn morris_trajectories_move_one_parameter_per_step() {
        let k = 5;
        let d = Design::Morris { k };
        for traj in 0..20u64 {
            let point = |s: u64| -> Vec<u32> {
                (0..k)
                    .map(|dim| morris_level(3, traj * (k as u64 + 1) + s, dim, k))
                    .collect()
            };
            for s in 1..=k as u64 {
                let (a, b) = (point(s - 1), point(s));
                let moved: Vec<usize> = (0..k).filter(|&i| a[i] != b[i]).collect();
                assert_eq!(moved.len(), 1, "trajectory {traj} step {s}");
                let i = moved[0];
                assert_eq!(a[i].abs_diff(b[i]), MORRIS_LEVELS / 2);
                assert_eq!(morris_step(3, traj, i, k), s);
            }
            let u = d.uniform(3, traj * (k as u64 + 1), 0, 0);
            assert!(u > 0.0 && u < 1.0);
        }
    }

    /// Every Morris move toggles an event, whatever its probability, and the event is on where
    /// `morris_event_on` says; other designs keep `u < p` (probabilities 0 and 1 exact).
    #[test]
    fn morris_moves_toggle_events_and_other_designs_draw_them_at_their_probability() {
        let k = 3;
        let d = Design::Morris { k };
        for l in 0..MORRIS_LEVELS {
            let u = (f64::from(l) + 0.5) / f64::from(MORRIS_LEVELS);
            assert_eq!(d.occurs(u, 0.3, false), morris_event_on(l));
            assert_ne!(morris_event_on(l), morris_event_on(morris_moved(l)));
        }
        for traj in 0..20u64 {
            for s in 1..=k as u64 {
                let t = traj * (k as u64 + 1) + s;
                for dim in 0..k {
                    let moved = morris_step(3, traj, dim, k) == s;
                    for (p, uncertain) in [(0.05, false), (0.95, false), (0.5, true)] {
                        let on = |t| d.occurs(d.uniform(3, t, dim, 0), p, uncertain);
                        assert_eq!(on(t) != on(t - 1), moved, "p {p} trajectory {traj}");
                    }
                    // A fixed probability of 0: the event cannot happen, so it never does.
                    assert!(!d.occurs(d.uniform(3, t, dim, 0), 0.0, false));
                }
            }
        }
        let lhs = Design::Lhs { n: 10 };
        for u in [0.0, 0.05, 0.1, 0.5, 0.999] {
            assert_eq!(lhs.occurs(u, 0.1, true), u < 0.1);
            assert!(lhs.occurs(u, 1.0, false) && !lhs.occurs(u, 0.0, false));
        }
    }

    #[test]
    fn quantiles_invert_the_distributions() {
        let cases = [
            (Dist::Uniform { lo: 2.0, hi: 4.0 }, 0.25, 2.5),
            (Dist::UniformInt { lo: 1, hi: 4 }, 0.99, 4.0),
            (Dist::UniformInt { lo: 1, hi: 4 }, 0.0, 1.0),
            (
                Dist::Triangular {
                    min: 0.0,
                    mode: 1.0,
                    max: 2.0,
                },
                0.5,
                1.0,
            ),
            (
                Dist::Normal {
                    mean: 10.0,
                    sd: 2.0,
                    min: None,
                    max: None,
                },
                0.5,
                10.0,
            ),
            (
                Dist::LogNormal {
                    median: 12.0,
                    p90: 30.0,
                },
                0.9,
                30.0,
            ),
            (
                Dist::Beta {
                    alpha: 2.0,
                    beta: 2.0,
                },
                0.5,
                0.5,
            ),
            (
                Dist::Pert {
                    min: 0.0,
                    mode: 0.5,
                    max: 1.0,
                },
                0.5,
                0.5,
            ),
            (
                Dist::Choice {
                    values: vec![1.0, 2.0],
                    weights: vec![0.3, 0.7],
                },
                0.31,
                2.0,
            ),
        ];
        for (d, u, want) in cases {
            let got = quantile(&d, u);
            assert!((got - want).abs() < 1e-6, "{d:?} at {u}: {got} not {want}");
        }
        // Quantile means match the closed forms on a fine grid of probabilities.
        for d in [
            Dist::Pert {
                min: 0.6,
                mode: 0.85,
                max: 0.98,
            },
            Dist::Normal {
                mean: 10.0,
                sd: 2.0,
                min: Some(9.0),
                max: None,
            },
        ] {
            let n = 20_000;
            let m = (0..n)
                .map(|i| quantile(&d, (i as f64 + 0.5) / n as f64))
                .sum::<f64>()
                / n as f64;
            assert!((m - d.mean()).abs() / d.mean() < 1e-3, "{d:?}: {m}");
        }
    }
}
