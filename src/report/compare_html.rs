//! `comparison.html`: a self-contained page for a paired comparison, in report.html's design
//! (`page`): a first screen that answers in words what the policy saves (mean and bad case, with
//! intervals and P(better)), who gains and who still falls short, prices inside and outside the
//! exporter on both sides and which uncertain input moves the saving most, with the saving chart;
//! then the key rows with their paired differences, the outcomes only one side has, the charts
//! and the sources of both scenarios. No scripts, no remote assets; scenario text is escaped.

use std::fmt::Write;

use super::compare::{CompareInfo, ROW_HEADERS, row_cells, row_label, sections};
use super::format::{metric_label, money, multiple as times, param_words, percent, subject_label};
use super::page::{self, escape};
use crate::scenario::Scenario;
use crate::stats::Summary;
use crate::stats::paired::{Comparison, MetricComparison};
use crate::stats::rank::Sensitivity;

/// A drawn chart to inline: title, caption, SVG document.
#[derive(Debug, Clone, PartialEq)]
pub struct InlineChart {
    pub title: String,
    pub caption: String,
    pub svg: String,
}

/// What the named page reads beyond the comparison: both scenarios (names, restricted
/// commodities, sources), the rank correlations with the per-trial difference (the lever), and
/// the summaries of the metrics only one side reports (a stockpile the policy adds).
pub struct PageContext<'a> {
    pub base: &'a Scenario,
    pub policy: &'a Scenario,
    pub difference: &'a [Sensitivity],
    pub only_base: Vec<(String, Summary)>,
    pub only_policy: Vec<(String, Summary)>,
}

/// The whole page as one HTML document, rows labelled from metric names alone.
pub fn comparison_html(info: &CompareInfo, cmp: &Comparison, charts: &[InlineChart]) -> String {
    comparison_page(info, cmp, charts, None)
}

/// The page with rows, prices and levers named from the scenarios (`EU Automotive`), as
/// `chokepoint compare` writes it.
pub fn comparison_html_named(
    info: &CompareInfo,
    cmp: &Comparison,
    charts: &[InlineChart],
    ctx: &PageContext<'_>,
) -> String {
    comparison_page(info, cmp, charts, Some(ctx))
}

fn metric<'a>(cmp: &'a Comparison, name: &str) -> Option<&'a MetricComparison> {
    cmp.metrics.iter().find(|m| m.name == name)
}

/// `$1.2 bn` saved with its interval, from a difference `policy - base` of a loss.
fn saving_words(m: &MetricComparison) -> String {
    let d = &m.paired.diff;
    let interval = if d.ci_low.is_finite() {
        format!(
            " (95% interval {} to {})",
            money(-d.ci_high),
            money(-d.ci_low)
        )
    } else {
        String::new()
    };
    format!("<strong>{}</strong>{interval}", money(-d.mean))
}

/// A row's subject for a sentence: `European Union (27)`, `Automotive in US`, `the world`;
/// without the scenario as the tables read it.
fn prose_name(label: &str, scenario: Option<&Scenario>) -> String {
    let Some(sc) = scenario else {
        return subject_label(label, None);
    };
    if label == "world" {
        return "the world".to_string();
    }
    if let Some(r) = label.strip_prefix("region.")
        && let Some(reg) = sc.regions.iter().find(|x| x.id == r)
    {
        return reg.name.clone();
    }
    if let Some((r, id)) = label
        .strip_prefix("sector.")
        .and_then(|rest| rest.split_once('.'))
        && let Some(sec) = sc
            .sectors
            .iter()
            .find(|x| x.id == id && sc.regions[x.region].id == r)
    {
        return format!("{} in {r}", super::charts::format::short_name(&sec.name));
    }
    subject_label(label, Some(sc))
}

/// Rows by `key` ascending, ties by metric name, so the order is fixed.
fn by_key_then_name(rows: &mut [&MetricComparison], key: impl Fn(&MetricComparison) -> f64) {
    rows.sort_by(|a, b| key(a).total_cmp(&key(b)).then(a.name.cmp(&b.name)));
}

/// The first screen's answers, in words from the results.
fn briefing_answers(
    info: &CompareInfo,
    cmp: &Comparison,
    ctx: Option<&PageContext<'_>>,
) -> Vec<(String, String)> {
    let base_sc = ctx.map(|c| c.base);
    let mut out = Vec::new();
    let label = |name: &str| escape(&prose_name(row_label(name), base_sc));

    // 1. What the policy saves, in the mean and in the bad case.
    let saves = match metric(cmp, "world.value_lost") {
        Some(w) if w.paired.base.max > 0.0 || w.paired.policy.max > 0.0 => {
            let p = &w.paired;
            format!(
                "It saves {} of the world's mean value lost ({} without it, {} with it). In the \
                 bad case the worst 5% of trials (CVaR95) lose {} without it and {} with it; the \
                 95th percentile moves from {} to {}. It does strictly better in <strong>{}</strong> \
                 of trials and worse in {}.",
                saving_words(w),
                money(p.base.mean),
                money(p.policy.mean),
                money(p.base.cvar95),
                money(p.policy.cvar95),
                money(p.base.p95),
                money(p.policy.p95),
                percent(p.diff.p_better),
                percent(p.diff.p_worse),
            )
        }
        _ => format!(
            "Neither side loses value in any of the {} trials.",
            info.trials
        ),
    };
    out.push(("What the policy saves".to_string(), saves));

    // 2. Who gains, who still falls short.
    let mut regions: Vec<&MetricComparison> = cmp
        .metrics
        .iter()
        .filter(|m| m.name.starts_with("region.") && m.name.ends_with(".value_lost"))
        .collect();
    // Largest saving first (most negative difference).
    by_key_then_name(&mut regions, |m| m.paired.diff.mean);
    let gains: Vec<String> = regions
        .iter()
        .filter(|m| m.paired.diff.mean < 0.0 && money(-m.paired.diff.mean) != "$0")
        .take(3)
        .map(|m| format!("{} {}", label(&m.name), saving_words(m)))
        .collect();
    let mut short: Vec<&MetricComparison> = regions
        .iter()
        .copied()
        .filter(|m| m.paired.policy.max >= 1.0)
        .collect();
    // Largest loss with the policy first.
    by_key_then_name(&mut short, |m| -m.paired.policy.mean);
    let short: Vec<String> = short
        .iter()
        .take(2)
        .map(|m| {
            format!(
                "{} ({} mean, {} in the bad case)",
                label(&m.name),
                money(m.paired.policy.mean),
                money(m.paired.policy.p95)
            )
        })
        .collect();
    let worst_sector = cmp
        .metrics
        .iter()
        .filter(|m| m.name.starts_with("sector.") && m.name.ends_with(".mean_loss"))
        .filter(|m| m.paired.policy.max > 0.0)
        .max_by(|a, b| {
            a.paired
                .policy
                .mean
                .total_cmp(&b.paired.policy.mean)
                .then(b.name.cmp(&a.name))
        })
        .map_or(String::new(), |m| {
            format!(
                " Hardest hit with the policy: {}, {} of its output on average ({} without it).",
                label(&m.name),
                percent(m.paired.policy.mean),
                percent(m.paired.base.mean)
            )
        });
    let who = match (gains.is_empty(), short.is_empty()) {
        (true, true) => "No region loses value on either side.".to_string(),
        _ => format!(
            "{} {}{worst_sector}",
            if gains.is_empty() {
                "No region gains from the policy.".to_string()
            } else {
                format!("Largest gains: {}.", gains.join("; "))
            },
            if short.is_empty() {
                "With the policy no region loses value in any trial.".to_string()
            } else {
                format!("Still losing with the policy: {}.", short.join("; "))
            }
        ),
    };
    out.push(("Who gains, who still falls short".to_string(), who));

    // 3. Prices inside and outside the exporter, on both sides (without → with the policy).
    if let Some(sc) = base_sc {
        let restricted = super::charts::restricted(sc);
        let peak = |r: usize, c: usize| {
            metric(
                cmp,
                &format!("price.{}.{}.peak", sc.regions[r].id, sc.commodities[c].id),
            )
        };
        let mut moves: Vec<(usize, usize, &MetricComparison, Option<&MetricComparison>)> =
            restricted
                .iter()
                .filter_map(|r| {
                    let outside = (0..sc.regions.len())
                        .filter(|ri| !r.exporters.contains(ri))
                        .filter_map(|ri| peak(ri, r.commodity).map(|m| (ri, m)))
                        .max_by(|a, b| {
                            a.1.paired
                                .base
                                .mean
                                .total_cmp(&b.1.paired.base.mean)
                                .then(b.0.cmp(&a.0))
                        })?;
                    let inside = r.exporters.first().and_then(|&e| peak(e, r.commodity));
                    Some((r.commodity, outside.0, outside.1, inside))
                })
                .collect();
        moves.sort_by(|a, b| {
            b.2.paired
                .base
                .mean
                .total_cmp(&a.2.paired.base.mean)
                .then(a.0.cmp(&b.0))
        });
        let q = page::prices_question(sc, &restricted);
        let a = if moves.is_empty() {
            "No export restriction in the base scenario.".to_string()
        } else {
            let lines: Vec<String> = moves
                .iter()
                .take(page::PRICE_LINES)
                .map(|(c, r, o, inside)| {
                    let home = inside.map_or(String::new(), |i| {
                        format!(
                            "; inside the exporter {} → {}",
                            times(i.paired.base.mean),
                            times(i.paired.policy.mean)
                        )
                    });
                    format!(
                        "{} in {}: mean peak <strong>{} → {}</strong> the reference price \
                         (bad case {} → {}){home}",
                        escape(super::charts::format::short_name(&sc.commodities[*c].name)),
                        escape(&sc.regions[*r].name),
                        times(o.paired.base.mean),
                        times(o.paired.policy.mean),
                        times(o.paired.base.p95),
                        times(o.paired.policy.p95),
                    )
                })
                .collect();
            page::price_answer(&lines, moves.len(), "comparison.csv")
        };
        out.push((q, a));
    }

    // 4. Which lever matters most: the input whose rank moves most with the per-trial saving.
    if let Some(c) = ctx {
        let mut rows: Vec<&Sensitivity> = c
            .difference
            .iter()
            .filter(|s| s.metric == "world.value_lost" && s.rho.abs() >= 0.1)
            .collect();
        rows.sort_by(|a, b| {
            b.rho
                .abs()
                .total_cmp(&a.rho.abs())
                .then(a.param.cmp(&b.param))
        });
        let words = |s: &Sensitivity| {
            format!(
                "{} (rank correlation {:+.2})",
                escape(&param_words(c.policy, &s.param)),
                s.rho
            )
        };
        let a = match rows.as_slice() {
            [] => "No uncertain input moves the saving: it is the same in every trial or \
                   unrelated to every sampled input."
                .to_string(),
            [top, rest @ ..] => format!(
                "Of the uncertain inputs, <strong>{}</strong> moves the saving most (a negative \
                 correlation: the more of it, the more the policy saves){}.",
                words(top),
                if rest.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; next, {}",
                        rest.iter()
                            .take(2)
                            .map(|s| words(s))
                            .collect::<Vec<_>>()
                            .join(" and ")
                    )
                }
            ),
        };
        out.push(("Which lever matters most".to_string(), a));
    }
    out
}

fn comparison_page(
    info: &CompareInfo,
    cmp: &Comparison,
    charts: &[InlineChart],
    ctx: Option<&PageContext<'_>>,
) -> String {
    let scenario = ctx.map(|c| c.base);
    let (base, policy) = (escape(&info.base.name), escape(&info.policy.name));
    let mut h = String::new();
    page::open(
        &mut h,
        &format!(
            "{} vs {} · chokepoint comparison",
            info.policy.name, info.base.name
        ),
    );
    let _ = writeln!(
        h,
        "<header>\n<h1>{policy}<br><small>compared with {base}</small></h1>\n<dl class=\"meta\">"
    );
    let mut row = |k: &str, v: String| {
        let _ = writeln!(h, "<dt>{k}</dt><dd>{v}</dd>");
    };
    row(
        "Base (no policy)",
        format!("{base} ({})", escape(&info.base.file.display().to_string())),
    );
    row(
        "Policy",
        format!(
            "{policy} ({})",
            escape(&info.policy.file.display().to_string())
        ),
    );
    row("Trials", format!("{} on each side", info.trials));
    row("Seed", format!("{} on both sides", info.seed));
    row(
        "Horizon",
        format!("{} {}s", info.horizon, escape(&info.period)),
    );
    h.push_str("</dl>\n</header>\n");

    h.push_str("<section id=\"briefing\">\n<h2>In brief</h2>\n");
    page::answers(&mut h, &briefing_answers(info, cmp, ctx));
    // The overview: the first chart, the per-trial saving when anything is lost.
    if let Some(c) = charts.first() {
        page::figure(&mut h, Some("overview"), &c.title, &c.caption, &c.svg);
    }
    h.push_str("</section>\n");
    // Links only to the sections this page has.
    let mut nav = vec![
        ("key-metrics", "Key metrics"),
        ("reading", "How to read this"),
    ];
    if charts.len() > 1 {
        nav.push(("charts", "Charts"));
    }
    if ctx.is_some() {
        nav.push(("sources", "Sources"));
    }
    h.push_str("<nav><ol>");
    for (id, text) in nav {
        let _ = write!(h, "<li><a href=\"#{id}\">{text}</a></li>");
    }
    h.push_str("</ol></nav>\n");

    h.push_str("<section id=\"key-metrics\">\n<h2>Key metrics</h2>\n");
    let picked = sections(cmp);
    if picked.sections.is_empty() {
        h.push_str("<p>No value lost and no sector output loss on either side in any trial.</p>\n");
    }
    // The core names the world and the regions; every sector row is in "Sectors" (detail).
    let is_core =
        |m: &&MetricComparison| m.name == "world.value_lost" || m.name.starts_with("region.");
    let core: Vec<&MetricComparison> = picked
        .sections
        .iter()
        .flat_map(|(_, rows)| rows.iter().copied().filter(is_core))
        .collect();
    if !core.is_empty() {
        key_table(&mut h, "Value lost by region", &core, scenario);
    }
    let sector_rows: usize = picked
        .sections
        .iter()
        .map(|(_, rows)| rows.iter().filter(|m| !is_core(m)).count())
        .sum();
    if sector_rows > 0 {
        let _ = writeln!(
            h,
            "<p class=\"note\">The {sector_rows} sector rows are in <a href=\"#sectors\">Sectors</a>.</p>"
        );
    }
    if picked.omitted > 0 {
        let _ = writeln!(
            h,
            "<p class=\"note\">{} metric(s) with no loss on either side are not shown; \
             <code>comparison.csv</code> has every metric.</p>",
            picked.omitted
        );
    }
    one_side(&mut h, cmp, ctx, info.horizon, true);
    h.push_str(
        "<h3 id=\"reading\">How to read this</h3>\n<p class=\"note\">Both \
         scenarios ran with the same seed and trial numbers, so in each trial both sides faced \
         exactly the same shocks (common random numbers); only the policy differs. The \
         <b>difference</b> is policy minus base, trial by trial: for a loss, negative means the \
         policy removed loss. The interval is the 95% interval of the mean difference (mean \
         &plusmn; 1.96 standard errors): how precisely the trials pin down the average effect, \
         not the range of effects in single trials. <b>P(policy better)</b> and <b>P(worse)</b> \
         are the shares of trials where the policy side did strictly better or worse; the \
         remaining trials are ties, where the policy changed nothing.</p>\n",
    );

    h.push_str("</section>\n");
    let one_sided = cmp
        .only_base
        .iter()
        .chain(&cmp.only_policy)
        .any(|n| !n.starts_with("stockpile."));
    if sector_rows > 0 || one_sided {
        h.push_str("<section id=\"sectors\" class=\"detail\">\n<h2>Sectors</h2>\n");
        for (title, rows) in &picked.sections {
            let rest: Vec<&MetricComparison> =
                rows.iter().copied().filter(|m| !is_core(m)).collect();
            if !rest.is_empty() {
                key_table(
                    &mut h,
                    title,
                    &rest[..rest.len().min(DETAIL_ROWS)],
                    scenario,
                );
            }
            if rest.len() > DETAIL_ROWS {
                let _ = writeln!(
                    h,
                    "<p class=\"note\">The {} other sectors with a loss, smaller on the base \
                     side, are in <code>comparison.csv</code>.</p>",
                    rest.len() - DETAIL_ROWS
                );
            }
        }
        one_side(&mut h, cmp, ctx, info.horizon, false);
        h.push_str("</section>\n");
    }

    if charts.len() > 1 {
        h.push_str("<section id=\"charts\" class=\"detail\">\n<h2>Charts</h2>\n");
        for c in &charts[1..] {
            page::figure(&mut h, None, &c.title, &c.caption, &c.svg);
        }
        h.push_str("</section>\n");
    }
    if let Some(c) = ctx {
        let mut cites = page::Citations::default();
        // Shocks both sides share cite once; the policy side adds its policies.
        cites.scenario("", c.base, &[]);
        cites.scenario("", c.policy, &[]);
        cites.write(&mut h);
    }
    let footer = format!(
        "Generated by chokepoint {}. Files beside this page: comparison.json and comparison.csv \
         (every metric, both sides' distributions and the paired difference), sensitivity.csv \
         (rank correlations of every sampled parameter).",
        env!("CARGO_PKG_VERSION")
    );
    page::close(&mut h, &footer);
    h
}

/// Rows of each detail table; the rest are in comparison.csv.
const DETAIL_ROWS: usize = 12;

/// A table of key rows: subject (the metric name in the tooltip), base and policy means, the
/// difference with its interval, P(better), P(worse).
fn key_table(h: &mut String, title: &str, rows: &[&MetricComparison], scenario: Option<&Scenario>) {
    let _ = write!(h, "<h3>{}</h3>\n<table>\n<tr><th></th>", escape(title));
    for head in ROW_HEADERS {
        let _ = write!(h, "<th class=\"num\">{}</th>", escape(head));
    }
    h.push_str("</tr>\n");
    for m in rows {
        let label = row_label(&m.name);
        let _ = write!(
            h,
            "<tr><td title=\"{}\">{}</td>",
            escape(label),
            escape(&subject_label(label, scenario))
        );
        for cell in row_cells(m) {
            let _ = write!(h, "<td class=\"num\">{}</td>", escape(&cell));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
}

/// Outcomes only one side reports, named: with `stockpiles` those of the stockpiles a side adds
/// (when each runs dry), otherwise every other one; without their summaries (the plain page) the
/// names alone.
fn one_side(
    h: &mut String,
    cmp: &Comparison,
    ctx: Option<&PageContext<'_>>,
    horizon: usize,
    stockpiles: bool,
) {
    let keep = |n: &str| n.starts_with("stockpile.") == stockpiles;
    for (which, names, summaries) in [
        ("base", &cmp.only_base, ctx.map(|c| (&c.only_base, c.base))),
        (
            "policy",
            &cmp.only_policy,
            ctx.map(|c| (&c.only_policy, c.policy)),
        ),
    ] {
        let names: Vec<&String> = names.iter().filter(|n| keep(n)).collect();
        if names.is_empty() {
            continue;
        }
        let Some((rows, sc)) = summaries.filter(|(rows, _)| !rows.is_empty()) else {
            let _ = writeln!(
                h,
                "<p class=\"note\">Only in the {which} run, not compared: {}.</p>",
                escape(
                    &names
                        .iter()
                        .map(|n| metric_label(n, None))
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            );
            continue;
        };
        let rows: Vec<&(String, Summary)> = rows.iter().filter(|(n, _)| keep(n)).collect();
        let title = if stockpiles {
            format!("Stockpiles only the {which} side holds")
        } else {
            format!("Only the {which} side reports these (not compared)")
        };
        let _ = writeln!(
            h,
            "<h3>{title}</h3>\n<table>\n<tr><th></th>\
             <th class=\"num\">mean</th><th class=\"num\">median</th>\
             <th class=\"num\">bad case</th></tr>"
        );
        for (name, s) in rows.iter().take(DETAIL_ROWS).map(|r| (&r.0, &r.1)) {
            let value = |v: f64| {
                if name.ends_with(".empty_at") {
                    if v >= horizon as f64 {
                        "never".to_string()
                    } else {
                        format!("period {v:.0}")
                    }
                } else if name.ends_with(".value_lost") {
                    money(v)
                } else if name.contains(".peak") {
                    times(v)
                } else {
                    percent(v)
                }
            };
            // Timing metrics are worse when earlier: their bad case is the 5th percentile.
            let bad = if name.ends_with(".empty_at") || name.ends_with(".first_disrupted") {
                s.p5
            } else {
                s.p95
            };
            let _ = writeln!(
                h,
                "<tr><td title=\"{}\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{}</td></tr>",
                escape(name),
                escape(&metric_label(name, Some(sc))),
                escape(&value(s.mean)),
                escape(&value(s.p50)),
                escape(&value(bad)),
            );
        }
        h.push_str("</table>\n");
        if rows.len() > DETAIL_ROWS {
            let _ = writeln!(
                h,
                "<p class=\"note\">And {} more; <code>comparison.json</code> lists them all.</p>",
                rows.len() - DETAIL_ROWS
            );
        }
        if rows.iter().any(|(n, _)| n.ends_with(".empty_at")) {
            h.push_str(
                "<p class=\"note\">A stockpile's <em>empty at</em> is the period it ran dry \
                 (never: it lasted the horizon); its bad case is the 5th percentile (earlier is \
                 worse).</p>\n",
            );
        }
    }
}
