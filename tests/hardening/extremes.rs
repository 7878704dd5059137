//! Extreme but legal scenarios: every magnitude at its bound (docs/scenario-files.md, Magnitude
//! bounds). They load, and a short run gives finite metrics and series in every trial.

use std::path::Path;

use chokepoint::run::{RunOptions, run};
use chokepoint::scenario::load_str;

/// A two-region world with the given extra lines in each table.
fn scenario(commodity: &str, producer: &str, sector: &str, shock: &str) -> String {
    format!(
        "[scenario]\nname = \"extreme\"\nhorizon = 24\ntrials = 20\n\n\
         [[region]]\nid = \"X\"\n\n[[region]]\nid = \"M\"\n\n\
         [[commodity]]\nid = \"g\"\n{commodity}\n\n\
         [[producer]]\ncommodity = \"g\"\nregion = \"X\"\n{producer}\n\n\
         [[sector]]\nid = \"s\"\nregion = \"M\"\n{sector}\n\n\
         [[shock]]\nid = \"ban\"\nkind = \"export_restriction\"\nexporter = \"X\"\n\
         commodities = [\"g\"]\n{shock}\n"
    )
}

fn assert_finite_run(name: &str, text: &str) {
    let s = match load_str(text, Path::new("extreme.toml")) {
        Ok(l) => l.scenario,
        Err(e) => panic!("{name}: should load:\n{e}"),
    };
    let opts = RunOptions {
        trials: 20,
        seed: 7,
        first_trial: 0,
        threads: Some(1),
    };
    let r = run(&s, &opts, &|_, _| true).unwrap_or_else(|e| panic!("{name}: {e}"));
    for (m, metric) in r.metric_names.iter().enumerate() {
        for v in r.metric_values(m) {
            assert!(v.is_finite(), "{name}: {metric} = {v}");
        }
    }
    assert!(
        r.series.iter().all(|v| v.is_finite()),
        "{name}: a series value is not finite"
    );
}

#[test]
fn magnitudes_at_their_bounds_run_finite() {
    let price = "price = 1e15\nelasticity = 0.001\nmax_price_multiple = 1e6";
    let cases = [
        (
            "quantities at 1e15",
            scenario(
                "price = 1\nelasticity = 0.2",
                "capacity = 1e15",
                "value_added = 1e15\ndemand = { g = 1e15 }",
                "duration = 6",
            ),
        ),
        (
            "price, elasticity and price multiple at their bounds",
            scenario(
                price,
                "capacity = 1e15",
                "value_added = 1e15\ndemand = { g = 1e15 }",
                "duration = { triangular = [1, 2, 1e6] }",
            ),
        ),
        (
            "tiny world, huge prices",
            scenario(
                price,
                "capacity = 1e-9",
                "value_added = 1e15\ndemand = { g = 1e-9 }",
                "duration = { uniform_int = [1, 1000000] }\n\
                 start = { uniform = [0, 1e6] }",
            ),
        ),
        (
            "largest elasticity",
            scenario(
                "price = 1e15\nelasticity = 1000\nmax_price_multiple = 1e6",
                "capacity = 1e15",
                "value_added = 1e15\ndemand = { g = 1e15 }",
                "duration = 6\nrelief_half_life = 1e15",
            ),
        ),
    ];
    for (name, text) in &cases {
        assert_finite_run(name, text);
    }
}

#[test]
fn a_recipe_chain_at_the_multiplier_bound_runs_finite() {
    // Nine steps of 10 units each: one unit of c9 needs 1e9 units of c0, the largest allowed.
    let mut t = String::from(
        "[scenario]\nname = \"chain\"\nhorizon = 12\ntrials = 20\n\n\
         [[region]]\nid = \"X\"\n\n[[region]]\nid = \"M\"\n\n",
    );
    for i in 0..10 {
        t.push_str(&format!(
            "[[commodity]]\nid = \"c{i}\"\nprice = 1e15\nelasticity = 0.001\n\n"
        ));
    }
    t.push_str("[[producer]]\ncommodity = \"c0\"\nregion = \"X\"\ncapacity = 1e15\n\n");
    for i in 1..10 {
        t.push_str(&format!(
            "[[producer]]\ncommodity = \"c{i}\"\nregion = \"X\"\ncapacity = 1e15\ninputs = {{ c{} = 10 }}\n\n",
            i - 1
        ));
    }
    t.push_str(
        "[[sector]]\nid = \"s\"\nregion = \"M\"\nvalue_added = 1e15\ndemand = { c9 = 1e15 }\n\n\
         [[shock]]\nid = \"ban\"\nkind = \"export_restriction\"\nexporter = \"X\"\n\
         commodities = [\"c0\"]\nduration = 6\n",
    );
    assert_finite_run("chain", &t);
}
