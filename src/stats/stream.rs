//! Statistics on the fly: every metric and every series period gets a `Column` that takes
//! trials one at a time and keeps only a bounded state, so a run's memory does not grow with its
//! trial count. Count, min and max are exact; mean and standard deviation come from exact sums
//! (`exact.rs`), so they do not depend on how trials were split into chunks or shards; quantiles,
//! bands and CVaR come from the relative-error sketch (`sketch.rs`). Columns merge exactly (integer
//! counts, exact sums), so a merged set of shards gives the bytes of the unsharded run.

use rayon::prelude::*;

use super::exact::{ExactSum, two_product};
use super::mcse;
use super::sketch::Sketch;
use super::{Band, Summary};
use crate::run::RunResults;
use crate::run::results::{RunShape, lower_is_worse};

/// A byte reader that errors instead of panicking on truncated input.
pub struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes }
    }

    pub fn remaining(&self) -> usize {
        self.bytes.len()
    }

    fn take<const N: usize>(&mut self) -> Result<[u8; N], String> {
        if self.bytes.len() < N {
            return Err("the summaries end early: the file is truncated".into());
        }
        let (head, rest) = self.bytes.split_at(N);
        self.bytes = rest;
        Ok(head.try_into().expect("N bytes"))
    }

    pub fn u32(&mut self) -> Result<u32, String> {
        self.take::<4>().map(u32::from_le_bytes)
    }

    pub fn u64(&mut self) -> Result<u64, String> {
        self.take::<8>().map(u64::from_le_bytes)
    }

    pub fn f64(&mut self) -> Result<f64, String> {
        let v = self.take::<8>().map(f64::from_le_bytes)?;
        if v.is_finite() {
            Ok(v)
        } else {
            Err(format!("the summaries hold a non-finite number ({v})"))
        }
    }
}

/// The streaming statistics of one quantity across trials.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Column {
    n: u64,
    min: f64,
    max: f64,
    sum: ExactSum,
    /// Sum of squares, exact: each square is added as its rounded product and the product's error.
    squares: ExactSum,
    sketch: Sketch,
}

impl Column {
    /// Takes one trial's value (finite).
    #[inline]
    pub fn add(&mut self, x: f64) {
        if self.n == 0 {
            (self.min, self.max) = (x, x);
        } else {
            self.min = self.min.min(x);
            self.max = self.max.max(x);
        }
        self.n += 1;
        self.sum.add(x);
        let (p, e) = two_product(x, x);
        self.squares.add(p);
        self.squares.add(e);
        self.sketch.add(x);
    }

    pub fn count(&self) -> u64 {
        self.n
    }

    /// Takes every trial of `other`.
    pub fn merge(&mut self, other: &Column) {
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            (self.min, self.max) = (other.min, other.max);
        } else {
            self.min = self.min.min(other.min);
            self.max = self.max.max(other.max);
        }
        self.n += other.n;
        self.sum.merge(&other.sum);
        self.squares.merge(&other.squares);
        self.sketch.merge(&other.sketch);
    }

    /// Mean: the exact sum, rounded once, over the count.
    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            return f64::NAN;
        }
        self.sum.value() / self.n as f64
    }

    /// Sample standard deviation from `(n S2 - S1^2) / (n (n - 1))`, the numerator computed
    /// exactly from the partials of both sums (so no cancellation), then rounded once.
    pub fn std(&self) -> f64 {
        if self.n < 2 {
            return if self.n == 1 { 0.0 } else { f64::NAN };
        }
        let n = self.n as f64;
        let mut num = ExactSum::new();
        for &q in self.squares.partials() {
            let (p, e) = two_product(n, q);
            num.add(p);
            num.add(e);
        }
        let s1 = self.sum.partials();
        for &a in s1 {
            for &b in s1 {
                let (p, e) = two_product(a, b);
                num.add(-p);
                num.add(-e);
            }
        }
        let var = num.value().max(0.0) / (n * (n - 1.0));
        var.sqrt()
    }

    /// Order statistics at 0-based `ranks` (any order), from the sketch, clamped to the exact
    /// min and max (exact at rank 0 and n - 1).
    fn order_stats(&self, buckets: &[(f64, u64)], ranks: &[u64]) -> Vec<f64> {
        let mut order: Vec<usize> = (0..ranks.len()).collect();
        order.sort_by_key(|&i| ranks[i]);
        let mut out = vec![f64::NAN; ranks.len()];
        let mut it = buckets.iter();
        let (mut below, mut cur) = (0u64, it.next().copied());
        for i in order {
            let r = ranks[i];
            while let Some((_, c)) = cur {
                if r < below + c {
                    break;
                }
                below += c;
                cur = it.next().copied();
            }
            let v = if r == 0 {
                self.min
            } else if r + 1 == self.n {
                self.max
            } else {
                cur.map_or(self.max, |(v, _)| v.clamp(self.min, self.max))
            };
            out[i] = v;
        }
        out
    }

    /// Type-7 quantiles at `ps` (ascending), interpolating between sketched order statistics.
    fn quantiles(&self, buckets: &[(f64, u64)], ps: &[f64]) -> Vec<f64> {
        if self.n == 0 {
            return vec![f64::NAN; ps.len()];
        }
        let hs: Vec<f64> = ps
            .iter()
            .map(|p| (self.n - 1) as f64 * p.clamp(0.0, 1.0))
            .collect();
        let ranks: Vec<u64> = hs
            .iter()
            .flat_map(|h| [h.floor() as u64, h.ceil() as u64])
            .collect();
        let v = self.order_stats(buckets, &ranks);
        hs.iter()
            .enumerate()
            .map(|(i, h)| {
                let (lo, hi) = (v[2 * i], v[2 * i + 1]);
                lo + (h - h.floor()) * (hi - lo)
            })
            .collect()
    }

    /// Mean of the worst `ceil(0.05 n)` trials from the sketch's tail: the largest values, or the
    /// smallest if `lower` (each bucket's values taken at its representative, clamped to the
    /// exact min and max).
    fn cvar95(&self, buckets: &[(f64, u64)], lower: bool) -> f64 {
        if self.n == 0 {
            return f64::NAN;
        }
        let k = super::tail_count(self.n as usize, 0.95) as u64;
        let mut left = k;
        let mut sum = ExactSum::new();
        let mut take = |&(v, c): &(f64, u64)| {
            let t = c.min(left);
            let (p, e) = two_product(v.clamp(self.min, self.max), t as f64);
            sum.add(p);
            sum.add(e);
            left -= t;
            left > 0
        };
        if lower {
            for b in buckets {
                if !take(b) {
                    break;
                }
            }
        } else {
            for b in buckets.iter().rev() {
                if !take(b) {
                    break;
                }
            }
        }
        sum.value() / k as f64
    }

    /// The `Summary` of this column; `lower`: small values are the bad ones (CVaR side).
    pub fn summary(&self, lower: bool) -> Summary {
        let b = self.sketch.ascending();
        let q = self.quantiles(&b, &[0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99]);
        let std = self.std();
        let (min, max) = if self.n == 0 {
            (f64::NAN, f64::NAN)
        } else {
            (self.min, self.max)
        };
        let range = (min, max);
        // The interval bounds move outwards by the sketch's bound for this column.
        let rel = self.sketch.rel_error();
        let rank = |r| self.order_stats(&b, &[r])[0];
        let interval = |p| mcse::quantile_interval_sketched(self.n, p, range, rel, rank);
        let cvar95 = self.cvar95(&b, lower);
        Summary {
            p50_mc: interval(0.50),
            p95_mc: interval(0.95),
            cvar95_mc: mcse::cvar95_sketched(&b, self.n, cvar95, range, lower, rel),
            mean: self.mean(),
            std,
            se: std / (self.n as f64).sqrt(),
            min,
            p1: q[0],
            p5: q[1],
            p10: q[2],
            p25: q[3],
            p50: q[4],
            p75: q[5],
            p90: q[6],
            p95: q[7],
            p99: q[8],
            max,
            cvar95,
            n: self.n as usize,
        }
    }

    /// The band of this column (one series period).
    pub fn band(&self) -> Band {
        let b = self.sketch.ascending();
        let q = self.quantiles(&b, &[0.05, 0.25, 0.5, 0.75, 0.95]);
        Band {
            mean: self.mean(),
            p5: q[0],
            p25: q[1],
            p50: q[2],
            p75: q[3],
            p95: q[4],
        }
    }

    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.n.to_le_bytes());
        out.extend_from_slice(&self.min.to_le_bytes());
        out.extend_from_slice(&self.max.to_le_bytes());
        for s in [&self.sum, &self.squares] {
            out.extend_from_slice(&(s.partials().len() as u32).to_le_bytes());
            for p in s.partials() {
                out.extend_from_slice(&p.to_le_bytes());
            }
        }
        self.sketch.encode(out);
    }

    fn decode(r: &mut Reader<'_>) -> Result<Column, String> {
        let (n, min, max) = (r.u64()?, r.f64()?, r.f64()?);
        let mut sums = [ExactSum::new(), ExactSum::new()];
        for s in &mut sums {
            let k = r.u32()? as usize;
            if k > r.remaining() / 8 {
                return Err("an exact sum claims more partials than the file holds".into());
            }
            let parts = (0..k)
                .map(|_| r.f64())
                .collect::<Result<Vec<f64>, String>>()?;
            *s = ExactSum::from_partials(&parts);
        }
        let sketch = Sketch::decode(r)?;
        if sketch.count() != n || (n > 0 && min > max) {
            return Err(format!(
                "a column's count {n} does not match its sketch ({}) or its range is empty",
                sketch.count()
            ));
        }
        let [sum, squares] = sums;
        Ok(Column {
            n,
            min,
            max,
            sum,
            squares,
            sketch,
        })
    }
}

/// A `--threshold` counted exactly during the run: trials strictly beyond `value` on the bad side.
#[derive(Debug, Clone, PartialEq)]
pub struct Counted {
    pub metric: String,
    pub value: f64,
    pub beyond: u64,
}

/// The streaming statistics of a run (or a shard): one `Column` per metric and per series period,
/// with the run's identity, taking blocks of trials in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Accumulator {
    pub seed: u64,
    pub first_trial: u64,
    /// Trials taken so far.
    pub trials: u64,
    pub horizon: usize,
    pub metric_names: Vec<String>,
    pub param_paths: Vec<String>,
    pub series_names: Vec<String>,
    /// One per metric.
    pub metrics: Vec<Column>,
    /// One per series and period: series `s` period `t` at `s * horizon + t`.
    pub series: Vec<Column>,
    /// Per metric: whether small values are the bad ones.
    lower: Vec<bool>,
    /// Threshold counts, with the metric's index.
    pub thresholds: Vec<(usize, Counted)>,
}

impl Accumulator {
    /// An empty accumulator for a run with these names, counting `thresholds` (`(metric, value)`,
    /// names that are not metrics are ignored; the CLI checks them first).
    pub fn new(
        seed: u64,
        first_trial: u64,
        horizon: usize,
        names: (&[String], &[String], &[String]),
        thresholds: &[(String, f64)],
    ) -> Self {
        let (metric_names, param_paths, series_names) = names;
        Accumulator {
            seed,
            first_trial,
            trials: 0,
            horizon,
            metrics: vec![Column::default(); metric_names.len()],
            series: vec![Column::default(); series_names.len() * horizon],
            lower: metric_names.iter().map(|m| lower_is_worse(m)).collect(),
            thresholds: thresholds
                .iter()
                .filter_map(|(m, v)| {
                    let i = metric_names.iter().position(|n| n == m)?;
                    Some((
                        i,
                        Counted {
                            metric: m.clone(),
                            value: *v,
                            beyond: 0,
                        },
                    ))
                })
                .collect(),
            metric_names: metric_names.to_vec(),
            param_paths: param_paths.to_vec(),
            series_names: series_names.to_vec(),
        }
    }

    /// Takes the next block of trials, which must start where the accumulator ends and share its
    /// names. Work is spread over columns; each column takes its values in trial order.
    pub fn fold(&mut self, block: &RunResults) -> Result<(), String> {
        if block.first_trial != self.first_trial + self.trials
            || block.metric_names != self.metric_names
            || block.series_names != self.series_names
            || block.horizon != self.horizon
        {
            return Err(format!(
                "a block of trials from {} does not continue the statistics of trials {}..{}",
                block.first_trial,
                self.first_trial,
                self.first_trial + self.trials
            ));
        }
        let (n, wm, h) = (block.trials, block.metric_names.len(), block.horizon);
        let ws = block.series_names.len() * h;
        self.metrics
            .par_iter_mut()
            .enumerate()
            .for_each(|(m, col)| {
                for i in 0..n {
                    col.add(block.metrics[i * wm + m]);
                }
            });
        if h > 0 {
            self.series
                .par_chunks_mut(h)
                .enumerate()
                .for_each(|(s, cols)| {
                    for i in 0..n {
                        let b = &block.series[i * ws + s * h..i * ws + (s + 1) * h];
                        for (c, &v) in cols.iter_mut().zip(b) {
                            c.add(f64::from(v));
                        }
                    }
                });
        }
        for (m, t) in &mut self.thresholds {
            let lower = self.lower[*m];
            t.beyond += (0..n)
                .filter(|i| {
                    let v = block.metrics[i * wm + *m];
                    if lower { v < t.value } else { v > t.value }
                })
                .count() as u64;
        }
        self.trials += n as u64;
        Ok(())
    }

    /// Takes the trials of `other`, which must follow this one's and share its names and
    /// thresholds.
    pub fn merge(&mut self, other: &Accumulator) -> Result<(), String> {
        let same_thresholds = self.thresholds.len() == other.thresholds.len()
            && self
                .thresholds
                .iter()
                .zip(&other.thresholds)
                .all(|(a, b)| a.0 == b.0 && a.1.value.to_bits() == b.1.value.to_bits());
        if other.first_trial != self.first_trial + self.trials
            || other.seed != self.seed
            || other.metric_names != self.metric_names
            || other.series_names != self.series_names
            || other.param_paths != self.param_paths
            || other.horizon != self.horizon
            || !same_thresholds
        {
            return Err(format!(
                "the statistics of trials from {} do not continue those of trials {}..{}",
                other.first_trial,
                self.first_trial,
                self.first_trial + self.trials
            ));
        }
        for (a, b) in self.metrics.iter_mut().zip(&other.metrics) {
            a.merge(b);
        }
        for (a, b) in self.series.iter_mut().zip(&other.series) {
            a.merge(b);
        }
        for (a, b) in self.thresholds.iter_mut().zip(&other.thresholds) {
            a.1.beyond += b.1.beyond;
        }
        self.trials += other.trials;
        Ok(())
    }

    /// Summaries per metric and bands per series, computed in parallel (each from its own column).
    pub fn finish(&self) -> (Vec<Summary>, Vec<Vec<Band>>) {
        let metrics = self
            .metrics
            .par_iter()
            .zip(&self.lower)
            .map(|(c, &lower)| c.summary(lower))
            .collect();
        let bands = if self.horizon == 0 {
            vec![Vec::new(); self.series_names.len()]
        } else {
            self.series
                .par_chunks(self.horizon)
                .map(|cols| cols.iter().map(Column::band).collect())
                .collect()
        };
        (metrics, bands)
    }

    /// The columns' bytes (names and identity travel in the shard header): every metric column,
    /// every series column, then each threshold's count.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for c in self.metrics.iter().chain(&self.series) {
            c.encode(&mut out);
        }
        for (_, t) in &self.thresholds {
            out.extend_from_slice(&t.beyond.to_le_bytes());
        }
        out
    }

    /// Reads the columns written by `encode` into an accumulator built by `new` with the shard's
    /// identity, setting `trials`. Every column must hold `trials` values.
    pub fn decode_into(&mut self, bytes: &[u8], trials: u64) -> Result<(), String> {
        let mut r = Reader::new(bytes);
        for c in self.metrics.iter_mut().chain(self.series.iter_mut()) {
            *c = Column::decode(&mut r)?;
            if c.n != trials {
                return Err(format!("a column holds {} trials, the shard {trials}", c.n));
            }
        }
        for (_, t) in &mut self.thresholds {
            t.beyond = r.u64()?;
            if t.beyond > trials {
                return Err("a threshold count exceeds the shard's trials".into());
            }
        }
        if r.remaining() != 0 {
            return Err(format!(
                "{} bytes follow the summaries: the file is damaged",
                r.remaining()
            ));
        }
        self.trials = trials;
        Ok(())
    }

    /// Number of columns (metrics plus series-periods).
    pub fn columns(&self) -> usize {
        self.metrics.len() + self.series.len()
    }
}

impl RunShape for Accumulator {
    fn seed(&self) -> u64 {
        self.seed
    }
    fn first_trial(&self) -> u64 {
        self.first_trial
    }
    fn trials(&self) -> usize {
        self.trials as usize
    }
    fn horizon(&self) -> usize {
        self.horizon
    }
    fn metric_names(&self) -> &[String] {
        &self.metric_names
    }
    fn series_names(&self) -> &[String] {
        &self.series_names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(xs: &[f64]) -> Column {
        let mut c = Column::default();
        xs.iter().for_each(|&x| c.add(x));
        c
    }

    #[test]
    fn mean_std_min_max_are_exact() {
        let xs: Vec<f64> = (0..=100).map(f64::from).collect();
        let s = column(&xs).summary(false);
        assert_eq!(s.mean, 50.0);
        assert_eq!((s.min, s.max, s.n), (0.0, 100.0, 101));
        // Variance of 0..=100 is 101 * 102 / 12 = 858.5 exactly.
        assert_eq!(s.std, 858.5f64.sqrt());
        // Integers up to 512 need at most 9 bits: the sketch is exact here.
        let e = crate::stats::summarize(&xs);
        assert_eq!(
            (s.p5, s.p50, s.p99, s.cvar95),
            (e.p5, e.p50, e.p99, e.cvar95)
        );
        // A large offset does not cancel the variance away.
        let shifted: Vec<f64> = xs.iter().map(|x| x + 1e9).collect();
        assert_eq!(column(&shifted).std(), 858.5f64.sqrt());
    }

    #[test]
    fn merged_columns_equal_the_whole_bit_for_bit() {
        let xs: Vec<f64> = (0..3000)
            .map(|i| ((i as f64) * 1.3).cos() * 1e4 + 2e4)
            .collect();
        let whole = column(&xs);
        let mut a = column(&xs[..1001]);
        a.merge(&column(&xs[1001..2500]));
        a.merge(&column(&xs[2500..]));
        let (x, y) = (whole.summary(false), a.summary(false));
        assert_eq!(format!("{x:?}"), format!("{y:?}"));
        let mut bytes = Vec::new();
        a.encode(&mut bytes);
        let back = Column::decode(&mut Reader::new(&bytes)).unwrap();
        assert_eq!(
            format!("{:?}", back.summary(true)),
            format!("{:?}", whole.summary(true))
        );
        for cut in [0, 7, 30, bytes.len() - 1] {
            assert!(Column::decode(&mut Reader::new(&bytes[..cut])).is_err());
        }
    }
}
