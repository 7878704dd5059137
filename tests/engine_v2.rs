//! Model v2 rules (MODEL.md v2 sections 4.1, 4.2, 4.9-4.11) on small worlds whose results follow
//! by hand: prices against the baseline market, the two sides of the index, partial adjustment,
//! the cap count, announcements, licensing, severity paths, entry, price-responsive demand and
//! indirect losses.

use std::path::Path;

use chokepoint::scenario::{Scenario, load_str};

use crate::engine_closed_forms::{metric, run_n, series};

/// A self-contained monthly scenario: the header, then the given tables. Every region named in
/// `regions` is declared; commodity `x` (price 1, cap 20) takes `commodity_extra` keys.
fn world(horizon: usize, regions: &[&str], commodity_extra: &str, tables: &str) -> Scenario {
    let mut t = format!(
        "[scenario]\nname = \"v2\"\nhorizon = {horizon}\nperiod = \"month\"\ntrials = 1\n\n"
    );
    for r in regions {
        t.push_str(&format!("[[region]]\nid = \"{r}\"\n"));
    }
    t.push_str(&format!(
        "[[commodity]]\nid = \"x\"\nprice = 1\nelasticity = 0.2\nmax_price_multiple = 20\n{commodity_extra}\n{tables}"
    ));
    match load_str(&t, Path::new("v2.toml")) {
        Ok(l) => l.scenario,
        Err(e) => panic!("{}\n{t}", e.render(false)),
    }
}

fn producer(region: &str, capacity: f64) -> String {
    format!(
        "[[producer]]\ncommodity = \"x\"\nregion = \"{region}\"\ncapacity = {capacity}\nutilization = 1\nmax_utilization = 1\nramp = 0\n"
    )
}

fn sector(region: &str, id: &str, demand: f64, extra: &str) -> String {
    format!(
        "[[sector]]\nid = \"{id}\"\nregion = \"{region}\"\nvalue_added = 1.2e9\ndemand = {{ x = {demand} }}\n{extra}\n"
    )
}

fn inventory(region: &str, cover: f64, target: f64, refill: f64) -> String {
    format!(
        "[[inventory]]\nregion = \"{region}\"\ncommodity = \"x\"\ncover = {cover}\ntarget = {target}\nrefill_rate = {refill}\n"
    )
}

fn close(a: &[f64], b: &[f64], tol: f64) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| (x - y).abs() <= tol * y.abs().max(1.0))
}

#[test]
fn a_region_without_demand_keeps_an_index_of_one() {
    // v1 gave the producing region 0.25: supply 600/yr against demand 1200/yr elsewhere, no shock.
    let sc = world(
        3,
        &["P", "B"],
        "",
        &(producer("P", 600.0) + &sector("B", "ind", 1200.0, "")),
    );
    let r = run_n(&sc, 2, 1);
    for name in ["price.P.x", "price.B.x"] {
        assert_eq!(series(&r, name, 0), vec![1.0; 3], "{name}");
    }
    assert_eq!(metric(&r, "price.P.x.peak"), vec![1.0; 2]);
}

/// Two producers of 1200/yr, two buyers of 1200/yr; P1 loses half its capacity from period 1.
fn outage_world(extra: &str) -> Scenario {
    let tables = producer("P1", 1200.0)
        + &producer("P2", 1200.0)
        + &sector("A", "ind", 1200.0, "")
        + &sector("B", "ind", 1200.0, "")
        + "[[shock]]\nid = \"fire\"\nkind = \"production_outage\"\nregion = \"P1\"\ncommodity = \"x\"\nstart = 1\nduration = 3\nseverity = 0.5\n";
    world(
        5,
        &["P1", "P2", "A", "B"],
        &format!("availability_elasticity = 0.5\n{extra}"),
        &tables,
    )
}

#[test]
fn a_global_shortage_moves_every_buyers_price_from_the_baseline() {
    // Fill 0.75 everywhere, no stocks: z / z_base = 0.75, index 0.75^(-1/0.5) = 1.7778. Both
    // producers still sell everything, so the sellers' side stays at 1.
    let r = run_n(&outage_world(""), 1, 1);
    let want = 0.75f64.powf(-2.0);
    for name in ["price.A.x", "price.B.x"] {
        let p = series(&r, name, 0);
        assert!(
            close(&p, &[1.0, want, want, want, 1.0], 1e-6),
            "{name}: {p:?}"
        );
    }
    assert_eq!(series(&r, "price.P1.x", 0), vec![1.0; 5]);
}

#[test]
fn partial_adjustment_closes_a_share_of_the_log_gap_each_period() {
    let r = run_n(&outage_world("price_adjustment = 0.5"), 1, 1);
    let full = 0.75f64.powf(-2.0);
    let p1 = full.sqrt();
    let p2 = (p1 * full).sqrt();
    let p3 = (p2 * full).sqrt();
    let p4 = p3.sqrt(); // back towards 1 after the outage
    let p = series(&r, "price.A.x", 0);
    assert!(close(&p, &[1.0, p1, p2, p3, p4], 1e-6), "{p:?}");
}

/// Exporter EX (1200/yr, no home demand) bans all exports from period 1; importer IM uses
/// 1200/yr (100 a month) and holds `cover` months of stock.
fn ban_world(horizon: usize, cover: f64, ban: &str) -> Scenario {
    let tables = producer("EX", 1200.0)
        + &sector("IM", "ind", 1200.0, "")
        + &inventory("IM", cover, 0.0, 0.0)
        + "[[shock]]\nid = \"ban\"\nkind = \"export_restriction\"\nexporter = \"EX\"\ncommodities = [\"x\"]\n"
        + ban;
    world(
        horizon,
        &["EX", "IM"],
        "availability_elasticity = 1\nsupply_elasticity = 1",
        &tables,
    )
}

#[test]
fn stocks_damp_the_first_jump_and_the_price_climbs_as_they_run_down() {
    // Baseline availability (200 + 100) / 100 = 3. Banned: (200 + 0) / 100 = 2, then 1, then 0
    // (the cap, 20). The exporter sells nothing: its index sits at the floor 1/20.
    let sc = ban_world(5, 2.0, "start = 1\nduration = 4\nseverity = 1\n");
    let r = run_n(&sc, 1, 1);
    let p = series(&r, "price.IM.x", 0);
    assert!(close(&p, &[1.0, 1.5, 3.0, 20.0, 20.0], 1e-6), "{p:?}");
    let home = series(&r, "price.EX.x", 0);
    assert!(
        close(&home, &[1.0, 0.05, 0.05, 0.05, 0.05], 1e-6),
        "{home:?}"
    );
    // The cap binds in periods 3 and 4 abroad and 1-4 at home.
    assert_eq!(metric(&r, "price.IM.x.at_cap"), vec![2.0 / 5.0]);
    assert_eq!(metric(&r, "price.EX.x.at_cap"), vec![4.0 / 5.0]);
    // More stock, smaller first jump.
    let deep = run_n(
        &ban_world(5, 4.0, "start = 1\nduration = 4\nseverity = 1\n"),
        1,
        1,
    );
    assert!(series(&deep, "price.IM.x", 0)[1] < p[1]);
}

#[test]
fn stranded_output_lowers_the_exporters_home_price_through_its_supply_elasticity() {
    // EX also uses 600/yr itself: a ban strands the other half of its output. Sold share 1 ->
    // 0.5 with supply elasticity 1: the home index halves.
    let tables = producer("EX", 1200.0)
        + &sector("EX", "ind", 600.0, "")
        + &sector("IM", "ind", 600.0, "")
        + "[[shock]]\nid = \"ban\"\nkind = \"export_restriction\"\nexporter = \"EX\"\ncommodities = [\"x\"]\nstart = 1\nduration = 2\n";
    let sc = world(
        3,
        &["EX", "IM"],
        "availability_elasticity = 1\nsupply_elasticity = 1",
        &tables,
    );
    let home = series(&run_n(&sc, 1, 1), "price.EX.x", 0);
    assert!(close(&home, &[1.0, 0.5, 0.5], 1e-6), "{home:?}");
}

/// Exporter with slack (2400/yr against IM's 1200/yr), IM holds 1 month and targets 1 month.
fn slack_world(horizon: usize, refill: f64, shock: &str) -> Scenario {
    let tables = producer("EX", 2400.0)
        + &sector("IM", "ind", 1200.0, "")
        + &inventory("IM", 1.0, 1.0, refill)
        + "[[shock]]\nid = \"ban\"\nkind = \"export_restriction\"\nexporter = \"EX\"\ncommodities = [\"x\"]\n"
        + shock;
    world(horizon, &["EX", "IM"], "", &tables)
}

#[test]
fn an_announcement_brings_a_rush_in_the_last_month_before_the_deadline() {
    // Announced at 1, banned from 3 to 5: buyers act in the last month before the start (period 2)
    // and want 2 more months (200 t) by then. EX's spare output is 100 t a month, so imports
    // double in period 2 only, and the 200 t in stock carry the sector through two of the three
    // months of the ban.
    let ban = "start = 3\nduration = 3\nseverity = 1\n";
    let sc = slack_world(
        6,
        0.25,
        &format!("announced = 1\nprecautionary_cover = 2\n{ban}"),
    );
    let r = run_n(&sc, 1, 1);
    let flow = series(&r, "flow.EX.IM.x", 0);
    assert!(
        close(&flow, &[100.0, 100.0, 200.0, 0.0, 0.0, 0.0], 1e-6),
        "{flow:?}"
    );
    let y = series(&r, "output.IM.ind", 0);
    assert!(close(&y, &[1.0, 1.0, 1.0, 1.0, 1.0, 0.0], 1e-6), "{y:?}");
    // Without the announcement the single month of stock covers only the first month.
    let quiet = run_n(&slack_world(6, 0.25, ban), 1, 1);
    let y = series(&quiet, "output.IM.ind", 0);
    assert!(close(&y, &[1.0, 1.0, 1.0, 1.0, 0.0, 0.0], 1e-6), "{y:?}");
}

#[test]
fn licences_wait_for_the_review_then_serve_the_orders_that_waited() {
    // Licensing from 1: no licence for 2 periods (stock 100 covers period 1, period 2 is short),
    // then half, then all of the blocked flow. Licences serve every order, refills included, so
    // once all are approved imports run above normal (100 use + 100 refill) until stocks are back
    // at target.
    let shock =
        "start = 1\nduration = 8\nseverity = 1\nlicensing = { review = 2, approval_rate = 0.5 }\n";
    let sc = slack_world(8, 1.0, shock);
    let r = run_n(&sc, 1, 1);
    let flow = series(&r, "flow.EX.IM.x", 0);
    // Period 3: half of the orders (100 use + 100 refill) are licensed and go to use first.
    assert!(
        close(
            &flow,
            &[100.0, 0.0, 0.0, 100.0, 200.0, 100.0, 100.0, 100.0],
            1e-6
        ),
        "{flow:?}"
    );
    let y = series(&r, "output.IM.ind", 0);
    assert!(
        close(&y, &[1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0], 1e-6),
        "{y:?}"
    );
}

#[test]
fn a_severity_path_sets_the_blocked_share_period_by_period() {
    // No stock: IM's output is the share let through, the last entry holding to the end.
    let tables = producer("EX", 1200.0)
        + &sector("IM", "ind", 1200.0, "")
        + "[[shock]]\nid = \"path\"\nkind = \"export_restriction\"\nexporter = \"EX\"\ncommodities = [\"x\"]\nstart = 1\nduration = 4\nseverity_path = [1.0, 0.5, 0.25]\n";
    let sc = world(6, &["EX", "IM"], "", &tables);
    let y = series(&run_n(&sc, 1, 1), "output.IM.ind", 0);
    assert!(close(&y, &[1.0, 0.0, 0.5, 0.75, 0.75, 1.0], 1e-6), "{y:?}");
}

/// EX (1200/yr) withholds half of its exports to IM for the whole run; OT (120/yr) is free.
fn quota_world(entry: &str) -> Scenario {
    let tables = producer("EX", 1200.0)
        + &producer("OT", 120.0)
        + &sector("IM", "ind", 1200.0, "")
        + "[[shock]]\nid = \"quota\"\nkind = \"export_restriction\"\nexporter = \"EX\"\ncommodities = [\"x\"]\nstart = 0\nduration = 36\nseverity = 0.5\n";
    world(
        36,
        &["EX", "OT", "IM"],
        &format!("availability_elasticity = 1\n{entry}"),
        &tables,
    )
}

#[test]
fn sustained_high_prices_bring_entry_outside_the_restricting_region() {
    let none = run_n(&quota_world(""), 1, 1);
    let entry = "entry = { threshold = 1.2, lead_time = 3, growth = 0.5, max = 0.5 }";
    let with = run_n(&quota_world(entry), 1, 1);
    let (y0, y1) = (
        series(&none, "output.IM.ind", 0),
        series(&with, "output.IM.ind", 0),
    );
    // Without entry the quota never eases: EX sends 45.5 of its pro-rata 90.9, OT its 10.
    assert!(y0.iter().all(|&y| (y - 0.5545).abs() < 1e-3), "{y0:?}");
    // With entry nothing changes before the lead time (committed at the end of period 0, online
    // from period 3); then OT's new capacity arrives at 0.5 x 100 / 12 = 4.17 a month. EX's quota
    // is a share of its baseline flow (45.45 a month whatever OT adds). No stocks and availability
    // elasticity 1: the index is 1 / y, at or above the threshold 1.2 while y <= 0.833, i.e. up to
    // period 8; nine commitments add 37.5, so IM ends at 0.5545 + 0.375 = 0.9295.
    assert!(close(&y1[..3], &y0[..3], 1e-9), "{y1:?}");
    assert!((y1[35] - 0.929545).abs() < 1e-5, "{y1:?}");
    assert!(y1.windows(2).all(|w| w[1] >= w[0] - 1e-9), "{y1:?}");
    let p = series(&with, "price.IM.x", 0);
    assert!(p[35] < p[3], "{p:?}");
}

#[test]
fn entry_needs_success_and_never_goes_to_the_restricting_exporter() {
    let failed = "entry = { threshold = 1.2, lead_time = 3, growth = 0.5, max = 0.5, success = 0 }";
    let none = run_n(&quota_world(""), 1, 1);
    let r = run_n(&quota_world(failed), 1, 1);
    assert_eq!(
        series(&r, "output.IM.ind", 0),
        series(&none, "output.IM.ind", 0)
    );
}

#[test]
fn price_sensitive_buyers_give_up_demand_and_leave_more_for_others() {
    // A global shortage shared by A and B; A's users cut demand as A's index rises.
    let build = |elastic: &str| {
        let tables = producer("P1", 1200.0)
            + &producer("P2", 1200.0)
            + &sector("A", "ind", 1200.0, elastic)
            + &sector("B", "ind", 1200.0, "")
            + "[[shock]]\nid = \"fire\"\nkind = \"production_outage\"\nregion = \"P1\"\ncommodity = \"x\"\nstart = 1\nduration = 5\nseverity = 0.5\n";
        world(
            6,
            &["P1", "P2", "A", "B"],
            "availability_elasticity = 0.5",
            &tables,
        )
    };
    let rigid = run_n(&build(""), 1, 1);
    let elastic = run_n(&build("price_elasticity = { x = 0.5 }"), 1, 1);
    let (ya, yb) = (
        series(&elastic, "output.A.ind", 0),
        series(&elastic, "output.B.ind", 0),
    );
    let yb0 = series(&rigid, "output.B.ind", 0);
    // Period 1 is priced at period 0's index (1): no response yet; from period 2 A asks less,
    // loses that output, and B gets more than it would have.
    assert!((ya[1] - yb[1]).abs() < 1e-9);
    assert!(
        ya[2] < yb[2] && yb[2] > yb0[2] + 1e-3,
        "{ya:?} {yb:?} {yb0:?}"
    );
}

#[test]
fn indirect_losses_are_reported_beside_direct_ones_and_change_no_quantity() {
    let build = |extra: &str| {
        let tables = producer("EX", 1200.0)
            + &sector("IM", "ind", 1200.0, extra)
            + "[[shock]]\nid = \"ban\"\nkind = \"export_restriction\"\nexporter = \"EX\"\ncommodities = [\"x\"]\nstart = 1\nduration = 2\n";
        world(4, &["EX", "IM"], "", &tables)
    };
    let plain = run_n(&build(""), 1, 1);
    let with = run_n(&build("indirect_multiplier = 1.5"), 1, 1);
    assert_eq!(plain.series, with.series);
    let direct = metric(&with, "sector.IM.ind.value_lost")[0];
    assert!((direct - 2.0 * 1e8).abs() < 1.0, "{direct}");
    assert_eq!(
        metric(&with, "sector.IM.ind.total_value_lost"),
        vec![2.5 * direct]
    );
    assert_eq!(metric(&with, "world.total_value_lost"), vec![2.5 * direct]);
    assert_eq!(
        metric(&plain, "world.total_value_lost"),
        metric(&plain, "world.value_lost")
    );
}

/// No spare output: EX makes 1800/yr, its own industry uses 600 and IM 1200; IM is told one
/// period ahead and wants two more months of stock. `stock`: EX's finished goods, in months.
fn rush_world(stock: f64) -> Scenario {
    let tables = producer("EX", 1800.0)
        .replace("ramp = 0\n", &format!("ramp = 0\nstock = {stock}\n"))
        + &sector("EX", "ind", 600.0, "")
        + &sector("IM", "ind", 1200.0, "")
        + &inventory("IM", 1.0, 1.0, 0.25)
        + "[[shock]]\nid = \"ban\"\nkind = \"export_restriction\"\nexporter = \"EX\"\ncommodities = [\"x\"]\nannounced = 1\nprecautionary_cover = 2\nstart = 3\nduration = 3\nseverity = 0.5\nlicensing = { review = 0, approval_rate = 0 }\n";
    world(6, &["EX", "IM"], "", &tables)
}

#[test]
fn stock_building_abroad_never_takes_supply_from_current_use() {
    // IM's precautionary orders find nothing left over, so imports stay at 100 a month and EX's
    // industry is whole.
    let r = run_n(&rush_world(0.0), 1, 1);
    let flow = series(&r, "flow.EX.IM.x", 0);
    assert!(close(&flow[..3], &[100.0, 100.0, 100.0], 1e-6), "{flow:?}");
    assert_eq!(series(&r, "output.EX.ind", 0), vec![1.0; 6]);
}

#[test]
fn an_exporters_finished_goods_carry_a_rush_beyond_spare_output() {
    // EX holds two months of its output (300 t) as finished goods: IM's precautionary orders
    // (200 t in the month before the start) come out of that stock, EX's own industry stays
    // whole, and the stock refills only from output nobody else takes.
    let r = run_n(&rush_world(2.0), 1, 1);
    let flow = series(&r, "flow.EX.IM.x", 0);
    assert!(close(&flow[..3], &[100.0, 100.0, 300.0], 1e-6), "{flow:?}");
    assert_eq!(series(&r, "output.EX.ind", 0), vec![1.0; 6]);
}

#[test]
fn price_sides_that_default_to_the_elasticity_share_its_draw() {
    // `availability_elasticity` and `supply_elasticity` default to `elasticity`: one parameter,
    // drawn once and reported once (not three columns of the same path).
    let mut sc = world(
        3,
        &["P", "B"],
        "",
        &(producer("P", 600.0) + &sector("B", "ind", 600.0, "")),
    );
    let wide = chokepoint::sample::Dist::Uniform { lo: 0.1, hi: 0.3 };
    let c = &mut sc.commodities[0];
    c.elasticity.dist = wide.clone();
    c.availability_elasticity.dist = wide.clone();
    c.supply_elasticity.dist = wide;
    let r = run_n(&sc, 2, 1);
    let n = r
        .param_paths
        .iter()
        .filter(|p| *p == "commodity.x.elasticity")
        .count();
    assert_eq!(n, 1, "{:?}", r.param_paths);
}

/// IM is cut off from EX (hard ban from period 1) and buys from R (2400/yr, enough for IM and B)
/// and its own plant (300/yr, two months of finished goods); IM's users have price elasticity `e`.
fn sellers_side_world(e: f64) -> Scenario {
    let tables = producer("EX", 2400.0)
        + &producer("R", 2400.0)
        + &producer("IM", 300.0).replace("ramp = 0\n", "ramp = 0\nstock = 2\n")
        + &sector(
            "IM",
            "ind",
            1200.0,
            &format!("price_elasticity = {{ x = {e} }}"),
        )
        + &sector("B", "ind", 1200.0, "")
        + "[[shock]]\nid = \"ban\"\nkind = \"export_restriction\"\nexporter = \"EX\"\ncommodities = [\"x\"]\ntargets = [\"IM\"]\nstart = 1\nduration = 11\n";
    world(
        12,
        &["EX", "R", "IM", "B"],
        "availability_elasticity = 1\nsupply_elasticity = 1",
        &tables,
    )
}

#[test]
fn an_importers_own_plant_selling_more_leaves_its_price_alone_when_nothing_is_unmet() {
    // The capacity lever's backfire in the flagship (scenarios/README.md) came from here: cut off
    // from EX, IM buys more from its own plant, whose sold share `sold / available` rises above
    // the baseline's pro-rata share. The sellers' side only lowers prices (stranded output,
    // MODEL.md section 4.9), so with R covering every tonne IM needs, IM's index stays at 1 and
    // its price-sensitive users lose nothing.
    let rigid = run_n(&sellers_side_world(0.0), 1, 1);
    assert_eq!(series(&rigid, "output.IM.ind", 0), vec![1.0; 12]);
    assert_eq!(metric(&rigid, "unmet.IM.x"), vec![0.0]);
    assert_eq!(series(&rigid, "price.IM.x", 0), vec![1.0; 12]);
    assert_eq!(series(&rigid, "price.B.x", 0), vec![1.0; 12]);
    // EX's output is stranded: its home price falls, which the side exists for.
    let home = series(&rigid, "price.EX.x", 0);
    assert!(home[0] == 1.0 && home[1] < 1.0, "{home:?}");
    let elastic = run_n(&sellers_side_world(0.2), 1, 1);
    assert_eq!(series(&elastic, "output.IM.ind", 0), vec![1.0; 12]);
    assert_eq!(metric(&elastic, "sector.IM.ind.value_lost"), vec![0.0]);
    assert_eq!(metric(&elastic, "unmet.IM.x"), vec![0.0]);
}

/// No shock at all: P makes 2400/yr, IM's own plant 300/yr with two months of finished goods (50);
/// IM and B use 600/yr each, IM's users with price elasticity 0.2. `expansion`: a policy adding
/// capacity to IM's plant, or "".
fn expansion_world(expansion: &str) -> Scenario {
    let tables = producer("P", 2400.0)
        + &producer("IM", 300.0).replace("ramp = 0\n", "ramp = 0\nstock = 2\n")
        + &sector("IM", "ind", 600.0, "price_elasticity = { x = 0.2 }")
        + &sector("B", "ind", 600.0, "")
        + expansion;
    world(
        6,
        &["P", "IM", "B"],
        "availability_elasticity = 1\nsupply_elasticity = 1",
        &tables,
    )
}

#[test]
fn new_capacity_beside_a_fixed_finished_goods_stock_leaves_its_regions_price_alone() {
    // The capacity lever's backfire in the flagship (scenarios/README.md, docs/validation.md miss
    // 9) on a small world, by hand. Output is sold pro rata first (100 of 225 a month at baseline,
    // 100 of 250 once IM's plant doubles in period 2), while the plant's finished goods stay at
    // two months of its *baseline* output (50). Its sold share `sold / (made + stock)` therefore
    // rises from 0.4444 x 25 / 75 = 0.1481 to 0.4 x 50 / 100 = 0.2. Before the sellers' side was
    // limited to lowering prices this lifted IM's index to 0.2 / 0.1481 = 1.35 and cost IM's
    // price-sensitive users 6% of output with nothing short. Now IM's index stays at 1, while P,
    // whose sold share falls (0.4 / 0.4444 = 0.9, supply elasticity 1, full adjustment), sees
    // its price dip: stranded output.
    let plant = "[[policy]]\nid = \"plant\"\nkind = \"capacity_expansion\"\ncommodity = \"x\"\nregion = \"IM\"\ncapacity = 300\nlead_time = 2\n";
    let none = run_n(&expansion_world(""), 1, 1);
    assert_eq!(series(&none, "price.IM.x", 0), vec![1.0; 6]);
    assert_eq!(metric(&none, "world.value_lost"), vec![0.0]);
    let with = run_n(&expansion_world(plant), 1, 1);
    assert_eq!(series(&with, "price.IM.x", 0), vec![1.0; 6]);
    let home = series(&with, "price.P.x", 0);
    assert!(close(&home[..3], &[1.0, 1.0, 0.9], 1e-6), "{home:?}");
    assert_eq!(series(&with, "output.IM.ind", 0), vec![1.0; 6]);
    assert_eq!(metric(&with, "world.value_lost"), vec![0.0]);
    assert_eq!(metric(&with, "unmet.IM.x"), vec![0.0]);
}

/// The coefficient of variation whose lognormal has `sigma = 1`: `sqrt(e - 1)`.
const CV_SIGMA_ONE: f64 = 1.310_832_494_432_086_2;

/// EX makes `capacity`/yr, IM uses 1200/yr and holds 2 months, split over five groups of firms
/// with the given `dispersion` (none: pooled); `shocks` follow.
fn dispersion_world(horizon: usize, capacity: f64, inv: &str, shocks: &str) -> Scenario {
    let tables = producer("EX", capacity) + &sector("IM", "ind", 1200.0, "") + inv + shocks;
    world(horizon, &["EX", "IM"], "", &tables)
}

fn ban_at(id: &str, start: usize) -> String {
    format!(
        "[[shock]]\nid = \"{id}\"\nkind = \"export_restriction\"\nexporter = \"EX\"\ncommodities = [\"x\"]\nstart = {start}\nduration = 1\nseverity = 1\n"
    )
}

#[test]
fn dispersed_stocks_run_dry_firm_group_by_group() {
    // sigma = 1: the groups' covers are exp(z_j) / mean at the quintile midpoints, 0.1938,
    // 0.4133, 0.6982, 1.1796 and 2.5151 of the mean 2 months, i.e. 7.75, 16.53, 27.93, 47.18
    // and 100.60 t. Banned from period 0, each group needs 20 t a month of its own stock:
    // period 0 gets 7.75 + 16.53 + 3 x 20 = 84.28 t, period 1 0 + 0 + 7.93 + 2 x 20, period 2
    // 7.18 + 20, then 20, 20, 0.60 and nothing. The same 200 t pooled carry two full months.
    let shock = "[[shock]]\nid = \"ban\"\nkind = \"export_restriction\"\nexporter = \"EX\"\ncommodities = [\"x\"]\nstart = 0\nduration = 7\nseverity = 1\n";
    let inv = |extra: &str| inventory("IM", 2.0, 0.0, 0.0) + extra;
    let spread = dispersion_world(
        7,
        1200.0,
        &inv(&format!("dispersion = {CV_SIGMA_ONE}\n")),
        shock,
    );
    let y = series(&run_n(&spread, 1, 1), "output.IM.ind", 0);
    let want = [0.842_841, 0.479_283, 0.271_834, 0.2, 0.2, 0.006_041, 0.0];
    assert!(close(&y, &want, 1e-5), "{y:?}");
    // No spread across firms is the pooled stock, to the last bit.
    let pooled = series(
        &run_n(&dispersion_world(7, 1200.0, &inv(""), shock), 1, 1),
        "output.IM.ind",
        0,
    );
    assert!(close(&pooled, &[1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0], 1e-12));
    let zero = dispersion_world(7, 1200.0, &inv("dispersion = 0\n"), shock);
    assert_eq!(series(&run_n(&zero, 1, 1), "output.IM.ind", 0), pooled);
}

#[test]
fn refills_go_to_the_groups_that_drew_so_a_second_ban_hits_like_the_first() {
    // Target 2 months, refill up to a month's demand, EX has 100 t a month spare. The first ban
    // (period 0) draws 7.75, 16.53, 20, 20, 20 t from the five groups; in period 1 the 84.28 t
    // refill goes to each group in proportion to how far it sits below its own target, which is
    // exactly what it drew, so the second ban (period 2) finds the same stocks.
    let inv = inventory("IM", 2.0, 2.0, 1.0) + &format!("dispersion = {CV_SIGMA_ONE}\n");
    let shocks = ban_at("first", 0) + &ban_at("second", 2);
    let r = run_n(&dispersion_world(3, 2400.0, &inv, &shocks), 1, 1);
    let flow = series(&r, "flow.EX.IM.x", 0);
    assert!(close(&flow, &[0.0, 184.284_142, 0.0], 1e-6), "{flow:?}");
    let y = series(&r, "output.IM.ind", 0);
    assert!(close(&y, &[0.842_841, 1.0, 0.842_841], 1e-5), "{y:?}");
}

/// Region A makes `capacity`/yr of x and uses 1200/yr (100 a month); its state reserve buys 120
/// in periods 1-3 (an even 40 a month).
fn reserve_world(capacity: f64, utilization: f64) -> Scenario {
    let tables = format!(
        "[[producer]]\ncommodity = \"x\"\nregion = \"A\"\ncapacity = {capacity}\nutilization = {utilization}\nmax_utilization = 1\nramp = 0\n"
    ) + &sector("A", "ind", 1200.0, "")
        + "[[shock]]\nid = \"state-buying\"\nkind = \"reserve_purchase\"\nregion = \"A\"\ncommodity = \"x\"\nstart = 1\nduration = 3\nquantity = 120\n";
    world(5, &["A"], "availability_elasticity = 0.5", &tables)
}

#[test]
fn a_reserve_bids_the_price_up_only_when_the_market_cannot_serve_it() {
    use chokepoint::engine::trial_trace;
    use chokepoint::model::Model;
    // No spare output: consumers are served first, the reserve gets nothing and its missed
    // orders wait, so it asks for 40, 80, 120: z = 100 / (100 + q), index z^-2.
    let sc = reserve_world(1200.0, 1.0);
    let r = run_n(&sc, 1, 1);
    let want: Vec<f64> = [0.0, 40.0, 80.0, 120.0, 0.0]
        .iter()
        .map(|q: &f64| (100.0 / (100.0 + q)).powf(-2.0))
        .collect();
    let p = series(&r, "price.A.x", 0);
    assert!(close(&p, &want, 1e-6), "{p:?} vs {want:?}");
    assert_eq!(series(&r, "output.A.ind", 0), vec![1.0; 5]);
    let tr = trial_trace(&Model::compile(&sc), 1, 0);
    assert!(tr.cells.iter().all(|b| b.reserved == 0.0));
    assert_eq!(metric(&r, "reserve.state-buying.bought"), vec![0.0]);

    // Spare output of 100 a month: the reserve buys 40 a month, nobody is short, and with
    // demand met and output sold above its baseline share the index stays at 1.
    let sc = reserve_world(2400.0, 1.0);
    let r = run_n(&sc, 1, 1);
    assert!(close(&series(&r, "price.A.x", 0), &[1.0; 5], 1e-6));
    let tr = trial_trace(&Model::compile(&sc), 1, 0);
    let bought: Vec<f64> = tr.cells.iter().map(|b| b.reserved).collect();
    assert!(
        close(&bought, &[0.0, 40.0, 40.0, 40.0, 0.0], 1e-9),
        "{bought:?}"
    );
    assert!(close(
        &metric(&r, "reserve.state-buying.bought"),
        &[120.0],
        1e-9
    ));
    assert_eq!(series(&r, "output.A.ind", 0), vec![1.0; 5]);
}

/// A refiner with twice the capacity its buyers take: product `x` from ore `o` (2 t a unit).
fn idle_refiner_world(horizon: usize) -> Scenario {
    let t = format!(
        "[scenario]\nname = \"idle refiner\"\nhorizon = {horizon}\nperiod = \"month\"\ntrials = 1\n\n\
         [[region]]\nid = \"A\"\n\
         [[commodity]]\nid = \"o\"\nprice = 1\nelasticity = 0.2\nmax_price_multiple = 20\n\
         [[commodity]]\nid = \"x\"\nprice = 1\nelasticity = 0.2\nmax_price_multiple = 20\n\
         [[producer]]\ncommodity = \"o\"\nregion = \"A\"\ncapacity = 6000\nutilization = 1\nmax_utilization = 1\nramp = 0\n\
         [[producer]]\ncommodity = \"x\"\nregion = \"A\"\ncapacity = 2400\nutilization = 1\nmax_utilization = 1\nramp = 0\ninputs = {{ o = 2 }}\n\
         [[sector]]\nid = \"ind\"\nregion = \"A\"\nvalue_added = 1.2e9\ndemand = {{ x = 1200 }}\n"
    );
    match load_str(&t, Path::new("idle.toml")) {
        Ok(l) => l.scenario,
        Err(e) => panic!("{}\n{t}", e.render(false)),
    }
}

#[test]
fn a_producers_unused_inputs_are_used_first_so_no_stock_piles_up() {
    use chokepoint::engine::trial_trace;
    use chokepoint::model::Model;
    // The refiner plans 200 units a month (400 t of ore) and sells 100 (200 t used). It holds
    // the 200 t of ore for its idle capacity and orders only the 200 t it uses, from the first
    // month (the trial starts at the no-shock steady state). Before engine 6 the unused ore went
    // to the region's stock every month and was ordered again, so the stock grew by 200 t a
    // month without any shock.
    let sc = idle_refiner_world(12);
    let m = Model::compile(&sc);
    let tr = trial_trace(&m, 1, 0);
    let ore: Vec<&_> = tr.cells.iter().filter(|b| b.commodity == 0).collect();
    let arrivals: Vec<f64> = ore.iter().map(|b| b.arrivals).collect();
    assert!(close(&arrivals, &[200.0; 12], 1e-9), "{arrivals:?}");
    assert!(ore.iter().all(|b| b.inventory == 0.0 && b.returned == 0.0));
    let r = run_n(&sc, 1, 1);
    assert_eq!(series(&r, "output.A.ind", 0), vec![1.0; 12]);
}

/// An importer's sector needs `x` (from EX, restricted) and `y` (made at home, ample), both
/// essential, 100 a month each.
fn two_input_world(horizon: usize, restriction: &str) -> Scenario {
    let t = format!(
        "[scenario]\nname = \"two inputs\"\nhorizon = {horizon}\nperiod = \"month\"\ntrials = 1\n\n\
         [[region]]\nid = \"EX\"\n[[region]]\nid = \"A\"\n\
         [[commodity]]\nid = \"x\"\nprice = 1\nelasticity = 0.2\nmax_price_multiple = 20\n\
         [[commodity]]\nid = \"y\"\nprice = 1\nelasticity = 0.2\nmax_price_multiple = 20\n\
         [[producer]]\ncommodity = \"x\"\nregion = \"EX\"\ncapacity = 1200\nutilization = 1\nmax_utilization = 1\nramp = 0\n\
         [[producer]]\ncommodity = \"y\"\nregion = \"A\"\ncapacity = 2400\nutilization = 0.5\nmax_utilization = 1\nramp = 0\n\
         [[sector]]\nid = \"ind\"\nregion = \"A\"\nvalue_added = 1.2e9\ndemand = {{ x = 1200, y = 1200 }}\n\
         {restriction}"
    );
    match load_str(&t, Path::new("two.toml")) {
        Ok(l) => l.scenario,
        Err(e) => panic!("{}\n{t}", e.render(false)),
    }
}

const HALF_OF_X: &str = "[[shock]]\nid = \"half\"\nkind = \"export_restriction\"\nexporter = \"EX\"\ncommodities = [\"x\"]\nstart = 1\nduration = 11\nseverity = 0.5\n";

/// Region A's balances of `y` over 12 months with half of `x` blocked from month 1 (`extra`:
/// more tables). Checks that `y` arrives at 100 in months 0-1 and at 50 from then on, that the
/// stock at the start of each month is `opening` until month 2 and `opening + 50` after it, and
/// that nobody runs short.
fn y_balances(extra: &str, opening: f64) -> (Scenario, Vec<chokepoint::engine::CellBalance>) {
    use chokepoint::engine::trial_trace;
    use chokepoint::model::Model;
    let sc = two_input_world(12, &format!("{extra}{HALF_OF_X}"));
    let tr = trial_trace(&Model::compile(&sc), 1, 0);
    let y: Vec<_> = tr
        .cells
        .into_iter()
        .filter(|b| b.commodity == 1 && b.region == 1)
        .collect();
    let arrivals: Vec<f64> = y.iter().map(|b| b.arrivals).collect();
    let stock: Vec<f64> = y.iter().map(|b| b.inventory).collect();
    let want: Vec<f64> = (0..12).map(|t| if t < 2 { 100.0 } else { 50.0 }).collect();
    assert!(close(&arrivals, &want, 1e-9), "arrivals {arrivals:?}");
    let held: Vec<f64> = (0..12)
        .map(|t| if t < 2 { opening } else { opening + 50.0 })
        .collect();
    assert!(
        close(&stock, &held, 1e-9),
        "stock at the start of each month {stock:?}"
    );
    assert!(y.iter().all(|b| b.unmet.abs() < 1e-9), "nobody runs short");
    (sc, y)
}

#[test]
fn a_sector_held_back_by_one_input_uses_its_returned_stock_of_the_other_before_ordering() {
    // Half of `x` is blocked from month 1, so the sector runs at half output and uses 50 of the
    // 100 `y` it receives; the other 50 go back to the region's stock (MODEL.md section 4.8).
    // From month 2 on the region uses that stock first and orders only 50: the stock stays at
    // one month's unused 50 instead of growing by 50 every month (engine 6 and earlier ordered
    // 100 each month, so it reached 550 by month 11).
    let (sc, y) = y_balances("", 0.0);
    // What the sector receives (trade plus the stock) and its output are those of the old rule.
    assert!(y.iter().all(|b| (b.delivered - 100.0).abs() < 1e-9));
    let r = run_n(&sc, 1, 1);
    let out: Vec<f64> = (0..12).map(|t| if t < 1 { 1.0 } else { 0.5 }).collect();
    assert!(close(&series(&r, "output.A.ind", 0), &out, 1e-9));
    // Mass balance in every month: arrivals + draw = delivered + refill.
    for b in &y {
        let supply = b.arrivals + b.recycled + b.inventory_draw + b.stockpile_release;
        assert!(
            (supply - b.delivered - b.refilled - b.reserved).abs() < 1e-9,
            "{b:?}"
        );
    }
}

#[test]
fn firms_with_dispersed_stocks_each_use_their_own_returned_surplus() {
    // As above, with a month of `y` held by five groups of firms whose covers differ (cv 0.8):
    // each group gets a fifth of the returned 50 and uses exactly that before the region
    // orders, so nobody runs short and the cell's stock stays at its opening 100 plus 50.
    y_balances(
        "[[inventory]]\nregion = \"A\"\ncommodity = \"y\"\ncover = 1\ntarget = 0.5\nrefill_rate = 0.25\ndispersion = 0.8\n",
        100.0,
    );
}
