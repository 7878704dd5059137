//! The observed record (`scenarios/validation/record.toml`): the episodes, the scenario file
//! that encodes each, and the observations the model is scored against (MODEL.md v2 §4.12).

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Whether an episode's observations were used to set parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sample {
    /// Parameters were fitted to this episode.
    Calibration,
    /// Reported as out of sample: nothing was set from it.
    OutOfSample,
}

impl Sample {
    pub fn name(self) -> &'static str {
        match self {
            Sample::Calibration => "calibration",
            Sample::OutOfSample => "out of sample",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Episode {
    pub id: String,
    /// The scenario that encodes the episode, relative to the record file.
    pub scenario: PathBuf,
    pub sample: Sample,
    #[serde(default)]
    pub description: String,
}

/// What an observation measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Quantity {
    /// The exporter's shipments of `commodity` to `region` (or `"all"` other regions), as a ratio
    /// to the scenario's first period (before the announcement).
    Exports,
    /// The price index of `commodity` in `region` outside the exporter, as a ratio to the first
    /// period.
    PriceOutside,
    /// The price index inside the exporter.
    PriceInside,
    /// A downstream stoppage of `sector` in `region`: full-stop-equivalent months of output lost
    /// (`value` in months), starting in `period`.
    Stoppage,
}

impl Quantity {
    pub fn name(self) -> &'static str {
        match self {
            Quantity::Exports => "exports",
            Quantity::PriceOutside => "price outside",
            Quantity::PriceInside => "price inside",
            Quantity::Stoppage => "stoppage",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Observation {
    pub id: String,
    pub episode: String,
    pub quantity: Quantity,
    pub commodity: String,
    /// Destination for exports (`"all"` = every other region), where a price is quoted, or
    /// where a stoppage happened.
    pub region: String,
    /// The restricting exporter (default `"CN"`).
    #[serde(default = "default_exporter")]
    pub exporter: String,
    /// The sector of a stoppage.
    #[serde(default)]
    pub sector: Option<String>,
    /// Calendar month `YYYY-MM` (the last month covered, for a figure over several months).
    pub period: String,
    /// Months the figure covers, ending with `period` (an annual total: 12). Default 1.
    #[serde(default = "one_month")]
    pub months: u32,
    pub value: f64,
    #[serde(default)]
    pub low: Option<f64>,
    #[serde(default)]
    pub high: Option<f64>,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub baseline: String,
    pub source: String,
    #[serde(default)]
    pub note: String,
}

fn one_month() -> u32 {
    1
}

fn default_exporter() -> String {
    "CN".to_string()
}

impl Observation {
    /// Whether the observation's figure was found in a stored source (the record marks the
    /// others `unsourced`).
    pub fn sourced(&self) -> bool {
        !self.source.trim_start().starts_with("unsourced")
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRecord {
    #[serde(default)]
    episode: Vec<Episode>,
    #[serde(default)]
    observation: Vec<Observation>,
}

/// A loaded record: episodes with scenario paths resolved against the record file.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub file: PathBuf,
    pub episodes: Vec<Episode>,
    pub observations: Vec<Observation>,
}

/// Parses a `YYYY-MM` label into (year, month).
pub fn parse_month(s: &str) -> Option<(i32, u32)> {
    let (y, m) = s.split_once('-')?;
    let (y, m): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
    ((1900..=2200).contains(&y) && (1..=12).contains(&m)).then_some((y, m))
}

/// Loads and checks a record file; every problem is reported at once, each naming the file and
/// the entry.
pub fn load(path: &Path) -> Result<Record, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read the record: {e}", path.display()))?;
    let raw: RawRecord = toml::from_str(&text)
        .map_err(|e| format!("{}: {}", path.display(), e.to_string().trim()))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut errors = Vec::new();
    let mut episodes = raw.episode;
    for (i, e) in episodes.iter().enumerate() {
        if episodes[..i].iter().any(|x| x.id == e.id) {
            errors.push(format!("episode \"{}\" is defined twice", e.id));
        }
    }
    for e in &mut episodes {
        e.scenario = dir.join(&e.scenario);
    }
    for (i, o) in raw.observation.iter().enumerate() {
        let at = format!("observation \"{}\"", o.id);
        if raw.observation[..i].iter().any(|x| x.id == o.id) {
            errors.push(format!("{at} is defined twice"));
        }
        if !episodes.iter().any(|e| e.id == o.episode) {
            let known: Vec<&str> = episodes.iter().map(|e| e.id.as_str()).collect();
            errors.push(format!(
                "{at}: episode \"{}\" is not defined (known: {})",
                o.episode,
                known.join(", ")
            ));
        }
        if parse_month(&o.period).is_none() {
            errors.push(format!(
                "{at}: period \"{}\" is not a calendar month (allowed: \"YYYY-MM\")",
                o.period
            ));
        }
        if !(o.value.is_finite() && o.value >= 0.0) {
            errors.push(format!("{at}: value must be a finite number >= 0"));
        }
        if !(o.low.is_none_or(|lo| lo <= o.value) && o.high.is_none_or(|hi| o.value <= hi)) {
            errors.push(format!("{at}: low <= value <= high must hold"));
        }
        if !(1..=120).contains(&o.months) {
            errors.push(format!("{at}: months must be 1 to 120"));
        }
        if o.quantity == Quantity::Stoppage && o.sector.is_none() {
            errors.push(format!("{at}: a stoppage needs `sector`"));
        }
    }
    if errors.is_empty() {
        Ok(Record {
            file: path.to_path_buf(),
            episodes,
            observations: raw.observation,
        })
    } else {
        Err(format!(
            "{}: {} problem(s):\n  {}",
            path.display(),
            errors.len(),
            errors.join("\n  ")
        ))
    }
}
