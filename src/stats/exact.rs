//! Exact floating-point sums that merge: Shewchuk's non-overlapping partials (the algorithm of
//! Python's `math.fsum`). The partials represent the sum of every value added so far exactly, so
//! `value()`, the correctly rounded sum, does not depend on the order values were added in nor on
//! how they were split between accumulators that were later merged. That is what makes a sharded
//! run's mean and standard deviation equal, bit for bit, to the unsharded run's.

/// `a + b` as `(sum, error)` with `sum + error == a + b` exactly (Knuth's two-sum).
fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}

/// `a * b` as `(product, error)` with `product + error == a * b` exactly (fused multiply-add).
pub fn two_product(a: f64, b: f64) -> (f64, f64) {
    let p = a * b;
    (p, a.mul_add(b, -p))
}

/// The exact sum of the finite values added, as non-overlapping partials in increasing magnitude.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExactSum {
    partials: Vec<f64>,
}

impl ExactSum {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `x` (finite) exactly. Allocates only when the partials grow, which they rarely do
    /// after the first values (their number is bounded by the exponent range, in practice a few).
    pub fn add(&mut self, mut x: f64) {
        let mut i = 0;
        for j in 0..self.partials.len() {
            let y = self.partials[j];
            let (hi, lo) = if x.abs() < y.abs() {
                two_sum(y, x)
            } else {
                two_sum(x, y)
            };
            if lo != 0.0 {
                self.partials[i] = lo;
                i += 1;
            }
            x = hi;
        }
        self.partials.truncate(i);
        if x != 0.0 {
            self.partials.push(x);
        }
    }

    /// Adds every partial of `other`: the exact sum of both.
    pub fn merge(&mut self, other: &ExactSum) {
        for &p in &other.partials {
            self.add(p);
        }
    }

    /// The partials (for serialisation; their sum is the exact sum).
    pub fn partials(&self) -> &[f64] {
        &self.partials
    }

    /// Rebuilds a sum from partials read back (each is added, so any finite list is valid).
    pub fn from_partials(parts: &[f64]) -> Self {
        let mut s = ExactSum::new();
        for &p in parts {
            s.add(p);
        }
        s
    }

    /// The exact sum rounded to the nearest f64 (ties to even), as `math.fsum` does.
    pub fn value(&self) -> f64 {
        let p = &self.partials;
        let Some(mut n) = p.len().checked_sub(1) else {
            return 0.0;
        };
        let mut hi = p[n];
        let mut lo = 0.0;
        while n > 0 {
            let x = hi;
            n -= 1;
            let y = p[n];
            hi = x + y;
            let yr = hi - x;
            lo = y - yr;
            if lo != 0.0 {
                break;
            }
        }
        // Round half to even: if the remaining partials push the halfway case one way, follow.
        if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            if y == x - hi {
                hi = x;
            }
        }
        hi
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_exactly_where_naive_summation_loses_everything() {
        let mut s = ExactSum::new();
        for x in [1e100, 1.0, -1e100, 1e-100, 3.0] {
            s.add(x);
        }
        assert_eq!(s.value(), 4.0);
        let mut t = ExactSum::new();
        for _ in 0..10 {
            t.add(0.1);
        }
        // 0.1 is 0.1000000000000000055511151231257827 in binary; ten of them round to 1.0.
        assert_eq!(t.value(), 1.0);
        assert_ne!((0..10).map(|_| 0.1).sum::<f64>(), 1.0);
    }

    #[test]
    fn rounds_halfway_cases_to_even() {
        // 1 + 2^-53 is halfway between 1 and the next f64; ties go to 1 (even mantissa).
        let mut s = ExactSum::new();
        s.add(1.0);
        s.add(2f64.powi(-53));
        assert_eq!(s.value(), 1.0);
        // A tiny extra nudge past halfway rounds up.
        s.add(2f64.powi(-80));
        assert_eq!(s.value(), 1.0 + f64::EPSILON);
    }

    #[test]
    fn order_and_split_do_not_change_the_value() {
        let xs: Vec<f64> = (0..2000)
            .map(|i| ((i * 7919) % 1000) as f64 * 1.37e-3 + (i as f64).sin() * 1e7)
            .collect();
        let mut whole = ExactSum::new();
        xs.iter().for_each(|&x| whole.add(x));
        let mut rev = ExactSum::new();
        xs.iter().rev().for_each(|&x| rev.add(x));
        let mut a = ExactSum::new();
        let mut b = ExactSum::new();
        xs[..777].iter().for_each(|&x| a.add(x));
        xs[777..].iter().for_each(|&x| b.add(x));
        b.merge(&a);
        assert_eq!(whole.value().to_bits(), rev.value().to_bits());
        assert_eq!(whole.value().to_bits(), b.value().to_bits());
        let back = ExactSum::from_partials(whole.partials());
        assert_eq!(back.value().to_bits(), whole.value().to_bits());
    }
}
