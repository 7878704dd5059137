//! The two readings of an export restriction's access share (`basis = "output" | "flow"`),
//! checked against hand-derived allocations.

use std::path::Path;

use chokepoint::scenario::load_str;

use crate::engine_closed_forms::{metric, run_n, series};

/// Exporter EX makes 100 t/yr (fully used); it needs 40 itself, A and B need 30 each. A
/// restriction of severity 0.5 on A and B, for the whole horizon, with the given basis.
fn world(basis: &str) -> String {
    format!(
        r#"
[scenario]
name = "basis"
horizon = 12
period = "month"
trials = 10

[[region]]
id = "EX"
name = "Exporter"
[[region]]
id = "A"
name = "Importer A"
[[region]]
id = "B"
name = "Importer B"

[[commodity]]
id = "metal"
name = "Metal"
unit = "t"
price = 1000
elasticity = 0.5
max_price_multiple = 10

[[producer]]
commodity = "metal"
region = "EX"
capacity = 100
utilization = 1.0
max_utilization = 1.0
ramp = 0

[[sector]]
id = "ind"
region = "EX"
name = "Industry"
value_added = 1200
demand = {{ metal = 40 }}
[[sector]]
id = "ind"
region = "A"
name = "Industry"
value_added = 1200
demand = {{ metal = 30 }}
[[sector]]
id = "ind"
region = "B"
name = "Industry"
value_added = 1200
demand = {{ metal = 30 }}

[[shock]]
id = "licensing"
kind = "export_restriction"
exporter = "EX"
commodities = ["metal"]
targets = ["A", "B"]
start = 0
duration = 12
severity = 0.5
{basis}
"#
    )
}

fn load(basis: &str) -> chokepoint::scenario::Scenario {
    load_text(&world(basis))
}

fn load_text(text: &str) -> chokepoint::scenario::Scenario {
    load_str(text, Path::new("basis.toml"))
        .unwrap_or_else(|e| panic!("{:?}", e.diagnostics))
        .scenario
}

#[test]
fn output_basis_caps_a_share_of_the_whole_output_and_does_not_bind_here() {
    // v1 reading: x[EX][A] <= 0.5 * 100 / 12 per month, above A's 30 / 12: nobody is short.
    for text in ["basis = \"output\""] {
        let r = run_n(&load(text), 3, 1);
        for reg in ["EX", "A", "B"] {
            assert!(
                metric(&r, &format!("sector.{reg}.ind.mean_loss"))
                    .iter()
                    .all(|&l| l.abs() < 1e-12)
            );
        }
    }
}

#[test]
fn flow_basis_withholds_the_share_of_each_unrestricted_flow() {
    // Unrestricted flows are pro rata: x0[EX][A] = 100 * 30 / 100 = 30 t/yr. Half is withheld, so
    // A and B get 15 of 30 (output 0.5) and EX's own industry keeps its 40; 30 t stay unsold.
    let r = run_n(&load("basis = \"flow\""), 3, 1);
    // Flow is the default from model v2 on.
    let default = run_n(&load(""), 3, 1);
    assert_eq!(
        metric(&r, "sector.A.ind.mean_loss"),
        metric(&default, "sector.A.ind.mean_loss")
    );
    for reg in ["A", "B"] {
        let loss = metric(&r, &format!("sector.{reg}.ind.mean_loss"));
        assert!(
            loss.iter().all(|&l| (l - 0.5).abs() < 1e-9),
            "{reg}: {loss:?}"
        );
        let flow = series(&r, &format!("flow.EX.{reg}.metal"), 0);
        assert!(
            flow.iter().all(|&f| (f - 15.0 / 12.0).abs() < 1e-4),
            "{flow:?}"
        );
    }
    assert!(
        metric(&r, "sector.EX.ind.mean_loss")
            .iter()
            .all(|&l| l.abs() < 1e-12)
    );
    // Stranded output lowers the price at home, shortage raises it abroad.
    let home = series(&r, "price.EX.metal", 0);
    let abroad = series(&r, "price.A.metal", 0);
    assert!(home.iter().all(|&p| p < 1.0) && abroad.iter().all(|&p| p > 1.0));
}

#[test]
fn an_unknown_basis_is_an_error_naming_the_choices() {
    let e = load_str(&world("basis = \"exports\""), Path::new("basis.toml")).unwrap_err();
    let text: String = e.diagnostics.iter().map(|d| d.to_string()).collect();
    assert!(text.contains("unknown basis \"exports\""), "{text}");
    assert!(text.contains("\"flow\""), "{text}");
}

#[test]
fn restocking_does_not_loosen_a_flow_basis_quota() {
    // A starts with no stock and wants to refill one month of demand: its refill requests raise
    // its market demand, but the quota is a share of its consumption flow, so it still gets 15 t/yr.
    let text = world("basis = \"flow\"")
        + "\n[[inventory]]\nregion = \"A\"\ncommodity = \"metal\"\ncover = 0\ntarget = 1\nrefill_rate = 0.25\n";
    let r = run_n(&load_text(&text), 2, 1);
    let flow = series(&r, "flow.EX.A.metal", 0);
    assert!(
        flow.iter().all(|&f| (f - 15.0 / 12.0).abs() < 1e-4),
        "{flow:?}"
    );
    let loss = metric(&r, "sector.A.ind.mean_loss");
    assert!(loss.iter().all(|&l| (l - 0.5).abs() < 1e-9), "{loss:?}");
}
