//! Which sectors and commodities get charts: affected sectors (some loss in some trial), worst
//! first by mean value lost, capped so a large world does not produce hundreds of charts; and the
//! commodities that an export restriction names, with their exporters.

use crate::report::view::RunView;
use crate::scenario::{CommodityIx, RegionIx, Scenario, SectorIx, ShockKind};
use crate::stats::Summary;

/// At most this many sectors (by sector id, every region of it on one chart) get an output chart.
pub const MAX_SECTOR_CHARTS: usize = 6;
/// At most this many restricted commodities get their own price and flow charts; every
/// restricted commodity is in the price summary chart and table.
pub const MAX_COMMODITY_CHARTS: usize = 4;
/// A restricted commodity gets its own price chart only when some region's median price moves
/// by more than this share of its reference at some period; the summary shows the rest.
pub const PRICE_MOVE: f64 = 0.02;
/// At most this many rows in the value-lost-by-sector overview.
pub const MAX_OVERVIEW_ROWS: usize = 20;
/// A sector counts as affected when its mean output loss exceeds this share in some trial; below
/// it (a millionth of output) a loss is rounding noise, not a shortage.
pub const LOSS_EPS: f64 = 1e-6;

/// A commodity named by at least one export restriction.
#[derive(Debug, Clone, PartialEq)]
pub struct Restricted {
    pub commodity: CommodityIx,
    /// Exporters restricting it, in shock order.
    pub exporters: Vec<RegionIx>,
    /// Regions targeted by any of those restrictions.
    pub targets: Vec<RegionIx>,
}

/// One kind of sector (one sector id) across the regions that have it, for one output chart.
#[derive(Debug, Clone, PartialEq)]
pub struct SectorGroup {
    /// The sector id shared by the group.
    pub id: String,
    /// Its affected sectors, worst first.
    pub sectors: Vec<SectorIx>,
}

/// What the charts cover.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// Sector kinds charted (one output chart each), worst first by the value they lose.
    pub groups: Vec<SectorGroup>,
    /// The worst sector, which gets the loss distribution chart.
    pub worst: Option<SectorIx>,
    /// Number of affected sectors (mean loss above `LOSS_EPS` in at least one trial).
    pub affected: usize,
    /// Every affected sector, worst first.
    pub all_affected: Vec<SectorIx>,
    /// Number of sector kinds with an affected sector.
    pub groups_total: usize,
    /// Every restricted commodity, in order of first restriction (the summary chart and table).
    pub restricted: Vec<Restricted>,
    /// Restricted commodities with their own price and flow charts: those whose prices move,
    /// largest rise outside the exporter first, at most `MAX_COMMODITY_CHARTS`.
    pub detailed: Vec<Restricted>,
}

/// Name of a per-sector metric, e.g. `sector.US.ev.mean_loss`.
pub fn sector_metric(scenario: &Scenario, s: SectorIx, field: &str) -> String {
    let sec = &scenario.sectors[s];
    format!(
        "sector.{}.{}.{}",
        scenario.regions[sec.region].id, sec.id, field
    )
}

/// Per-trial values of a metric, if the run reported it.
pub fn metric(results: &dyn RunView, name: &str) -> Option<Vec<f64>> {
    results
        .metric_index(name)
        .and_then(|m| results.metric_values(m))
}

/// Summary of a metric, if the run reported it: `stats::summarize` of its per-trial values where
/// the run kept them, else the run's own (streamed) summary.
pub fn metric_summary(results: &dyn RunView, name: &str) -> Option<Summary> {
    let m = results.metric_index(name)?;
    Some(match results.metric_values(m) {
        Some(v) => crate::stats::summarize(&v),
        None => results.summary(m),
    })
}

/// Mean and largest value of a metric, if the run reported it: from its per-trial values where
/// the run kept them, else from its summary.
fn mean_max(results: &dyn RunView, name: &str) -> Option<(f64, f64)> {
    let m = results.metric_index(name)?;
    Some(match results.metric_values(m) {
        Some(v) => (mean(&v), v.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b))),
        None => {
            let s = results.summary(m);
            (s.mean, s.max)
        }
    })
}

fn mean(v: &[f64]) -> f64 {
    if v.is_empty() {
        0.0
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

/// Affected sectors, worst first: by mean value lost, then mean loss, then scenario order.
pub fn affected_sectors(scenario: &Scenario, results: &dyn RunView) -> Vec<SectorIx> {
    let mut ranked: Vec<(SectorIx, f64, f64)> = (0..scenario.sectors.len())
        .filter_map(|s| {
            let (loss, worst) = mean_max(results, &sector_metric(scenario, s, "mean_loss"))?;
            if worst <= LOSS_EPS {
                return None;
            }
            let value =
                mean_max(results, &sector_metric(scenario, s, "value_lost")).map_or(0.0, |v| v.0);
            Some((s, value, loss))
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.1.total_cmp(&a.1)
            .then(b.2.total_cmp(&a.2))
            .then(a.0.cmp(&b.0))
    });
    ranked.into_iter().map(|r| r.0).collect()
}

/// Restricted commodities in order of first mention, with exporters and targets merged.
pub fn restricted(scenario: &Scenario) -> Vec<Restricted> {
    let mut out: Vec<Restricted> = Vec::new();
    for shock in &scenario.shocks {
        let ShockKind::ExportRestriction {
            exporter,
            commodities,
            targets,
            ..
        } = &shock.kind
        else {
            continue;
        };
        for &c in commodities {
            let pos = match out.iter().position(|r| r.commodity == c) {
                Some(p) => p,
                None => {
                    out.push(Restricted {
                        commodity: c,
                        exporters: Vec::new(),
                        targets: Vec::new(),
                    });
                    out.len() - 1
                }
            };
            let r = &mut out[pos];
            if !r.exporters.contains(exporter) {
                r.exporters.push(*exporter);
            }
            for t in targets {
                if !r.targets.contains(t) {
                    r.targets.push(*t);
                }
            }
        }
    }
    out
}

/// Affected sectors grouped by sector id, in order of their worst member (so the group of the
/// worst sector comes first).
pub fn sector_groups(scenario: &Scenario, worst_first: &[SectorIx]) -> Vec<SectorGroup> {
    let mut groups: Vec<SectorGroup> = Vec::new();
    for &s in worst_first {
        let id = &scenario.sectors[s].id;
        match groups.iter_mut().find(|g| &g.id == id) {
            Some(g) => g.sectors.push(s),
            None => groups.push(SectorGroup {
                id: id.clone(),
                sectors: vec![s],
            }),
        }
    }
    groups
}

/// The largest move of a median price away from its reference (1) over regions and periods,
/// and the largest mean peak price outside the exporters.
pub fn price_moves(scenario: &Scenario, results: &dyn RunView, r: &Restricted) -> (f64, f64) {
    let com = &scenario.commodities[r.commodity];
    let mut moved = 0.0f64;
    let mut peak_outside = 0.0f64;
    for (ri, reg) in scenario.regions.iter().enumerate() {
        if let Some(idx) = results.series_index(&format!("price.{}.{}", reg.id, com.id)) {
            for b in results.bands(idx) {
                moved = moved.max((b.p50 - 1.0).abs());
            }
        }
        if !r.exporters.contains(&ri)
            && let Some((m, _)) = mean_max(results, &format!("price.{}.{}.peak", reg.id, com.id))
        {
            peak_outside = peak_outside.max(m);
        }
    }
    (moved, peak_outside)
}

/// The charted sectors and commodities.
pub fn select(scenario: &Scenario, results: &dyn RunView) -> Selection {
    let sectors = affected_sectors(scenario, results);
    let affected = sectors.len();
    let mut groups = sector_groups(scenario, &sectors);
    let groups_total = groups.len();
    groups.truncate(MAX_SECTOR_CHARTS);
    let restricted = restricted(scenario);
    let mut ranked: Vec<(usize, f64)> = restricted
        .iter()
        .enumerate()
        .filter_map(|(k, r)| {
            let (moved, peak) = price_moves(scenario, results, r);
            (moved > PRICE_MOVE).then_some((k, peak))
        })
        .collect();
    // Largest rise first; ties keep the order of first restriction.
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let detailed = ranked
        .iter()
        .take(MAX_COMMODITY_CHARTS)
        .map(|&(k, _)| restricted[k].clone())
        .collect();
    Selection {
        groups,
        worst: sectors.first().copied(),
        affected,
        all_affected: sectors,
        groups_total,
        restricted,
        detailed,
    }
}
