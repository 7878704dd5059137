//! `sweep.html`: the page of `chokepoint sweep` in report.html's design (`page`): a first screen
//! that says in words how the metric's mean and bad case move across the swept values, with the
//! risk curve; then the table of every point and the sources of the scenario. No scripts, no
//! remote assets; text escaped.

use std::fmt::Write;

use super::compare_html::InlineChart;
use super::format::{money, num};
use super::page::{self, escape};
use super::sweep::{Sweep, SweepPoint, point_label};
use crate::scenario::Scenario;

/// z for a two-sided 95% normal interval.
const Z95: f64 = 1.959_963_984_540_054;

/// A value of the metric for people: dollars for value lost, plain numbers otherwise.
fn value(s: &Sweep, x: f64) -> String {
    if s.metric.contains("value_lost") {
        money(x)
    } else {
        let t = num(x);
        if t.is_empty() { "-".into() } else { t }
    }
}

/// The mean with its 95% interval: `$1.2 bn [1.1 bn, 1.3 bn]`.
fn mean_interval(s: &Sweep, p: &SweepPoint) -> String {
    let m = &p.summary;
    format!(
        "{} [{}, {}]",
        value(s, m.mean),
        value(s, m.mean - Z95 * m.se),
        value(s, m.mean + Z95 * m.se)
    )
}

/// The first screen's answers: what moving the swept value does to the mean and the bad case,
/// where on the grid the bad case is lowest, and whether the ends differ beyond noise.
fn briefing_answers(s: &Sweep) -> Vec<(String, String)> {
    let metric = escape(&s.metric_label);
    let mut out = Vec::new();
    let (Some(first), Some(last)) = (s.points.first(), s.points.last()) else {
        out.push((
            "What the swept value changes".to_string(),
            "The grid has no points.".to_string(),
        ));
        return out;
    };
    out.push((
        "What the swept value changes".to_string(),
        format!(
            "From {} to {}, the mean of {metric} moves from <strong>{}</strong> to \
             <strong>{}</strong> (95% intervals), and the bad case (CVaR95, the mean of the worst \
             5% of trials) from {} to {}.",
            escape(&point_label(s, first)),
            escape(&point_label(s, last)),
            mean_interval(s, first),
            mean_interval(s, last),
            value(s, first.summary.cvar95),
            value(s, last.summary.cvar95),
        ),
    ));
    let best = s
        .points
        .iter()
        .enumerate()
        .filter(|(_, p)| p.summary.cvar95.is_finite())
        .min_by(|a, b| {
            a.1.summary
                .cvar95
                .total_cmp(&b.1.summary.cvar95)
                .then(a.0.cmp(&b.0))
        });
    if let Some((_, b)) = best {
        out.push((
            "Where the bad case is lowest".to_string(),
            format!(
                "At {}: CVaR95 {}, 95th percentile {}, mean {}.",
                escape(&point_label(s, b)),
                value(s, b.summary.cvar95),
                value(s, b.summary.p95),
                mean_interval(s, b),
            ),
        ));
    }
    let (a, b) = (&first.summary, &last.summary);
    let apart =
        a.mean + Z95 * a.se < b.mean - Z95 * b.se || b.mean + Z95 * b.se < a.mean - Z95 * a.se;
    out.push((
        "Beyond noise".to_string(),
        if apart {
            format!(
                "Yes: the mean's 95% intervals at the two ends of the grid do not overlap. Every \
                 point ran the same {} trials (seed {}), so the curve's shape is the swept \
                 value's effect.",
                s.trials, s.seed
            )
        } else {
            format!(
                "Not in the mean: its 95% intervals at the two ends of the grid overlap; more \
                 trials (now {} per point) would narrow them.",
                s.trials
            )
        },
    ));
    out
}

/// The whole page as one HTML document; `scenario` names the sources, `chart` is the risk curve.
pub fn sweep_html(s: &Sweep, scenario: Option<&Scenario>, chart: Option<&InlineChart>) -> String {
    let mut h = String::new();
    page::open(&mut h, &format!("{} · chokepoint sweep", s.scenario));
    let _ = writeln!(
        h,
        "<header>\n<h1>{}<br><small>swept: {}</small></h1>\n<dl class=\"meta\">",
        escape(&s.scenario),
        escape(&s.labels.join("; "))
    );
    let _ = writeln!(h, "<dt>Scenario file</dt><dd>{}</dd>", escape(&s.file));
    let _ = writeln!(
        h,
        "<dt>Metric</dt><dd>{} (<code>{}</code>)</dd>",
        escape(&s.metric_label),
        escape(&s.metric)
    );
    let _ = writeln!(
        h,
        "<dt>Trials</dt><dd>{} at each of {} points, seed {}</dd>\n</dl>\n</header>",
        s.trials,
        s.points.len(),
        s.seed
    );
    h.push_str("<section id=\"briefing\">\n<h2>In brief</h2>\n");
    page::answers(&mut h, &briefing_answers(s));
    if let Some(c) = chart {
        page::figure(&mut h, Some("risk-curve"), &c.title, &c.caption, &c.svg);
    }
    h.push_str("</section>\n");

    h.push_str("<section id=\"points\">\n<h2>Every point</h2>\n<table>\n<tr>");
    for l in &s.labels {
        let _ = write!(h, "<th class=\"num\">{}</th>", escape(l));
    }
    for c in ["mean [95%]", "median", "p95", "CVaR95"] {
        let _ = write!(h, "<th class=\"num\">{c}</th>");
    }
    h.push_str("</tr>\n");
    let shown = crate::report::sweep::shown_values(s);
    for (k, p) in s.points.iter().enumerate() {
        h.push_str("<tr>");
        for col in &shown {
            let _ = write!(h, "<td class=\"num\">{}</td>", escape(&col[k]));
        }
        let m = &p.summary;
        for cell in [
            mean_interval(s, p),
            value(s, m.p50),
            value(s, m.p95),
            value(s, m.cvar95),
        ] {
            let _ = write!(h, "<td class=\"num\">{}</td>", escape(&cell));
        }
        h.push_str("</tr>\n");
    }
    h.push_str(
        "</table>\n<p class=\"note\">The mean's interval is mean &plusmn; 1.96 standard errors. \
         p95: 95% of trials lose less. CVaR95: the mean of the worst 5% of trials. sweep.csv has \
         every point with p5 as well.</p>\n</section>\n",
    );
    if let Some(sc) = scenario {
        let mut cites = page::Citations::default();
        cites.scenario("", sc, &[]);
        cites.write(&mut h);
    }
    let footer = format!(
        "Generated by chokepoint {}. Files beside this page: sweep.json and sweep.csv (every \
         point), charts/risk_curve.svg and .png, run.json (the command that reproduces it).",
        env!("CARGO_PKG_VERSION")
    );
    page::close(&mut h, &footer);
    h
}
