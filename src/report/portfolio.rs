//! `portfolio.json`, `portfolio.csv` and the terminal table of `chokepoint portfolio`: per package
//! the whole against the base, then each lever alone and in the package, ranked by loss avoided
//! per dollar, with the interaction flags; and the points of the efficient-frontier chart.

use serde::Serialize;

use super::format::{float, money, percent};
use super::table::render;
use crate::stats::portfolio::{Effect, Estimate, FrontierPoint, Interaction, PackageResult};

/// A package's row of the ranked table, the same in the terminal and on the page.
pub(super) fn package_cells(k: &PackageResult) -> Vec<String> {
    vec![
        k.name.clone(),
        money(k.whole.cost),
        money_interval(&k.whole.mean),
        money_interval(&k.whole.cvar95),
        percent(k.whole.p_better),
        per_dollar(&k.whole),
        interaction_cell(&k.interaction),
    ]
}

/// Version of the `portfolio.json` and `portfolio.csv` layout; bumped when a key or column changes:
/// 2 added `portfolio.csv`'s `label` column and the Monte Carlo intervals of each CVaR95 in
/// `portfolio.json` (docs/schema.md).
pub const SCHEMA_VERSION: u32 = 2;

/// What the portfolio was run on.
#[derive(Debug, Clone, PartialEq)]
pub struct PortfolioInfo {
    pub base_name: String,
    pub base_file: String,
    /// The loss metric every effect is measured on (`world.value_lost`).
    pub metric: String,
    pub seed: u64,
    pub trials: usize,
    pub horizon: usize,
    pub period: String,
    /// The base's mean and CVaR95 of the metric, and the CVaR's Monte Carlo interval.
    pub base_mean: f64,
    pub base_cvar95: f64,
    pub base_cvar95_mc: crate::stats::Interval,
}

/// Everything `portfolio` computed.
#[derive(Debug, Clone, PartialEq)]
pub struct Portfolio {
    pub info: PortfolioInfo,
    /// Ranked: best loss avoided per dollar first.
    pub packages: Vec<PackageResult>,
    pub frontier: Vec<FrontierPoint>,
}

/// Sort key of "loss avoided per dollar", best first: a free lever that avoids loss ranks above
/// every costed one, a free lever that avoids nothing (or adds loss) below every one.
pub fn rank_key(e: &Effect) -> f64 {
    if e.cost > 0.0 {
        e.mean.value / e.cost
    } else if e.mean.value > 0.0 {
        f64::INFINITY
    } else if e.mean.value < 0.0 {
        f64::NEG_INFINITY
    } else {
        f64::MIN
    }
}

/// Packages by whole-package rank, levers within each by their rank in the package.
pub fn rank(packages: &mut [PackageResult]) {
    for p in packages.iter_mut() {
        p.levers
            .sort_by(|a, b| rank_key(&b.in_package).total_cmp(&rank_key(&a.in_package)));
    }
    packages.sort_by(|a, b| rank_key(&b.whole).total_cmp(&rank_key(&a.whole)));
}

fn fin(x: f64) -> Option<f64> {
    x.is_finite().then_some(if x == 0.0 { 0.0 } else { x })
}

#[derive(Serialize)]
struct EstimateJson {
    value: Option<f64>,
    low: Option<f64>,
    high: Option<f64>,
}

fn est(e: &Estimate) -> EstimateJson {
    EstimateJson {
        value: fin(e.value),
        low: fin(e.low),
        high: fin(e.high),
    }
}

#[derive(Serialize)]
struct EffectJson {
    loss_avoided_mean: EstimateJson,
    loss_avoided_cvar95: EstimateJson,
    p_better: Option<f64>,
    p_worse: Option<f64>,
    cost_mean: Option<f64>,
    cost_p5: Option<f64>,
    cost_p95: Option<f64>,
    loss_avoided_per_dollar: EstimateJson,
    loss_mean: Option<f64>,
    loss_cvar95: Option<f64>,
    loss_cvar95_low: Option<f64>,
    loss_cvar95_high: Option<f64>,
}

fn effect(e: &Effect) -> EffectJson {
    EffectJson {
        loss_avoided_mean: est(&e.mean),
        loss_avoided_cvar95: est(&e.cvar95),
        p_better: fin(e.p_better),
        p_worse: fin(e.p_worse),
        cost_mean: fin(e.cost),
        cost_p5: fin(e.cost_p5),
        cost_p95: fin(e.cost_p95),
        loss_avoided_per_dollar: est(&e.per_dollar),
        loss_mean: fin(e.loss_mean),
        loss_cvar95: fin(e.loss_cvar95),
        loss_cvar95_low: fin(e.loss_cvar95_mc.low),
        loss_cvar95_high: fin(e.loss_cvar95_mc.high),
    }
}

#[derive(Serialize)]
struct InteractionJson {
    kind: &'static str,
    flagged: bool,
    /// Sum apart minus together.
    gap: EstimateJson,
}

fn interaction(i: &Interaction) -> InteractionJson {
    InteractionJson {
        kind: i.word(),
        flagged: i.flagged,
        gap: est(&i.gap),
    }
}

#[derive(Serialize)]
struct LeverJson<'a> {
    name: &'a str,
    policies: &'a [String],
    alone: EffectJson,
    in_package: EffectJson,
    interaction: InteractionJson,
}

#[derive(Serialize)]
struct PackageJson<'a> {
    name: &'a str,
    file: &'a str,
    whole: EffectJson,
    levers_alone_vs_whole: InteractionJson,
    uncosted_policies: &'a [String],
    levers: Vec<LeverJson<'a>>,
}

#[derive(Serialize)]
struct PointJson<'a> {
    label: &'a str,
    kind: &'a str,
    cost_mean: Option<f64>,
    loss_mean: Option<f64>,
    loss_cvar95: Option<f64>,
    efficient: bool,
}

#[derive(Serialize)]
struct PortfolioJson<'a> {
    schema_version: u32,
    base: &'a str,
    base_file: &'a str,
    metric: &'a str,
    seed: u64,
    trials: usize,
    horizon: usize,
    period: &'a str,
    base_loss_mean: Option<f64>,
    base_loss_cvar95: Option<f64>,
    base_loss_cvar95_low: Option<f64>,
    base_loss_cvar95_high: Option<f64>,
    loss_avoided: &'static str,
    packages: Vec<PackageJson<'a>>,
    frontier: Vec<PointJson<'a>>,
}

/// `portfolio.json`, pretty-printed, ending in a newline. Keys always appear in this order.
pub fn portfolio_json(p: &Portfolio) -> Vec<u8> {
    let doc = PortfolioJson {
        schema_version: SCHEMA_VERSION,
        base: &p.info.base_name,
        base_file: &p.info.base_file,
        metric: &p.info.metric,
        seed: p.info.seed,
        trials: p.info.trials,
        horizon: p.info.horizon,
        period: &p.info.period,
        base_loss_mean: fin(p.info.base_mean),
        base_loss_cvar95: fin(p.info.base_cvar95),
        base_loss_cvar95_low: fin(p.info.base_cvar95_mc.low),
        base_loss_cvar95_high: fin(p.info.base_cvar95_mc.high),
        loss_avoided: "base - variant (alone: against the base; in_package: the package without the lever minus the package)",
        packages: p
            .packages
            .iter()
            .map(|k| PackageJson {
                name: &k.name,
                file: &k.file,
                whole: effect(&k.whole),
                levers_alone_vs_whole: interaction(&k.interaction),
                uncosted_policies: &k.uncosted,
                levers: k
                    .levers
                    .iter()
                    .map(|l| LeverJson {
                        name: &l.name,
                        policies: &l.policies,
                        alone: effect(&l.alone),
                        in_package: effect(&l.in_package),
                        interaction: interaction(&l.interaction),
                    })
                    .collect(),
            })
            .collect(),
        frontier: p
            .frontier
            .iter()
            .map(|f| PointJson {
                label: &f.label,
                kind: f.kind,
                cost_mean: fin(f.cost),
                loss_mean: fin(f.loss_mean),
                loss_cvar95: fin(f.loss_cvar95),
                efficient: f.efficient,
            })
            .collect(),
    };
    let mut bytes = serde_json::to_vec_pretty(&doc).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// Header of `portfolio.csv`.
pub const CSV_HEADER: &str = "package,row,lever,label,policies,cost_mean,cost_p5,cost_p95,\
loss_avoided_mean,loss_avoided_mean_low,loss_avoided_mean_high,\
loss_avoided_cvar95,loss_avoided_cvar95_low,loss_avoided_cvar95_high,p_better,p_worse,\
loss_avoided_per_dollar,loss_avoided_per_dollar_low,loss_avoided_per_dollar_high,\
interaction,interaction_gap,interaction_gap_low,interaction_gap_high";

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A row of `portfolio.csv` in words, as the page reads it: `G7 package, whole`, `stockpile
/// alone`, `stockpile in G7 package`.
pub fn row_label(package: &str, row: &str, lever: &str) -> String {
    match row {
        "alone" => format!("{lever} alone"),
        "in_package" => format!("{lever} in {package}"),
        _ => format!("{package}, whole"),
    }
}

fn csv_row(
    package: &str,
    row: &str,
    lever: &str,
    policies: &[String],
    e: &Effect,
    i: Option<&Interaction>,
) -> String {
    let mut cells = vec![
        csv_field(package),
        row.to_string(),
        csv_field(lever),
        csv_field(&row_label(package, row, lever)),
        csv_field(&policies.join(";")),
    ];
    for v in [
        e.cost,
        e.cost_p5,
        e.cost_p95,
        e.mean.value,
        e.mean.low,
        e.mean.high,
        e.cvar95.value,
        e.cvar95.low,
        e.cvar95.high,
        e.p_better,
        e.p_worse,
        e.per_dollar.value,
        e.per_dollar.low,
        e.per_dollar.high,
    ] {
        cells.push(float(v));
    }
    match i {
        Some(i) => {
            cells.push(i.word().to_string());
            cells.extend([i.gap.value, i.gap.low, i.gap.high].map(float));
        }
        None => cells.extend(std::iter::repeat_n(String::new(), 4)),
    }
    cells.join(",")
}

/// `portfolio.csv`: one row per package (`whole`), then per lever `alone` and `in_package`, in
/// ranked order.
pub fn portfolio_csv(p: &Portfolio) -> Vec<u8> {
    let mut out = String::from(CSV_HEADER);
    out.push('\n');
    for k in &p.packages {
        out.push_str(&csv_row(
            &k.name,
            "whole",
            "",
            &[],
            &k.whole,
            Some(&k.interaction),
        ));
        out.push('\n');
        for l in &k.levers {
            out.push_str(&csv_row(
                &k.name,
                "alone",
                &l.name,
                &l.policies,
                &l.alone,
                Some(&l.interaction),
            ));
            out.push('\n');
            out.push_str(&csv_row(
                &k.name,
                "in_package",
                &l.name,
                &l.policies,
                &l.in_package,
                None,
            ));
            out.push('\n');
        }
    }
    out.into_bytes()
}

/// `$90 bn [87, 93]`-style: a money value and its interval.
pub fn money_interval(e: &Estimate) -> String {
    if !e.low.is_finite() || !e.high.is_finite() {
        return money(e.value);
    }
    format!("{} [{}, {}]", money(e.value), money(e.low), money(e.high))
}

/// Loss avoided per dollar: `12.3` (dollars of loss per dollar spent), `free` at no cost.
pub fn per_dollar(e: &Effect) -> String {
    if e.cost > 0.0 {
        let r = |x: f64| {
            if !x.is_finite() {
                "-".to_string()
            } else if x.abs() >= 100.0 {
                format!("{x:.0}")
            } else if x.abs() >= 10.0 {
                format!("{x:.1}")
            } else {
                format!("{x:.2}")
            }
        };
        let v = e.per_dollar;
        if v.low.is_finite() {
            format!("{} [{}, {}]", r(v.value), r(v.low), r(v.high))
        } else {
            r(v.value)
        }
    } else {
        "free".to_string()
    }
}

/// A short word for an interaction: `overlap`, `synergy`, or empty.
pub fn interaction_cell(i: &Interaction) -> String {
    if i.flagged {
        format!("{} {}", i.word(), money(i.gap.value))
    } else {
        String::new()
    }
}

/// The terminal table.
pub fn portfolio_table(p: &Portfolio) -> String {
    let i = &p.info;
    let mut out = format!(
        "{} (base): {} trials, seed {}, common random numbers; metric {}\n\
         base mean {}, CVaR95 (mean of the worst 5% of trials) {}\n\
         loss avoided = base - variant, with 95% intervals; per $ = mean loss avoided per dollar \
         of mean cost\n",
        super::format::terminal(&i.base_name),
        i.trials,
        i.seed,
        i.metric,
        money(i.base_mean),
        money(i.base_cvar95),
    );
    let mut rows = vec![
        [
            "package",
            "cost",
            "mean avoided [95%]",
            "CVaR95 avoided [95%]",
            "P(better)",
            "per $",
            "levers apart vs together",
        ]
        .map(String::from)
        .to_vec(),
    ];
    rows.extend(p.packages.iter().map(package_cells));
    out.push('\n');
    out.push_str(&render(&rows));
    for k in &p.packages {
        out.push_str(&format!(
            "\n{}: levers ranked by loss avoided per dollar in the package\n",
            super::format::terminal(&k.name)
        ));
        let mut rows = vec![
            [
                "#",
                "lever",
                "cost",
                "in package [95%]",
                "per $",
                "alone [95%]",
                "alone CVaR95",
                "P(better)",
                "per $ alone",
                "interaction",
            ]
            .map(String::from)
            .to_vec(),
        ];
        for (n, l) in k.levers.iter().enumerate() {
            rows.push(vec![
                (n + 1).to_string(),
                l.name.clone(),
                money(l.alone.cost),
                money_interval(&l.in_package.mean),
                per_dollar(&l.in_package),
                money_interval(&l.alone.mean),
                money(l.alone.cvar95.value),
                percent(l.alone.p_better),
                per_dollar(&l.alone),
                interaction_cell(&l.interaction),
            ]);
        }
        out.push_str(&render(&rows));
        if !k.uncosted.is_empty() {
            out.push_str(&format!(
                "  {} polic(ies) without a `cost` count as free: {}\n",
                k.uncosted.len(),
                k.uncosted.join(", ")
            ));
        }
    }
    out.push_str(
        "\ninteraction: the lever alone avoids clearly more (overlap) or less (synergy) than it \
         adds to the rest of the package\n(95% interval excludes 0 and the gap is at least 5% of \
         the effect)\n",
    );
    out
}
