//! The self-contained `report.html`: scenario, key metrics, charts inlined as SVG, assumptions in
//! words and every source. No scripts and no remote assets; prints cleanly. Every string that
//! comes from a scenario or world file is HTML-escaped.

use std::fmt::Write;

use super::charts::format::short_name;
use super::charts::{Chart, LOSS_EPS, MAX_COMMODITY_CHARTS, MAX_SECTOR_CHARTS, restricted, select};
use super::format::{money, multiple as times, param_words, percent as pct};
use crate::report::view::RunView;
use crate::sample::Dist;
use crate::scenario::{Param, PolicyKind, RestrictionBasis, Scenario, ShockKind};
use crate::stats::Summary;

/// The pages' content security policy: nothing may load from anywhere (no scripts, fonts, images
/// or frames); only the inline style sheet applies. A browser blocks and reports any request.
pub(crate) const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

pub(crate) const CSS: &str = r#"
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", Verdana, Arial, sans-serif; color: #1e1e1e; background: #fff;
       margin: 0; line-height: 1.45; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 1.9em; margin: 0.2em 0 0.3em; }
h1 small { display: block; font-size: 0.62em; font-weight: normal; color: #444; }
h2 { font-size: 1.4em; border-bottom: 2px solid #ccc; padding-bottom: 0.2em; margin-top: 2em; }
h3 { font-size: 1.12em; margin: 1.4em 0 0.4em; }
h4 { font-size: 1em; margin: 1.1em 0 0.3em; }
p.description { font-size: 1.1em; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; }
dl.meta dt { font-weight: bold; }
dl.meta dd { margin: 0; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.92em; }
th, td { border-bottom: 1px solid #ddd; padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
figure { margin: 1.5em 0 2em; }
figure svg { width: 100%; height: auto; display: block; border: 1px solid #e4e4e4; }
figcaption { font-size: 0.95em; color: #333; margin-top: 0.4em; }
nav ol { columns: 2; }
.note { color: #555; font-size: 0.95em; }
p.headline { font-size: 1.1em; background: #f4f7fb; border-left: 4px solid #2b5fb3;
             padding: 0.5em 0.8em; margin: 0.5em 0; }
footer { margin-top: 3em; font-size: 0.85em; color: #555; }
dl.answers { display: grid; grid-template-columns: 13em 1fr; gap: 6px 18px; margin: 0.6em 0 1em;
             font-size: 1.05em; }
dl.answers dt { font-weight: bold; color: #2b5fb3; }
dl.answers dd { margin: 0; }
#briefing h2 { margin-top: 1em; }
ul.bib { padding-left: 1.2em; font-size: 0.9em; }
div.cols { columns: 2; column-gap: 32px; }
div.cols > div.block, div.cols > p { break-inside: avoid; }
div.cols h3 { margin-top: 0.6em; }
ul.bib li { margin: 0.15em 0; }
table.reasons { font-size: 0.88em; }
table.reasons th { white-space: nowrap; background: none; }
@media print {
  @page { margin: 14mm 12mm; }
  body { font-size: 9.5pt; color: #000; background: #fff; }
  main { max-width: none; padding: 0; }
  nav { display: none; }
  /* The core (header, briefing, key metrics) runs on; each detail section starts a page. */
  section.detail > h2 { break-before: page; page-break-before: always; }
  h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  figure, tr, dl, li { break-inside: avoid; page-break-inside: avoid; }
  /* Charts full width: their 17 px labels print at about 7.5 pt. */
  figure svg { border: none; width: 100%; height: auto; }
  figure { margin: 0.4em 0 0.8em; }
  figure h3 { display: none; }
  table { font-size: 0.85em; }
  th, td { padding: 2px 5px; }
  th { background: #fff; border-bottom: 2px solid #000; }
  a { color: #000; text-decoration: none; }
  p.headline { background: none; }
  ul.bib { columns: 2; column-gap: 20px; font-size: 0.8em; }
}
"#;

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The whole report as one HTML document.
pub fn render(scenario: &Scenario, results: &dyn RunView, charts: &[Chart]) -> String {
    let mut h = String::new();
    let name = escape(&scenario.meta.name);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n\
         <title>{name} · chokepoint report</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
    );
    header(&mut h, scenario, results);
    if results.sketched() {
        let _ = writeln!(
            h,
            "<p class=\"note\">This run streamed its statistics instead of keeping every trial: \
             means, standard deviations, minima and maxima are exact; percentiles and the bands \
             of the charts come from a sketch and are within {:.2}% of the exact value ({:.1}% for \
             values under 1/256 of the largest of their sign; <code>docs/outputs.md</code>). \
             Parts that need every trial's values (loss distributions, rank correlations, how \
             often a stockpile ran dry) are left out.</p>",
            crate::stats::sketch::REL_ERROR * 100.0,
            crate::stats::sketch::COARSE_REL_ERROR * 100.0,
        );
    }
    let overview = briefing(&mut h, scenario, results, charts);
    h.push_str(
        "<nav><ol><li><a href=\"#key-metrics\">Key metrics</a></li>\
         <li><a href=\"#charts\">Charts</a></li>\
         <li><a href=\"#prices\">Prices by region</a></li>\
         <li><a href=\"#assumptions\">Assumptions</a></li>\
         <li><a href=\"#sources\">Sources</a></li></ol></nav>\n",
    );
    key_metrics(&mut h, scenario, results);
    charts_section(&mut h, scenario, results, charts, overview);
    price_details(&mut h, scenario, results);
    all_sectors(&mut h, scenario, results);
    assumptions(&mut h, scenario);
    sources(&mut h, scenario, results);
    let _ = write!(
        h,
        "<footer>Generated by chokepoint {}. Every figure comes from {} Monte Carlo trials with \
         seed {}; rerunning the same scenario with the same seed and trial count gives the same \
         numbers. Losses are shares of normal output; value lost is in US dollars over the \
         horizon.</footer>\n</main>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        results.trials(),
        results.seed()
    );
    h
}

fn header(h: &mut String, scenario: &Scenario, results: &dyn RunView) {
    let m = &scenario.meta;
    let _ = writeln!(h, "<header>\n<h1>{}</h1>", escape(&m.name));
    if !m.description.trim().is_empty() {
        let _ = writeln!(h, "<p class=\"description\">{}</p>", escape(&m.description));
    }
    let span = match m.start {
        Some(_) if results.horizon() > 0 => format!(
            ", {} to {}",
            escape(&m.period_label(0)),
            escape(&m.period_label(results.horizon() - 1))
        ),
        _ => String::new(),
    };
    let world = match (&m.world_name, m.world_year) {
        (Some(n), Some(y)) => format!("{} ({y})", escape(n)),
        (Some(n), None) => escape(n),
        (None, Some(y)) => y.to_string(),
        (None, None) => "world".to_string(),
    };
    let world_file = m.world_file.as_ref().map_or(String::new(), |w| {
        format!(", {}", escape(&w.display().to_string()))
    });
    let _ = writeln!(
        h,
        "<p class=\"meta\">{} trials, seed {} · {} {}{span} · {world}{world_file} · scenario \
         file {}</p>",
        results.trials(),
        results.seed(),
        results.horizon(),
        m.period.plural(),
        escape(&m.file.display().to_string())
    );
    h.push_str("</header>\n");
}

/// An inline chart as a figure: the SVG labelled for screen readers (plotters escapes its text).
fn figure(h: &mut String, c: &Chart) {
    let svg = c.svg.find("<svg").map_or(String::new(), |i| {
        format!(
            "<svg role=\"img\" aria-label=\"{}\"{}",
            escape(&c.title),
            &c.svg[i + 4..]
        )
    });
    let _ = writeln!(
        h,
        "<figure id=\"chart-{}\">\n<h3>{}</h3>\n{}\n<figcaption>{}</figcaption>\n</figure>",
        escape(&c.file_stem),
        escape(&c.title),
        svg.trim_end(),
        escape(&c.caption)
    );
}

/// Mean peak price index of a commodity in a region, its p95, and its share of periods at the cap.
struct PricePeak {
    region: usize,
    mean: f64,
    p95: f64,
    at_cap: f64,
}

fn price_peak(
    scenario: &Scenario,
    results: &dyn RunView,
    region: usize,
    commodity: usize,
) -> Option<PricePeak> {
    let (r, c) = (
        &scenario.regions[region].id,
        &scenario.commodities[commodity].id,
    );
    let p = summary_of(results, &format!("price.{r}.{c}.peak"))?;
    let at_cap = summary_of(results, &format!("price.{r}.{c}.at_cap")).map_or(0.0, |s| s.mean);
    Some(PricePeak {
        region,
        mean: p.mean,
        p95: p.p95,
        at_cap,
    })
}

/// Per restricted commodity: the outside region whose price rises most, and the exporter's own.
fn price_split(
    scenario: &Scenario,
    results: &dyn RunView,
    r: &crate::report::charts::Restricted,
) -> (Option<PricePeak>, Option<PricePeak>) {
    let outside = (0..scenario.regions.len())
        .filter(|ri| !r.exporters.contains(ri))
        .filter_map(|ri| price_peak(scenario, results, ri, r.commodity))
        .max_by(|a, b| a.mean.total_cmp(&b.mean).then(b.region.cmp(&a.region)));
    let inside = r
        .exporters
        .first()
        .and_then(|&e| price_peak(scenario, results, e, r.commodity));
    (outside, inside)
}

/// The first screen: the five questions of a briefing answered in words, and one overview chart
/// (value lost by region, or the peak prices of the restricted commodities when nothing is
/// lost). Returns the file stem of the chart it shows, which the chart section then leaves out.
fn briefing(
    h: &mut String,
    scenario: &Scenario,
    results: &dyn RunView,
    charts: &[Chart],
) -> Option<String> {
    h.push_str("<section id=\"briefing\">\n<h2>In brief</h2>\n");
    if results.trials() == 0 {
        h.push_str("<p>No trials were run, so there is nothing to summarise.</p>\n</section>\n");
        return None;
    }
    let periods = scenario.meta.period.plural();
    let sel = select(scenario, results);
    let region_name = |i: usize| escape(&scenario.regions[i].name);
    let sector_words = |s: usize| {
        let sec = &scenario.sectors[s];
        format!(
            "{} in {}",
            escape(short_name(&sec.name)),
            region_name(sec.region)
        )
    };
    let world = summary_of(results, "world.value_lost");
    let mut answers: Vec<(&str, String)> = Vec::new();

    // 1. Who is exposed.
    let mut regions: Vec<(usize, Summary)> = (0..scenario.regions.len())
        .filter_map(|i| {
            summary_of(
                results,
                &format!("region.{}.value_lost", scenario.regions[i].id),
            )
            .map(|s| (i, s))
        })
        .filter(|(_, s)| s.max >= 1.0)
        .collect();
    regions.sort_by(|a, b| b.1.mean.total_cmp(&a.1.mean).then(a.0.cmp(&b.0)));
    let who = if regions.is_empty() {
        format!(
            "No region loses output in any of the {} trials: stocks, licences and leakage cover \
             the shortfall{}.",
            results.trials(),
            if sel.restricted.is_empty() {
                ""
            } else {
                "; buyers pay for it in prices instead (below)"
            }
        )
    } else {
        let total = world.map_or(0.0, |w| w.mean);
        let list: Vec<String> = regions
            .iter()
            .take(3)
            .map(|(i, s)| {
                let share = if total > 0.0 {
                    format!(" ({})", pct(s.mean / total))
                } else {
                    String::new()
                };
                format!(
                    "{} <strong>{}</strong>{share}",
                    region_name(*i),
                    money(s.mean)
                )
            })
            .collect();
        let rest = scenario.regions.len() - regions.len();
        let worst = sel.worst.map_or(String::new(), |s| {
            let loss = summary_of(
                results,
                &crate::report::charts::sector_metric(scenario, s, "mean_loss"),
            );
            format!(
                " Hardest hit: {}, {} of its output on average.",
                sector_words(s),
                loss.map_or("-".to_string(), |l| pct(l.mean))
            )
        });
        format!(
            "Mean value lost (share of the world's): {}.{worst}{}",
            list.join(", "),
            if rest > 0 {
                format!(
                    " {rest} of {} regions lose nothing.",
                    scenario.regions.len()
                )
            } else {
                String::new()
            }
        )
    };
    answers.push(("Who is exposed", who));

    // 2. How bad the bad case is.
    let bad = match world {
        Some(w) if w.max >= 1.0 => {
            let worst = sel.worst.map_or(String::new(), |s| {
                summary_of(
                    results,
                    &crate::report::charts::sector_metric(scenario, s, "mean_loss"),
                )
                .map_or(String::new(), |l| {
                    format!(
                        "; {} then loses {} of its output",
                        sector_words(s),
                        pct(l.p95)
                    )
                })
            });
            format!(
                "In the 1-in-20 bad case (95th percentile) the world loses <strong>{}</strong>, against {} \
                 on average; the worst 5% of trials lose {} on average (CVaR95){worst}.",
                money(w.p95),
                money(w.mean),
                money(w.cvar95)
            )
        }
        _ => "Nothing is lost even in the worst trial.".to_string(),
    };
    answers.push(("How bad the bad case is", bad));

    // 3. For how long, in the bad case: the sector disrupted longest at its 95th percentile.
    let longest = sel
        .all_affected
        .iter()
        .filter_map(|&s| {
            summary_of(
                results,
                &crate::report::charts::sector_metric(scenario, s, "periods_disrupted"),
            )
            .map(|d| (s, d))
        })
        .max_by(|a, b| a.1.p95.total_cmp(&b.1.p95).then(b.0.cmp(&a.0)));
    let long = match longest {
        Some((s, d)) if d.p95 > 0.0 => format!(
            "{} is disrupted (output below 95% of normal) for <strong>{:.0} of the {} {periods}</strong> in \
             the bad case (95th percentile), {:.1} on average.",
            sector_words(s),
            d.p95,
            results.horizon(),
            d.mean
        ),
        _ => format!(
            "No sector's output falls below 95% of normal in any {} of any trial.",
            scenario.meta.period.name()
        ),
    };
    answers.push(("For how long, in the bad case", long));

    // 4. Prices inside and outside the exporter.
    let exporters: Vec<usize> = {
        let mut e: Vec<usize> = sel
            .restricted
            .iter()
            .flat_map(|r| r.exporters.clone())
            .collect();
        e.sort_unstable();
        e.dedup();
        e
    };
    let mut moves: Vec<(usize, PricePeak, Option<PricePeak>)> = sel
        .restricted
        .iter()
        .filter_map(|r| {
            let (out, inside) = price_split(scenario, results, r);
            out.map(|o| (r.commodity, o, inside))
        })
        .collect();
    moves.sort_by(|a, b| b.1.mean.total_cmp(&a.1.mean).then(a.0.cmp(&b.0)));
    let prices = if moves.is_empty() {
        "No export restriction in this scenario.".to_string()
    } else {
        let lines: Vec<String> = moves
            .iter()
            .take(3)
            .map(|(c, o, inside)| {
                let com = &scenario.commodities[*c];
                let cap = if o.at_cap > 0.0 {
                    format!(
                        "; at its {} price cap in {} of trial-{periods}",
                        times(com.max_price_multiple.dist.mean()),
                        pct(o.at_cap),
                    )
                } else {
                    String::new()
                };
                let home = inside.as_ref().map_or(String::new(), |i| {
                    format!(" against {} in {}", times(i.mean), region_name(i.region))
                });
                format!(
                    "{}: peak at <strong>{}</strong> the reference price in {} ({} in the bad \
                     case{cap}){home}",
                    escape(short_name(&com.name)),
                    times(o.mean),
                    region_name(o.region),
                    times(o.p95),
                )
            })
            .collect();
        let more = if moves.len() > 3 {
            format!(
                " The other {} restricted commodities move less (table below).",
                moves.len() - 3
            )
        } else {
            String::new()
        };
        format!("{}.{more}", lines.join("; "))
    };
    let prices_q = match exporters.as_slice() {
        [e] => format!("Prices inside and outside {}", region_name(*e)),
        _ => "Prices inside and outside the exporters".to_string(),
    };
    answers.push(("", prices));

    // 5. Which lever matters most: the uncertain input whose rank moves most with the outcome.
    let peak_words = moves.first().map_or(String::new(), |(c, o, _)| {
        format!(
            "the peak price of {} in {}",
            escape(short_name(&scenario.commodities[*c].name)),
            region_name(o.region)
        )
    });
    let (target, target_words) = match world {
        Some(w) if w.max >= 1.0 && w.max > w.min => (
            "world.value_lost".to_string(),
            "the world's value lost".to_string(),
        ),
        _ => match moves.first() {
            Some((c, o, _)) => (
                format!(
                    "price.{}.{}.peak",
                    scenario.regions[o.region].id, scenario.commodities[*c].id
                ),
                peak_words,
            ),
            None => (String::new(), String::new()),
        },
    };
    let lever = match lever(results, &target) {
        Some(top) if !top.is_empty() => {
            let list: Vec<String> = top
                .iter()
                .map(|(p, rho)| {
                    format!(
                        "{} (rank correlation {rho:+.2})",
                        escape(&param_words(scenario, p))
                    )
                })
                .collect();
            format!(
                "Of the uncertain inputs, <strong>{}</strong> moves {target_words} most{}. A policy \
                 scenario run with <code>chokepoint compare</code> measures what acting on it \
                 buys.",
                list[0],
                if list.len() > 1 {
                    format!("; next, {}", list[1..].join(" and "))
                } else {
                    String::new()
                }
            )
        }
        None if results.sketched() => "Rank correlations need every trial's values, which this \
            streamed run did not keep: run <code>chokepoint sensitivity</code>, or this run with \
            fewer trials or <code>--exact</code>, to see which uncertain input matters most."
            .to_string(),
        _ => "No uncertain input moves the outcome: nothing varies between trials.".to_string(),
    };
    answers.push(("Which lever matters most", lever));

    h.push_str("<dl class=\"answers\">\n");
    for (q, a) in &answers {
        let q = if q.is_empty() { prices_q.as_str() } else { q };
        let _ = writeln!(h, "<dt>{q}</dt><dd>{a}</dd>");
    }
    h.push_str("</dl>\n");
    let pick = ["value-lost-regions", "price-summary"]
        .iter()
        .find_map(|stem| charts.iter().find(|c| c.file_stem == *stem));
    if let Some(c) = pick {
        figure(h, c);
    }
    h.push_str("</section>\n");
    pick.map(|c| c.file_stem.clone())
}

/// The (at most three) sampled parameters most rank-correlated with metric `name`, strongest
/// first, ties by path; `None` when the run did not report the metric or kept no per-trial
/// values (a streamed run).
fn lever(results: &dyn RunView, name: &str) -> Option<Vec<(String, f64)>> {
    let y = results.metric_values(results.metric_index(name)?)?;
    let mut rows: Vec<(String, f64)> = (0..results.param_paths().len())
        .filter_map(|k| {
            crate::stats::rank::spearman(&results.param_values(k)?, &y)
                .filter(|rho| rho.abs() >= 0.1)
                .map(|rho| (results.param_paths()[k].clone(), rho))
        })
        .collect();
    rows.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
    rows.truncate(2);
    Some(rows)
}

fn summary_of(results: &dyn RunView, name: &str) -> Option<Summary> {
    results.metric_index(name).map(|m| results.summary(m))
}

/// The sector table of the core lists this many sectors; the rest are in "All sectors".
const CORE_SECTORS: usize = 10;

/// A sector's row of the sector tables.
struct SectorRow {
    sector: usize,
    loss: Summary,
    value: Option<Summary>,
    disrupted: Option<Summary>,
}

/// Sectors with some loss, worst first by mean value lost, then mean loss (the order of the
/// terminal table and the charts); and the sectors that lost nothing, one entry per kind of
/// sector: "Defense systems (every region)", "Wind turbines (CN)".
fn sector_rows(scenario: &Scenario, results: &dyn RunView) -> (Vec<SectorRow>, Vec<String>) {
    let mut rows = Vec::new();
    let mut untouched: Vec<(String, String, Vec<String>)> = Vec::new();
    for (k, sec) in scenario.sectors.iter().enumerate() {
        let rid = &scenario.regions[sec.region].id;
        let key = |f: &str| format!("sector.{rid}.{}.{f}", sec.id);
        let Some(loss) = summary_of(results, &key("mean_loss")) else {
            continue;
        };
        if loss.max <= LOSS_EPS {
            match untouched.iter_mut().find(|u| u.0 == sec.id) {
                Some(u) => u.2.push(rid.clone()),
                None => untouched.push((sec.id.clone(), sec.name.clone(), vec![rid.clone()])),
            }
            continue;
        }
        rows.push(SectorRow {
            sector: k,
            loss,
            value: summary_of(results, &key("value_lost")),
            disrupted: summary_of(results, &key("periods_disrupted")),
        });
    }
    rows.sort_by(|a, b| {
        let va = a.value.map_or(0.0, |s| s.mean);
        let vb = b.value.map_or(0.0, |s| s.mean);
        vb.total_cmp(&va).then(b.loss.mean.total_cmp(&a.loss.mean))
    });
    let everywhere = |id: &str| scenario.sectors.iter().filter(|s| s.id == id).count();
    let untouched = untouched
        .into_iter()
        .map(|(id, name, regions)| {
            let where_ = if regions.len() > 1 && regions.len() == everywhere(&id) {
                "every region".to_string()
            } else {
                regions.join(", ")
            };
            format!("{} ({where_})", short_name(&name))
        })
        .collect();
    (rows, untouched)
}

fn sector_table(h: &mut String, scenario: &Scenario, rows: &[SectorRow]) {
    let _ = writeln!(
        h,
        "<table>\n<thead><tr><th>Sector</th><th>Region</th><th class=\"num\">Mean loss</th>\
         <th class=\"num\">p95 loss</th><th class=\"num\">CVaR95 loss</th>\
         <th class=\"num\">{p} disrupted (mean)</th><th class=\"num\">{p} disrupted (p95)</th>\
         <th class=\"num\">Mean value lost</th>\
         <th class=\"num\">p95 value lost</th></tr></thead>\n<tbody>",
        p = capitalised(scenario.meta.period.plural())
    );
    for r in rows {
        let sec = &scenario.sectors[r.sector];
        let dash = || "–".to_string();
        let _ = writeln!(
            h,
            "<tr><td title=\"{}\">{}</td><td>{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape(&sec.name),
            escape(short_name(&sec.name)),
            escape(&scenario.regions[sec.region].id),
            pct(r.loss.mean),
            pct(r.loss.p95),
            pct(r.loss.cvar95),
            r.disrupted.map_or_else(dash, |d| format!("{:.1}", d.mean)),
            r.disrupted.map_or_else(dash, |d| format!("{:.0}", d.p95)),
            r.value.map_or_else(dash, |v| money(v.mean)),
            r.value.map_or_else(dash, |v| money(v.p95)),
        );
    }
    h.push_str("</tbody>\n</table>\n");
}

/// Every sector with a loss, when the core lists only the worst.
fn all_sectors(h: &mut String, scenario: &Scenario, results: &dyn RunView) {
    let (rows, _) = sector_rows(scenario, results);
    if rows.len() <= CORE_SECTORS {
        return;
    }
    h.push_str("<section id=\"all-sectors\" class=\"detail\">\n<h2>All sectors</h2>\n");
    sector_table(h, scenario, &rows);
    h.push_str("</section>\n");
}

fn key_metrics(h: &mut String, scenario: &Scenario, results: &dyn RunView) {
    h.push_str("<section id=\"key-metrics\">\n<h2>Key metrics</h2>\n");
    if results.trials() == 0 {
        h.push_str("<p>No trials were run, so there is nothing to summarise.</p>\n</section>\n");
        return;
    }
    let (rows, untouched) = sector_rows(scenario, results);
    if let Some(w) = summary_of(results, "world.value_lost") {
        let _ = writeln!(
            h,
            "<p class=\"headline\">World value lost over the horizon: mean <strong>{}</strong>, \
             median {}, 95th percentile {}, mean of the worst 5% of trials (CVaR95) {}.</p>",
            money(w.mean),
            money(w.p50),
            money(w.p95),
            money(w.cvar95)
        );
        if let Some(t) = summary_of(results, "world.total_value_lost")
            && t.mean > w.mean * (1.0 + 1e-9)
        {
            let _ = writeln!(
                h,
                "<p class=\"headline\">Including indirect losses downstream (sectors' \
                 <code>indirect_multiplier</code>): mean <strong>{}</strong>, median {}, 95th \
                 percentile {}.</p>",
                money(t.mean),
                money(t.p50),
                money(t.p95)
            );
        }
    }
    h.push_str("<h3>Sectors, worst first</h3>\n");
    if rows.is_empty() {
        h.push_str("<p>No sector lost output in any trial.</p>\n");
    } else {
        sector_table(h, scenario, &rows[..rows.len().min(CORE_SECTORS)]);
        let more = rows.len().saturating_sub(CORE_SECTORS);
        let rest = if more > 0 {
            format!(
                " The {more} other sectors with losses are in <a href=\"#all-sectors\">All \
                 sectors</a>."
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            h,
            "<p class=\"note\">Loss is the average shortfall of output over the horizon, as a \
             share of normal output. p95: 95% of trials lose less. CVaR95: the mean of the worst \
             5% of trials. Disrupted: output below 95% of normal.{rest}</p>",
        );
    }
    if !untouched.is_empty() {
        let _ = writeln!(
            h,
            "<p class=\"note\">No loss in any trial: {}.</p>",
            escape(&untouched.join("; "))
        );
    }

    let mut regions: Vec<(String, Summary)> = scenario
        .regions
        .iter()
        .filter_map(|r| {
            summary_of(results, &format!("region.{}.value_lost", r.id))
                .map(|s| (format!("{} {}", r.id, r.name), s))
        })
        .collect();
    regions.sort_by(|a, b| b.1.mean.total_cmp(&a.1.mean));
    // Regions that lost nothing in any trial (under a dollar: floating-point residue) are named
    // once below the table, not listed as rows of zeros.
    let (regions, unhurt): (Vec<_>, Vec<_>) = regions.into_iter().partition(|(_, s)| s.max >= 1.0);
    if !regions.is_empty() {
        h.push_str(
            "<h3>Regions, worst first</h3>\n<table>\n<thead><tr><th>Region</th>\
             <th class=\"num\">Mean value lost</th><th class=\"num\">Median</th>\
             <th class=\"num\">p95</th><th class=\"num\">CVaR95</th></tr></thead>\n<tbody>\n",
        );
        for (name, s) in &regions {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                escape(name),
                money(s.mean),
                money(s.p50),
                money(s.p95),
                money(s.cvar95)
            );
        }
        h.push_str("</tbody>\n</table>\n");
    }
    if !unhurt.is_empty() {
        let names: Vec<&str> = unhurt.iter().map(|(n, _)| n.as_str()).collect();
        let _ = writeln!(
            h,
            "<p class=\"note\">Lost nothing in any trial: {}.</p>",
            escape(&names.join(", "))
        );
    }
    restricted_summary(h, scenario, results);
    stockpiles(h, scenario, results);
    h.push_str("</section>\n");
}

/// One row per restricted commodity: the exporter's peak price, the outside region where it rises
/// most, how often the cap held it, and the largest unmet demand. Every restricted commodity is
/// listed; the per-region tables are in the "Prices by region" section.
fn restricted_summary(h: &mut String, scenario: &Scenario, results: &dyn RunView) {
    let all = restricted(scenario);
    if all.is_empty() {
        return;
    }
    h.push_str(
        "<h3>Restricted commodities, largest price rise first</h3>\n<table>\n<thead><tr>\
         <th>Commodity</th><th>Exporter</th><th class=\"num\">Peak price at the exporter \
         (mean)</th><th>Outside, largest rise</th><th class=\"num\">Peak price (mean)</th>\
         <th class=\"num\">Peak price (p95)</th><th class=\"num\">Periods at the price cap</th>\
         <th class=\"num\">Largest unmet demand (mean)</th></tr></thead>\n<tbody>\n",
    );
    let mut rows: Vec<(f64, String)> = Vec::new();
    for r in &all {
        let com = &scenario.commodities[r.commodity];
        let (out, inside) = price_split(scenario, results, r);
        let unmet = scenario
            .regions
            .iter()
            .filter_map(|reg| {
                summary_of(results, &format!("unmet.{}.{}", reg.id, com.id))
                    .map(|u| (reg.id.as_str(), u.mean))
            })
            .max_by(|a, b| a.1.total_cmp(&b.1));
        let exporters: Vec<&str> = r
            .exporters
            .iter()
            .map(|&e| scenario.regions[e].id.as_str())
            .collect();
        let dash = || "–".to_string();
        let cap = out.as_ref().map_or_else(dash, |o| {
            if o.at_cap > 0.0 {
                format!(
                    "{} (cap {})",
                    pct(o.at_cap),
                    times(com.max_price_multiple.dist.mean())
                )
            } else {
                "0%".to_string()
            }
        });
        let row = format!(
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td></tr>",
            escape(&com.name),
            escape(&exporters.join(", ")),
            inside.as_ref().map_or_else(dash, |i| times(i.mean)),
            out.as_ref()
                .map_or_else(dash, |o| escape(&scenario.regions[o.region].id)),
            out.as_ref().map_or_else(dash, |o| times(o.mean)),
            out.as_ref().map_or_else(dash, |o| times(o.p95)),
            cap,
            unmet.map_or_else(dash, |(rid, u)| {
                if u > 0.0 {
                    format!("{} in {}", pct(u), escape(rid))
                } else {
                    "0%".to_string()
                }
            }),
        );
        rows.push((out.map_or(0.0, |o| o.mean), row));
    }
    // Largest rise first; ties keep the order of first restriction (stable sort).
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (_, row) in &rows {
        h.push_str(row);
        h.push('\n');
    }
    h.push_str("</tbody>\n</table>\n");
    h.push_str(
        "<p class=\"note\">Peak price: the highest price over the horizon as a multiple of the \
         reference price (×1 = no change). Periods at the price cap: the share of trial-periods \
         in which the price target of that region reached the commodity's \
         <code>max_price_multiple</code>; a price held there is a floor of what scarcity would \
         fetch. Unmet demand: the share of a region's demand for the commodity left unmet over \
         the horizon.</p>\n",
    );
}

/// Every restricted commodity's prices and unmet demand by region.
fn price_details(h: &mut String, scenario: &Scenario, results: &dyn RunView) {
    if restricted(scenario).is_empty() || results.trials() == 0 {
        return;
    }
    h.push_str(
        "<section id=\"prices\" class=\"detail\">\n<h2>Prices and unmet demand by region</h2>\n\
         <div class=\"cols\">\n",
    );
    restricted_commodities(h, scenario, results);
    h.push_str("</div>\n");
    h.push_str("</section>\n");
}

/// Per restricted commodity: peak price index and unmet demand in each region, worst first.
fn restricted_commodities(h: &mut String, scenario: &Scenario, results: &dyn RunView) {
    let sel = select(scenario, results);
    let mut quiet = Vec::new();
    for r in &sel.restricted {
        let com = &scenario.commodities[r.commodity];
        // Commodities whose prices stay put and whose demand is always met are named once.
        let unmet_any = scenario.regions.iter().any(|reg| {
            summary_of(results, &format!("unmet.{}.{}", reg.id, com.id))
                .is_some_and(|u| u.max > 0.0)
        });
        let moved = crate::report::charts::price_moves(scenario, results, r).0;
        if !unmet_any && moved <= crate::report::charts::PRICE_MOVE {
            quiet.push(short_name(&com.name).to_string());
            continue;
        }
        let mut capped: Vec<(String, f64)> = Vec::new();
        let mut rows: Vec<(String, &str, Option<Summary>, Option<Summary>)> = scenario
            .regions
            .iter()
            .enumerate()
            .filter_map(|(ri, reg)| {
                let price = summary_of(results, &format!("price.{}.{}.peak", reg.id, com.id));
                let unmet = summary_of(results, &format!("unmet.{}.{}", reg.id, com.id));
                if price.is_none() && unmet.is_none() {
                    return None;
                }
                if let Some(c) = summary_of(results, &format!("price.{}.{}.at_cap", reg.id, com.id))
                    && c.mean > 0.0
                {
                    capped.push((reg.id.clone(), c.mean));
                }
                let role = if r.exporters.contains(&ri) {
                    "exporter"
                } else if r.targets.contains(&ri) {
                    "targeted"
                } else {
                    "not targeted"
                };
                Some((reg.id.clone(), role, price, unmet))
            })
            .collect();
        if rows.is_empty() {
            continue;
        }
        let key = |x: &(String, &str, Option<Summary>, Option<Summary>)| {
            (x.3.map_or(0.0, |s| s.mean), x.2.map_or(0.0, |s| s.mean))
        };
        rows.sort_by(|a, b| {
            let (ua, pa) = key(a);
            let (ub, pb) = key(b);
            ub.total_cmp(&ua).then(pb.total_cmp(&pa))
        });
        let _ = writeln!(
            h,
            "<div class=\"block\">\n<h3>{}</h3>\n<table>\n<thead><tr>\
             <th>Region</th><th>Role</th><th class=\"num\">Peak price (mean)</th>\
             <th class=\"num\">Peak price (p95)</th><th class=\"num\">Unmet (mean)</th>\
             <th class=\"num\">Unmet (p95)</th></tr></thead>\n<tbody>",
            escape(&com.name)
        );
        let dash = || "–".to_string();
        let index = times;
        for (name, role, price, unmet) in &rows {
            let full = scenario
                .regions
                .iter()
                .find(|r| &r.id == name)
                .map_or(name.as_str(), |r| r.name.as_str());
            let _ = writeln!(
                h,
                "<tr><td title=\"{}\">{}</td><td>{role}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
                 <td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                escape(full),
                escape(name),
                price.map_or_else(dash, |p| index(p.mean)),
                price.map_or_else(dash, |p| index(p.p95)),
                unmet.map_or_else(dash, |u| pct(u.mean)),
                unmet.map_or_else(dash, |u| pct(u.p95)),
            );
        }
        h.push_str("</tbody>\n</table>\n");
        // The cap is a safety net (MODEL.md v2 section 4.9): say where and how often it bound.
        if !capped.is_empty() {
            capped.sort_by(|a, b| b.1.total_cmp(&a.1));
            let list: Vec<String> = capped
                .iter()
                .map(|(r, share)| format!("{} in {}", pct(*share), escape(r)))
                .collect();
            let _ = writeln!(
                h,
                "<p class=\"note cap\">The price cap ({}, <code>max_price_multiple</code>) bound \
                 in {} of trial-months: prices there are a floor of what scarcity would fetch.</p>",
                escape(&com.max_price_multiple.dist.describe("x reference")),
                list.join(", ")
            );
        }
        h.push_str("</div>\n");
    }
    if !quiet.is_empty() {
        let _ = writeln!(
            h,
            "<p class=\"note\">Every median price stays within 2% of its reference and no demand \
             goes unmet for: {} (the summary table above has their peaks; metrics.csv every \
             region).</p>",
            escape(&quiet.join(", "))
        );
    }
    if !sel.restricted.is_empty() {
        h.push_str(
            "<p class=\"note\">Peak price index: the highest price over the horizon as a multiple \
             of the reference price. Unmet demand: the share of the region's demand for the \
             commodity left unmet over the horizon.</p>\n",
        );
    }
}

/// Per strategic stockpile: how often it ran dry, and when.
fn stockpiles(h: &mut String, scenario: &Scenario, results: &dyn RunView) {
    let horizon = results.horizon() as f64;
    let mut rows = Vec::new();
    for p in &scenario.policies {
        let PolicyKind::Stockpile {
            region, commodity, ..
        } = &p.kind
        else {
            continue;
        };
        let (reg, com) = (
            &scenario.regions[*region],
            &scenario.commodities[*commodity],
        );
        let name = format!("stockpile.{}.{}.empty_at", reg.id, com.id);
        let Some(m) = results.metric_index(&name) else {
            continue;
        };
        let Some(values) = results.metric_values(m) else {
            continue;
        };
        // `empty_at` is the horizon in trials where the stockpile never ran dry.
        let dry: Vec<f64> = values.into_iter().filter(|&t| t < horizon).collect();
        let share = dry.len() as f64 / results.trials().max(1) as f64;
        let when = if dry.is_empty() {
            "never ran dry".to_string()
        } else {
            let median = crate::stats::quantile_sorted(&crate::stats::sorted(&dry), 0.5);
            scenario.meta.period_label(median.round() as usize)
        };
        rows.push((
            p.id.clone(),
            format!("{} in {} {}", com.name, reg.id, reg.name),
            share,
            when,
        ));
    }
    if rows.is_empty() {
        return;
    }
    h.push_str(
        "<h3>Strategic stockpiles</h3>\n<table>\n<thead><tr><th>Policy</th><th>Holds</th>\
         <th class=\"num\">Trials in which it ran dry</th>\
         <th class=\"num\">Median period it ran dry</th></tr></thead>\n<tbody>\n",
    );
    for (id, holds, share, when) in &rows {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            escape(id),
            escape(holds),
            pct(*share),
            escape(when)
        );
    }
    h.push_str("</tbody>\n</table>\n");
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn charts_section(
    h: &mut String,
    scenario: &Scenario,
    results: &dyn RunView,
    charts: &[Chart],
    overview: Option<String>,
) {
    h.push_str("<section id=\"charts\" class=\"detail\">\n<h2>Charts</h2>\n");
    if charts.is_empty() {
        h.push_str(
            "<p>No charts in this report: they were not drawn for this run (run without \
             <code>--no-charts</code> to include them), or no sector lost anything.</p>\n",
        );
        h.push_str("</section>\n");
        return;
    }
    let sel = select(scenario, results);
    let mut notes = Vec::new();
    if sel.groups_total > sel.groups.len() {
        notes.push(format!(
            "Output charts cover the {} of {} affected kinds of sector with the largest value \
             lost (at most {MAX_SECTOR_CHARTS}); the tables above list every sector.",
            sel.groups.len(),
            sel.groups_total
        ));
    }
    let detailed = sel.detailed.len();
    let total = sel.restricted.len();
    if detailed < total {
        notes.push(format!(
            "Price and flow charts cover the {detailed} of {total} restricted commodities whose \
             prices move most (at most {MAX_COMMODITY_CHARTS}; a median that stays within 2% of \
             the reference gets no chart); the peak-price chart and the tables show all {total}."
        ));
    }
    for n in notes {
        let _ = writeln!(h, "<p class=\"note\">{}</p>", escape(&n));
    }
    for c in charts {
        if overview.as_deref() == Some(c.file_stem.as_str()) {
            continue;
        }
        figure(h, c);
    }
    h.push_str("</section>\n");
}

/// One assumption row: a label and the parameter's distribution in words.
fn param_row(h: &mut String, label: &str, p: &Param, unit: &str) {
    let _ = writeln!(
        h,
        "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
        escape(label),
        escape(&p.dist.describe(unit))
    );
}

fn text_row(h: &mut String, label: &str, value: &str) {
    let _ = writeln!(
        h,
        "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
        escape(label),
        escape(value)
    );
}

fn probability_words(p: &Param) -> String {
    match p.dist {
        Dist::Const(v) => format!("{} of trials", pct(v)),
        _ => p.dist.describe(""),
    }
}

fn assumptions(h: &mut String, scenario: &Scenario) {
    let periods = scenario.meta.period.plural();
    let region = |i: usize| {
        let r = &scenario.regions[i];
        format!("{} ({})", r.name, r.id)
    };
    let commodity = |i: usize| scenario.commodities[i].name.clone();
    let sector = |i: usize| {
        let s = &scenario.sectors[i];
        format!("{} ({})", s.name, scenario.regions[s.region].id)
    };
    h.push_str("<section id=\"assumptions\" class=\"detail\">\n<h2>Assumptions</h2>\n");
    let _ = writeln!(
        h,
        "<p>Each trial draws every uncertain parameter once from the distribution below. Times \
         are in {periods} and rounded to whole {periods}; shares are fractions of 1.</p>"
    );
    h.push_str("<h3>Shocks</h3>\n");
    if scenario.shocks.is_empty() {
        h.push_str("<p>No shocks: a baseline run.</p>\n");
    }
    for s in &scenario.shocks {
        let _ = writeln!(
            h,
            "<h4>{} <span class=\"note\">({})</span></h4>\n<table>\n<tbody>",
            escape(&s.id),
            s.kind.name().replace('_', " ")
        );
        match &s.kind {
            ShockKind::ExportRestriction {
                exporter,
                commodities,
                targets,
                targets_all,
                severity,
                leakage,
                relief_half_life,
                announced,
                precautionary_cover,
                licensing,
                severity_path,
                ..
            } => {
                text_row(h, "exporter", &region(*exporter));
                let cs: Vec<String> = commodities.iter().map(|&c| commodity(c)).collect();
                text_row(h, "commodities", &cs.join(", "));
                let ts = if *targets_all {
                    "every other region".to_string()
                } else {
                    targets
                        .iter()
                        .map(|&t| region(t))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                text_row(h, "targets", &ts);
                shock_timing(h, s, periods);
                match severity_path {
                    Some(path) => {
                        for (k, p) in path.iter().enumerate() {
                            let label = format!("share blocked {k} {periods} after the start");
                            param_row(h, &label, p, "");
                        }
                    }
                    None => param_row(h, "severity (share of flows blocked)", severity, ""),
                }
                text_row(h, "severity is a share of", basis_words(&s.kind));
                param_row(h, "leakage (share that gets through anyway)", leakage, "");
                if let Some(a) = announced {
                    param_row(h, "announced (period)", a, "");
                }
                if let Some(c) = precautionary_cover {
                    param_row(
                        h,
                        "extra stock buyers seek (precautionary cover)",
                        c,
                        periods,
                    );
                }
                match (licensing, relief_half_life) {
                    (Some(l), _) => {
                        param_row(h, "licence review (no licence granted)", &l.review, periods);
                        param_row(
                            h,
                            "approvals per period (share of the blocked flow)",
                            &l.approval_rate,
                            "",
                        );
                        param_row(h, "most ever approved (ceiling)", &l.ceiling, "");
                    }
                    (None, Some(p)) => param_row(h, "relief half-life", p, periods),
                    (None, None) => text_row(h, "relief half-life", "none: a hard ban"),
                }
            }
            ShockKind::ProductionOutage {
                region: r,
                commodity: c,
                severity,
                ..
            } => {
                text_row(
                    h,
                    "producer",
                    &format!("{} in {}", commodity(*c), region(*r)),
                );
                shock_timing(h, s, periods);
                param_row(h, "severity (share of capacity lost)", severity, "");
            }
            ShockKind::DemandSurge {
                sector_id,
                region: r,
                factor,
                ..
            } => {
                let place = r.map_or("every region".to_string(), region);
                text_row(h, "sector", &format!("{sector_id} in {place}"));
                shock_timing(h, s, periods);
                param_row(h, "demand factor", factor, "x");
            }
        }
        h.push_str("</tbody>\n</table>\n");
    }
    h.push_str("<h3>Policies</h3>\n");
    if scenario.policies.is_empty() {
        h.push_str("<p>No policies.</p>\n");
    }
    for p in &scenario.policies {
        let _ = writeln!(
            h,
            "<h4>{} <span class=\"note\">({})</span></h4>\n<table>\n<tbody>",
            escape(&p.id),
            p.kind.name().replace('_', " ")
        );
        match &p.kind {
            PolicyKind::Stockpile {
                region: r,
                commodity: c,
                initial,
                release_below,
                max_release,
                eligible,
            } => {
                text_row(h, "holds", &format!("{} in {}", commodity(*c), region(*r)));
                param_row(
                    h,
                    "initial stock",
                    initial,
                    &format!("{periods} of regional demand"),
                );
                param_row(h, "releases while fill ratio below", release_below, "");
                param_row(
                    h,
                    "largest release per period (share of demand)",
                    max_release,
                    "",
                );
                let who = if eligible.is_empty() {
                    "every sector of the region".to_string()
                } else {
                    eligible
                        .iter()
                        .map(|&s| sector(s))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                text_row(h, "eligible sectors", &who);
            }
            PolicyKind::CapacityExpansion {
                commodity: c,
                region: r,
                capacity,
                lead_time,
                ramp,
                success,
                inputs,
                ..
            } => {
                let unit = &scenario.commodities[*c].unit;
                text_row(
                    h,
                    "adds",
                    &format!("{} capacity in {}", commodity(*c), region(*r)),
                );
                param_row(h, "capacity", capacity, &format!("{unit} per year"));
                param_row(h, "lead time", lead_time, periods);
                param_row(h, "ramp to full capacity", ramp, periods);
                param_row(h, "chance the project delivers", success, "");
                for (i, q) in inputs {
                    param_row(
                        h,
                        &format!("input: {} per {unit}", commodity(*i)),
                        q,
                        &scenario.commodities[*i].unit,
                    );
                }
            }
            PolicyKind::Recycling {
                region: r,
                commodity: c,
                share,
                lead_time,
                ramp,
            } => {
                text_row(
                    h,
                    "recycles",
                    &format!("{} in {}", commodity(*c), region(*r)),
                );
                param_row(h, "share of regional demand at full ramp", share, "");
                param_row(h, "lead time", lead_time, periods);
                param_row(h, "ramp", ramp, periods);
            }
            PolicyKind::Substitution {
                sector: s,
                commodity: c,
                max,
                lag,
                rate,
            } => {
                text_row(
                    h,
                    "substitutes",
                    &format!("{} in {}", commodity(*c), sector(*s)),
                );
                param_row(h, "largest share substituted", max, "");
                param_row(h, "lag before it starts", lag, periods);
                param_row(h, "share substituted per period", rate, "");
            }
            PolicyKind::Priority {
                sector: s,
                priority,
            } => {
                text_row(h, "sector", &sector(*s));
                text_row(
                    h,
                    "priority tier",
                    &format!("{priority} (lower is served first)"),
                );
            }
        }
        h.push_str("</tbody>\n</table>\n");
    }
    h.push_str("</section>\n");
}

/// What an export restriction's severity is a share of, in words.
fn basis_words(kind: &ShockKind) -> &'static str {
    match kind {
        ShockKind::ExportRestriction {
            basis: RestrictionBasis::Flow,
            ..
        } => "the flow it would otherwise ship to each target (basis flow)",
        _ => "the exporter's whole available output (basis output)",
    }
}

fn shock_timing(h: &mut String, s: &crate::scenario::Shock, periods: &str) {
    param_row(h, "start", &s.start, periods);
    param_row(h, "duration", &s.duration, periods);
    text_row(
        h,
        "probability it happens",
        &probability_words(&s.probability),
    );
}

/// The repository's bibliography, compiled in so every report resolves its tags by itself.
const BIBLIOGRAPHY: &str = include_str!("../../docs/sources.md");

/// The entries of docs/sources.md: `- **[tag]** reference` lines, as `(tag, reference)`.
pub fn bibliography() -> Vec<(&'static str, &'static str)> {
    BIBLIOGRAPHY
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("- **[")?;
            let (tag, text) = rest.split_once("]**")?;
            Some((tag, text.trim()))
        })
        .collect()
}

/// Source tags cited in `text`: `[29]`, `[73e]`, `[8b][1b]` (digits, then optional letters).
pub fn source_tags(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find('[') {
        rest = &rest[i + 1..];
        let Some(end) = rest.find(']') else {
            break;
        };
        let tag = &rest[..end];
        let digits = tag.chars().take_while(char::is_ascii_digit).count();
        if digits > 0 && tag[digits..].chars().all(|c| c.is_ascii_lowercase()) {
            out.push(tag.to_string());
        }
    }
    out
}

/// Tags in bibliography order: by number, then letter.
fn tag_key(tag: &str) -> (u32, String) {
    let digits: String = tag.chars().take_while(char::is_ascii_digit).collect();
    (
        digits.parse().unwrap_or(u32::MAX),
        tag[digits.len()..].to_string(),
    )
}

/// What this scenario rests on, at the end and compact: the scenario file's own reasons (its
/// shocks and policies), then a bibliography of every source tag cited by them and by the world
/// entries the scenario touches (restricted commodities with their producers and stocks, and
/// the sectors that lose output), each resolved from docs/sources.md.
fn sources(h: &mut String, scenario: &Scenario, results: &dyn RunView) {
    let mut reasons: Vec<(String, String)> = Vec::new();
    let mut cited: Vec<String> = Vec::new();
    let mut cite = |what: String, src: &Option<String>, reasons: &mut Vec<(String, String)>| {
        if let Some(s) = src.as_deref().filter(|s| !s.trim().is_empty()) {
            if !what.is_empty() {
                reasons.push((what, s.to_string()));
            }
            cited.push(s.to_string());
        }
    };
    cite("scenario".to_string(), &scenario.meta.source, &mut reasons);
    for s in &scenario.shocks {
        cite(format!("shock {}", s.id), &s.source, &mut reasons);
    }
    for p in &scenario.policies {
        cite(format!("policy {}", p.id), &p.source, &mut reasons);
    }
    let restricted: Vec<usize> = restricted(scenario).iter().map(|r| r.commodity).collect();
    for &c in &restricted {
        cite(String::new(), &scenario.commodities[c].source, &mut reasons);
    }
    for p in scenario
        .producers
        .iter()
        .filter(|p| restricted.contains(&p.commodity))
    {
        cite(String::new(), &p.source, &mut reasons);
    }
    for i in scenario
        .inventories
        .iter()
        .filter(|i| restricted.contains(&i.commodity))
    {
        cite(String::new(), &i.source, &mut reasons);
    }
    if results.trials() > 0 {
        for s in crate::report::charts::select(scenario, results).all_affected {
            cite(String::new(), &scenario.sectors[s].source, &mut reasons);
        }
    }
    let mut tags: Vec<String> = cited.iter().flat_map(|s| source_tags(s)).collect();
    tags.sort_by_key(|t| tag_key(t));
    tags.dedup();

    h.push_str("<section id=\"sources\" class=\"detail\">\n<h2>Sources</h2>\n");
    if !reasons.is_empty() {
        h.push_str(
            "<h3>Why the scenario assumes what it does</h3>\n<table class=\"reasons\">\n<tbody>\n",
        );
        for (what, src) in &reasons {
            let _ = writeln!(
                h,
                "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
                escape(what),
                escape(src)
            );
        }
        h.push_str("</tbody>\n</table>\n");
    }
    let bib = bibliography();
    if tags.is_empty() {
        h.push_str("<p>The scenario and the world entries it uses cite no source tags.</p>\n");
    } else {
        h.push_str("<h3>References</h3>\n<ul class=\"bib\">\n");
        let mut missing = Vec::new();
        for t in &tags {
            match bib.iter().find(|(tag, _)| tag == t) {
                Some((_, text)) => {
                    let _ = writeln!(
                        h,
                        "<li><strong>[{}]</strong> {}</li>",
                        escape(t),
                        escape(text)
                    );
                }
                None => missing.push(format!("[{t}]")),
            }
        }
        h.push_str("</ul>\n");
        if !missing.is_empty() {
            let _ = writeln!(
                h,
                "<p class=\"note\">Not in the project's bibliography (docs/sources.md): {}.</p>",
                escape(&missing.join(", "))
            );
        }
    }
    h.push_str(
        "<p class=\"note\">Tags resolve in docs/sources.md of the chokepoint repository. Every \
         world entry's own source note is in <code>world.toml</code> beside this report; the \
         model and the file format are described in docs/model.md and docs/scenario-files.md.</p>\n",
    );
    h.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_tags_are_found_and_resolve() {
        assert_eq!(
            source_tags("No. 18 [29]: ~45 days [73e]; see [46b][71] and [x] [12ab] [a1]"),
            ["29", "73e", "46b", "71", "12ab"]
        );
        let bib = bibliography();
        assert!(bib.len() > 100, "{}", bib.len());
        assert!(bib.iter().any(|(t, text)| *t == "29" && !text.is_empty()));
        let mut keys: Vec<&str> = vec!["10", "9b", "9", "100"];
        keys.sort_by_key(|t| tag_key(t));
        assert_eq!(keys, ["9", "9b", "10", "100"]);
    }

    #[test]
    fn restriction_basis_in_words() {
        let kind = |basis| ShockKind::ExportRestriction {
            exporter: 0,
            commodities: vec![],
            targets: vec![],
            targets_all: true,
            severity: Param::fixed("s", 1.0),
            leakage: Param::fixed("l", 0.0),
            relief_half_life: None,
            basis,
            announced: None,
            precautionary_cover: None,
            licensing: None,
            severity_path: None,
        };
        assert!(basis_words(&kind(RestrictionBasis::Flow)).contains("basis flow"));
        assert!(basis_words(&kind(RestrictionBasis::Output)).contains("basis output"));
    }

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<b a=\"x\">&'"),
            "&lt;b a=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
