//! Numeric fields: a plain number or a distribution table, each parameter checked, and the
//! distribution's support checked against the field's allowed range.

use super::diagnostic::Diags;
use super::suggest::did_you_mean;
use super::tree::{Node, Table, Val};
use crate::sample::Dist;
use crate::sample::dist::num;

/// The values a numeric field accepts (inclusive unless `*_open`).
#[derive(Debug, Clone, Copy)]
pub struct Allowed {
    pub min: f64,
    pub min_open: bool,
    pub max: f64,
    /// The largest value a draw may reach (see `MAX_QUANTITY`). Unlike `max`, it is checked
    /// against how far a distribution reaches in practice, so an untruncated normal or a
    /// lognormal may still be used: up to `TAIL` standard deviations (of the logarithm, for a
    /// lognormal) past its centre.
    pub cap: f64,
    pub text: &'static str,
}

/// Largest quantity (capacity, demand, units per year), dollar amount (price, value added) or
/// other unbounded number a field accepts: products of two such numbers stay far inside `f64`
/// and every reported series inside `f32` (about 3.4e38).
pub const MAX_QUANTITY: f64 = 1e15;
/// Largest number of periods (durations, lead times, lags, cover): 10^6 periods is 19 000 years
/// of weeks.
pub const MAX_PERIODS: f64 = 1e6;
/// Largest `max_price_multiple`.
pub const MAX_PRICE_MULTIPLE: f64 = 1e6;
/// Smallest and largest price elasticity (`elasticity`, `availability_elasticity`,
/// `supply_elasticity`): the price index divides by it, so a tiny one overflows.
pub const MIN_ELASTICITY: f64 = 1e-3;
pub const MAX_ELASTICITY: f64 = 1e3;
/// How far past its centre an unbounded distribution is taken to reach, in standard deviations
/// (a draw beyond 10 sd has probability below 1e-23).
pub const TAIL: f64 = 10.0;
/// Largest magnitude of a `uniform_int` bound: every whole number up to it is exact in `f64`.
pub const MAX_WHOLE: f64 = 9_007_199_254_740_992.0;

pub const SHARE: Allowed = Allowed {
    min: 0.0,
    min_open: false,
    max: 1.0,
    cap: 1.0,
    text: "a share between 0 and 1",
};
pub const NON_NEGATIVE: Allowed = Allowed {
    min: 0.0,
    min_open: false,
    max: f64::INFINITY,
    cap: MAX_QUANTITY,
    text: "a number >= 0",
};
/// A policy's `cost`: present-value US dollars, at least 0.
pub const MONEY: Allowed = Allowed {
    min: 0.0,
    min_open: false,
    max: f64::INFINITY,
    cap: MAX_QUANTITY,
    text: "present-value US dollars >= 0",
};
pub const POSITIVE: Allowed = Allowed {
    min: 0.0,
    min_open: true,
    max: f64::INFINITY,
    cap: MAX_QUANTITY,
    text: "a number > 0",
};
pub const AT_LEAST_ONE: Allowed = Allowed {
    min: 1.0,
    min_open: false,
    max: f64::INFINITY,
    cap: MAX_QUANTITY,
    text: "a number >= 1",
};
pub const PERIODS: Allowed = Allowed {
    min: 0.0,
    min_open: false,
    max: f64::INFINITY,
    cap: MAX_PERIODS,
    text: "a number of periods >= 0",
};
/// A share of a gap closed per period: above 0, at most 1.
pub const ADJUSTMENT: Allowed = Allowed {
    min: 0.0,
    min_open: true,
    max: 1.0,
    cap: 1.0,
    text: "a share above 0 and at most 1",
};
pub const DURATION: Allowed = Allowed {
    min: 1.0,
    min_open: false,
    max: f64::INFINITY,
    cap: MAX_PERIODS,
    text: "a number of periods >= 1",
};

impl Allowed {
    fn contains_range(&self, lo: f64, hi: f64) -> bool {
        let lo_ok = if self.min_open {
            lo > self.min
        } else {
            lo >= self.min
        };
        lo_ok && hi <= self.max
    }
}

/// The distribution names a table may use.
pub const KINDS: [&str; 8] = [
    "uniform",
    "uniform_int",
    "triangular",
    "pert",
    "normal",
    "lognormal",
    "beta",
    "choice",
];

const DIST_ALLOWED: &str = "a number, or a table with one of uniform, uniform_int, triangular, \
                            pert, normal, lognormal, beta, choice";

/// Reads a number or distribution at `node`; reports every problem under `key` and returns
/// `None` when the value is unusable.
pub fn dist(node: &Node, key: &str, allowed: &Allowed, d: &mut Diags) -> Option<Dist> {
    let dist = match &node.val {
        Val::Int(_) | Val::Float(_) => Dist::Const(number(node, key, d)?),
        Val::Table(t) => table_dist(node, t, key, d)?,
        other => {
            d.error(
                &node.loc,
                key,
                format!(
                    "expected a number or a distribution, found {}",
                    other.type_name()
                ),
            )
            .allowed(DIST_ALLOWED)
            .hint("write e.g. `12`, `{ uniform = [6, 18] }` or `{ triangular = [3, 6, 18] }`");
            return None;
        }
    };
    check_support(&dist, node, key, allowed, d)?;
    check_magnitude(&dist, node, key, allowed, d)?;
    Some(dist)
}

/// The smallest value and the cap of the field named by the last part of `key` (after the
/// entity, e.g. `elasticity` in `commodity "ga".elasticity`): most fields take `a.min` and
/// `a.cap`, the price elasticities and `max_price_multiple` have tighter bounds.
fn magnitude_bounds(key: &str, a: &Allowed) -> (Option<f64>, f64) {
    let field = key.rsplit_once("\".").map_or(key, |(_, f)| f);
    match field {
        "elasticity" | "availability_elasticity" | "supply_elasticity" => {
            (Some(MIN_ELASTICITY), MAX_ELASTICITY)
        }
        "max_price_multiple" => (None, MAX_PRICE_MULTIPLE),
        _ => (None, a.cap),
    }
}

/// How far a distribution reaches in practice: its support, or `TAIL` standard deviations past
/// the centre where the support is unbounded.
pub(crate) fn reach(dist: &Dist) -> (f64, f64) {
    match *dist {
        Dist::Normal { mean, sd, min, max } if sd > 0.0 => (
            min.unwrap_or(mean - TAIL * sd),
            max.unwrap_or(mean + TAIL * sd),
        ),
        Dist::LogNormal { median, p90 } if p90 > median => {
            // p90 = median * exp(1.2816 sigma)
            let sigma = (p90 / median).ln() / 1.281_551_565_544_600_4;
            (
                median * (-TAIL * sigma).exp(),
                median * (TAIL * sigma).exp(),
            )
        }
        _ => dist.support(),
    }
}

/// Refuses a distribution that can reach beyond the field's cap or below its floor (see
/// `magnitude_bounds`): beyond them some derived quantity stops being finite.
fn check_magnitude(dist: &Dist, node: &Node, key: &str, a: &Allowed, d: &mut Diags) -> Option<()> {
    let (floor, cap) = magnitude_bounds(key, a);
    let (lo, hi) = reach(dist);
    let low = floor.filter(|&f| dist.support().0 < f);
    if hi <= cap && low.is_none() {
        return Some(());
    }
    let (bound, side) = match low {
        Some(f) => (f, "below the smallest allowed value"),
        None => (cap, "above the largest allowed value"),
    };
    let value = if low.is_some() { dist.support().0 } else { hi };
    let msg = if lo == hi || matches!(dist, Dist::Const(_)) {
        format!("{} is {side}, {}", sci(value), sci(bound))
    } else {
        let dir = if low.is_some() { "down to" } else { "up to" };
        format!(
            "{} can draw values {dir} {}, {side}, {}",
            dist.kind(),
            sci(value),
            sci(bound)
        )
    };
    let allowed = match floor {
        Some(f) => format!("a number from {} to {}", sci(f), sci(cap)),
        None => format!("{}, at most {}", a.text, sci(cap)),
    };
    d.error(&node.loc, key, msg).allowed(allowed).hint(
        "bounds keep every draw and every quantity derived from it finite \
         (see Limits in docs/scenario-files.md); check the units",
    );
    None
}

/// A finite number (integer or float).
pub fn number(node: &Node, key: &str, d: &mut Diags) -> Option<f64> {
    let v = match &node.val {
        Val::Int(i) => *i as f64,
        Val::Float(f) => *f,
        other => {
            d.error(
                &node.loc,
                key,
                format!("expected a number, found {}", other.type_name()),
            )
            .allowed("a number");
            return None;
        }
    };
    if !v.is_finite() {
        d.error(&node.loc, key, format!("{v} is not a usable number"))
            .allowed("a finite number")
            .hint("NaN and infinities cannot be simulated; write a finite value");
        return None;
    }
    Some(v)
}

fn check_support(dist: &Dist, node: &Node, key: &str, a: &Allowed, d: &mut Diags) -> Option<()> {
    let (lo, hi) = dist.support();
    if a.contains_range(lo, hi) {
        return Some(());
    }
    let msg = if lo == hi {
        format!("{} is out of range", num(lo))
    } else {
        format!(
            "{} draws values from {} to {}, outside the allowed range",
            dist.kind(),
            fmt_bound(lo),
            fmt_bound(hi)
        )
    };
    let hint = match dist {
        Dist::Normal { .. } if lo.is_infinite() || hi.is_infinite() => {
            "a normal is unbounded: add `min`/`max` keys to truncate it, e.g. \
             `{ normal = [10, 2], min = 0 }`"
        }
        Dist::LogNormal { .. } if lo < a.min || (a.min_open && lo <= a.min) => {
            "a lognormal can draw values close to 0: use pert or triangular to keep a lower bound"
        }
        Dist::LogNormal { .. } => {
            "a lognormal has no upper bound: use pert or triangular for a bounded field"
        }
        Dist::Const(_) => "change the value so it lies inside the allowed range",
        _ => "change the distribution's bounds so every draw lies inside the allowed range",
    };
    d.error(&node.loc, key, msg).allowed(a.text).hint(hint);
    None
}

/// A bound in short form: `1e15`, `0.001`, `1000`.
fn sci(v: f64) -> String {
    if v.is_finite() && v != 0.0 && !(1e-3..1e5).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        fmt_bound(v)
    }
}

fn fmt_bound(v: f64) -> String {
    if v == f64::INFINITY {
        "infinity".into()
    } else if v == f64::NEG_INFINITY {
        "-infinity".into()
    } else {
        num(v)
    }
}

fn table_dist(node: &Node, t: &Table, key: &str, d: &mut Diags) -> Option<Dist> {
    let kinds: Vec<_> = t
        .entries
        .iter()
        .filter(|e| KINDS.contains(&e.key.as_str()))
        .collect();
    let mut ok = true;
    for e in &t.entries {
        let k = e.key.as_str();
        if KINDS.contains(&k) {
            continue;
        }
        let is_normal = kinds.iter().any(|x| x.key == "normal");
        if is_normal && (k == "min" || k == "max") {
            continue;
        }
        ok = false;
        let extra = if k == "min" || k == "max" {
            "; `min`/`max` truncate only a normal"
        } else {
            ""
        };
        let mut names: Vec<&str> = KINDS.to_vec();
        if is_normal {
            names.extend(["min", "max"]);
        }
        d.error(
            &e.key_loc,
            key,
            format!("unknown distribution key `{k}`{extra}"),
        )
        .allowed(DIST_ALLOWED)
        .hint(did_you_mean(k, &names));
    }
    if kinds.len() != 1 {
        let msg = if kinds.is_empty() {
            "a distribution table needs one distribution".to_string()
        } else {
            let names: Vec<_> = kinds.iter().map(|e| e.key.as_str()).collect();
            format!(
                "a distribution table takes one distribution, found {}",
                names.join(" and ")
            )
        };
        if ok || !kinds.is_empty() {
            d.error(&node.loc, key, msg)
                .allowed(DIST_ALLOWED)
                .hint("e.g. `{ triangular = [3, 6, 18] }` (min, mode, max)");
        }
        return None;
    }
    let e = kinds[0];
    let kind = e.key.as_str();
    let k = format!("{key}.{kind}");
    let dist = match kind {
        "uniform" => {
            let [lo, hi] = numbers::<2>(&e.node, &k, "[low, high]", d)?;
            order(&e.node, &k, &[lo, hi], "low <= high", d)?;
            Dist::Uniform { lo, hi }
        }
        "uniform_int" => {
            let [lo, hi] = numbers::<2>(&e.node, &k, "[low, high] whole numbers", d)?;
            if lo.fract() != 0.0 || hi.fract() != 0.0 {
                d.error(&e.node.loc, &k, "uniform_int bounds must be whole numbers")
                    .allowed("[low, high] whole numbers, both included")
                    .hint("use `uniform` for a continuous range");
                return None;
            }
            if lo.abs() > MAX_WHOLE || hi.abs() > MAX_WHOLE {
                d.error(
                    &e.node.loc,
                    &k,
                    format!(
                        "uniform_int bounds must lie within +-2^53 ({})",
                        MAX_WHOLE as i64
                    ),
                )
                .allowed("[low, high] whole numbers from -2^53 to 2^53, both included")
                .hint("beyond 2^53 not every whole number exists in f64; use `uniform`");
                return None;
            }
            order(&e.node, &k, &[lo, hi], "low <= high", d)?;
            Dist::UniformInt {
                lo: lo as i64,
                hi: hi as i64,
            }
        }
        "triangular" | "pert" => {
            let [min, mode, max] = numbers::<3>(&e.node, &k, "[min, mode, max]", d)?;
            order(&e.node, &k, &[min, mode, max], "min <= mode <= max", d)?;
            if kind == "triangular" {
                Dist::Triangular { min, mode, max }
            } else {
                Dist::Pert { min, mode, max }
            }
        }
        "normal" => {
            let [mean, sd] = numbers::<2>(&e.node, &k, "[mean, sd]", d)?;
            if sd < 0.0 {
                d.error(
                    &e.node.loc,
                    &k,
                    format!("standard deviation {} is negative", num(sd)),
                )
                .allowed("[mean, sd] with sd >= 0");
                return None;
            }
            let bound = |name: &str, d: &mut Diags| -> Result<Option<f64>, ()> {
                match t.get(name) {
                    None => Ok(None),
                    Some(n) => number(n, &format!("{key}.{name}"), d).map(Some).ok_or(()),
                }
            };
            let min = bound("min", d).ok()?;
            let max = bound("max", d).ok()?;
            if let (Some(a), Some(b)) = (min, max)
                && a >= b
            {
                let loc = &t.get("max").expect("max was read").loc;
                d.error(
                    loc,
                    key,
                    format!("truncation min {} is not below max {}", num(a), num(b)),
                )
                .allowed("min < max");
                return None;
            }
            // A window far in the tail would leave no probability mass to sample from.
            let lo_z = min.map_or(f64::NEG_INFINITY, |m| {
                (m - mean) / sd.max(f64::MIN_POSITIVE)
            });
            let hi_z = max.map_or(f64::INFINITY, |m| (m - mean) / sd.max(f64::MIN_POSITIVE));
            if sd > 0.0 && (lo_z > 8.0 || hi_z < -8.0) {
                d.error(
                    &node.loc,
                    key,
                    "the truncation window lies more than 8 sd from the mean",
                )
                .allowed("a window that contains some of the distribution")
                .hint("move the mean inside [min, max] or widen the window");
                return None;
            }
            Dist::Normal { mean, sd, min, max }
        }
        "lognormal" => {
            let [median, p90] = numbers::<2>(&e.node, &k, "[median, 90th percentile]", d)?;
            if median <= 0.0 {
                d.error(
                    &e.node.loc,
                    &k,
                    format!("median {} must be positive", num(median)),
                )
                .allowed("[median, p90] with 0 < median <= p90");
                return None;
            }
            order(&e.node, &k, &[median, p90], "median <= 90th percentile", d)?;
            Dist::LogNormal { median, p90 }
        }
        "beta" => {
            let [alpha, beta] = numbers::<2>(&e.node, &k, "[alpha, beta]", d)?;
            if alpha <= 0.0 || beta <= 0.0 {
                d.error(&e.node.loc, &k, "beta shape parameters must be positive")
                    .allowed("[alpha, beta] with alpha > 0 and beta > 0");
                return None;
            }
            Dist::Beta { alpha, beta }
        }
        "choice" => choice(&e.node, &k, d)?,
        _ => unreachable!("kind is one of KINDS"),
    };
    Some(dist)
}

/// Exactly `N` finite numbers in a list.
fn numbers<const N: usize>(node: &Node, key: &str, shape: &str, d: &mut Diags) -> Option<[f64; N]> {
    let Val::Array(items) = &node.val else {
        d.error(
            &node.loc,
            key,
            format!("expected a list {shape}, found {}", node.val.type_name()),
        )
        .allowed(format!("a list of {N} numbers {shape}"));
        return None;
    };
    if items.len() != N {
        d.error(
            &node.loc,
            key,
            format!("expected {N} numbers, found {}", items.len()),
        )
        .allowed(format!("a list of {N} numbers {shape}"));
        return None;
    }
    let mut out = [0.0; N];
    let mut ok = true;
    for (o, item) in out.iter_mut().zip(items) {
        match number(item, key, d) {
            Some(v) => *o = v,
            None => ok = false,
        }
    }
    ok.then_some(out)
}

/// Values must be non-decreasing.
fn order(node: &Node, key: &str, vals: &[f64], rule: &str, d: &mut Diags) -> Option<()> {
    if vals.windows(2).all(|w| w[0] <= w[1]) {
        return Some(());
    }
    let shown: Vec<String> = vals.iter().map(|v| num(*v)).collect();
    let mut sorted = vals.to_vec();
    sorted.sort_by(f64::total_cmp);
    let fixed: Vec<String> = sorted.iter().map(|v| num(*v)).collect();
    d.error(
        &node.loc,
        key,
        format!("[{}] is out of order", shown.join(", ")),
    )
    .allowed(rule.to_string())
    .hint(format!("did you mean [{}]?", fixed.join(", ")));
    None
}

fn choice(node: &Node, key: &str, d: &mut Diags) -> Option<Dist> {
    const SHAPE: &str = "[[value, weight], ...], e.g. [[6, 0.5], [12, 0.5]]";
    let Val::Array(items) = &node.val else {
        d.error(
            &node.loc,
            key,
            format!("expected a list of pairs, found {}", node.val.type_name()),
        )
        .allowed(SHAPE);
        return None;
    };
    if items.is_empty() {
        d.error(&node.loc, key, "a choice needs at least one value")
            .allowed(SHAPE);
        return None;
    }
    let mut values = Vec::new();
    let mut weights = Vec::new();
    let mut ok = true;
    for item in items {
        match numbers::<2>(item, key, "[value, weight]", d) {
            Some([v, w]) if w >= 0.0 => {
                values.push(v);
                weights.push(w);
            }
            Some([_, w]) => {
                d.error(&item.loc, key, format!("weight {} is negative", num(w)))
                    .allowed("weights >= 0");
                ok = false;
            }
            None => ok = false,
        }
    }
    if !ok {
        return None;
    }
    let total: f64 = weights.iter().sum();
    if !total.is_finite() {
        d.error(
            &node.loc,
            key,
            "the weights add up to more than a number can hold",
        )
        .allowed(SHAPE)
        .hint("weights are relative: scale them down, e.g. to shares that add up to 1");
        return None;
    }
    if total <= 0.0 {
        d.error(&node.loc, key, "the weights add up to zero")
            .allowed(SHAPE);
        return None;
    }
    let weights = weights.iter().map(|w| w / total).collect();
    Some(Dist::Choice { values, weights })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::tree::{self, Val};
    use std::sync::Arc;

    /// Reads `x = <text>` as a field with range `a`; returns the distribution or the messages.
    fn read(text: &str, a: &Allowed) -> Result<Dist, Vec<String>> {
        read_as(text, "x", a)
    }

    /// `read` with the key path `key` (field-specific bounds go by the field's name).
    fn read_as(text: &str, key: &str, a: &Allowed) -> Result<Dist, Vec<String>> {
        let mut d = Diags::default();
        let src = format!("x = {text}\n");
        let f = d.add_file("t.toml".into(), Arc::from(src.as_str()));
        let doc = toml::de::DeTable::parse(&src).expect("valid toml");
        let root = tree::from_document(&doc, f);
        let Val::Table(t) = &root.val else {
            unreachable!()
        };
        let out = dist(t.get("x").unwrap(), key, a, &mut d);
        match out {
            Some(x) if d.list.is_empty() => Ok(x),
            _ => Err(d.list.iter().map(|x| x.message.clone()).collect()),
        }
    }

    #[test]
    fn every_distribution_kind_reads() {
        let any = Allowed {
            min: f64::NEG_INFINITY,
            min_open: false,
            max: f64::INFINITY,
            cap: f64::INFINITY,
            text: "",
        };
        assert_eq!(read("12", &any), Ok(Dist::Const(12.0)));
        assert_eq!(
            read("{ uniform = [6, 18] }", &any),
            Ok(Dist::Uniform { lo: 6.0, hi: 18.0 })
        );
        assert_eq!(
            read("{ uniform_int = [1, 12] }", &any),
            Ok(Dist::UniformInt { lo: 1, hi: 12 })
        );
        assert_eq!(
            read("{ triangular = [3, 6, 18] }", &any),
            Ok(Dist::Triangular {
                min: 3.0,
                mode: 6.0,
                max: 18.0
            })
        );
        assert_eq!(
            read("{ pert = [0.6, 0.85, 0.98] }", &any),
            Ok(Dist::Pert {
                min: 0.6,
                mode: 0.85,
                max: 0.98
            })
        );
        assert_eq!(
            read("{ normal = [10, 2], min = 0 }", &any),
            Ok(Dist::Normal {
                mean: 10.0,
                sd: 2.0,
                min: Some(0.0),
                max: None
            })
        );
        assert_eq!(
            read("{ lognormal = [12, 30] }", &any),
            Ok(Dist::LogNormal {
                median: 12.0,
                p90: 30.0
            })
        );
        assert_eq!(
            read("{ beta = [2, 5] }", &any),
            Ok(Dist::Beta {
                alpha: 2.0,
                beta: 5.0
            })
        );
        assert_eq!(
            read("{ choice = [[6, 1], [12, 3]] }", &any),
            Ok(Dist::Choice {
                values: vec![6.0, 12.0],
                weights: vec![0.25, 0.75]
            })
        );
    }

    #[test]
    fn supports_must_stay_inside_the_range() {
        assert!(read("{ beta = [2, 5] }", &SHARE).is_ok());
        assert!(
            read("{ beta = [2, 5] }", &DURATION).is_err(),
            "beta draws below 1"
        );
        assert!(read("{ uniform = [0, 1] }", &SHARE).is_ok());
        assert!(read("{ uniform = [0, 1.01] }", &SHARE).is_err());
        assert!(read("0", &POSITIVE).is_err(), "open lower bound");
        assert!(read("1e-9", &POSITIVE).is_ok());
        assert!(read("{ normal = [0.5, 0.1], min = 0, max = 1 }", &SHARE).is_ok());
        assert!(read("{ normal = [0.5, 0.1], min = 0 }", &SHARE).is_err());
        assert!(read("{ choice = [[0.5, 1], [2, 1]] }", &SHARE).is_err());
        assert!(
            read("{ lognormal = [5, 5] }", &DURATION).is_ok(),
            "degenerate lognormal is a constant"
        );
    }

    #[test]
    fn magnitudes_are_bounded() {
        let first = |r: Result<Dist, Vec<String>>| r.unwrap_err().remove(0);
        assert_eq!(
            first(read("{ triangular = [1, 2, 1e160] }", &DURATION)),
            "triangular can draw values up to 1e160, above the largest allowed value, 1e6"
        );
        assert!(read("1e15", &NON_NEGATIVE).is_ok());
        assert_eq!(
            first(read("1e40", &NON_NEGATIVE)),
            "1e40 is above the largest allowed value, 1e15"
        );
        // Unbounded distributions are judged by how far they reach in practice.
        assert!(read("{ normal = [100, 10], min = 0 }", &NON_NEGATIVE).is_ok());
        assert!(read("{ normal = [1e14, 1e14], min = 0 }", &NON_NEGATIVE).is_err());
        assert!(read("{ lognormal = [12, 30] }", &NON_NEGATIVE).is_ok());
        assert!(read("{ lognormal = [1, 1e10] }", &NON_NEGATIVE).is_err());
        // Field-specific bounds, by the field's name.
        let elasticity = "commodity \"ga\".elasticity";
        let msgs = read_as("1e-300", elasticity, &POSITIVE).unwrap_err();
        assert!(msgs[0].contains("below the smallest allowed value, 0.001"));
        assert!(read_as("1e-300", "commodity \"ga\".price", &POSITIVE).is_ok());
        let multiple = "commodity \"ga\".max_price_multiple";
        assert!(read_as("1e300", multiple, &AT_LEAST_ONE).is_err());
        assert!(read_as("1e6", multiple, &AT_LEAST_ONE).is_ok());
    }

    #[test]
    fn whole_numbers_and_weights_that_do_not_fit() {
        let msgs = read("{ uniform_int = [1, 9007199254740994] }", &NON_NEGATIVE).unwrap_err();
        assert!(msgs[0].contains("within +-2^53"), "{msgs:?}");
        assert!(read("{ uniform_int = [1, 9007199254740992] }", &PERIODS).is_err());
        let msgs = read("{ choice = [[1, 1e308], [2, 1e308]] }", &NON_NEGATIVE).unwrap_err();
        assert_eq!(msgs, ["the weights add up to more than a number can hold"]);
    }

    #[test]
    fn parameter_rules() {
        let msgs = read("{ triangular = [18, 6, 3] }", &NON_NEGATIVE).unwrap_err();
        assert_eq!(msgs, ["[18, 6, 3] is out of order"]);
        assert!(read("{ uniform_int = [1.5, 3] }", &NON_NEGATIVE).is_err());
        assert!(read("{ normal = [1, -1] }", &NON_NEGATIVE).is_err());
        assert!(read("{ normal = [0, 1], min = 100, max = 101 }", &NON_NEGATIVE).is_err());
        assert!(read("{ lognormal = [30, 12] }", &NON_NEGATIVE).is_err());
        assert!(read("{ beta = [1, 0] }", &SHARE).is_err());
        assert!(read("{ choice = [[1, 0]] }", &NON_NEGATIVE).is_err());
        assert!(read("nan", &NON_NEGATIVE).is_err());
        assert!(read("-inf", &NON_NEGATIVE).is_err());
        assert!(read("\"12\"", &NON_NEGATIVE).is_err());
    }
}
