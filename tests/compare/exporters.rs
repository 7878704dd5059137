//! Exporter output on the synthetic pair, as snapshots, plus the numbers the snapshots rest on.

use chokepoint::report::compare::{
    CompareRunInfo, compare_run_json, compare_table, comparison_csv, comparison_csv_header,
    comparison_json, sensitivity_csv,
};
use chokepoint::report::compare_html::{InlineChart, comparison_html};
use chokepoint::stats::paired::compare_runs;
use chokepoint::stats::rank::{difference_sensitivities, sensitivities};

use super::fixtures::{info, pair};

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).expect("exporters write UTF-8")
}

#[test]
fn paired_numbers_are_the_closed_form() {
    let (base, policy) = pair();
    let cmp = compare_runs(&base, &policy).unwrap();
    let loss = cmp
        .metrics
        .iter()
        .find(|m| m.name == "sector.M.chips.mean_loss")
        .unwrap();
    // Saving per trial is min(duration, 3)/24: durations 3 1 8 5 2 7 4 6 -> 3 1 3 3 2 3 3 3 = 21.
    assert!((loss.paired.diff.mean + 21.0 / 8.0 / 24.0).abs() < 1e-15);
    assert_eq!(loss.paired.diff.p_better, 1.0);
    assert_eq!(loss.paired.diff.p50, -3.0 / 24.0);
    let first = cmp
        .metrics
        .iter()
        .find(|m| m.name == "sector.M.chips.first_disrupted")
        .unwrap();
    // Later disruption is better: every trial starts later under the policy.
    assert_eq!(first.paired.diff.p_better, 1.0);
    let toys = cmp
        .metrics
        .iter()
        .find(|m| m.name == "sector.M.toys.mean_loss")
        .unwrap();
    assert_eq!(toys.paired.diff.p_tie, 1.0);
}

#[test]
fn comparison_json_snapshot() {
    let (base, policy) = pair();
    let cmp = compare_runs(&base, &policy).unwrap();
    let json = text(comparison_json(&info(), &cmp));
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed["metrics"].as_array().unwrap().len(), 7);
    assert_eq!(parsed["only_in_base"][0], "unmet.M.gallium");
    assert_eq!(parsed["only_in_policy"][0], "stockpile.M.gallium.empty_at");
    insta::assert_snapshot!("comparison_json", json);
}

#[test]
fn comparison_csv_snapshot() {
    let (base, policy) = pair();
    let cmp = compare_runs(&base, &policy).unwrap();
    let csv = text(comparison_csv(&cmp));
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, comparison_csv_header());
    for row in reader.records() {
        assert_eq!(row.unwrap().len(), header.len());
    }
    insta::assert_snapshot!("comparison_csv", csv);
}

#[test]
fn sensitivity_csv_snapshot() {
    let (base, policy) = pair();
    let b = sensitivities(&base);
    let p = sensitivities(&policy);
    // Duration drives the base loss perfectly; the constant reserve size has no rows.
    assert_eq!(b[0].param, "shock.ban.duration");
    assert_eq!(b[0].rho, 1.0);
    assert!(p.iter().all(|s| s.param != "policy.reserve.initial"));
    let d = difference_sensitivities(&base, &policy);
    // The saving min(duration, 3) grows with the duration: policy - base falls with it.
    assert!(
        d.iter()
            .all(|s| s.param == "shock.ban.duration" || s.param == "shock.ban.severity")
    );
    assert!(
        d[0].rho < 0.0 && d[0].param == "shock.ban.duration",
        "{d:?}"
    );
    insta::assert_snapshot!("sensitivity_csv", text(sensitivity_csv(&b, &p, &d)));
}

#[test]
fn table_snapshot() {
    let (base, policy) = pair();
    let cmp = compare_runs(&base, &policy).unwrap();
    let table = compare_table(&info(), &cmp);
    // The toy sector lost nothing on either side: left out of both sections and counted.
    assert!(!table.contains("toys"));
    assert!(table.contains("2 metric(s) with no loss on either side"));
    insta::assert_snapshot!("table", table);
}

#[test]
fn run_json_snapshot() {
    let info = CompareRunInfo {
        chokepoint_version: "0.1.0".into(),
        base_file: "scenarios/ban.toml".into(),
        base_world_file: None,
        policy_file: "scenarios/ban-reserve.toml".into(),
        policy_world_file: Some("scenarios/worlds/2025.toml".into()),
        seed: 11,
        trials: 8,
        command: vec!["chokepoint".into(), "compare".into()],
        files: vec!["comparison.json".into(), "run.json".into()],
    };
    insta::assert_snapshot!("run_json", text(compare_run_json(&info)));
}

#[test]
fn html_snapshot_escapes_scenario_text() {
    let (base, policy) = pair();
    let cmp = compare_runs(&base, &policy).unwrap();
    let mut info = info();
    info.policy.name = "Ban <with> a \"reserve\" & more".into();
    let chart = InlineChart {
        title: "Saving <per> trial".into(),
        caption: "A & B".into(),
        svg: "<?xml version=\"1.0\"?>\n<svg width=\"10\" height=\"10\"></svg>\n".into(),
    };
    let page = comparison_html(&info, &cmp, &[chart]);
    assert!(!page.contains("<with>"));
    assert!(page.contains("Ban &lt;with&gt; a &quot;reserve&quot; &amp; more"));
    assert!(page.contains("<svg role=\"img\" aria-label=\"Saving &lt;per&gt; trial\" width"));
    assert!(!page.contains("<?xml"));
    // The style sheet is report.html's; leave it out of the snapshot.
    let start = page.find("<style>").unwrap();
    let end = page.find("</style>").unwrap();
    let body = format!("{}<style>...{}", &page[..start], &page[end..]);
    insta::assert_snapshot!("comparison_html", body);
}
