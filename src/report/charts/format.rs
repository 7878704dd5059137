//! Shared chart text: fonts, number and time-axis formatting.

use plotters::style::{FontStyle, IntoFont, RGBColor, TextStyle};

use super::FONT;
use crate::scenario::{Meta, Period};

pub const TITLE_SIZE: u32 = 28;
pub const AXIS_DESC_SIZE: u32 = 20;
pub const LABEL_SIZE: u32 = 17;
pub const LEGEND_SIZE: u32 = 17;
pub const MARGIN: u32 = 18;
/// Longest title in characters that fits across 1200 px at `TITLE_SIZE`.
pub const TITLE_CHARS: usize = 78;

pub const INK: RGBColor = RGBColor(30, 30, 30);
pub const GRID: RGBColor = RGBColor(225, 225, 225);

pub fn title_font() -> TextStyle<'static> {
    (FONT, TITLE_SIZE, FontStyle::Bold).into_font().color(&INK)
}

pub fn font(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().color(&INK)
}

pub fn bold(size: u32) -> TextStyle<'static> {
    (FONT, size, FontStyle::Bold).into_font().color(&INK)
}

/// Shortens `s` to at most `max` characters, ending in an ellipsis when cut.
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// `name` without a trailing parenthetical qualifier, which world files use for detail:
/// "Automotive (EVs and combustion vehicles)" -> "Automotive". Unchanged when nothing is left.
pub fn short_name(name: &str) -> &str {
    let t = name.trim_end();
    if t.ends_with(')')
        && let Some(i) = t.rfind(" (")
    {
        let head = t[..i].trim_end();
        if !head.is_empty() {
            return head;
        }
    }
    t
}

/// Like [`shorten`], but cuts at a word boundary when one falls in the second half, so labels
/// read "Electronics and batteries…" rather than "Electronics and batteri…".
pub fn shorten_words(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    let keep = max.saturating_sub(1);
    let mut cut = keep;
    if chars.get(keep) != Some(&' ')
        && let Some(sp) = chars[..keep].iter().rposition(|&c| c == ' ')
        && sp >= keep / 2
    {
        cut = sp;
    }
    let mut out: String = chars[..cut].iter().collect();
    out.truncate(out.trim_end_matches([' ', ',', ';', ':', '(']).len());
    out.push('…');
    out
}

/// `head` fitted so that `head + tail` has at most `max` characters; `tail` is kept whole
/// (it carries the region id or the chart's subject). A long head first loses its trailing
/// parenthetical (the full name stays in the caption), then is cut at a word boundary.
pub fn fit(head: &str, tail: &str, max: usize) -> String {
    let tail_len = tail.chars().count();
    if head.chars().count() + tail_len <= max {
        return format!("{head}{tail}");
    }
    let room = max.saturating_sub(tail_len).max(8);
    format!("{}{tail}", shorten_words(short_name(head), room))
}

/// Dollars as everywhere else (`$1.2 bn`, `$340 m`, `$12 k`): `report::format::money`, the one
/// vocabulary of tables, pages and charts.
pub fn money(v: f64) -> String {
    crate::report::format::money(v)
}

/// A share in 0..1 as a percentage.
pub fn pct(v: f64) -> String {
    let p = v * 100.0;
    if p != 0.0 && p.abs() < 10.0 && (p - p.round()).abs() > 0.05 {
        format!("{p:.1}%")
    } else {
        format!("{p:.0}%")
    }
}

/// Label of a time-axis tick at `x`: the calendar label when the scenario has a `start`, else the
/// period number. Ticks between whole periods get no label.
pub fn period_tick(meta: &Meta, x: f64) -> String {
    let r = x.round();
    if (x - r).abs() > 1e-6 || r < 0.0 {
        return String::new();
    }
    if meta.start.is_some() {
        meta.period_label(r as usize)
    } else {
        format!("{}", r as usize)
    }
}

/// Description of the time axis.
pub fn time_desc(meta: &Meta) -> String {
    if meta.start.is_some() {
        format!("Period ({})", meta.period.name())
    } else {
        format!("{} from start", capitalise(meta.period.plural()))
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Calendar-friendly spacings of time-axis ticks, in periods, smallest first.
pub fn tick_steps(period: Period) -> &'static [usize] {
    match period {
        Period::Month => &[1, 2, 3, 6, 12, 24, 60, 120],
        Period::Quarter => &[1, 2, 4, 8, 20, 40],
        Period::Week => &[1, 2, 4, 13, 26, 52, 104, 260],
    }
}

/// A round number at or above `v` (1, 2, 2.5, 5 times a power of ten), for axis tops.
pub fn nice_ceiling(v: f64) -> f64 {
    if !v.is_finite() || v <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    for m in [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0] {
        if m * p >= v * (1.0 - 1e-12) {
            return m * p;
        }
    }
    10.0 * p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_reads_as_in_the_tables() {
        assert_eq!(money(1.2e9), "$1.2 bn");
        assert_eq!(money(340e6), "$340 m");
        assert_eq!(money(0.0), "$0");
        assert_eq!(money(84.5e9), crate::report::format::money(84.5e9));
    }

    #[test]
    fn percentages() {
        assert_eq!(pct(0.5), "50%");
        assert_eq!(pct(0.034), "3.4%");
        assert_eq!(pct(0.0), "0%");
        assert_eq!(pct(0.05), "5%");
    }

    #[test]
    fn nice_ceilings() {
        assert_eq!(nice_ceiling(0.37), 0.4);
        assert_eq!(nice_ceiling(34.0), 40.0);
        assert_eq!(nice_ceiling(1.0), 1.0);
        assert_eq!(nice_ceiling(2.2e9), 2.5e9);
        assert_eq!(nice_ceiling(0.0), 1.0);
    }

    #[test]
    fn shortens_with_ellipsis() {
        assert_eq!(shorten("abcdef", 4), "abc…");
        assert_eq!(shorten("abc", 4), "abc");
        assert_eq!(
            fit("Compound semiconductors", " (JP)", 16),
            "Compound… (JP)"
        );
        assert_eq!(fit("Chips", " (JP)", 16), "Chips (JP)");
        // A cut that lands on a word end keeps the whole word.
        assert_eq!(
            shorten_words("Electronics and batteries for devices", 26),
            "Electronics and batteries…"
        );
        // No space in the second half: cut mid-word.
        assert_eq!(shorten_words("Semiconductors", 8), "Semicon…");
    }

    #[test]
    fn long_names_drop_their_parenthetical_first() {
        let ev = "Automotive (EVs and combustion vehicles)";
        assert_eq!(short_name(ev), "Automotive");
        assert_eq!(short_name("(all)"), "(all)");
        assert_eq!(
            short_name("Wind (offshore) turbines"),
            "Wind (offshore) turbines"
        );
        assert_eq!(
            fit(ev, " (EU): distribution of mean output loss", 78),
            "Automotive (EU): distribution of mean output loss"
        );
        // Short enough: kept whole, parenthetical and all.
        assert_eq!(fit(ev, " (EU)", 60), format!("{ev} (EU)"));
    }
}
