//! A mergeable quantile sketch with a bounded size: every value is counted in the bucket of its
//! f64 bit pattern cut to 8 bits of mantissa, so a bucket spans `[v, v (1 + 2^-8))` and its lower
//! edge `v` (the value rounded toward zero to 9 significant bits) represents it. Each sign keeps
//! such fine buckets only for the `WINDOW` keys (8 binary orders of magnitude) below its largest
//! magnitude; smaller magnitudes are counted in coarse buckets of 5 mantissa bits (a relative
//! error below 2^-5), as DDSketch collapses its lowest buckets but without losing their order. So
//! a sketch's size is bounded by the range of its values, not by how many were seen, and stops
//! growing once the extremes are found. Buckets are integer counts (32 bits, widened to 64 only
//! if one overflows), so merging sketches is exact and order-free: which buckets are coarse
//! depends only on the largest magnitude, which does not depend on the order values came in.
//! Bucket keys come from bit operations, not logarithms, so they are the same on every machine.
//!
//! Error bound (`docs/outputs.md`): an order statistic read from the sketch is the true value
//! rounded toward zero, to 9 significant bits (relative error below `2^-8`, 0.39%) if its
//! magnitude is at least `2^-8` of the largest magnitude of its sign, else to 6 significant bits
//! (below `2^-5`, 3.1%). Exact for values such as 0, 1, 0.5 or 36 that need few bits. Values
//! smaller in magnitude than `TINY` (2^-32, about 2.3e-10) are counted as 0.

/// Mantissa bits kept per fine bucket.
pub const BITS: u32 = 8;
const SHIFT: u32 = 52 - BITS;
/// Mantissa bits kept per coarse bucket.
pub const COARSE_BITS: u32 = 5;
const COARSE_SHIFT: u32 = BITS - COARSE_BITS;
/// Fine keys kept per sign: the largest and the 8 binary orders of magnitude (`2^BITS` keys each)
/// below it, so every magnitude of at least `2^-8` of the largest is in a fine bucket.
pub const WINDOW: u32 = (8 << BITS) + 1;
/// Magnitudes below this count as zero.
pub const TINY: f64 = 1.0 / 4_294_967_296.0;
/// Relative error bound of an order statistic within the fine window (`2^-BITS`).
pub const REL_ERROR: f64 = 1.0 / (1u64 << BITS) as f64;
/// Relative error bound of an order statistic below the fine window (`2^-COARSE_BITS`).
pub const COARSE_REL_ERROR: f64 = 1.0 / (1u64 << COARSE_BITS) as f64;

fn key(magnitude: f64) -> u32 {
    (magnitude.to_bits() >> SHIFT) as u32
}

fn lower_edge(key: u32) -> f64 {
    f64::from_bits(u64::from(key) << SHIFT)
}

fn coarse_edge(key: u32) -> f64 {
    f64::from_bits(u64::from(key) << (SHIFT + COARSE_SHIFT))
}

fn min_key() -> u32 {
    key(TINY)
}

fn max_key() -> u32 {
    key(f64::MAX)
}

/// Bucket counts, 32 bits each until one would overflow (a merge of more than 4e9 trials), then
/// 64: half the memory for every run that fits in 32 bits, and exact beyond.
#[derive(Debug, Clone)]
enum Counts {
    Narrow(Vec<u32>),
    Wide(Vec<u64>),
}

impl Default for Counts {
    fn default() -> Self {
        Counts::Narrow(Vec::new())
    }
}

impl Counts {
    fn len(&self) -> usize {
        match self {
            Counts::Narrow(v) => v.len(),
            Counts::Wide(v) => v.len(),
        }
    }

    fn get(&self, i: usize) -> u64 {
        match self {
            Counts::Narrow(v) => u64::from(v[i]),
            Counts::Wide(v) => v[i],
        }
    }

    fn add(&mut self, i: usize, n: u64) {
        match self {
            Counts::Narrow(v) => {
                let sum = u64::from(v[i]) + n;
                match u32::try_from(sum) {
                    Ok(c) => v[i] = c,
                    Err(_) => {
                        let mut w: Vec<u64> = v.iter().map(|&c| u64::from(c)).collect();
                        w[i] = sum;
                        *self = Counts::Wide(w);
                    }
                }
            }
            Counts::Wide(v) => v[i] += n,
        }
    }

    /// `extra` zero buckets in front.
    fn grow_front(&mut self, extra: usize) {
        fn grown<T: Copy + Default>(v: &[T], extra: usize) -> Vec<T> {
            let mut g = vec![T::default(); extra + v.len()];
            g[extra..].copy_from_slice(v);
            g
        }
        match self {
            Counts::Narrow(v) => *v = grown(v, extra),
            Counts::Wide(v) => *v = grown(v, extra),
        }
    }

    /// Zero buckets at the back up to `need`, reserving a little headroom when it must allocate:
    /// a store spans its column's observed range, and doubling would leave up to half unused.
    fn grow_back(&mut self, need: usize) {
        fn grown<T: Copy + Default>(v: &mut Vec<T>, need: usize) {
            if need > v.capacity() {
                let headroom = (v.len() / 8).clamp(8, 256);
                v.reserve_exact(need + headroom - v.len());
            }
            v.resize(need, T::default());
        }
        match self {
            Counts::Narrow(v) => grown(v, need),
            Counts::Wide(v) => grown(v, need),
        }
    }

    /// Removes the first `k` buckets.
    fn drop_front(&mut self, k: usize) {
        match self {
            Counts::Narrow(v) => drop(v.drain(..k)),
            Counts::Wide(v) => drop(v.drain(..k)),
        }
    }
}

/// Dense counts of the buckets between the lowest and highest key held; the highest bucket is
/// never empty.
#[derive(Debug, Clone, Default)]
pub struct Store {
    offset: u32,
    counts: Counts,
}

impl PartialEq for Store {
    fn eq(&self, other: &Self) -> bool {
        self.entries().eq(other.entries())
    }
}

impl Eq for Store {}

impl Store {
    /// Adds `n` to bucket `k`; growing downwards never goes below `low`.
    fn add(&mut self, k: u32, n: u64, low: u32) {
        let len = self.counts.len();
        if len == 0 {
            self.offset = k;
            self.counts.grow_back(1);
        } else if k < self.offset {
            // Grow downwards with some headroom, so a slowly falling minimum does not copy the
            // whole store each time.
            let headroom = (len as u32 / 8).clamp(8, 256);
            let new_offset = k.saturating_sub(headroom).max(low).min(k);
            self.counts.grow_front((self.offset - new_offset) as usize);
            self.offset = new_offset;
        } else if (k - self.offset) as usize >= len {
            self.counts.grow_back((k - self.offset) as usize + 1);
        }
        self.counts.add((k - self.offset) as usize, n);
    }

    /// The highest key held.
    fn top(&self) -> Option<u32> {
        self.counts
            .len()
            .checked_sub(1)
            .map(|i| self.offset + i as u32)
    }

    fn total(&self) -> u64 {
        (0..self.counts.len()).map(|i| self.counts.get(i)).sum()
    }

    /// Non-empty buckets as `(key, count)`, ascending.
    fn entries(&self) -> impl DoubleEndedIterator<Item = (u32, u64)> + '_ {
        (0..self.counts.len())
            .map(|i| (self.offset + i as u32, self.counts.get(i)))
            .filter(|(_, c)| *c > 0)
    }
}

/// The buckets of one sign: fine within `WINDOW` keys of the largest, coarse below.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Tiered {
    fine: Store,
    coarse: Store,
}

impl Tiered {
    fn floor(top: u32) -> u32 {
        top.saturating_sub(WINDOW - 1).max(min_key())
    }

    /// Adds `n` values of fine key `k`.
    fn add(&mut self, k: u32, n: u64) {
        match self.fine.top() {
            Some(top) if k <= top => {
                let floor = Self::floor(top);
                if k >= floor {
                    self.fine.add(k, n, floor);
                } else {
                    self.coarse
                        .add(k >> COARSE_SHIFT, n, min_key() >> COARSE_SHIFT);
                }
            }
            _ => {
                self.fine.add(k, n, Self::floor(k));
                self.settle();
            }
        }
    }

    /// Moves the fine buckets below the window of the (new) largest key into coarse ones.
    fn settle(&mut self) {
        let Some(top) = self.fine.top() else { return };
        let floor = Self::floor(top);
        if self.fine.offset >= floor {
            return;
        }
        let k = (floor - self.fine.offset) as usize;
        for i in 0..k {
            let c = self.fine.counts.get(i);
            if c > 0 {
                let key = (self.fine.offset + i as u32) >> COARSE_SHIFT;
                self.coarse.add(key, c, min_key() >> COARSE_SHIFT);
            }
        }
        self.fine.counts.drop_front(k);
        self.fine.offset = floor;
    }

    fn total(&self) -> u64 {
        self.fine.total() + self.coarse.total()
    }

    fn merge(&mut self, other: &Tiered) {
        // Coarse keys of `other` lie below its window, hence below the merged one.
        for (k, c) in other.coarse.entries() {
            self.coarse.add(k, c, min_key() >> COARSE_SHIFT);
        }
        for (k, c) in other.fine.entries() {
            self.add(k, c);
        }
    }

    /// Buckets as `(lower edge of the magnitude, count)`, ascending.
    fn ascending(&self) -> impl DoubleEndedIterator<Item = (f64, u64)> + '_ {
        let coarse = self.coarse.entries().map(|(k, c)| (coarse_edge(k), c));
        coarse.chain(self.fine.entries().map(|(k, c)| (lower_edge(k), c)))
    }

    /// Coarse then fine buckets as `(key, count)`: coarse keys are all below `min_key()`, so one
    /// ascending list holds both.
    fn encode(&self, out: &mut Vec<u8>) {
        let entries: Vec<(u32, u64)> = self.coarse.entries().chain(self.fine.entries()).collect();
        out.extend_from_slice(&(entries.len() as u32).to_le_bytes());
        for (k, c) in entries {
            out.extend_from_slice(&k.to_le_bytes());
            out.extend_from_slice(&c.to_le_bytes());
        }
    }

    fn decode_entry(&mut self, k: u32, c: u64) -> Result<(), String> {
        let coarse = (min_key() >> COARSE_SHIFT)..=(max_key() >> COARSE_SHIFT);
        if coarse.contains(&k) {
            self.coarse.add(k, c, min_key() >> COARSE_SHIFT);
        } else if (min_key()..=max_key()).contains(&k) {
            self.add(k, c);
        } else {
            return Err(format!("a sketch bucket is invalid (key {k})"));
        }
        Ok(())
    }
}

/// Counts of negative values (by magnitude), zeros and positive values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sketch {
    neg: Tiered,
    zeros: u64,
    pos: Tiered,
}

impl Sketch {
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts `x` (finite).
    #[inline]
    pub fn add(&mut self, x: f64) {
        let m = x.abs();
        // (Finite input: `m < TINY` is the only way to be below.)
        if m < TINY {
            self.zeros += 1;
        } else if x > 0.0 {
            self.pos.add(key(m), 1);
        } else {
            self.neg.add(key(m), 1);
        }
    }

    pub fn count(&self) -> u64 {
        self.neg.total() + self.zeros + self.pos.total()
    }

    /// The relative error bound of its order statistics: 0.39%, or 3.1% once some value sits in
    /// a coarse bucket (under 1/256 of the largest magnitude of its sign).
    pub fn rel_error(&self) -> f64 {
        if self.neg.coarse.total() + self.pos.coarse.total() > 0 {
            COARSE_REL_ERROR
        } else {
            REL_ERROR
        }
    }

    pub fn merge(&mut self, other: &Sketch) {
        self.neg.merge(&other.neg);
        self.zeros += other.zeros;
        self.pos.merge(&other.pos);
    }

    /// Buckets as `(representative value, count)`, ascending by value.
    pub fn ascending(&self) -> Vec<(f64, u64)> {
        let mut v: Vec<(f64, u64)> = self.neg.ascending().rev().map(|(m, c)| (-m, c)).collect();
        if self.zeros > 0 {
            v.push((0.0, self.zeros));
        }
        v.extend(self.pos.ascending());
        v
    }

    /// Appends the sketch's bytes: zeros, then for each sign the number of non-empty buckets and
    /// each as (key, count), ascending, coarse keys first. Little-endian.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.zeros.to_le_bytes());
        self.neg.encode(out);
        self.pos.encode(out);
    }

    /// Reads a sketch written by `encode`, refusing keys out of range or out of order.
    pub fn decode(r: &mut super::stream::Reader<'_>) -> Result<Sketch, String> {
        let mut s = Sketch {
            zeros: r.u64()?,
            ..Sketch::default()
        };
        for neg in [true, false] {
            let n = r.u32()? as usize;
            // Each entry takes 12 bytes: refuse counts the remaining bytes cannot hold before
            // allocating anything.
            if n > r.remaining() / 12 {
                return Err("a sketch claims more buckets than the file holds".into());
            }
            let mut last = None;
            for _ in 0..n {
                let (k, c) = (r.u32()?, r.u64()?);
                if last.is_some_and(|l| k <= l) || c == 0 {
                    return Err(format!("a sketch bucket is invalid (key {k}, count {c})"));
                }
                last = Some(k);
                if neg { &mut s.neg } else { &mut s.pos }.decode_entry(k, c)?;
            }
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_of_nine_bits_are_exact_and_others_round_toward_zero_within_the_bound() {
        let mut s = Sketch::new();
        for x in [0.0, 1.0, 0.5, 36.0, -3.0, 1e-12, 1.1] {
            s.add(x);
        }
        let v = s.ascending();
        assert_eq!(v[0], (-3.0, 1));
        assert_eq!(v[1], (0.0, 2)); // 0 and 1e-12 (below TINY)
        assert_eq!(v[2], (0.5, 1));
        assert_eq!(v[3], (1.0, 1));
        let (rep, _) = v[4];
        assert!(rep <= 1.1 && (1.1 - rep) / 1.1 < REL_ERROR, "{rep}");
        assert_eq!(v[5], (36.0, 1));
        assert_eq!(s.count(), 7);
    }

    #[test]
    fn merging_is_order_free_and_round_trips() {
        let xs: Vec<f64> = (0..5000).map(|i| ((i as f64) * 0.37).sin() * 1e6).collect();
        let mut whole = Sketch::new();
        xs.iter().for_each(|&x| whole.add(x));
        let (mut a, mut b) = (Sketch::new(), Sketch::new());
        xs[..1234].iter().for_each(|&x| a.add(x));
        xs[1234..].iter().rev().for_each(|&x| b.add(x));
        b.merge(&a);
        assert_eq!(whole.ascending(), b.ascending());
        let mut bytes = Vec::new();
        whole.encode(&mut bytes);
        let mut r = crate::stats::stream::Reader::new(&bytes);
        assert_eq!(
            Sketch::decode(&mut r).unwrap().ascending(),
            whole.ascending()
        );
        assert_eq!(r.remaining(), 0);
        assert!(Sketch::decode(&mut crate::stats::stream::Reader::new(&bytes[..9])).is_err());
    }

    /// Values spread over `octaves` binary orders of magnitude, both signs, some zeros.
    fn spread(n: usize, octaves: f64, seed: u64) -> Vec<f64> {
        let mut x = seed;
        (0..n)
            .map(|i| {
                // SplitMix64: a fixed, portable stream.
                x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut z = x;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                let u = ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64;
                let v = (u * octaves - octaves / 2.0).exp2() * 3.7;
                match i % 5 {
                    0 => -v,
                    1 => 0.0,
                    _ => v,
                }
            })
            .collect()
    }

    /// Order statistic `r` (0-based) of a sketch's buckets.
    fn rank(buckets: &[(f64, u64)], r: u64) -> f64 {
        let mut below = 0;
        for &(v, c) in buckets {
            below += c;
            if r < below {
                return v;
            }
        }
        f64::NAN
    }

    #[test]
    fn order_statistics_are_within_the_stated_bounds_of_the_exact_ones() {
        for (octaves, seed) in [(4.0, 1), (12.0, 2), (40.0, 3), (90.0, 4)] {
            let xs = spread(20_000, octaves, seed);
            let mut s = Sketch::new();
            xs.iter().for_each(|&x| s.add(x));
            let mut sorted = xs.clone();
            sorted.sort_by(f64::total_cmp);
            let largest = |neg: bool| {
                xs.iter()
                    .filter(|&&x| (x < 0.0) == neg)
                    .fold(0.0f64, |m, x| m.max(x.abs()))
            };
            let (max_neg, max_pos) = (largest(true), largest(false));
            let b = s.ascending();
            for (r, &v) in sorted.iter().enumerate() {
                let est = rank(&b, r as u64);
                let top = if v < 0.0 { max_neg } else { max_pos };
                let bound = if v.abs() >= top * REL_ERROR {
                    REL_ERROR
                } else {
                    COARSE_REL_ERROR
                };
                // Rounded toward zero, never across it, within the bound.
                assert!(est.abs() <= v.abs() && est * v >= 0.0, "{v} {est}");
                let counted_as_zero = v.abs() < TINY && est == 0.0;
                assert!(
                    v.abs() - est.abs() < bound * v.abs() || counted_as_zero,
                    "{v} {est}"
                );
            }
        }
    }

    #[test]
    fn size_is_bounded_by_the_range_and_collapsing_is_order_free() {
        let xs = spread(50_000, 200.0, 7);
        let mut whole = Sketch::new();
        xs.iter().for_each(|&x| whole.add(x));
        for t in [&whole.neg, &whole.pos] {
            assert!(t.fine.counts.len() <= WINDOW as usize);
            // 32 coarse buckets per binary order of magnitude between TINY and the window.
            assert!(
                t.coarse.counts.len() <= 32 * 130,
                "{}",
                t.coarse.counts.len()
            );
            assert!(t.coarse.total() > 0);
        }
        // Largest values last, so the window moves many times; and split into shards.
        let mut sorted = xs.clone();
        sorted.sort_by(|a, b| a.abs().total_cmp(&b.abs()));
        let mut rising = Sketch::new();
        sorted.iter().for_each(|&x| rising.add(x));
        let mut parts: Vec<Sketch> = xs
            .chunks(7_001)
            .map(|c| {
                let mut s = Sketch::new();
                c.iter().for_each(|&x| s.add(x));
                s
            })
            .collect();
        let mut merged = parts.pop().unwrap();
        parts.iter().rev().for_each(|p| merged.merge(p));
        assert_eq!(whole.ascending(), rising.ascending());
        assert_eq!(whole.ascending(), merged.ascending());
        assert_eq!(whole.count(), xs.len() as u64);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        whole.encode(&mut a);
        merged.encode(&mut b);
        assert_eq!(a, b);
        let back = Sketch::decode(&mut crate::stats::stream::Reader::new(&a)).unwrap();
        assert_eq!(back, whole);
    }

    #[test]
    fn a_count_past_32_bits_widens_its_store_exactly() {
        let mut s = Sketch::new();
        s.pos.add(key(1.0), u64::from(u32::MAX));
        s.pos.add(key(2.0), 3);
        assert!(matches!(s.pos.fine.counts, Counts::Narrow(_)));
        s.pos.add(key(1.0), 5);
        assert!(matches!(s.pos.fine.counts, Counts::Wide(_)));
        assert_eq!(
            s.ascending(),
            vec![(1.0, u64::from(u32::MAX) + 5), (2.0, 3)]
        );
    }
}
