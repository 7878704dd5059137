//! A sensitivity study as files and text: `sensitivity.csv` (one row per parameter),
//! `sensitivity.json` (the study with its design and every index), the terminal table (most
//! important parameters first, in words), and the study's `run.json`.

use serde::Serialize;

use super::charts::compare::param_label;
use super::format::{float, money, percent, terminal};
use crate::model::params::Factor;
use crate::sample::dist::num as short;
use crate::stats::sobol::Estimate;
use crate::study::sensitivity::{Indices, Method, Study};

/// Rows shown in the terminal table.
pub const TABLE_ROWS: usize = 15;

/// A metric value for people: money for values lost, a percentage for shares, else a number.
pub fn metric_value(metric: &str, v: f64) -> String {
    if metric.ends_with("value_lost") {
        money(v)
    } else if metric.ends_with("mean_loss")
        || metric.ends_with("peak_loss")
        || metric.ends_with("at_cap")
        || metric.starts_with("unmet.")
    {
        percent(v)
    } else if v.is_finite() {
        short(v)
    } else {
        "-".into()
    }
}

/// Entry `i` of a study's factors in words: a parameter's path as entity and field, or an entity
/// with its number of parameters.
pub fn label(study: &Study, i: usize) -> String {
    let n = study.sizes[i];
    if n == 1 && study.params[i].contains('.') {
        param_label(&study.params[i])
    } else {
        format!(
            "{} ({n} parameter{})",
            study.params[i],
            if n == 1 { "" } else { "s" }
        )
    }
}

/// Columns of `sensitivity.csv` for a method.
pub fn csv_header(method: Method) -> &'static [&'static str] {
    match method {
        Method::Sobol => &[
            "rank",
            "parameter",
            "label",
            "first_order",
            "first_order_se",
            "first_order_low",
            "first_order_high",
            "total_order",
            "total_order_se",
            "total_order_low",
            "total_order_high",
            "within_noise",
        ],
        Method::Morris => &[
            "rank",
            "parameter",
            "label",
            "mu",
            "mu_star",
            "mu_star_se",
            "mu_star_low",
            "mu_star_high",
            "sigma",
            "within_noise",
            "factor",
        ],
    }
}

/// A factor's kind in `sensitivity.csv` and `.json` (Morris): `value`, `event` (mu* is its on/off
/// difference) or `probability` (an event's probability, not screened: empty indices).
pub fn factor_name(f: Factor) -> &'static str {
    match f {
        Factor::Value => "value",
        Factor::Event => "event",
        Factor::Probability => "probability",
    }
}

/// Whether a Morris study left entry `i` unscreened (an event's probability: NaN indices).
fn unscreened(study: &Study, i: usize) -> bool {
    study.method == Method::Morris && study.factors.get(i) == Some(&Factor::Probability)
}

/// Whether a parameter's importance cannot be told from zero: its total-order interval (Sobol)
/// or its mu* interval (Morris) reaches zero.
pub fn within_noise(ix: &Indices) -> bool {
    match ix {
        Indices::Sobol(s) => s.total.within_noise(),
        Indices::Morris(m) => m.mu_star.within_noise(),
    }
}

/// `sensitivity.csv`: one row per parameter, most important first.
pub fn sensitivity_csv(study: &Study) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(csv_header(study.method));
    let rows = study.rows();
    for (rank, &i) in study.ranked().iter().enumerate() {
        let (path, ix) = &rows[i];
        let mut rec = vec![(rank + 1).to_string(), path.to_string(), label(study, i)];
        let est = |e: &Estimate| [float(e.value), float(e.se), float(e.low), float(e.high)];
        match ix {
            Indices::Sobol(s) => {
                rec.extend(est(&s.first));
                rec.extend(est(&s.total));
            }
            Indices::Morris(m) => {
                rec.push(float(m.mu));
                rec.extend(est(&m.mu_star));
                rec.push(float(m.sigma));
            }
        }
        rec.push(within_noise(ix).to_string());
        if study.method == Method::Morris {
            rec.push(factor_name(study.factors[i]).into());
        }
        let _ = w.write_record(&rec);
    }
    w.into_inner().unwrap_or_default()
}

#[derive(Serialize)]
struct EstimateJson {
    value: Option<f64>,
    se: Option<f64>,
    low: Option<f64>,
    high: Option<f64>,
}

fn fin(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

impl From<&Estimate> for EstimateJson {
    fn from(e: &Estimate) -> Self {
        EstimateJson {
            value: fin(e.value),
            se: fin(e.se),
            low: fin(e.low),
            high: fin(e.high),
        }
    }
}

#[derive(Serialize)]
struct ParamJson {
    parameter: String,
    label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    first_order: Option<EstimateJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total_order: Option<EstimateJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mu: Option<Option<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mu_star: Option<EstimateJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sigma: Option<Option<f64>>,
    within_noise: bool,
    /// Morris only: `value`, `event` or `probability` (`factor_name`).
    #[serde(skip_serializing_if = "Option::is_none")]
    factor: Option<&'static str>,
}

#[derive(Serialize)]
struct StudyJson<'a> {
    scenario: &'a str,
    method: &'a str,
    design: &'a str,
    metric: &'a str,
    seed: u64,
    parameters: usize,
    /// Saltelli base samples or Morris trajectories.
    groups: u64,
    trials: u64,
    bootstrap_resamples: usize,
    mean: Option<f64>,
    mean_se: Option<f64>,
    /// Morris only: what `mean` is the mean of (not the scenario's mean when there are events).
    #[serde(skip_serializing_if = "Option::is_none")]
    mean_of: Option<&'static str>,
    variance: Option<f64>,
    ranked: Vec<ParamJson>,
}

/// `sensitivity.json`: the study, parameters most important first.
pub fn sensitivity_json(scenario: &str, study: &Study) -> Vec<u8> {
    let rows = study.rows();
    let ranked = study
        .ranked()
        .iter()
        .map(|&i| {
            let (path, ix) = &rows[i];
            let mut p = ParamJson {
                parameter: path.to_string(),
                label: label(study, i),
                first_order: None,
                total_order: None,
                mu: None,
                mu_star: None,
                sigma: None,
                within_noise: within_noise(ix),
                factor: None,
            };
            match ix {
                Indices::Sobol(s) => {
                    p.first_order = Some((&s.first).into());
                    p.total_order = Some((&s.total).into());
                }
                Indices::Morris(m) => {
                    p.mu = Some(fin(m.mu));
                    p.mu_star = Some((&m.mu_star).into());
                    p.sigma = Some(fin(m.sigma));
                    p.factor = Some(factor_name(study.factors[i]));
                }
            }
            p
        })
        .collect();
    let j = StudyJson {
        scenario,
        method: study.method.name(),
        design: &study.design,
        metric: &study.metric,
        seed: study.seed,
        parameters: study.params.len(),
        groups: study.groups,
        trials: study.trials,
        bootstrap_resamples: crate::stats::sobol::RESAMPLES,
        mean: fin(study.mean),
        mean_se: fin(study.mean_se),
        mean_of: (study.method == Method::Morris).then(|| mean_of(study)),
        variance: study.variance.and_then(fin),
        ranked,
    };
    let mut bytes = serde_json::to_vec_pretty(&j).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// Provenance of a study directory.
#[derive(Debug, Clone, Serialize)]
pub struct StudyRunInfo {
    pub chokepoint_version: String,
    pub scenario_file: String,
    pub world_file: Option<String>,
    pub seed: u64,
    pub trials: u64,
    pub command: Vec<String>,
    pub files: Vec<String>,
}

pub fn study_run_json(info: &StudyRunInfo) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(info).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// What a Morris study's mean is the mean of.
fn mean_of(study: &Study) -> &'static str {
    if has_events(study) {
        "the trajectories' starting points: grid points where every uncertain event happens in \
         about half of them whatever its probability, so not the scenario's mean"
    } else {
        "the trajectories' starting points (grid points)"
    }
}

fn has_events(study: &Study) -> bool {
    study.method == Method::Morris && study.factors.contains(&Factor::Event)
}

fn share(e: &Estimate) -> String {
    if e.value.is_finite() {
        format!(
            "{:.3} ({:.3} to {:.3})",
            e.value + 0.0,
            e.low + 0.0,
            e.high + 0.0
        )
    } else {
        "-".into()
    }
}

/// The terminal table: the study in one line, then the most important parameters in words.
pub fn sensitivity_table(scenario: &str, study: &Study) -> String {
    let mut s = String::new();
    let m = &study.metric;
    s.push_str(&format!(
        "{} sensitivity of {} in {}: {} trials ({} {}, {}), seed {}\n",
        match study.method {
            Method::Sobol => "Sobol'",
            Method::Morris => "Morris",
        },
        terminal(m),
        terminal(scenario),
        study.trials,
        study.groups,
        match study.method {
            Method::Sobol => "base samples",
            Method::Morris => "trajectories",
        },
        study.design,
        study.seed
    ));
    s.push_str(&format!(
        "{} {} (Monte Carlo standard error {})",
        match study.method {
            Method::Sobol => "mean",
            Method::Morris => "mean at the trajectories' starting points",
        },
        metric_value(m, study.mean),
        metric_value(m, study.mean_se)
    ));
    if has_events(study) {
        // The design puts each event on in about half the points: this mean is no estimate of the
        // scenario's, and a reader comparing it with `run`'s would be misled.
        s.push_str(
            "; every uncertain event happens in about half of them whatever its probability, \
             so this is not the scenario's mean (`chokepoint run` gives that)",
        );
    }
    if let Some(v) = study.variance {
        s.push_str(&format!(
            ", standard deviation {}",
            metric_value(m, v.sqrt())
        ));
    }
    s.push('\n');
    if study.groups < 20 {
        s.push_str(&format!(
            "note: only {} {}: the intervals are rough; spend more --trials for firmer ones\n",
            study.groups,
            match study.method {
                Method::Sobol => "base samples",
                Method::Morris => "trajectories",
            }
        ));
    }
    if study.variance.is_some_and(|v| v.is_nan() || v <= 0.0) {
        s.push_str("the metric is the same in every trial: no parameter explains any of it\n");
        return s;
    }
    let rows = study.rows();
    let ranked = study.ranked();
    let width = ranked
        .iter()
        .take(TABLE_ROWS)
        .map(|&i| label(study, i).chars().count())
        .max()
        .unwrap_or(9)
        .clamp(9, 60);
    match study.method {
        Method::Sobol => s.push_str(&format!(
            "\n{:<width$}  {:<24}  {:<24}\n",
            if study.sizes.iter().any(|&n| n > 1) {
                "entity"
            } else {
                "parameter"
            },
            "first order (95%)",
            "total order (95%)"
        )),
        Method::Morris => s.push_str(&format!(
            "\n{:<width$}  {:<36}  {:>10}  {:>10}\n",
            "parameter", "mu* (95%)", "mu", "sigma"
        )),
    }
    let mut noise = 0;
    for &i in ranked.iter().take(TABLE_ROWS) {
        let (_, ix) = &rows[i];
        let label = terminal(&label(study, i)).into_owned();
        let flag = if unscreened(study, i) {
            "  (not screened)"
        } else if within_noise(ix) {
            noise += 1;
            "  (noise)"
        } else {
            ""
        };
        match ix {
            Indices::Sobol(x) => s.push_str(&format!(
                "{label:<width$}  {:<24}  {:<24}{flag}\n",
                share(&x.first),
                share(&x.total)
            )),
            Indices::Morris(x) => s.push_str(&format!(
                "{label:<width$}  {:<36}  {:>10}  {:>10}{flag}\n",
                if x.mu_star.value.is_finite() {
                    format!(
                        "{} ({} to {})",
                        metric_value(m, x.mu_star.value),
                        metric_value(m, x.mu_star.low),
                        metric_value(m, x.mu_star.high)
                    )
                } else {
                    "-".into()
                },
                metric_value(m, x.mu),
                metric_value(m, x.sigma)
            )),
        }
    }
    if ranked.len() > TABLE_ROWS {
        s.push_str(&format!(
            "... and {} more parameters (all in sensitivity.csv)\n",
            ranked.len() - TABLE_ROWS
        ));
    }
    let all_noise = (0..rows.len())
        .filter(|&i| within_noise(&rows[i].1) && !unscreened(study, i))
        .count();
    if all_noise > 0 {
        s.push_str(&format!(
            "(noise): {all_noise} parameter(s) whose 95% interval reaches zero{}; they cannot \
             be told from no effect at this sample size\n",
            if all_noise > noise {
                ", most not shown"
            } else {
                ""
            }
        ));
    }
    let probabilities = (0..rows.len()).filter(|&i| unscreened(study, i)).count();
    if probabilities > 0 {
        s.push_str(&format!(
            "(not screened): {probabilities} event probabilit{} not screened: Morris switches \
             each event on and off itself, so the probability behind it changes nothing here; \
             --method sobol measures it\n",
            if probabilities == 1 { "y" } else { "ies" }
        ));
    }
    if has_events(study) {
        s.push_str(
            "events (occurs, succeeds): the design sets each on in half the trajectory points \
             whatever its probability; its mu* is the mean absolute change of the metric \
             between happening and not, and mu > 0 means the metric is higher when it happens\n",
        );
    }
    s.push_str(match study.method {
        Method::Sobol => {
            "first order: share of the metric's variance due to the parameter alone; total \
             order: including its interactions\n"
        }
        Method::Morris => {
            "mu*: mean absolute change of the metric per full-range move of the parameter; \
             sigma: spread of that change (non-linearity or interactions)\n"
        }
    });
    s
}
