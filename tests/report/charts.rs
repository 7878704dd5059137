//! Charts: every kind is drawn, files match the returned SVG, output is byte-identical across
//! runs, text is drawn with the embedded font, hostile names are escaped, counts are capped.

use std::collections::BTreeSet;

use chokepoint::report::charts::{
    self, ChartKind, Draw, HEIGHT, MAX_SECTOR_CHARTS, WIDTH, draw_all, plan, region_color,
};

use super::fixture;

#[test]
fn draws_every_kind_as_png_and_svg() {
    let s = fixture::scenario();
    let r = fixture::results(&s, 200, 1);
    let dir = tempfile::tempdir().unwrap();
    let charts = draw_all(dir.path(), &s, &r).unwrap();
    let kinds: BTreeSet<&str> = charts.iter().map(|c| c.kind.name()).collect();
    for k in [
        ChartKind::LossDistribution,
        ChartKind::OutputFan,
        ChartKind::PriceBands,
        ChartKind::Flows,
        ChartKind::ValueLostBySector,
        ChartKind::ValueLostByRegion,
        ChartKind::PriceSummary,
    ] {
        assert!(
            kinds.contains(k.name()),
            "no {} chart in {kinds:?}",
            k.name()
        );
    }
    // Four kinds of affected sector (one output chart each; the two ev sectors share one), the
    // worst sector's loss distribution, three overviews, price and flow per commodity.
    assert_eq!(charts.len(), 4 + 1 + 3 + 2 * 2);
    for c in &charts {
        let [png_file, svg_file] = c.files();
        assert_eq!(png_file, format!("charts/{}.png", c.file_stem));
        let svg = std::fs::read_to_string(dir.path().join(&svg_file)).unwrap();
        assert_eq!(svg, c.svg, "{svg_file} differs from the returned SVG");
        assert!(svg.starts_with("<svg width=\"1200\" height=\"800\""));
        let png = std::fs::read(dir.path().join(&png_file)).unwrap();
        assert_eq!(
            &png[..8],
            b"\x89PNG\r\n\x1a\n",
            "{} is not a PNG",
            c.file_stem
        );
        // IHDR width and height, big-endian, at bytes 16..24.
        assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), WIDTH);
        assert_eq!(u32::from_be_bytes(png[20..24].try_into().unwrap()), HEIGHT);
        assert!(!c.caption.is_empty() && !c.title.is_empty());
    }
}

#[test]
fn same_inputs_give_byte_identical_files() {
    let s = fixture::scenario();
    let r = fixture::results(&s, 150, 3);
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let ca = draw_all(a.path(), &s, &r).unwrap();
    let cb = draw_all(b.path(), &s, &r).unwrap();
    assert_eq!(ca, cb);
    for c in &ca {
        for ext in ["svg", "png"] {
            let name = format!("{}.{ext}", c.file_stem);
            let x = std::fs::read(a.path().join("charts").join(&name)).unwrap();
            let y = std::fs::read(b.path().join("charts").join(&name)).unwrap();
            assert!(x == y, "{name} differs between two identical runs");
        }
    }
}

/// Dark pixels in a rectangle of an RGB buffer.
fn dark_pixels(rgb: &[u8], x0: u32, x1: u32, y0: u32, y1: u32) -> usize {
    let mut n = 0;
    for y in y0..y1 {
        for x in x0..x1 {
            let i = ((y * WIDTH + x) * 3) as usize;
            if rgb[i] < 90 && rgb[i + 1] < 90 && rgb[i + 2] < 90 {
                n += 1;
            }
        }
    }
    n
}

/// Decodes an 8-bit RGB PNG.
fn decode(png: &[u8]) -> Vec<u8> {
    let decoder = png::Decoder::new(png);
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (WIDTH, HEIGHT));
    assert_eq!(info.color_type, png::ColorType::Rgb);
    buf.truncate(info.buffer_size());
    buf
}

#[test]
fn text_is_drawn_with_the_embedded_font() {
    // plotters is built with only the `ab_glyph` font backend (no font-kit, no fontconfig), so
    // the only font it can draw with is the DejaVu Sans registered by `register_fonts`. Without
    // it, drawing text fails with FontUnavailable instead of producing a chart.
    let s = fixture::scenario();
    let r = fixture::results(&s, 100, 5);
    for rendered in charts::render(&s, &r).unwrap() {
        let c = &rendered.chart;
        assert!(
            c.svg.contains(&c.title),
            "{}: title missing from the SVG",
            c.file_stem
        );
        assert!(c.svg.contains("font-family=\"sans-serif\""));
        let rgb = decode(&rendered.png);
        // The title is centred at the top: glyph pixels there, none in the empty corner.
        let title = dark_pixels(&rgb, 300, 900, 8, 48);
        assert!(
            title > 500,
            "{}: only {title} dark pixels in the title area",
            c.file_stem
        );
        assert_eq!(
            dark_pixels(&rgb, 0, 40, 0, 8),
            0,
            "{}: ink in the corner",
            c.file_stem
        );
    }
}

#[test]
fn rendered_png_is_the_drawn_bitmap_and_matches_the_files() {
    let s = fixture::scenario();
    let r = fixture::results(&s, 80, 17);
    let dir = tempfile::tempdir().unwrap();
    let drawn = draw_all(dir.path(), &s, &r).unwrap();
    let rendered = charts::render(&s, &r).unwrap();
    let figs = plan(&s, &r);
    assert_eq!(drawn.len(), rendered.len());
    for ((c, x), f) in drawn.iter().zip(&rendered).zip(&figs) {
        assert_eq!(c, &x.chart);
        let [png_file, _] = c.files();
        assert_eq!(std::fs::read(dir.path().join(png_file)).unwrap(), x.png);
        assert_eq!(decode(&x.png), f.rgb().unwrap(), "{}", c.file_stem);
    }
}

#[test]
fn hostile_names_are_escaped_in_svg() {
    let s = fixture::hostile_scenario();
    let r = fixture::results(&s, 100, 2);
    let dir = tempfile::tempdir().unwrap();
    let charts = draw_all(dir.path(), &s, &r).unwrap();
    let mut escaped = 0;
    for c in &charts {
        assert!(
            !c.svg.contains("<script"),
            "{}: raw markup in SVG",
            c.file_stem
        );
        assert!(
            !c.svg.contains("& "),
            "{}: raw ampersand in SVG",
            c.file_stem
        );
        if c.svg
            .contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot;")
        {
            escaped += 1;
        }
        // File names never carry markup characters.
        assert!(
            c.file_stem
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_'),
            "{}",
            c.file_stem
        );
    }
    // The gallium price and flow charts, the chips loss and fan charts.
    assert!(escaped >= 4, "only {escaped} charts carry the escaped name");
    // Row labels lead with the region id; the name after it is escaped.
    let overview = charts
        .iter()
        .find(|c| c.file_stem == "value-lost-sectors")
        .unwrap();
    assert!(
        overview
            .svg
            .contains("US · Chips &lt;script&gt;alert(1)&lt;/script&gt;")
    );
}

#[test]
fn sector_charts_are_capped_worst_first() {
    let mut s = fixture::scenario();
    // Twelve more affected sectors in the EU, with value added rising with the index.
    for k in 0..12 {
        let mut sec = s.sectors[2].clone();
        sec.id = format!("extra{k}");
        sec.name = format!("Extra {k}");
        sec.value_added = chokepoint::scenario::Param::fixed("v", 1e9 * (k + 1) as f64);
        s.sectors.push(sec);
    }
    let r = fixture::results(&s, 120, 4);
    let sel = charts::select(&s, &r);
    assert_eq!(
        sel.affected, 17,
        "every sector loses something in some trial"
    );
    // 16 kinds of sector (the two ev sectors are one kind), charted up to the cap.
    assert_eq!(sel.groups_total, 16);
    assert_eq!(sel.groups.len(), MAX_SECTOR_CHARTS);
    let mean_value = |ix: usize| {
        let sec = &s.sectors[ix];
        let m = r
            .metric_index(&format!(
                "sector.{}.{}.value_lost",
                s.regions[sec.region].id, sec.id
            ))
            .unwrap();
        r.summary(m).mean
    };
    // Groups come in the order of their worst member, and no group left out beats a charted one.
    let worst_of = |g: &charts::SectorGroup| mean_value(g.sectors[0]);
    let charted: Vec<f64> = sel.groups.iter().map(worst_of).collect();
    assert!(charted.windows(2).all(|w| w[0] >= w[1]), "{charted:?}");
    let charted_ids: Vec<&str> = sel.groups.iter().map(|g| g.id.as_str()).collect();
    let worst_left_out = (0..s.sectors.len())
        .filter(|&i| !charted_ids.contains(&s.sectors[i].id.as_str()))
        .map(mean_value)
        .fold(0.0, f64::max);
    assert!(charted.last().unwrap() >= &worst_left_out);
    assert_eq!(sel.worst, Some(sel.groups[0].sectors[0]));
    let figs = plan(&s, &r);
    let count = |k: ChartKind| figs.iter().filter(|f| f.kind == k).count();
    assert_eq!(count(ChartKind::LossDistribution), 1);
    assert_eq!(count(ChartKind::OutputFan), MAX_SECTOR_CHARTS);
}

/// Sets every value of series `name` to the values of series `from`.
fn copy_series(r: &mut chokepoint::run::RunResults, name: &str, from: &str, scale: f32) {
    let (to, src) = (r.series_index(name).unwrap(), r.series_index(from).unwrap());
    let w = r.series_names.len() * r.horizon;
    for i in 0..r.trials {
        for t in 0..r.horizon {
            let v = r.series[i * w + src * r.horizon + t];
            r.series[i * w + to * r.horizon + t] = 1.0 - (1.0 - v) * scale;
        }
    }
}

#[test]
fn regions_within_noise_share_one_line() {
    let mut s = fixture::scenario();
    // An ev sector in the US and in JP as well: three regions of one kind of sector.
    for (region, id) in [(1, "US"), (3, "JP")] {
        let mut sec = s.sectors[2].clone();
        sec.region = region;
        sec.name = format!("Electric vehicles {id}");
        s.sectors.push(sec);
    }
    let mut r = fixture::results(&s, 200, 21);
    // US output within a fraction of a point of the EU's; JP's losses twice as deep.
    copy_series(&mut r, "output.US.ev", "output.EU.ev", 1.01);
    copy_series(&mut r, "output.JP.ev", "output.EU.ev", 2.0);
    let fan = plan(&s, &r)
        .into_iter()
        .find(|f| f.file_stem == "output-ev")
        .unwrap();
    let svg = fan.svg().unwrap();
    assert!(svg.contains(">\nEU, US\n<"), "EU and US share a line");
    assert!(svg.contains(">\nJP\n<"), "JP keeps its own line");
    assert!(fan.caption.contains("share a line"));
}

#[test]
fn no_loss_means_no_sector_charts() {
    let s = fixture::scenario();
    let r = fixture::results_with(&s, 50, 9, 0.0);
    let figs = plan(&s, &r);
    // No sector charts, and no price or flow chart of a commodity whose prices never move: the
    // summary of the restricted commodities is all there is.
    let kinds: Vec<ChartKind> = figs.iter().map(|f| f.kind).collect();
    assert_eq!(kinds, [ChartKind::PriceSummary]);
}

#[test]
fn ids_that_clash_after_sanitising_get_distinct_files() {
    let mut s = fixture::scenario();
    s.sectors[0].id = "a/b".into();
    s.sectors[1].id = "a_b".into();
    let r = fixture::results(&s, 60, 6);
    let stems: Vec<String> = plan(&s, &r).into_iter().map(|f| f.file_stem).collect();
    let unique: BTreeSet<&String> = stems.iter().collect();
    assert_eq!(unique.len(), stems.len(), "{stems:?}");
    assert!(stems.contains(&"output-a_b".to_string()));
    assert!(stems.contains(&"output-a_b-2".to_string()));
}

#[test]
fn a_region_has_one_colour_in_every_chart() {
    let s = fixture::scenario();
    let r = fixture::results(&s, 60, 8);
    let us = region_color("US");
    let hex = format!("#{:02X}{:02X}{:02X}", us.0, us.1, us.2);
    for fig in plan(&s, &r) {
        let mentions_us = match fig.kind {
            ChartKind::PriceBands | ChartKind::Flows | ChartKind::ValueLostByRegion => true,
            _ => fig.file_stem.contains("-US-"),
        };
        if mentions_us {
            assert!(
                fig.svg().unwrap().contains(&hex),
                "{} lacks US colour {hex}",
                fig.file_stem
            );
        }
    }
}

#[test]
fn time_axis_uses_calendar_labels_when_start_is_set() {
    let mut s = fixture::scenario();
    let r = fixture::results(&s, 40, 10);
    let fan = |s: &chokepoint::scenario::Scenario| {
        plan(s, &r)
            .into_iter()
            .find(|f| f.kind == ChartKind::OutputFan)
            .unwrap()
            .svg()
            .unwrap()
    };
    let svg = fan(&s);
    assert!(
        svg.contains(">\n2025-04\n<") && svg.contains(">\n2025-10\n<"),
        "no calendar ticks"
    );
    s.meta.start = None;
    let svg = fan(&s);
    assert!(!svg.contains("2025-04"));
    assert!(svg.contains("Months from start"));
}

#[test]
fn rounding_noise_is_not_a_loss() {
    let s = fixture::scenario();
    let mut r = fixture::results(&s, 60, 18);
    // CN's ev sector: losses of a trillionth of output, cents of value.
    for (field, v) in [
        ("mean_loss", 1e-12),
        ("peak_loss", 1e-12),
        ("value_lost", 0.01),
    ] {
        let m = r.metric_index(&format!("sector.CN.ev.{field}")).unwrap();
        let w = r.metric_names.len();
        for t in 0..r.trials {
            r.metrics[t * w + m] = v;
        }
    }
    let sel = charts::select(&s, &r);
    let cn_ev = s.sector_ix("CN", "ev").unwrap();
    assert!(!sel.all_affected.contains(&cn_ev));
    assert_eq!(sel.affected, 4);
    assert!(plan(&s, &r).iter().all(|f| !f.file_stem.contains("CN-ev")));
    let html = chokepoint::report::html::render(&s, &r, &[]);
    assert!(
        html.contains("No loss in any trial: Electric vehicles (CN)."),
        "{html}"
    );
}

/// A control in force from period 0 still gets its pre-control level: the engine records each
/// flow of the baseline pass (no shocks, no policies) as `baseline_flow.*`, a full ban ships at
/// most that in every trial and period, and the flow chart marks it and says so.
#[test]
fn a_ban_from_period_zero_is_drawn_against_the_baseline_flow() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/compare/ban.toml");
    let s = chokepoint::scenario::load(&path).unwrap().scenario;
    let opts = chokepoint::run::RunOptions {
        trials: 50,
        seed: 4,
        first_trial: 0,
        threads: Some(1),
    };
    let r = chokepoint::run::run(&s, &opts, &|_, _| true).unwrap();
    let flow = r.series_index("flow.X.M.gallium").unwrap();
    let base = r.series_index("baseline_flow.X.M.gallium").unwrap();
    let w = r.series_names.len() * r.horizon;
    let mut blocked = 0;
    for i in 0..r.trials {
        for t in 0..r.horizon {
            let (f, b) = (
                r.series[i * w + flow * r.horizon + t],
                r.series[i * w + base * r.horizon + t],
            );
            assert!(b > 0.0, "trial {i} period {t}: no baseline shipments");
            assert!(f <= b * (1.0 + 1e-6), "trial {i} period {t}: {f} > {b}");
            blocked += usize::from(f < b * 0.5);
        }
    }
    // Every trial's ban lasts at least its first period.
    assert!(blocked >= r.trials, "{blocked}");
    let fig = plan(&s, &r)
        .into_iter()
        .find(|f| f.file_stem == "flow-X-gallium")
        .unwrap();
    assert!(
        fig.caption.contains("without any control"),
        "{}",
        fig.caption
    );
    assert!(fig.svg().unwrap().contains("without the control"));
}
