//! `portfolio.html`: the answer to "which package, and which of its levers, buys the most safety
//! per dollar" on one self-contained page: the packages ranked, each package's levers ranked by
//! what they add to it per dollar, the interaction flags, and the efficient-frontier chart inlined
//! as SVG. Same style sheet as `report.html`; no scripts, no remote assets; scenario text escaped.

use std::fmt::Write;

use super::compare_html::InlineChart;
use super::format::{money, percent};
use super::html::{CSS, escape};
use super::portfolio::{Portfolio, interaction_cell, money_interval, per_dollar};
use crate::stats::portfolio::Effect;

/// One sentence per package: cost, what it avoids in the mean and the bad case, per dollar, and
/// its best lever.
fn headline(p: &Portfolio) -> String {
    let mut h = String::new();
    for k in &p.packages {
        let w = &k.whole;
        let best = k
            .levers
            .first()
            .filter(|_| k.levers.len() > 1)
            .map(|l| {
                format!(
                    " Its best lever per dollar is <b>{}</b> ({} avoided in the package for {}).",
                    escape(&l.name),
                    money(l.in_package.mean.value),
                    money(l.in_package.cost)
                )
            })
            .unwrap_or_default();
        let _ = writeln!(
            h,
            "<p class=\"headline\"><b>{}</b> costs {} and avoids {} of {} in the mean (95% \
             interval {} to {}) and {} in the worst 5% of trials; {} of loss avoided per dollar. \
             It does better than the base in {} of trials.{best}</p>",
            escape(&k.name),
            money(w.cost),
            money(w.mean.value),
            escape(&p.info.metric),
            money(w.mean.low),
            money(w.mean.high),
            money(w.cvar95.value),
            per_dollar_words(w),
            percent(w.p_better),
        );
    }
    h
}

fn per_dollar_words(e: &Effect) -> String {
    if e.cost > 0.0 {
        format!("${:.2}", e.per_dollar.value)
    } else {
        "at no cost, an unbounded amount".into()
    }
}

fn cells(h: &mut String, cells: &[String]) {
    h.push_str("<tr>");
    for (i, c) in cells.iter().enumerate() {
        if i == 0 {
            let _ = write!(h, "<td>{}</td>", escape(c));
        } else {
            let _ = write!(h, "<td class=\"num\">{}</td>", escape(c));
        }
    }
    h.push_str("</tr>\n");
}

fn header(h: &mut String, heads: &[&str]) {
    h.push_str("<tr>");
    for (i, c) in heads.iter().enumerate() {
        if i == 0 {
            let _ = write!(h, "<th>{}</th>", escape(c));
        } else {
            let _ = write!(h, "<th class=\"num\">{}</th>", escape(c));
        }
    }
    h.push_str("</tr>\n");
}

/// The whole page as one HTML document.
pub fn portfolio_html(p: &Portfolio, charts: &[InlineChart]) -> String {
    let i = &p.info;
    let base = escape(&i.base_name);
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Portfolio against {base} · chokepoint</title>\n<style>{CSS}</style>\n\
         </head>\n<body>\n<main>\n<header>\n<h1>Which package and lever buys the most safety \
         per dollar<br><small>against {base}</small></h1>\n<dl class=\"meta\">\n"
    );
    let _ = writeln!(h, "<dt>Base</dt><dd>{base} ({})</dd>", escape(&i.base_file));
    let _ = writeln!(
        h,
        "<dt>Metric</dt><dd>{} (base mean {}, CVaR95 {})</dd>",
        escape(&i.metric),
        money(i.base_mean),
        money(i.base_cvar95)
    );
    let _ = writeln!(h, "<dt>Trials</dt><dd>{} in every run</dd>", i.trials);
    let _ = writeln!(h, "<dt>Seed</dt><dd>{} in every run</dd>", i.seed);
    let _ = writeln!(
        h,
        "<dt>Horizon</dt><dd>{} {}s</dd>\n</dl>\n</header>",
        i.horizon,
        escape(&i.period)
    );
    h.push_str(
        "<h2 id=\"reading\">How to read this</h2>\n<p>Every variant ran with the base's seed and \
         trial numbers, so in each trial every variant faced the same shocks (common random \
         numbers) and every effect is a paired, trial-by-trial difference. <b>Loss avoided</b> is \
         the base minus the variant. <b>Alone</b>: the lever's policies and nothing else, against \
         the base. <b>In package</b>: the package without the lever minus the whole package, what \
         the lever adds to the rest. The mean's 95% interval is mean &plusmn; 1.96 standard \
         errors; the CVaR95 (mean of the worst 5% of trials) and per-dollar intervals are paired \
         bootstrap intervals. <b>Per $</b> is the mean loss avoided per dollar of mean cost \
         (costs are present-value dollars from each policy's <code>cost</code>, drawn per trial). \
         A lever is flagged when what it avoids alone differs clearly (the 95% interval excludes \
         zero) and materially (by at least 5%) from what it adds in the package: \
         <b>overlap</b> when other levers already cover what it saves, <b>synergy</b> when it \
         saves more together with them.</p>\n",
    );
    h.push_str("<h2 id=\"answer\">The answer</h2>\n");
    h.push_str(&headline(p));
    h.push_str("<h2 id=\"packages\">Packages, ranked by loss avoided per dollar</h2>\n<table>\n");
    header(
        &mut h,
        &[
            "package",
            "cost",
            "mean avoided [95%]",
            "CVaR95 avoided [95%]",
            "P(better)",
            "per $ [95%]",
            "levers apart vs together",
        ],
    );
    for k in &p.packages {
        cells(
            &mut h,
            &[
                k.name.clone(),
                money(k.whole.cost),
                money_interval(&k.whole.mean),
                money_interval(&k.whole.cvar95),
                percent(k.whole.p_better),
                per_dollar(&k.whole),
                interaction_cell(&k.interaction),
            ],
        );
    }
    h.push_str("</table>\n");
    for k in &p.packages {
        let _ = writeln!(
            h,
            "<h3>{}: levers ranked by loss avoided per dollar in the package</h3>\n<table>",
            escape(&k.name)
        );
        header(
            &mut h,
            &[
                "lever",
                "cost",
                "in package [95%]",
                "per $ in package",
                "alone [95%]",
                "alone CVaR95 [95%]",
                "P(better) alone",
                "per $ alone",
                "interaction",
            ],
        );
        for l in &k.levers {
            cells(
                &mut h,
                &[
                    l.name.clone(),
                    money(l.alone.cost),
                    money_interval(&l.in_package.mean),
                    per_dollar(&l.in_package),
                    money_interval(&l.alone.mean),
                    money_interval(&l.alone.cvar95),
                    percent(l.alone.p_better),
                    per_dollar(&l.alone),
                    interaction_cell(&l.interaction),
                ],
            );
        }
        h.push_str("</table>\n");
        let _ = writeln!(
            h,
            "<p class=\"note\">Policies of each lever: {}.</p>",
            k.levers
                .iter()
                .map(|l| format!("{} = {}", escape(&l.name), escape(&l.policies.join(", "))))
                .collect::<Vec<_>>()
                .join("; ")
        );
        if !k.uncosted.is_empty() {
            let _ = writeln!(
                h,
                "<p class=\"note\">Without a <code>cost</code>, counted as free: {}.</p>",
                escape(&k.uncosted.join(", "))
            );
        }
    }
    for c in charts {
        let svg = c.svg.find("<svg").map_or(String::new(), |i| {
            format!(
                "<svg role=\"img\" aria-label=\"{}\"{}",
                escape(&c.title),
                &c.svg[i + 4..]
            )
        });
        let _ = writeln!(
            h,
            "<h2 id=\"frontier\">Efficient frontier</h2>\n<figure>\n<h3>{}</h3>\n{}\n\
             <figcaption>{}</figcaption>\n</figure>",
            escape(&c.title),
            svg.trim_end(),
            escape(&c.caption)
        );
    }
    let _ = write!(
        h,
        "<footer>Generated by chokepoint {}. Files beside this page: portfolio.json and \
         portfolio.csv (every effect with its intervals, the frontier points).</footer>\n\
         </main>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    );
    h
}
