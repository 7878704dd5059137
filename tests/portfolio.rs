//! `chokepoint portfolio` end to end on the two-importer ban world of tests/data/portfolio, where
//! every saving is derivable by hand: a ban of d months costs importer A d months of $0.1 bn and
//! B d months of $0.05 bn, and a reserve of k months saves min(d, k) of those months.

use std::path::{Path, PathBuf};

use chokepoint::run::{RunOptions, run};
use chokepoint::scenario;

fn chokepoint() -> assert_cmd::Command {
    assert_cmd::cargo::cargo_bin_cmd!("chokepoint")
}

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/portfolio")
        .join(name)
}

/// The ban's duration in each of the base's trials (seed 7, 120 trials).
fn durations() -> Vec<f64> {
    let s = scenario::load(&data("base.toml")).unwrap().scenario;
    let opts = RunOptions {
        trials: 120,
        seed: 7,
        first_trial: 0,
        threads: Some(1),
    };
    let r = run(&s, &opts, &|_, _| true).unwrap();
    let k = r
        .param_paths
        .iter()
        .position(|p| p == "shock.ban.duration")
        .unwrap();
    r.param_values(k)
}

fn mean_of(d: &[f64], f: impl Fn(f64) -> f64) -> f64 {
    d.iter().map(|&x| f(x)).sum::<f64>() / d.len() as f64
}

fn portfolio(out: &Path, threads: &str) -> serde_json::Value {
    chokepoint()
        .arg("portfolio")
        .arg(data("base.toml"))
        .arg(data("separate.toml"))
        .arg(data("overlap.toml"))
        .args(["--threads", threads, "--out"])
        .arg(out)
        .assert()
        .success();
    serde_json::from_slice(&std::fs::read(out.join("portfolio.json")).unwrap()).unwrap()
}

fn package<'a>(v: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    v["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no package {name}"))
}

fn lever<'a>(p: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    p["levers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == name)
        .unwrap_or_else(|| panic!("no lever {name}"))
}

fn close(got: &serde_json::Value, want: f64) {
    let g = got
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {got}"));
    assert!(
        (g - want).abs() <= 1e-6 * want.abs().max(1.0),
        "{g} != {want}"
    );
}

#[test]
fn savings_costs_and_interactions_match_the_closed_form() {
    let d = durations();
    let tmp = tempfile::tempdir().unwrap();
    let v = portfolio(&tmp.path().join("p"), "2");
    close(&v["base_loss_mean"], mean_of(&d, |x| x * 0.15e9));
    let a = mean_of(&d, |x| x.min(3.0) * 1e8);
    let b = mean_of(&d, |x| x.min(2.0) * 0.5e8);

    // Separate importers: each lever saves the same alone and in the package; no interaction.
    let sep = package(&v, "Two reserves, one per importer");
    close(&sep["whole"]["loss_avoided_mean"]["value"], a + b);
    let ra = lever(sep, "reserve-a");
    close(&ra["alone"]["loss_avoided_mean"]["value"], a);
    close(&ra["in_package"]["loss_avoided_mean"]["value"], a);
    close(&ra["alone"]["cost_mean"], 3e8);
    close(&ra["alone"]["loss_avoided_per_dollar"]["value"], a / 3e8);
    close(
        &lever(sep, "reserve-b")["alone"]["loss_avoided_mean"]["value"],
        b,
    );
    assert_eq!(ra["interaction"]["kind"], "none");
    assert_eq!(sep["levers_alone_vs_whole"]["kind"], "none");
    close(&sep["levers_alone_vs_whole"]["gap"]["value"], 0.0);
    // reserve-b's cost is uniform $50-150 m, drawn per trial.
    let cb = lever(sep, "reserve-b")["alone"]["cost_mean"]
        .as_f64()
        .unwrap();
    assert!(
        (0.5e8..1.5e8).contains(&cb) && (cb - 1e8).abs() < 0.15e8,
        "{cb}"
    );

    // Two reserves for one importer: alone min(d, 3) each, together min(d, 6): overlap.
    let ov = package(&v, "Two reserves in one importer");
    let both = mean_of(&d, |x| x.min(6.0) * 1e8);
    close(&ov["whole"]["loss_avoided_mean"]["value"], both);
    close(&ov["whole"]["cost_mean"], 4e8);
    let first = lever(ov, "first");
    close(&first["alone"]["loss_avoided_mean"]["value"], a);
    close(&first["in_package"]["loss_avoided_mean"]["value"], both - a);
    assert_eq!(first["interaction"]["kind"], "overlap");
    assert_eq!(first["interaction"]["flagged"], true);
    assert_eq!(ov["levers_alone_vs_whole"]["kind"], "overlap");
    close(&ov["levers_alone_vs_whole"]["gap"]["value"], 2.0 * a - both);
    // The CVaR95 of the loss itself carries its Monte Carlo interval (6 tail trials of 120).
    let f = |x: &serde_json::Value| x.as_f64().unwrap();
    let (lo, c, hi) = (
        f(&v["base_loss_cvar95_low"]),
        f(&v["base_loss_cvar95"]),
        f(&v["base_loss_cvar95_high"]),
    );
    assert!(lo <= c && c <= hi, "{lo} {c} {hi}");
    let w = &ov["whole"];
    assert!(f(&w["loss_cvar95_low"]) <= f(&w["loss_cvar95"]));
    assert!(f(&w["loss_cvar95"]) <= f(&w["loss_cvar95_high"]));
    assert_eq!(v["schema_version"], 2);
    // The bad case: the worst 5% of 120 trials are 6 trials; with bans of 12 months in at least
    // six of them the reserves save exactly their size there.
    let worst = d.iter().filter(|&&x| x >= 12.0).count();
    if worst >= 6 {
        close(&ov["whole"]["loss_avoided_cvar95"]["value"], 6e8);
        close(&first["alone"]["loss_avoided_cvar95"]["value"], 3e8);
    }
    // Ranked by loss avoided per dollar, best first.
    let per: Vec<f64> = v["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            p["whole"]["loss_avoided_per_dollar"]["value"]
                .as_f64()
                .unwrap()
        })
        .collect();
    assert!(per.windows(2).all(|w| w[0] >= w[1]), "{per:?}");
    // The frontier starts at the base (no cost) and the cheapest point is always efficient.
    let f = v["frontier"].as_array().unwrap();
    assert_eq!(f[0]["kind"], "base");
    assert_eq!(f[0]["efficient"], true);
}

#[test]
fn outputs_are_identical_for_any_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let (one, two) = (tmp.path().join("one"), tmp.path().join("two"));
    portfolio(&one, "1");
    portfolio(&two, "3");
    for f in [
        "portfolio.json",
        "portfolio.csv",
        "portfolio.html",
        "charts/frontier.svg",
        "charts/frontier.png",
        "run.json",
    ] {
        assert!(
            std::fs::read(one.join(f)).unwrap() == std::fs::read(two.join(f)).unwrap(),
            "{f} differs"
        );
    }
    let html = std::fs::read_to_string(one.join("portfolio.html")).unwrap();
    assert!(html.contains("<svg"), "the frontier is inlined");
    assert!(
        !html.contains("http://") || html.contains("http://www.w3.org"),
        "no remote assets"
    );
    assert!(!html.contains("<script"));
    // The report's design: its content security policy, and a first screen of three answers over
    // the frontier.
    assert!(html.contains("Content-Security-Policy"));
    let brief = &html[html.find("<section id=\"briefing\">").unwrap()..];
    let brief = &brief[..brief.find("</section>").unwrap()];
    assert_eq!(brief.matches("<dt>").count(), 3, "{brief}");
    assert!(brief.contains("per dollar (95% interval)"), "{brief}");
    assert!(brief.contains("<svg"), "the frontier is the overview");
    // portfolio.csv labels each row in words.
    let csv = std::fs::read_to_string(one.join("portfolio.csv")).unwrap();
    assert!(
        csv.starts_with("package,row,lever,label,policies,"),
        "{csv}"
    );
    assert!(csv.lines().any(|l| l.contains(" alone,")), "{csv}");
}

#[test]
fn the_table_names_every_lever_and_flags_the_overlap() {
    let tmp = tempfile::tempdir().unwrap();
    let a = chokepoint()
        .arg("portfolio")
        .arg(data("base.toml"))
        .arg(data("overlap.toml"))
        .args(["--no-charts", "--out"])
        .arg(tmp.path().join("p"))
        .assert()
        .success();
    let out = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    for want in ["first", "second", "overlap", "per $", "CVaR95"] {
        assert!(out.contains(want), "{want} missing:\n{out}");
    }
    assert!(!tmp.path().join("p/portfolio.html").exists());
    assert!(tmp.path().join("p/portfolio.csv").exists());
}

#[test]
fn bad_requests_are_refused_with_the_reason_and_write_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("p");
    let cases: [(&[&str], &str, &str, i32); 3] = [
        (&[], "base.toml", "has no [[policy]]", 2),
        (
            &["--metric", "sector.A.chips.first_disrupted"],
            "separate.toml",
            "timing metric",
            2,
        ),
        (
            &["--metric", "world.value_lots"],
            "separate.toml",
            "world.value_lost",
            2,
        ),
    ];
    for (extra, pkg, want, code) in cases {
        let a = chokepoint()
            .arg("portfolio")
            .arg(data("base.toml"))
            .arg(data(pkg))
            .args(extra)
            .arg("--out")
            .arg(&out)
            .assert()
            .code(code);
        let e = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
        assert!(e.contains(want), "{want}: {e}");
        assert!(!out.exists());
    }
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("keep.txt"), "mine").unwrap();
    chokepoint()
        .arg("portfolio")
        .arg(data("base.toml"))
        .arg(data("separate.toml"))
        .arg("--out")
        .arg(&out)
        .assert()
        .code(3);
    assert!(out.join("keep.txt").exists());
}
