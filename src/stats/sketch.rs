//! A mergeable quantile sketch with a fixed relative error: every value is counted in the bucket
//! of its f64 bit pattern cut to 8 bits of mantissa, so a bucket spans `[v, v (1 + 2^-8))` and its
//! lower edge `v` (the value rounded toward zero to 9 significant bits) represents it. Buckets are
//! integer counts, so merging sketches is exact and order-free; bucket keys come from bit
//! operations, not logarithms, so they are the same on every machine and libm.
//!
//! Error bound (`docs/outputs.md`): an order statistic read from the sketch is the true value
//! rounded toward zero to 9 significant bits, a relative error below `2^-8` (0.39%), and exact
//! for values such as 0, 1, 0.5 or 36 that need at most 9 bits. Values smaller in magnitude than
//! `TINY` (2^-32, about 2.3e-10) are counted as 0.

/// Mantissa bits kept per bucket.
pub const BITS: u32 = 8;
const SHIFT: u32 = 52 - BITS;
/// Magnitudes below this count as zero.
pub const TINY: f64 = 1.0 / 4_294_967_296.0;
/// Relative error bound of an order statistic (`2^-BITS`).
pub const REL_ERROR: f64 = 1.0 / (1u64 << BITS) as f64;

fn key(magnitude: f64) -> u32 {
    (magnitude.to_bits() >> SHIFT) as u32
}

fn lower_edge(key: u32) -> f64 {
    f64::from_bits(u64::from(key) << SHIFT)
}

fn min_key() -> u32 {
    key(TINY)
}

fn max_key() -> u32 {
    key(f64::MAX)
}

/// Dense counts of the buckets between the lowest and highest key seen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Store {
    offset: u32,
    counts: Vec<u64>,
}

impl Store {
    fn add(&mut self, k: u32, n: u64) {
        if self.counts.is_empty() {
            self.offset = k;
            self.counts.push(0);
        } else if k < self.offset {
            // Grow downwards with some headroom, so a slowly falling minimum does not copy the
            // whole store each time.
            let headroom = (self.counts.len() as u32 / 8).clamp(8, 256);
            let new_offset = k.saturating_sub(headroom).max(min_key());
            let extra = (self.offset - new_offset) as usize;
            let mut grown = vec![0; extra + self.counts.len()];
            grown[extra..].copy_from_slice(&self.counts);
            self.counts = grown;
            self.offset = new_offset;
        } else if (k - self.offset) as usize >= self.counts.len() {
            // Grow by what is needed plus a little headroom, not by doubling: a store spans its
            // column's observed range, and doubling would leave up to half of it unused.
            let need = (k - self.offset) as usize + 1;
            if need > self.counts.capacity() {
                let headroom = (self.counts.len() / 8).clamp(8, 256);
                self.counts
                    .reserve_exact(need + headroom - self.counts.len());
            }
            self.counts.resize(need, 0);
        }
        self.counts[(k - self.offset) as usize] += n;
    }

    fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Non-empty buckets as `(key, count)`, ascending.
    fn entries(&self) -> impl DoubleEndedIterator<Item = (u32, u64)> + '_ {
        self.counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(i, &c)| (self.offset + i as u32, c))
    }

    fn merge(&mut self, other: &Store) {
        for (k, c) in other.entries() {
            self.add(k, c);
        }
    }
}

/// Counts of negative values (by magnitude), zeros and positive values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sketch {
    neg: Store,
    zeros: u64,
    pos: Store,
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

    pub fn merge(&mut self, other: &Sketch) {
        self.neg.merge(&other.neg);
        self.zeros += other.zeros;
        self.pos.merge(&other.pos);
    }

    /// Buckets as `(representative value, count)`, ascending by value.
    pub fn ascending(&self) -> Vec<(f64, u64)> {
        let mut v: Vec<(f64, u64)> = self
            .neg
            .entries()
            .rev()
            .map(|(k, c)| (-lower_edge(k), c))
            .collect();
        if self.zeros > 0 {
            v.push((0.0, self.zeros));
        }
        v.extend(self.pos.entries().map(|(k, c)| (lower_edge(k), c)));
        v
    }

    /// Appends the sketch's bytes: zeros, then each store as offset, bucket count and the
    /// non-empty buckets as (index, count). Little-endian.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.zeros.to_le_bytes());
        for s in [&self.neg, &self.pos] {
            let entries: Vec<(u32, u64)> = s.entries().collect();
            out.extend_from_slice(&(entries.len() as u32).to_le_bytes());
            for (k, c) in entries {
                out.extend_from_slice(&k.to_le_bytes());
                out.extend_from_slice(&c.to_le_bytes());
            }
        }
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
                if k < min_key() || k > max_key() || last.is_some_and(|l| k <= l) || c == 0 {
                    return Err(format!("a sketch bucket is invalid (key {k}, count {c})"));
                }
                last = Some(k);
                if neg { &mut s.neg } else { &mut s.pos }.add(k, c);
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
}
