//! One fixed colour per region, decided by the region id alone, so a region looks the same in every
//! chart of every run. Common ids get hand-picked, well-separated colours; any other id gets a hue
//! from a hash of its id.

use plotters::style::RGBColor;

/// Hand-picked colours for the regions that recur in critical-mineral scenarios.
const KNOWN: [(&str, RGBColor); 16] = [
    ("CN", RGBColor(200, 30, 45)),
    ("US", RGBColor(31, 90, 180)),
    ("EU", RGBColor(0, 150, 150)),
    ("JP", RGBColor(230, 120, 0)),
    ("KR", RGBColor(130, 70, 180)),
    ("IN", RGBColor(40, 150, 60)),
    ("AU", RGBColor(170, 130, 0)),
    ("TW", RGBColor(220, 80, 160)),
    ("CA", RGBColor(120, 30, 70)),
    ("RU", RGBColor(110, 80, 50)),
    ("MM", RGBColor(90, 170, 220)),
    ("CD", RGBColor(90, 110, 20)),
    ("BR", RGBColor(0, 100, 80)),
    ("ZA", RGBColor(150, 120, 200)),
    ("UK", RGBColor(60, 60, 120)),
    ("ROW", RGBColor(110, 110, 110)),
];

/// The colour of region `id`.
pub fn region_color(id: &str) -> RGBColor {
    if let Some((_, c)) = KNOWN.iter().find(|(k, _)| k.eq_ignore_ascii_case(id)) {
        return *c;
    }
    // FNV-1a: stable across platforms and releases, unlike std's hasher.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let hue = (h % 360) as f64;
    // Lightness alternates between two levels to separate neighbouring hues further.
    let light = if (h >> 32) & 1 == 0 { 0.38 } else { 0.48 };
    hsl(hue, 0.65, light)
}

fn hsl(h: f64, s: f64, l: f64) -> RGBColor {
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let hp = h / 60.0;
    let x = c * (1.0 - (hp % 2.0 - 1.0).abs());
    let (r, g, b) = match hp as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = l - c / 2.0;
    let to = |v: f64| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    RGBColor(to(r), to(g), to(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_regions_have_fixed_colours() {
        assert_eq!(region_color("CN"), RGBColor(200, 30, 45));
        assert_eq!(region_color("us"), region_color("US"));
    }

    #[test]
    fn unknown_ids_map_deterministically_and_spread() {
        assert_eq!(region_color("XX"), region_color("XX"));
        let ids = ["AA", "BB", "CC", "DD", "EE", "FF", "GG", "HH"];
        let distinct: std::collections::BTreeSet<_> = ids
            .iter()
            .map(|i| {
                let c = region_color(i);
                (c.0, c.1, c.2)
            })
            .collect();
        assert!(distinct.len() >= 7, "{distinct:?}");
    }

    #[test]
    fn hsl_primaries() {
        assert_eq!(hsl(0.0, 1.0, 0.5), RGBColor(255, 0, 0));
        assert_eq!(hsl(120.0, 1.0, 0.5), RGBColor(0, 255, 0));
        assert_eq!(hsl(240.0, 1.0, 0.5), RGBColor(0, 0, 255));
    }
}
