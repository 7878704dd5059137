//! The HTML report: its structure (snapshot), escaping of everything from scenario files,
//! self-containment, assumptions in words and the worst-first ordering of the metrics tables.

use chokepoint::report::charts::{Chart, Draw, plan};
use chokepoint::report::html::render;
use chokepoint::run::RunResults;
use chokepoint::scenario::Scenario;

use super::fixture;

/// Charts without PNG files: what `draw_all` returns, minus the disk.
fn charts(s: &Scenario, r: &RunResults) -> Vec<Chart> {
    plan(s, r)
        .into_iter()
        .map(|f| Chart {
            svg: f.svg().unwrap(),
            file_stem: f.file_stem,
            title: f.title,
            caption: f.caption,
            kind: f.kind,
        })
        .collect()
}

/// The report's outline: sections, headings, figures and table headers, one per line, with
/// inner tags stripped. Leaves out the SVG bytes.
fn outline(html: &str) -> String {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i..];
        let tag_end = rest.find('>').unwrap();
        let tag = &rest[1..tag_end];
        let name = tag.split_whitespace().next().unwrap_or("");
        match name {
            "section" | "figure" => out.push(format!("<{tag}>")),
            "h1" | "h2" | "h3" | "h4" | "th" | "figcaption" => {
                let close = format!("</{name}>");
                let end = rest.find(&close).unwrap();
                let inner = &rest[tag_end + 1..end];
                let indent = match name {
                    "h1" | "h2" => "",
                    "h3" => "  ",
                    _ => "    ",
                };
                out.push(format!("{indent}{name}: {}", strip_tags(inner)));
            }
            _ => {}
        }
        rest = &rest[tag_end + 1..];
    }
    out.join("\n")
}

fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in s.chars() {
        match c {
            '<' => inside = true,
            '>' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out.trim().to_string()
}

#[test]
fn structure_snapshot() {
    let s = fixture::scenario();
    let r = fixture::results(&s, 200, 11);
    let html = render(&s, &r, &charts(&s, &r));
    insta::assert_snapshot!(outline(&html));
}

#[test]
fn hostile_text_is_escaped_everywhere() {
    let s = fixture::hostile_scenario();
    let r = fixture::results(&s, 80, 12);
    let html = render(&s, &r, &charts(&s, &r));
    assert!(!html.contains("<script"), "raw markup in the report");
    let escaped = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot;";
    // World entries' own source notes are not repeated in the report (only the tags they cite,
    // resolved in its bibliography); the scenario file's reasons are.
    for field in [
        "Name",
        "Description",
        "Scenario source",
        "Region",
        "Chips",
        "shock-",
        "Shock source",
        "Policy source",
    ] {
        assert!(
            html.contains(&format!("{field} {escaped}"))
                || html.contains(&format!("{field}{escaped}")),
            "{field} not escaped"
        );
    }
    // Inside the inlined charts too (plotters' SVG escaping).
    assert!(html.contains(
        "Gallium &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot;: price index"
    ));
}

#[test]
fn report_is_self_contained_and_printable() {
    let s = fixture::scenario();
    let r = fixture::results(&s, 80, 13);
    let cs = charts(&s, &r);
    let html = render(&s, &r, &cs);
    assert!(html.starts_with("<!DOCTYPE html>"));
    for remote in ["<script", "<link", "<img", "src=", "url(", "@import"] {
        assert!(!html.contains(remote), "report uses {remote}");
    }
    // Nothing may load: the page's content security policy forbids every request.
    assert!(html.contains(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; img-src data:\">"
    ));
    // The only URL is the SVG namespace, once per chart.
    assert_eq!(html.matches("http:").count(), cs.len());
    assert_eq!(
        html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count(),
        cs.len()
    );
    assert_eq!(html.matches("<svg").count(), cs.len());
    for tag in [
        "section",
        "figure",
        "table",
        "tr",
        "h2",
        "h3",
        "h4",
        "dl",
        "figcaption",
    ] {
        let open =
            html.matches(&format!("<{tag}>")).count() + html.matches(&format!("<{tag} ")).count();
        let close = html.matches(&format!("</{tag}>")).count();
        assert_eq!(open, close, "<{tag}> opened {open} times, closed {close}");
    }
    assert!(html.contains("@media print"));
    assert!(html.contains("break-inside: avoid"));
}

#[test]
fn assumptions_read_in_words() {
    let s = fixture::scenario();
    let r = fixture::results(&s, 40, 14);
    let html = render(&s, &r, &[]);
    assert!(html.contains("triangular 3/6/18 months, mean 9"));
    assert!(html.contains("pert 0.6/0.85/0.98, mean 0.83"));
    assert!(html.contains("uniform 1-4 months, mean 2.5"));
    assert!(html.contains("80.0% of trials"));
    assert!(html.contains("3 months of regional demand"));
    assert!(html.contains("Defense (US)"), "eligible sector named");
    assert!(html.contains("No charts in this report"));
}

#[test]
fn metrics_tables_list_the_worst_first() {
    let s = fixture::scenario();
    let r = fixture::results(&s, 300, 15);
    let html = render(&s, &r, &[]);
    // Expected order of sectors by mean value lost, from the results directly.
    let mut expected: Vec<(String, f64)> = s
        .sectors
        .iter()
        .map(|sec| {
            let rid = &s.regions[sec.region].id;
            let m = r
                .metric_index(&format!("sector.{rid}.{}.value_lost", sec.id))
                .unwrap();
            (
                format!(
                    "<tr><td title=\"{}\">{}</td><td>{rid}</td>",
                    sec.name, sec.name
                ),
                r.summary(m).mean,
            )
        })
        .collect();
    expected.sort_by(|a, b| b.1.total_cmp(&a.1));
    let positions: Vec<usize> = expected
        .iter()
        .map(|(row, _)| {
            html.find(row.as_str())
                .unwrap_or_else(|| panic!("no row {row}"))
        })
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{expected:?}");
    let us = html.find("<tr><td>US United States</td>").unwrap();
    let cn = html.find("<tr><td>CN China</td>").unwrap();
    assert!(us < cn, "US loses more than CN in the fixture");
    assert!(html.contains("World value lost over the horizon"));
}

#[test]
fn zero_trials_give_an_empty_but_valid_report() {
    let s = fixture::scenario();
    let r = fixture::results(&s, 0, 1);
    let dir = tempfile::tempdir().unwrap();
    let cs = chokepoint::report::charts::draw_all(dir.path(), &s, &r).unwrap();
    assert!(cs.is_empty());
    let html = render(&s, &r, &cs);
    assert!(html.contains("No trials were run"));
    assert!(!html.contains("NaN"));
    assert!(html.ends_with("</html>\n"));
}

proptest::proptest! {
    #[test]
    fn escaped_text_has_no_markup_and_round_trips(s in "\\PC*") {
        let e = chokepoint::report::html::escape(&s);
        proptest::prop_assert!(!e.contains('<') && !e.contains('>') && !e.contains('"'));
        proptest::prop_assert!(!e.contains('\''));
        let back = e
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&");
        proptest::prop_assert_eq!(back, s);
    }

    #[test]
    fn file_names_from_ids_are_safe(s in "\\PC*") {
        let f = chokepoint::report::charts::file_safe(&s);
        proptest::prop_assert!(!f.is_empty());
        proptest::prop_assert!(f.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }
}

#[test]
fn hostile_scenario_file_is_escaped_in_report_and_charts() {
    let path = std::path::Path::new("tests/data/report/hostile.toml");
    let loaded = chokepoint::scenario::load(path).unwrap_or_else(|e| panic!("{e}"));
    let s = loaded.scenario;
    let r = fixture::results(&s, 100, 21);
    let cs = charts(&s, &r);
    assert!(!cs.is_empty());
    let html = render(&s, &r, &cs);
    for raw in [
        "<script",
        "<b>",
        "<img",
        "<a href='",
        "<i>",
        "<survey>",
        "<MCS>",
        "</svg><",
    ] {
        assert!(!html.contains(raw), "raw {raw} in the report");
    }
    // (A region's or commodity's own source note is not repeated in the report: world.toml beside it has it.)
    for escaped in [
        "Gallium &lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt; &amp; co",
        "A &lt;b&gt;bold&lt;/b&gt; claim &amp; an &lt;img src=x onerror=alert(1)&gt; tag",
        "Source &lt;a href=&#39;javascript:alert(1)&#39;&gt;link&lt;/a&gt; &amp; more",
        "Chips &lt;&amp;&gt; fabs",
        "MOFCOM &lt;No. 46&gt; &amp; GAC",
        "DLA &lt;plan&gt; &amp; budget",
    ] {
        assert!(html.contains(escaped), "missing {escaped}");
    }
    // Every inline chart is still one well-formed <svg> element.
    assert_eq!(html.matches("<svg").count(), cs.len());
    assert_eq!(html.matches("</svg>").count(), cs.len());
}

#[test]
fn price_unmet_and_stockpile_tables_follow_the_metrics() {
    let s = fixture::scenario();
    let r = fixture::results(&s, 200, 16);
    let html = render(&s, &r, &[]);
    // Stockpile: share of trials with empty_at inside the horizon, and its median period.
    let m = r
        .metric_index("stockpile.US.ndfeb_magnet.empty_at")
        .unwrap();
    let dry = r
        .metric_values(m)
        .iter()
        .filter(|&&t| t < r.horizon as f64)
        .count();
    assert!(
        dry > 0 && dry < r.trials,
        "fixture should dry up in some trials"
    );
    let share = chokepoint::report::format::percent(dry as f64 / r.trials as f64);
    let row = format!(
        "<tr><td>us-magnet-reserve</td><td>NdFeB magnets in US United States</td>\
         <td class=\"num\">{share}</td><td class=\"num\">2025-07</td></tr>"
    );
    assert!(html.contains(&row), "no row {row}");
    // Prices: targeted regions (unmet demand) come before the exporter, which has none.
    let gallium = &html[html.find("<h3>Gallium</h3>").unwrap()..];
    let us = gallium
        .find("<td title=\"United States\">US</td><td>targeted</td>")
        .unwrap();
    let cn = gallium
        .find("<td title=\"China\">CN</td><td>exporter</td>")
        .unwrap();
    assert!(us < cn);
}

/// Regions that lose nothing are named once, not listed as rows of zeros (issue 11).
#[test]
fn regions_that_lose_nothing_are_named_once_not_tabled() {
    let s = fixture::scenario();
    let mut r = fixture::results(&s, 200, 11);
    let m = r.metric_index("region.CN.value_lost").expect("metric");
    let w = r.metric_names.len();
    for t in 0..r.trials {
        r.metrics[t * w + m] = 0.0;
    }
    let html = render(&s, &r, &charts(&s, &r));
    assert!(html.contains("Lost nothing in any trial: CN China."));
    assert!(!html.contains("<tr><td>CN China</td><td class=\"num\">$0"));
    assert!(html.contains("<tr><td>US United States</td>"));
}

/// Parameter paths read in words, one vocabulary for the briefing, tables and charts.
#[test]
fn parameter_paths_read_in_words() {
    let s = fixture::scenario();
    let w = |p: &str| chokepoint::report::format::param_words(&s, p);
    assert_eq!(
        w("shock.cn-controls.relief_half_life"),
        "relief half-life of CN's controls on Gallium and 1 more (cn-controls)"
    );
    assert_eq!(
        w("shock.cn-controls.severity"),
        "share blocked of CN's controls on Gallium and 1 more (cn-controls)"
    );
    assert_eq!(
        w("inventory.EU.gallium.cover"),
        "stocks held of Gallium in EU"
    );
    assert_eq!(
        w("producer.ndfeb_magnet.CN.stock"),
        "finished-goods stock of NdFeB magnets producers in CN"
    );
    assert_eq!(
        w("sector.EU.ev.indirect_multiplier"),
        "indirect multiplier of Electric vehicles in EU"
    );
    assert_eq!(
        w("policy.us-magnet-reserve.initial"),
        "initial stock of policy us-magnet-reserve"
    );
    assert_eq!(w("odd"), "odd");
}

/// The first screen answers the five questions from the results, before any detail.
#[test]
fn briefing_answers_the_five_questions_first() {
    let s = fixture::scenario();
    let r = fixture::results(&s, 300, 15);
    let html = render(&s, &r, &charts(&s, &r));
    let brief = &html[html.find("<section id=\"briefing\">").unwrap()..];
    let brief = &brief[..brief.find("</section>").unwrap()];
    assert!(html.find("<section id=\"briefing\">") < html.find("<section id=\"key-metrics\">"));
    for q in [
        "<dt>Who is exposed</dt>",
        "<dt>How bad the bad case is</dt>",
        "<dt>For how long, in the bad case</dt>",
        "<dt>Prices inside and outside China</dt>",
        "<dt>Which lever matters most</dt>",
    ] {
        assert!(brief.contains(q), "no {q} in {brief}");
    }
    // The numbers are the run's: world p95 and the region losing most.
    let world = r.summary(r.metric_index("world.value_lost").unwrap());
    let p95 = chokepoint::report::format::money(world.p95);
    assert!(
        brief.contains(&format!("the world loses <strong>{p95}</strong>")),
        "{brief}"
    );
    assert!(brief.contains("United States <strong>"), "{brief}");
    // The lever is a sampled parameter in words; in the fixture the restriction's depth and
    // length drive every loss.
    assert!(brief.contains("of CN&#39;s controls on Gallium"), "{brief}");
    // The overview chart is in the briefing, and not repeated among the charts.
    assert!(brief.contains("<figure id=\"chart-value-lost-regions\">"));
    assert_eq!(
        html.matches("<figure id=\"chart-value-lost-regions\">")
            .count(),
        1
    );
}

/// The bibliography lists the tags the scenario cites, resolved from docs/sources.md, and names
/// a tag it cannot resolve instead of dropping it.
#[test]
fn sources_are_a_resolved_bibliography() {
    let mut s = fixture::scenario();
    s.shocks[0].source = Some("No. 18 (2025) [29]; licence times [73e]; unknown [9999]".into());
    let r = fixture::results(&s, 50, 3);
    let html = render(&s, &r, &[]);
    let sources = &html[html.find("<section id=\"sources\"").unwrap()..];
    let bib = chokepoint::report::html::bibliography();
    for tag in ["29", "73e"] {
        let (_, text) = bib.iter().find(|(t, _)| *t == tag).unwrap();
        let line = format!(
            "<li><strong>[{tag}]</strong> {}</li>",
            chokepoint::report::html::escape(text)
        );
        assert!(sources.contains(&line), "no {line}");
    }
    assert!(sources.contains("Not in the project's bibliography (docs/sources.md): [9999]."));
    // 29 before 73e: bibliography order.
    assert!(sources.find("[29]") < sources.find("[73e]"));
}

#[test]
fn the_report_reads_the_same_from_precomputed_summaries() {
    // `run` hands the report its parallel summaries instead of letting it sort again.
    use chokepoint::report::Summaries;
    use chokepoint::report::view::Exact;
    let s = fixture::scenario();
    let r = fixture::results(&s, 200, 11);
    let sums = Summaries::compute(&r);
    let exact = Exact {
        results: &r,
        sums: &sums,
    };
    let cs = charts(&s, &r);
    assert_eq!(render(&s, &exact, &cs), render(&s, &r, &cs));
}
