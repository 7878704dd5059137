//! The `[scenario]` and `[world]` tables: names, horizon, period, calendar start, seed, trials.

use std::path::Path;

use super::diagnostic::Diags;
use super::reader::Fields;
use super::suggest::did_you_mean;
use super::tree::Node;
use super::types::{Meta, Period, YearMonth};

pub const SCENARIO_TABLE_KEYS: [&str; 9] = [
    "name",
    "description",
    "world",
    "horizon",
    "period",
    "start",
    "seed",
    "trials",
    "source",
];
pub const WORLD_TABLE_KEYS: [&str; 4] = ["name", "description", "year", "source"];

pub const DEFAULT_HORIZON: i64 = 24;
pub const MAX_HORIZON: i64 = 1040;
pub const DEFAULT_SEED: i64 = 0;
pub const DEFAULT_TRIALS: i64 = 10_000;
pub const MAX_TRIALS: i64 = 10_000_000;

/// Reads `[scenario]` (optional: a world file checked on its own has none) and `[world]`.
/// Without `[scenario]`, name, description and source come from `[world]`.
pub fn read(scenario: Option<&Node>, world: Option<&Node>, file: &Path, d: &mut Diags) -> Meta {
    let stem = file.file_stem().map_or_else(
        || "scenario".to_string(),
        |s| s.to_string_lossy().into_owned(),
    );
    let mut meta = Meta {
        name: stem,
        description: String::new(),
        file: file.to_path_buf(),
        world_file: None,
        world_name: None,
        world_year: None,
        horizon: DEFAULT_HORIZON as usize,
        period: Period::Month,
        start: None,
        seed: DEFAULT_SEED as u64,
        trials: DEFAULT_TRIALS as u64,
        source: None,
    };
    if let Some(f) = world.and_then(|n| Fields::of(n, "world", d)) {
        f.check_keys(&WORLD_TABLE_KEYS, "[world]", d);
        meta.world_name = f.string("name", d).map(|s| s.text);
        if f.get("year").is_some() {
            meta.world_year = f.int("year", 0, 9999, None, d).map(|y| y as i32);
        }
        let description = f.string("description", d);
        let source = f.string("source", d);
        // A world file checked on its own describes itself; a scenario keeps its own name.
        if scenario.is_none() {
            if let Some(name) = &meta.world_name {
                meta.name = name.clone();
            }
            meta.description = description.map_or_else(String::new, |x| x.text);
            meta.source = source.map(|x| x.text);
        }
    }
    let Some(f) = scenario.and_then(|n| Fields::of(n, "scenario", d)) else {
        return meta;
    };
    f.check_keys(&SCENARIO_TABLE_KEYS, "[scenario]", d);
    if let Some(n) = f.string("name", d) {
        meta.name = n.text;
    }
    if let Some(n) = f.string("description", d) {
        meta.description = n.text;
    }
    if let Some(h) = f.int("horizon", 1, MAX_HORIZON, Some(DEFAULT_HORIZON), d) {
        meta.horizon = h as usize;
    }
    if let Some(p) = f.string("period", d) {
        meta.period = match p.text.as_str() {
            "week" => Period::Week,
            "month" => Period::Month,
            "quarter" => Period::Quarter,
            other => {
                d.error(
                    &p.loc,
                    "scenario.period",
                    format!("unknown period \"{other}\""),
                )
                .allowed("\"week\", \"month\" or \"quarter\"")
                .hint(did_you_mean(other, &["week", "month", "quarter"]));
                Period::Month
            }
        };
    }
    match f.get("start") {
        Some(n) if matches!(n.val, super::tree::Val::Datetime(_)) => {
            // A bare TOML date; ask for the string form so "2025-04" and "2025-04-01" do not mix.
            d.error(
                &n.loc,
                "scenario.start",
                "write the start month as a string",
            )
            .allowed("\"YYYY-MM\", e.g. \"2025-04\"")
            .hint("put the date in quotes and drop the day: start = \"2025-04\"");
        }
        Some(_) => {
            if let Some(s) = f.string("start", d) {
                meta.start = parse_year_month(&s.text);
                if meta.start.is_none() {
                    d.error(
                        &s.loc,
                        "scenario.start",
                        format!("\"{}\" is not a year and month", s.text),
                    )
                    .allowed("\"YYYY-MM\", e.g. \"2025-04\"");
                }
            }
        }
        None => {}
    }
    if let Some(s) = f.int("seed", 0, i64::MAX, Some(DEFAULT_SEED), d) {
        meta.seed = s as u64;
    }
    if let Some(t) = f.int("trials", 1, MAX_TRIALS, Some(DEFAULT_TRIALS), d) {
        meta.trials = t as u64;
    }
    if let Some(s) = f.string("source", d) {
        meta.source = Some(s.text);
    }
    meta
}

/// "YYYY-MM" with month 1..=12.
pub fn parse_year_month(s: &str) -> Option<YearMonth> {
    let (y, m) = s.split_once('-')?;
    if y.len() != 4
        || m.len() != 2
        || !y.bytes().all(|b| b.is_ascii_digit())
        || !m.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let year: i32 = y.parse().ok()?;
    let month: u32 = m.parse().ok()?;
    (1..=12)
        .contains(&month)
        .then_some(YearMonth { year, month })
}

/// The period that calendar month `label` falls in, counted from `start` (period 0): months
/// and quarters by calendar difference, weeks as round(days / 7) with months of 30.4375 days.
/// Negative when `label` is before `start`.
pub fn period_of(start: YearMonth, label: YearMonth, period: Period) -> i64 {
    let months = |ym: YearMonth| ym.year as i64 * 12 + ym.month as i64 - 1;
    let quarters = |ym: YearMonth| ym.year as i64 * 4 + (ym.month as i64 - 1) / 3;
    match period {
        Period::Month => months(label) - months(start),
        Period::Quarter => quarters(label) - quarters(start),
        Period::Week => ((months(label) - months(start)) as f64 * 30.4375 / 7.0).round() as i64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ym(s: &str) -> YearMonth {
        parse_year_month(s).expect("a label")
    }

    #[test]
    fn labels_count_periods_from_the_start() {
        let s = ym("2025-04");
        assert_eq!(period_of(s, ym("2025-04"), Period::Month), 0);
        assert_eq!(period_of(s, ym("2026-01"), Period::Month), 9);
        assert_eq!(period_of(s, ym("2025-01"), Period::Month), -3);
        assert_eq!(period_of(s, ym("2025-06"), Period::Quarter), 0);
        assert_eq!(period_of(s, ym("2025-07"), Period::Quarter), 1);
        assert_eq!(period_of(s, ym("2025-03"), Period::Quarter), -1);
        assert_eq!(period_of(s, ym("2026-04"), Period::Week), 52);
        assert_eq!(period_of(s, ym("2025-05"), Period::Week), 4);
    }
}
