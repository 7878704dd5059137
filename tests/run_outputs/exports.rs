//! Exporters on synthetic results: snapshots of every file, closed-form statistics, round trips.

use chokepoint::report::json::summary_json;
use chokepoint::report::{Summaries, csv, table};
use proptest::prelude::*;

use super::synthetic;

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap()
}

#[test]
fn summary_json_snapshot() {
    let r = synthetic::results(0, 5);
    let s = Summaries::compute(&r);
    insta::assert_snapshot!("summary_json", summary_json(&synthetic::meta(), &r, &s));
}

#[test]
fn metrics_csv_snapshot() {
    let r = synthetic::results(0, 5);
    let s = Summaries::compute(&r);
    insta::assert_snapshot!(
        "metrics_csv",
        text(csv::metrics_csv(&synthetic::scenario(), &r, &s))
    );
}

#[test]
fn series_csv_snapshot() {
    let r = synthetic::results(0, 5);
    let s = Summaries::compute(&r);
    insta::assert_snapshot!(
        "series_csv",
        text(csv::series_csv(&synthetic::scenario(), &r, &s))
    );
}

#[test]
fn trials_csv_snapshot() {
    let r = synthetic::results(10, 3);
    insta::assert_snapshot!("trials_csv", text(csv::trials_csv(&r)));
}

#[test]
fn summary_table_snapshot() {
    let sc = synthetic::scenario();
    let r = synthetic::results(0, 5);
    let s = Summaries::compute(&r);
    insta::assert_snapshot!("summary_table", table::summary_table(&sc, &r, &s));
}

#[test]
fn summary_json_holds_closed_form_statistics() {
    let r = synthetic::results(0, 5);
    let s = Summaries::compute(&r);
    let v: serde_json::Value =
        serde_json::from_str(&summary_json(&synthetic::meta(), &r, &s)).unwrap();
    assert_eq!(v["schema_version"], 3);
    assert_eq!(v["trials"], 5);
    assert_eq!(v["start"], "2025-11");
    assert_eq!(
        v["period_labels"],
        serde_json::json!(["2025-11", "2025-12", "2026-01"])
    );
    let metrics = v["metrics"].as_array().unwrap();
    assert_eq!(metrics.len(), synthetic::METRICS.len());
    // US semis loss is 0.1, 0.2, ..., 0.5: mean 0.3, median 0.3, max 0.5, CVaR95 = the worst
    // ceil(0.25) = 1 trial = 0.5; type-7 p25 = 0.2.
    let semis = &metrics[2];
    assert_eq!(semis["name"], "sector.US.semis.mean_loss");
    let close = |key: &str, want: f64| {
        let got = semis[key].as_f64().unwrap();
        assert!((got - want).abs() < 1e-12, "{key}: {got} != {want}");
    };
    close("mean", 0.3);
    close("p50", 0.3);
    close("p25", 0.2);
    close("max", 0.5);
    close("cvar95", 0.5);
    close("min", 0.1);
    // Sample standard deviation of 0.1..0.5 is sqrt(0.025).
    close("std", 0.025f64.sqrt());
    // Keys appear in the documented order (serde_json's Value sorts them, so look at the text).
    let json = summary_json(&synthetic::meta(), &r, &s);
    let first = &json[json.find("\"metrics\"").unwrap()..];
    let first = &first[..first.find('}').unwrap()];
    let order: Vec<usize> = std::iter::once(&"name")
        .chain(csv::METRIC_STATS)
        .map(|k| first.find(&format!("\"{k}\":")).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{first}");
    // A metric undefined in some trials has undefined statistics: null, not NaN text.
    assert!(metrics[9]["mean"].is_null());
}

#[test]
fn metrics_csv_has_one_row_per_metric_in_column_order() {
    let r = synthetic::results(0, 5);
    let s = Summaries::compute(&r);
    let body = text(csv::metrics_csv(&synthetic::scenario(), &r, &s));
    let mut rdr = ::csv::Reader::from_reader(body.as_bytes());
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header.join(","),
        "metric,label,mean,std,se,min,p1,p5,p10,p25,p50,p75,p90,p95,p99,max,cvar95,\
         p50_se,p50_low,p50_high,p95_se,p95_low,p95_high,cvar95_se,cvar95_low,cvar95_high"
    );
    let rows: Vec<::csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), synthetic::METRICS.len());
    for (row, m) in rows.iter().zip(0..) {
        assert_eq!(&row[0], r.metric_names[m]);
        let want = r.summary(m).values();
        for c in 0..csv::METRIC_STATS.len() {
            if want[c].is_finite() {
                assert_eq!(
                    row[c + 2].parse::<f64>().unwrap(),
                    want[c],
                    "{} col {c}",
                    &row[0]
                );
            } else {
                assert_eq!(&row[c + 2], "");
            }
        }
    }
}

#[test]
fn trials_csv_round_trips_every_value() {
    let r = synthetic::results(100, 4);
    let body = text(csv::trials_csv(&r));
    let mut rdr = ::csv::Reader::from_reader(body.as_bytes());
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    let mut want_header = vec!["trial".to_string()];
    want_header.extend(r.param_paths.iter().cloned());
    want_header.extend(r.metric_names.iter().cloned());
    assert_eq!(header, want_header);
    let rows: Vec<::csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 4);
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row[0].parse::<u64>().unwrap(), 100 + i as u64);
        for k in 0..r.param_paths.len() {
            assert_eq!(row[1 + k].parse::<f64>().unwrap(), r.param_values(k)[i]);
        }
        for m in 0..r.metric_names.len() {
            let want = r.metric_values(m)[i];
            let cell = &row[1 + r.param_paths.len() + m];
            if want.is_nan() {
                assert_eq!(cell, "");
            } else {
                assert_eq!(cell.parse::<f64>().unwrap(), want);
            }
        }
    }
}

#[test]
fn series_csv_lists_every_series_and_period_with_labels() {
    let r = synthetic::results(0, 5);
    let s = Summaries::compute(&r);
    let body = text(csv::series_csv(&synthetic::scenario(), &r, &s));
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(
        lines[0],
        "metric,label,period,period_label,mean,p5,p25,p50,p75,p95"
    );
    assert_eq!(lines.len(), 1 + 2 * 3);
    // Period 0 of the output series is 1 in every trial.
    assert_eq!(
        lines[1],
        "output.US.semis,\"US Semiconductors, output\",0,2025-11,1.0,1.0,1.0,1.0,1.0,1.0"
    );
    assert!(lines[4].starts_with("price.US.gallium,\"US Gallium, price\",0,2025-11,"));
}

#[test]
fn table_puts_worst_sector_and_region_first() {
    let sc = synthetic::scenario();
    let r = synthetic::results(0, 5);
    let s = Summaries::compute(&r);
    let t = table::summary_table(&sc, &r, &s);
    let pos = |needle: &str| {
        t.find(needle)
            .unwrap_or_else(|| panic!("{needle} missing:\n{t}"))
    };
    // Mean losses: US semis 30%, EU semis 15%, US defense 2%.
    assert!(pos("US Semiconductors") < pos("EU Semiconductors"));
    assert!(pos("EU Semiconductors") < pos("US Defense"));
    assert!(pos("US United States") < pos("EU European Union"));
    assert!(t.contains("30.0%"));
    // World value lost: mean of (0.02 + 0.3 + 0.15 per-trial-mean ...) = 0.47 x $1 bn x 3/12.
    assert!(t.contains("$118 m"), "{t}");
}

proptest! {
    #[test]
    fn summaries_equal_the_per_metric_and_per_series_definitions(r in synthetic::arb_results()) {
        let s = Summaries::compute(&r);
        for m in 0..r.metric_names.len() {
            prop_assert_eq!(s.metrics[m], r.summary(m));
        }
        for k in 0..r.series_names.len() {
            prop_assert_eq!(&s.bands[k], &r.bands(k));
        }
    }

    #[test]
    fn series_csv_has_a_row_per_series_and_period(r in synthetic::arb_results()) {
        let s = Summaries::compute(&r);
        let mut sc = synthetic::scenario();
        sc.meta.horizon = r.horizon;
        let body = text(csv::series_csv(&sc, &r, &s));
        prop_assert_eq!(body.lines().count(), 1 + r.series_names.len() * r.horizon);
    }
}

/// A world of `n` US sectors where sector `k` loses `k%` of its output in every trial.
fn many_sectors(n: usize) -> (chokepoint::scenario::Scenario, chokepoint::run::RunResults) {
    let mut sc = synthetic::scenario();
    let template = sc.sectors[0].clone();
    sc.sectors = (0..n)
        .map(|k| {
            let mut s = template.clone();
            s.id = format!("s{k:02}");
            s.name = format!("Sector {k:02}");
            s
        })
        .collect();
    let mut names = Vec::new();
    for k in 0..n {
        names.push(format!("sector.US.s{k:02}.mean_loss"));
        names.push(format!("sector.US.s{k:02}.value_lost"));
    }
    let row: Vec<f64> = (0..n)
        .flat_map(|k| [k as f64 / 100.0, k as f64 * 1e6])
        .collect();
    let r = chokepoint::run::RunResults {
        seed: 1,
        first_trial: 0,
        trials: 2,
        horizon: 3,
        metric_names: names,
        metrics: [row.clone(), row].concat(),
        param_paths: vec![],
        params: vec![],
        series_names: vec![],
        series: vec![],
    };
    (sc, r)
}

#[test]
fn table_shows_the_worst_sectors_and_counts_the_rest() {
    let (sc, r) = many_sectors(20);
    let t = table::summary_table(&sc, &r, &Summaries::compute(&r));
    assert_eq!(t.matches("US Sector").count(), table::MAX_ROWS, "{t}");
    // The worst (19%) first; sectors 1..=4 do not fit; sector 0 lost nothing.
    assert!(t.find("US Sector 19").unwrap() < t.find("US Sector 18").unwrap());
    assert!(!t.contains("US Sector 04"), "{t}");
    assert!(t.contains("... and 4 more sectors with losses"), "{t}");
    assert!(
        t.contains("1 other sector lost no output in any trial."),
        "{t}"
    );
}

#[test]
fn table_says_so_when_nothing_was_lost() {
    let (sc, r) = many_sectors(1);
    let t = table::summary_table(&sc, &r, &Summaries::compute(&r));
    assert!(
        t.contains("No sector lost output in any trial (1 sector)."),
        "{t}"
    );
}

/// Type-guessing readers (polars, DuckDB) take a column of `0` as integers and then fail on the
/// first fraction (issue 11): every value column of the three tables holds floats only.
#[test]
fn value_columns_always_read_as_floats() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("r");
    let st = assert_cmd::cargo::cargo_bin_cmd!("chokepoint")
        .arg("run")
        .arg(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("scenarios/rare-earths-2025.toml"),
        )
        .args(["--trials", "20", "--no-charts", "--trials-csv", "--out"])
        .arg(&out)
        .output()
        .expect("runs");
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    for (file, first_value) in [("metrics.csv", 2), ("series.csv", 4), ("trials.csv", 1)] {
        let mut rdr = ::csv::Reader::from_path(out.join(file)).expect("written");
        for rec in rdr.records() {
            let rec = rec.expect("a well-formed row");
            for cell in rec.iter().skip(first_value) {
                assert!(
                    cell.is_empty() || cell.contains(['.', 'e']),
                    "{file}: cell {cell:?} in {rec:?}"
                );
            }
        }
    }
}
