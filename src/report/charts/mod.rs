//! Charts of a run, drawn with plotters as 1200x800 PNG and SVG. Text uses the embedded DejaVu Sans
//! font (registered on first use), so no system font library is needed; see `LICENSES/DejaVu.txt`.
//!
//! `plan` turns a scenario and its results into prepared figures (numbers only, no drawing);
//! `render` draws them in memory (SVG text and PNG bytes); `draw_all` writes them to `charts/` of
//! the output directory and returns the SVG text so the HTML report can inline it without
//! re-reading files. Same inputs give byte-identical files.

mod bands;
mod boxes;
pub mod compare;
mod fan;
mod flow;
pub(crate) mod format;
pub mod frontier;
mod loss;
mod palette;
mod price;
pub mod risk_curve;
mod select;
pub mod tornado;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::report::view::RunView;
use crate::scenario::Scenario;

pub use palette::region_color;
pub use select::{
    LOSS_EPS, MAX_COMMODITY_CHARTS, MAX_OVERVIEW_ROWS, MAX_SECTOR_CHARTS, PRICE_MOVE, Restricted,
    SectorGroup, Selection, price_moves, restricted, sector_metric, select,
};

/// Pixel size of every chart.
pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 800;

/// Font family name the embedded font is registered under.
pub(crate) const FONT: &str = "sans-serif";

/// What a chart shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// Histogram of a sector's per-trial mean loss with its exceedance curve.
    LossDistribution,
    /// Fan chart of a sector's output share over time.
    OutputFan,
    /// Price index bands of one restricted commodity, one colour per region.
    PriceBands,
    /// Flows of one restricted commodity from its exporter to each importing region.
    Flows,
    /// Box-and-whisker of value lost per sector.
    ValueLostBySector,
    /// Box-and-whisker of value lost per region.
    ValueLostByRegion,
    /// Peak price index of every restricted commodity, outside and inside the exporter.
    PriceSummary,
}

impl ChartKind {
    pub fn name(self) -> &'static str {
        match self {
            ChartKind::LossDistribution => "loss_distribution",
            ChartKind::OutputFan => "output_fan",
            ChartKind::PriceBands => "price_bands",
            ChartKind::Flows => "flows",
            ChartKind::ValueLostBySector => "value_lost_by_sector",
            ChartKind::ValueLostByRegion => "value_lost_by_region",
            ChartKind::PriceSummary => "price_summary",
        }
    }
}

/// One drawn chart. Files are `charts/<file_stem>.png` and `.svg`.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub file_stem: String,
    pub title: String,
    /// One line saying what to look at.
    pub caption: String,
    pub kind: ChartKind,
    /// The SVG document, exactly the bytes of the `.svg` file.
    pub svg: String,
}

impl Chart {
    /// The chart's files, relative to the output directory: `charts/<stem>.png` and `.svg`.
    pub fn files(&self) -> [String; 2] {
        [
            format!("charts/{}.png", self.file_stem),
            format!("charts/{}.svg", self.file_stem),
        ]
    }
}

/// A chart could not be drawn or written.
#[derive(Debug)]
pub enum ChartError {
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    Draw {
        path: PathBuf,
        message: String,
    },
}

impl fmt::Display for ChartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChartError::Io { path, source } => {
                let advice = match source.kind() {
                    std::io::ErrorKind::StorageFull => {
                        "no space left on device; free some space or choose another --out"
                    }
                    std::io::ErrorKind::PermissionDenied => {
                        "permission denied; check that the output directory is writable"
                    }
                    _ => "",
                };
                if advice.is_empty() {
                    write!(f, "could not write chart {}: {source}", path.display())
                } else {
                    write!(f, "could not write chart {}: {advice}", path.display())
                }
            }
            ChartError::Draw { path, message } => write!(
                f,
                "could not draw chart {}: {message}; rerun with --no-charts to skip charts",
                path.display()
            ),
        }
    }
}

impl std::error::Error for ChartError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ChartError::Io { source, .. } => Some(source),
            ChartError::Draw { .. } => None,
        }
    }
}

/// Registers the embedded DejaVu Sans (regular and bold) as `sans-serif`. Idempotent.
pub fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bytes are a valid TrueType font shipped inside the `dejavu` crate; a failure here
        // would be a build problem, and drawing then reports a font error instead of panicking.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
        let _ = plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold());
    });
}

/// A chart's numbers, ready to draw on any backend.
#[derive(Debug, Clone)]
pub struct Figure {
    pub file_stem: String,
    pub title: String,
    pub caption: String,
    pub kind: ChartKind,
    body: Body,
}

#[derive(Debug, Clone)]
enum Body {
    Loss(loss::LossData),
    Bands(Box<bands::BandChart>),
    Boxes(boxes::BoxData),
}

pub type DrawResult = Result<(), Box<dyn std::error::Error>>;

/// A chart that can be drawn on any plotters backend; the SVG and PNG renderings come with it,
/// so every kind of chart (run and comparison) is encoded the same way.
pub trait Draw {
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static;

    /// The chart as an SVG document.
    fn svg(&self) -> Result<String, String> {
        register_fonts();
        let mut s = String::new();
        {
            let root = SVGBackend::with_string(&mut s, (WIDTH, HEIGHT)).into_drawing_area();
            self.draw_on(&root).map_err(|e| e.to_string())?;
        }
        Ok(s)
    }

    /// The chart as raw RGB pixels, `WIDTH x HEIGHT x 3` bytes, row-major.
    fn rgb(&self) -> Result<Vec<u8>, String> {
        register_fonts();
        let mut buf = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
        {
            let root = BitMapBackend::with_buffer(&mut buf, (WIDTH, HEIGHT)).into_drawing_area();
            self.draw_on(&root).map_err(|e| e.to_string())?;
        }
        Ok(buf)
    }

    /// The chart as PNG bytes (8-bit RGB; deterministic).
    fn png(&self) -> Result<Vec<u8>, String> {
        let rgb = self.rgb()?;
        let mut out = Vec::new();
        let mut enc = png::Encoder::new(&mut out, WIDTH, HEIGHT);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        // Flat-colour charts compress well with per-row filter choice.
        enc.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
        enc.set_compression(png::Compression::Best);
        let mut writer = enc.write_header().map_err(|e| e.to_string())?;
        writer.write_image_data(&rgb).map_err(|e| e.to_string())?;
        writer.finish().map_err(|e| e.to_string())?;
        Ok(out)
    }
}

impl Draw for Figure {
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        // Room above the title so its ascenders are not cut.
        let area = root.margin(10, 0, 0, 0);
        match &self.body {
            Body::Loss(d) => loss::draw(&area, &self.title, d),
            Body::Bands(d) => bands::draw(&area, &self.title, d),
            Body::Boxes(d) => boxes::draw(&area, &self.title, d),
        }?;
        root.present()?;
        Ok(())
    }
}

/// A drawn chart with its PNG bytes, for callers that write files themselves.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub chart: Chart,
    pub png: Vec<u8>,
}

/// Draws every chart of the run in memory: the SVG in `Chart::svg`, the PNG beside it. Files
/// belong at `Chart::files()`, relative to the output directory.
pub fn render(scenario: &Scenario, results: &dyn RunView) -> Result<Vec<Rendered>, ChartError> {
    plan(scenario, results)
        .into_iter()
        .map(|fig| {
            let failed = |ext: &str| {
                let path = PathBuf::from(format!("charts/{}.{ext}", fig.file_stem));
                move |message| ChartError::Draw { path, message }
            };
            let svg = fig.svg().map_err(failed("svg"))?;
            let png = fig.png().map_err(failed("png"))?;
            Ok(Rendered {
                chart: Chart {
                    file_stem: fig.file_stem,
                    title: fig.title,
                    caption: fig.caption,
                    kind: fig.kind,
                    svg,
                },
                png,
            })
        })
        .collect()
}

/// Every figure of a run, in report order: the overviews (value lost by region, peak prices of
/// every restricted commodity, value lost by sector), then one output chart per kind of sector
/// and the loss distribution of the worst sector, then price and flow charts of the restricted
/// commodities whose prices move.
pub fn plan(scenario: &Scenario, results: &dyn RunView) -> Vec<Figure> {
    let sel = select(scenario, results);
    let mut figs = Vec::new();
    figs.extend(boxes::region_figure(scenario, results, &sel));
    figs.extend(boxes::price_summary_figure(scenario, results, &sel));
    figs.extend(boxes::sector_figure(scenario, results, &sel));
    for g in &sel.groups {
        figs.extend(fan::figure(scenario, results, g));
    }
    if let Some(s) = sel.worst {
        figs.extend(loss::figure(scenario, results, s));
    }
    for r in &sel.detailed {
        figs.extend(price::figure(scenario, results, r));
        for &e in &r.exporters {
            figs.extend(flow::figure(scenario, results, r.commodity, e));
        }
    }
    dedup_stems(&mut figs);
    figs
}

/// File stems come from ids, which may differ only in characters that `file_safe` replaces.
fn dedup_stems(figs: &mut [Figure]) {
    let mut seen = std::collections::BTreeSet::new();
    for f in figs.iter_mut() {
        let base = f.file_stem.clone();
        let mut k = 2;
        while !seen.insert(f.file_stem.clone()) {
            f.file_stem = format!("{base}-{k}");
            k += 1;
        }
    }
}

/// Draws every chart of the run into `<out_dir>/charts/` (created if missing) as PNG and SVG.
pub fn draw_all(
    out_dir: &Path,
    scenario: &Scenario,
    results: &dyn RunView,
) -> Result<Vec<Chart>, ChartError> {
    let dir = out_dir.join("charts");
    std::fs::create_dir_all(&dir).map_err(|source| ChartError::Io {
        path: dir.clone(),
        source,
    })?;
    let mut charts = Vec::new();
    for r in render(scenario, results)? {
        let [png, svg] = r.chart.files();
        for (name, bytes) in [(png, r.png.as_slice()), (svg, r.chart.svg.as_bytes())] {
            let path = out_dir.join(name);
            std::fs::write(&path, bytes).map_err(|source| ChartError::Io { path, source })?;
        }
        charts.push(r.chart);
    }
    Ok(charts)
}

/// Tick label of every period: calendar labels when the scenario has a `start`, else numbers.
fn period_labels(scenario: &Scenario, horizon: usize) -> Vec<String> {
    (0..horizon)
        .map(|t| format::period_tick(&scenario.meta, t as f64))
        .collect()
}

/// Replaces every character outside `[A-Za-z0-9_-]` so ids make safe file names.
pub fn file_safe(id: &str) -> String {
    let s: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() { "_".to_string() } else { s }
}
