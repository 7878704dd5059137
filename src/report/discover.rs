//! Scenario discovery as words and files: the PRIM box said as a sentence ("world.value_lost above
//! $100 bn in 83% of trials where ..."), `discovery.json` (the box, its coverage and density with
//! standard errors) and `peeling.csv` (the peeling trajectory, for choosing another box).

use serde::Serialize;

use super::charts::compare::param_label;
use super::format::{money, percent};
use super::sensitivity::metric_value;
use crate::sample::dist::num;
use crate::stats::prim::{Discovery, Limit};

/// What was asked: the metric, the level and which side of it is bad.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub metric: String,
    pub worse_than: f64,
    /// True for the timing metrics, where below the level is worse.
    pub lower_is_worse: bool,
    /// The scenario's name and its period in the plural (`months`), for the words.
    pub scenario: String,
    pub periods: String,
}

impl Question {
    /// `world.value_lost above $100 bn`.
    pub fn bad_words(&self) -> String {
        format!(
            "{} {} {}",
            self.metric,
            if self.lower_is_worse {
                "below"
            } else {
                "above"
            },
            metric_value(&self.metric, self.worse_than)
        )
    }
}

/// Fields counted in periods.
const TIME_FIELDS: [&str; 7] = [
    "start",
    "duration",
    "announced",
    "review",
    "lead_time",
    "lag",
    "relief_half_life",
];

fn value(path: &str, v: f64, periods: &str) -> String {
    let field = path.rsplit('.').next().unwrap_or("");
    if field == "value_added" || field == "price" {
        money(v)
    } else if TIME_FIELDS.contains(&field) {
        format!("{} {periods}", num(v))
    } else {
        num(v)
    }
}

/// One restriction in words: `esc-ree: relief half-life >= 3.2 months`, or for a yes/no event
/// `shock esc-ree happens`.
pub fn limit_words(path: &str, l: &Limit, periods: &str) -> String {
    let label = param_label(path);
    let event = path.ends_with(".occurs") || path.ends_with(".succeeds");
    if event {
        let (what, yes, no) = if path.ends_with(".occurs") {
            let id = path
                .trim_start_matches("shock.")
                .trim_end_matches(".occurs");
            (format!("shock {id}"), "happens", "does not happen")
        } else {
            let id = path.trim_end_matches(".succeeds");
            (id.replace('.', " "), "succeeds", "fails")
        };
        if l.low > 0.0 {
            return format!("{what} {yes}");
        }
        if l.high < 1.0 {
            return format!("{what} {no}");
        }
    }
    match (l.low.is_finite(), l.high.is_finite()) {
        (true, true) if l.low == l.high => format!("{label} = {}", value(path, l.low, periods)),
        (true, true) => format!(
            "{label} between {} and {}",
            value(path, l.low, periods),
            value(path, l.high, periods)
        ),
        (true, false) => format!("{label} >= {}", value(path, l.low, periods)),
        (false, true) => format!("{label} <= {}", value(path, l.high, periods)),
        (false, false) => format!("{label} unrestricted"),
    }
}

/// The finding in a few sentences.
pub fn discovery_text(q: &Question, params: &[String], d: &Discovery) -> String {
    let mut s = format!(
        "{}: {} in {} of {} trials ({}).\n",
        q.scenario,
        q.bad_words(),
        d.bad,
        d.trials,
        percent(d.base_density)
    );
    let Some(b) = &d.found else {
        s.push_str(if d.bad == 0 {
            "No trial is that bad: nothing to explain (try a less extreme --worse-than).\n"
        } else {
            "Every trial is that bad: no parameter range separates them (try a more extreme \
             --worse-than).\n"
        });
        return s;
    };
    if b.limits.is_empty() {
        s.push_str(
            "No range of the sampled parameters holds the bad trials much more densely than the \
             whole run: they are spread across the parameter space.\n",
        );
        return s;
    }
    let conds: Vec<String> = b
        .limits
        .iter()
        .map(|l| limit_words(&params[l.dim], l, &q.periods))
        .collect();
    s.push_str(&format!(
        "{} in {} of trials where {}.\n",
        q.bad_words(),
        percent(b.density),
        conds.join(" and ")
    ));
    s.push_str(&format!(
        "That box holds {} trials ({} of the run) and {} of the {} bad trials (coverage; \
         standard errors: density {}, coverage {}).\n",
        b.trials,
        percent(b.mass),
        percent(b.coverage),
        d.bad,
        percent(b.density_se),
        percent(b.coverage_se)
    ));
    if b.holdout {
        s.push_str(&format!(
            "On the half of the trials kept out of the peeling: density {}, coverage {}.\n",
            percent(b.holdout_density),
            percent(b.holdout_coverage)
        ));
    }
    s
}

#[derive(Serialize)]
struct LimitJson {
    parameter: String,
    label: String,
    low: Option<f64>,
    high: Option<f64>,
    words: String,
}

#[derive(Serialize)]
struct DiscoveryJson<'a> {
    scenario: &'a str,
    metric: &'a str,
    worse_than: f64,
    direction: &'a str,
    trials: usize,
    bad_trials: usize,
    bad_share: f64,
    found: bool,
    statement: String,
    restrictions: Vec<LimitJson>,
    box_trials: Option<usize>,
    box_bad_trials: Option<usize>,
    coverage: Option<f64>,
    coverage_se: Option<f64>,
    holdout: bool,
    holdout_coverage: Option<f64>,
    holdout_density: Option<f64>,
    density: Option<f64>,
    density_se: Option<f64>,
    mass: Option<f64>,
}

/// `discovery.json`.
pub fn discovery_json(q: &Question, params: &[String], d: &Discovery) -> Vec<u8> {
    let b = d.found.as_ref();
    let fin = |x: f64| x.is_finite().then_some(x);
    let j = DiscoveryJson {
        scenario: &q.scenario,
        metric: &q.metric,
        worse_than: q.worse_than,
        direction: if q.lower_is_worse { "<" } else { ">" },
        trials: d.trials,
        bad_trials: d.bad,
        bad_share: d.base_density,
        found: b.is_some_and(|b| !b.limits.is_empty()),
        statement: discovery_text(q, params, d),
        restrictions: b
            .map(|b| {
                b.limits
                    .iter()
                    .map(|l| LimitJson {
                        parameter: params[l.dim].clone(),
                        label: param_label(&params[l.dim]),
                        low: fin(l.low),
                        high: fin(l.high),
                        words: limit_words(&params[l.dim], l, &q.periods),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        box_trials: b.map(|b| b.trials),
        box_bad_trials: b.map(|b| b.bad),
        coverage: b.and_then(|b| fin(b.coverage)),
        coverage_se: b.and_then(|b| fin(b.coverage_se)),
        holdout: b.is_some_and(|b| b.holdout),
        holdout_coverage: b.and_then(|b| fin(b.holdout_coverage)),
        holdout_density: b.and_then(|b| fin(b.holdout_density)),
        density: b.and_then(|b| fin(b.density)),
        density_se: b.and_then(|b| fin(b.density_se)),
        mass: b.and_then(|b| fin(b.mass)),
    };
    let mut bytes = serde_json::to_vec_pretty(&j).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// Provenance of a discovery directory.
#[derive(Debug, Clone, Serialize)]
pub struct DiscoverRunInfo {
    pub chokepoint_version: String,
    /// The run directory whose trials.csv was read.
    pub result: String,
    pub trials: u64,
    pub command: Vec<String>,
    pub files: Vec<String>,
}

pub fn discover_run_json(info: &DiscoverRunInfo) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(info).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// `peeling.csv`: one row per box of the peeling trajectory.
pub fn peeling_csv(d: &Discovery) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["step", "coverage", "density", "mass", "restricted"]);
    for (i, s) in d.trajectory.iter().enumerate() {
        let _ = w.write_record([
            i.to_string(),
            super::format::float(s.coverage),
            super::format::float(s.density),
            super::format::float(s.mass),
            s.restricted.to_string(),
        ]);
    }
    w.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restrictions_read_in_words() {
        let l = |low, high| Limit { dim: 0, low, high };
        let inf = f64::INFINITY;
        assert_eq!(
            limit_words("shock.esc.relief_half_life", &l(3.2, inf), "months"),
            "esc: relief half-life >= 3.2 months"
        );
        assert_eq!(
            limit_words("shock.esc.severity", &l(-inf, 0.9), "months"),
            "esc: severity <= 0.9"
        );
        assert_eq!(
            limit_words("shock.esc.occurs", &l(1.0, inf), "months"),
            "shock esc happens"
        );
        assert_eq!(
            limit_words("policy.mine.succeeds", &l(-inf, 0.0), "months"),
            "policy mine fails"
        );
        assert_eq!(
            limit_words("sector.US.ev.value_added", &l(1e9, 2e9), "months"),
            "sector US ev: value added between $1 bn and $2 bn"
        );
    }
}
