//! `portfolio.html`: the answer to "which package, and which of its levers, buys the most safety
//! per dollar" on one self-contained page in report.html's design (`page`): a first screen that
//! answers in words (the package and the lever with their intervals, what interacts) over the
//! efficient-frontier chart, then the packages ranked, each package's levers ranked by what they
//! add to it per dollar, and how to read them. No scripts, no remote assets; text escaped.

use std::fmt::Write;

use super::compare_html::InlineChart;
use super::format::{metric_label, money, percent};
use super::page::{self, escape};
use super::portfolio::{
    Portfolio, interaction_cell, money_interval, package_cells, per_dollar, rank_key,
};
use crate::stats::portfolio::Effect;

/// The first screen's answers: which package buys the most safety per dollar (with its
/// interval), which lever, and what interacts.
fn briefing_answers(p: &Portfolio) -> Vec<(String, String)> {
    let mut out = Vec::new();
    // With one package, naming it again in every clause only repeats the header.
    let several = p.packages.len() > 1;
    let within = |k: &str| {
        if several {
            format!(" in {}", escape(k))
        } else {
            String::new()
        }
    };
    let Some(top) = p.packages.first() else {
        out.push((
            "Which package buys the most safety per dollar".to_string(),
            "No package was run.".to_string(),
        ));
        return out;
    };
    let w = &top.whole;
    let others = if p.packages.len() > 1 {
        let rest: Vec<String> = p.packages[1..]
            .iter()
            .map(|k| format!("{} ({} per dollar)", escape(&k.name), per_dollar(&k.whole)))
            .collect();
        format!(" The others rank: {}.", rest.join("; "))
    } else {
        String::new()
    };
    out.push((
        "Which package buys the most safety per dollar".to_string(),
        format!(
            "<strong>{}</strong>: {} of loss avoided per dollar (95% interval). For {} it \
             avoids {} in the mean and {} in the bad case (the worst 5% of trials), and does \
             better than the base in {} of trials.{others}",
            escape(&top.name),
            per_dollar_words(w),
            money(w.cost),
            money_interval(&w.mean),
            money_interval(&w.cvar95),
            percent(w.p_better),
        ),
    ));
    // The lever that adds most per dollar to its package, over every package.
    let best = p
        .packages
        .iter()
        .flat_map(|k| k.levers.iter().map(move |l| (k, l)))
        .filter(|(k, _)| k.levers.len() > 1)
        .max_by(|a, b| {
            rank_key(&a.1.in_package)
                .total_cmp(&rank_key(&b.1.in_package))
                .then(b.1.name.cmp(&a.1.name))
        });
    out.push((
        "Which lever buys the most".to_string(),
        match best {
            Some((k, l)) => format!(
                "<strong>{}</strong>{}: it adds {} to the package for {} ({} per dollar); \
                 alone against the base it avoids {} ({} per dollar).",
                escape(&l.name),
                within(&k.name),
                money_interval(&l.in_package.mean),
                money(l.in_package.cost),
                per_dollar_words(&l.in_package),
                money_interval(&l.alone.mean),
                per_dollar_words(&l.alone),
            ),
            None => "Every package has a single lever: its row above is the answer.".to_string(),
        },
    ));
    let flagged: Vec<String> = p
        .packages
        .iter()
        .flat_map(|k| {
            let whole = k.interaction.flagged.then(|| {
                format!(
                    "all levers{} together ({} of {})",
                    within(&k.name),
                    k.interaction.word(),
                    money_interval(&k.interaction.gap)
                )
            });
            let levers = k.levers.iter().filter(|l| l.interaction.flagged).map(|l| {
                format!(
                    "{}{} ({} of {})",
                    escape(&l.name),
                    within(&k.name),
                    l.interaction.word(),
                    money_interval(&l.interaction.gap)
                )
            });
            whole.into_iter().chain(levers).collect::<Vec<_>>()
        })
        .collect();
    out.push((
        "What interacts".to_string(),
        if flagged.is_empty() {
            "No lever saves clearly more or less in its package than alone: the levers add up."
                .to_string()
        } else {
            format!(
                "Flagged: {}. Overlap: the other levers already cover part of what a lever saves \
                 (alone it saves more); synergy: it saves more together with them.",
                flagged.join("; ")
            )
        },
    ));
    out
}

/// Loss avoided per dollar in words, with its interval: `$4.10 [3.20, 5.00]`.
fn per_dollar_words(e: &Effect) -> String {
    if e.cost > 0.0 {
        format!("${}", per_dollar(e))
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
    page::open(
        &mut h,
        &format!("Portfolio against {} · chokepoint", i.base_name),
    );
    let _ = write!(
        h,
        "<header>\n<h1>Which package and lever buys the most safety per dollar<br><small>against \
         {base}</small></h1>\n<dl class=\"meta\">\n"
    );
    let _ = writeln!(h, "<dt>Base</dt><dd>{base} ({})</dd>", escape(&i.base_file));
    let _ = writeln!(
        h,
        "<dt>Metric</dt><dd>{} (base mean {}, CVaR95 {})</dd>",
        escape(&metric_label(&i.metric, None)),
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
    h.push_str("<section id=\"briefing\">\n<h2>In brief</h2>\n");
    page::answers(&mut h, &briefing_answers(p));
    // The overview: the efficient frontier.
    for c in charts {
        page::figure(&mut h, Some("frontier"), &c.title, &c.caption, &c.svg);
    }
    h.push_str("</section>\n");
    h.push_str(
        "<nav><ol><li><a href=\"#packages\">Packages</a></li>\
         <li><a href=\"#reading\">How to read this</a></li></ol></nav>\n",
    );
    h.push_str(
        "<section id=\"packages\">\n<h2>Packages, ranked by loss avoided per dollar</h2>\n<table>\n",
    );
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
        cells(&mut h, &package_cells(k));
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
    h.push_str("</section>\n");
    h.push_str(
        "<section id=\"reading\" class=\"detail\">\n<h2>How to read this</h2>\n<p>Every \
         variant ran with the base's seed and trial numbers, so in each trial every variant faced \
         the same shocks (common random numbers) and every effect is a paired, trial-by-trial \
         difference. <b>Loss avoided</b> is the base minus the variant. <b>Alone</b>: the lever's \
         policies and nothing else, against the base. <b>In package</b>: the package without the \
         lever minus the whole package, what the lever adds to the rest. The mean's 95% interval \
         is mean &plusmn; 1.96 standard errors; the CVaR95 (mean of the worst 5% of trials) and \
         per-dollar intervals are paired bootstrap intervals. <b>Per $</b> is the mean loss \
         avoided per dollar of mean cost (costs are present-value dollars from each policy's \
         <code>cost</code>, drawn per trial). A lever is flagged when what it avoids alone \
         differs clearly (the 95% interval excludes zero) and materially (by at least 5%) from \
         what it adds in the package: <b>overlap</b> when other levers already cover what it \
         saves, <b>synergy</b> when it saves more together with them.</p>\n</section>\n",
    );
    let footer = format!(
        "Generated by chokepoint {}. Files beside this page: portfolio.json and portfolio.csv \
         (every effect with its intervals, the frontier points).",
        env!("CARGO_PKG_VERSION")
    );
    page::close(&mut h, &footer);
    h
}
