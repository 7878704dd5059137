//! A small hand-made scenario and run results, so exporters and the run command can be tested
//! without the parser or the engine. Values follow simple formulas so statistics have closed forms.

use std::path::PathBuf;

use chokepoint::run::RunResults;
use chokepoint::scenario::{
    Commodity, Meta, Param, Period, Region, Scenario, Sector, SectorInput, YearMonth,
};
use proptest::prelude::*;

pub fn meta() -> Meta {
    Meta {
        name: "Gallium ban, synthetic".into(),
        description: "Test fixture".into(),
        file: PathBuf::from("scenarios/gallium.toml"),
        world_file: None,
        world_name: None,
        world_year: None,
        horizon: 3,
        period: Period::Month,
        start: Some(YearMonth {
            year: 2025,
            month: 11,
        }),
        seed: 7,
        trials: 5,
        source: None,
    }
}

fn region(id: &str, name: &str) -> Region {
    Region {
        id: id.into(),
        name: name.into(),
        source: None,
    }
}

fn sector(id: &str, region: usize, name: &str) -> Sector {
    Sector {
        id: id.into(),
        region,
        name: name.into(),
        value_added: Param::fixed(format!("sector.x.{id}.value_added"), 1e9),
        priority: 1,
        inputs: vec![SectorInput {
            commodity: 0,
            demand: Param::fixed("d", 10.0),
            essential: true,
            weight: Param::fixed("w", 1.0),
            substitution: None,
            price_elasticity: None,
        }],
        indirect_multiplier: None,
        source: None,
    }
}

pub fn scenario() -> Scenario {
    Scenario {
        meta: meta(),
        regions: vec![
            region("CN", "China"),
            region("US", "United States"),
            region("EU", "European Union"),
        ],
        commodities: vec![Commodity {
            id: "gallium".into(),
            name: "Gallium".into(),
            unit: "kg".into(),
            price: Param::fixed("commodity.gallium.price", 500.0),
            elasticity: Param::fixed("commodity.gallium.elasticity", 0.2),
            max_price_multiple: Param::fixed("commodity.gallium.max_price_multiple", 10.0),
            availability_elasticity: Param::fixed("a", 0.5),
            supply_elasticity: Param::fixed("s", 0.5),
            price_adjustment: Param::fixed("adj", 1.0),
            entry: None,
            source: None,
        }],
        producers: vec![],
        sectors: vec![
            sector("defense", 1, "Defense"),
            sector("semis", 1, "Semiconductors"),
            sector("semis", 2, "Semiconductors"),
        ],
        inventories: vec![],
        shocks: vec![],
        policies: vec![],
        topo_order: vec![0],
    }
}

pub const METRICS: [&str; 10] = [
    "sector.US.defense.mean_loss",
    "sector.US.defense.value_lost",
    "sector.US.semis.mean_loss",
    "sector.US.semis.value_lost",
    "sector.EU.semis.mean_loss",
    "sector.EU.semis.value_lost",
    "region.US.value_lost",
    "region.EU.value_lost",
    "world.value_lost",
    "stockpile.US.gallium.empty_at",
];

/// Five trials over three months. Trial `i` (0-based) has:
/// US defense loss 0.01 i, US semis loss 0.1 (i + 1), EU semis loss 0.05 (i + 1); value lost is
/// loss x $1 bn x 3/12; the US stockpile runs dry at period i in even trials and never otherwise.
pub fn results(first_trial: u64, trials: usize) -> RunResults {
    let horizon = 3;
    let mut metrics = Vec::new();
    let mut params = Vec::new();
    let mut series = Vec::new();
    for k in 0..trials {
        let i = (first_trial as usize + k) as f64;
        let (d, us, eu) = (0.01 * i, 0.1 * (i + 1.0), 0.05 * (i + 1.0));
        let v = |loss: f64| loss * 1e9 * 3.0 / 12.0;
        let empty = if (i as usize).is_multiple_of(2) {
            i
        } else {
            f64::NAN
        };
        metrics.extend([
            d,
            v(d),
            us,
            v(us),
            eu,
            v(eu),
            v(d) + v(us),
            v(eu),
            v(d) + v(us) + v(eu),
            empty,
        ]);
        params.extend([1.0 + i, 0.5 + 0.1 * i]);
        for t in 0..horizon {
            // output.US.semis: 1 before the ban, then 1 - loss.
            series.push(if t == 0 { 1.0 } else { 1.0 - us as f32 });
        }
        for t in 0..horizon {
            // price.US.gallium index: 1, then rising with the trial.
            series.push(1.0 + (t as f32) * (1.0 + i as f32) / 4.0);
        }
    }
    RunResults {
        seed: 7,
        first_trial,
        trials,
        horizon,
        metric_names: METRICS.iter().map(|s| s.to_string()).collect(),
        metrics,
        param_paths: vec!["shock.cn-ga.duration".into(), "shock.cn-ga.severity".into()],
        params,
        series_names: vec!["output.US.semis".into(), "price.US.gallium".into()],
        series,
    }
}

/// Results with arbitrary values, for invariants that must hold whatever the engine produces.
pub fn arb_results() -> impl Strategy<Value = RunResults> {
    (1usize..12, 1usize..4, 1usize..5, 0u64..1000).prop_flat_map(
        |(trials, nseries, horizon, first)| {
            (
                prop::collection::vec(-1e6f32..1e6, trials * nseries * horizon),
                prop::collection::vec(-1e9f64..1e9, trials * 2),
            )
                .prop_map(move |(series, metrics)| RunResults {
                    seed: 1,
                    first_trial: first,
                    trials,
                    horizon,
                    metric_names: vec!["a".into(), "b".into()],
                    metrics,
                    param_paths: vec![],
                    params: vec![],
                    series_names: (0..nseries).map(|s| format!("output.R.s{s}")).collect(),
                    series,
                })
        },
    )
}
