//! `comparison.html`: a self-contained page for a paired comparison: both scenarios, how to read the
//! numbers, the key rows with their paired differences, and the comparison charts inlined as SVG.
//! Same style sheet as `report.html`; no scripts, no remote assets; scenario text is escaped.

use std::fmt::Write;

use super::compare::{CompareInfo, ROW_HEADERS, row_cells, row_label, sections};
use super::format::{money, percent, subject_label};
use super::html::{CSP, CSS, escape};
use crate::scenario::Scenario;
use crate::stats::paired::Comparison;

/// One paragraph answering "how much risk does the policy remove?" from the world value lost:
/// the mean, the bad case (CVaR95) and how often the policy helps.
fn headline(cmp: &Comparison) -> Option<String> {
    let w = cmp.metrics.iter().find(|m| m.name == "world.value_lost")?;
    let p = &w.paired;
    if p.base.mean.is_nan() || p.base.mean <= 0.0 {
        return None;
    }
    let share = |b: f64, q: f64| {
        if b > 0.0 {
            format!(" ({} of the base)", percent((b - q) / b))
        } else {
            String::new()
        }
    };
    let verb = if p.diff.mean <= 0.0 { "cuts" } else { "raises" };
    Some(format!(
        "<p class=\"headline\">The policy {verb} the world's mean value lost from <b>{}</b> to \
         <b>{}</b>{}, and the mean of the worst 5% of trials (CVaR95) from {} to {}{}. It does strictly better \
         in {} of trials and worse in {}.</p>\n",
        money(p.base.mean),
        money(p.policy.mean),
        share(p.base.mean, p.policy.mean),
        money(p.base.cvar95),
        money(p.policy.cvar95),
        share(p.base.cvar95, p.policy.cvar95),
        percent(p.diff.p_better),
        percent(p.diff.p_worse),
    ))
}

/// A drawn chart to inline: title, caption, SVG document.
#[derive(Debug, Clone, PartialEq)]
pub struct InlineChart {
    pub title: String,
    pub caption: String,
    pub svg: String,
}

/// The whole page as one HTML document, rows labelled from metric names alone.
pub fn comparison_html(info: &CompareInfo, cmp: &Comparison, charts: &[InlineChart]) -> String {
    comparison_page(info, cmp, charts, None)
}

/// The page with rows named from the base scenario (`EU Automotive`), as `chokepoint compare`
/// writes it.
pub fn comparison_html_named(
    info: &CompareInfo,
    cmp: &Comparison,
    charts: &[InlineChart],
    base: &Scenario,
) -> String {
    comparison_page(info, cmp, charts, Some(base))
}

fn comparison_page(
    info: &CompareInfo,
    cmp: &Comparison,
    charts: &[InlineChart],
    scenario: Option<&Scenario>,
) -> String {
    let (base, policy) = (escape(&info.base.name), escape(&info.policy.name));
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n\
         <title>{policy} vs {base} · chokepoint comparison</title>\n<style>{CSS}</style>\n\
         </head>\n<body>\n<main>\n<header>\n<h1>{policy}<br><small>compared with {base}</small></h1>\n\
         <dl class=\"meta\">\n"
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

    h.push_str(
        "<h2 id=\"reading\">How to read this</h2>\n<p>Both scenarios ran with the same seed and \
         trial numbers, so in each trial both sides faced exactly the same shocks (common random \
         numbers); only the policy differs. The <b>difference</b> is policy minus base, trial by \
         trial: for a loss, negative means the policy removed loss. The interval is the 95% \
         interval of the mean difference (mean &plusmn; 1.96 standard errors): how precisely the \
         trials pin down the average effect, not the range of effects in single trials. \
         <b>P(policy better)</b> and <b>P(worse)</b> are the shares of trials where the policy \
         side did strictly better or worse; the remaining trials are ties, where the policy \
         changed nothing.</p>\n",
    );

    h.push_str("<h2 id=\"key-metrics\">Key metrics</h2>\n");
    if let Some(line) = headline(cmp) {
        h.push_str(&line);
    }
    let picked = sections(cmp);
    if picked.sections.is_empty() {
        h.push_str("<p>No value lost and no sector output loss on either side in any trial.</p>\n");
    }
    for (title, rows) in &picked.sections {
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
    if picked.omitted > 0 {
        let _ = writeln!(
            h,
            "<p class=\"note\">{} metric(s) with no loss on either side are not shown; \
             <code>comparison.csv</code> has every metric.</p>",
            picked.omitted
        );
    }
    for (which, names) in [("base", &cmp.only_base), ("policy", &cmp.only_policy)] {
        if !names.is_empty() {
            let _ = writeln!(
                h,
                "<p class=\"note\">Only in the {which} run, not compared: {}.</p>",
                escape(&names.join(", "))
            );
        }
    }

    if !charts.is_empty() {
        h.push_str("<section id=\"charts\" class=\"detail\">\n<h2>Charts</h2>\n");
        for c in charts {
            // As in report.html: label the inline SVG for screen readers (plotters escapes its
            // text) and drop anything before the <svg> element.
            let svg = c.svg.find("<svg").map_or(String::new(), |i| {
                format!(
                    "<svg role=\"img\" aria-label=\"{}\"{}",
                    escape(&c.title),
                    &c.svg[i + 4..]
                )
            });
            let _ = writeln!(
                h,
                "<figure>\n<h3>{}</h3>\n{}\n<figcaption>{}</figcaption>\n</figure>",
                escape(&c.title),
                svg.trim_end(),
                escape(&c.caption)
            );
        }
        h.push_str("</section>\n");
    }
    let _ = write!(
        h,
        "<footer>Generated by chokepoint {}. Files beside this page: comparison.json and \
         comparison.csv (every metric, both sides' distributions and the paired difference), \
         sensitivity.csv (rank correlations of every sampled parameter).</footer>\n\
         </main>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    );
    h
}
