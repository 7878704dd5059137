//! The result column names are a contract with the report, charts and users' scripts: a snapshot
//! of every name a small world produces, in order.

use chokepoint::model::Model;
use chokepoint::sample::Dist;

use crate::engine_world::{World, c};

#[test]
fn result_names_follow_the_contract() {
    let mut w = World::new(6);
    let cn = w.region("CN");
    let us = w.region("US");
    let eu = w.region("EU");
    let ore = w.commodity("ree_ore");
    let mag = w.commodity("magnet");
    w.producer(ore, cn, 1000.0, 0.9);
    let pm = w.producer(mag, cn, 800.0, 0.8);
    w.recipe(pm, ore, 1.5);
    let pe = w.producer(mag, eu, 100.0, 0.8);
    w.recipe(pe, ore, 1.5);
    let d = w.sector("defense", us, 1e9, 0, &[(mag, 50.0)]);
    w.sector("ev", eu, 5e9, 1, &[(mag, 300.0)]);
    let b = w.ban(
        "cn-magnets",
        cn,
        &[mag, ore],
        Some(&[us, eu]),
        c(0.0),
        Dist::Triangular {
            min: 3.0,
            mode: 6.0,
            max: 18.0,
        },
        c(0.9),
    );
    w.probability(b, c(0.8));
    w.stockpile("us-reserve", us, mag, 3.0, 0.9, 0.5, &[d]);
    w.expansion("eu-plant", pe, 200.0, 2.0, 2.0, c(0.7));
    let m = Model::compile(&w.build());
    let text = format!(
        "metrics:\n{}\n\nseries:\n{}\n\nparams:\n{}\n",
        m.names.metrics.join("\n"),
        m.names.series.join("\n"),
        m.names.params.join("\n")
    );
    insta::assert_snapshot!(text);
}
