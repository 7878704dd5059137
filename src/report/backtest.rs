//! The back-test scorecard as text (terminal and Markdown) and CSV.

use crate::backtest::{Quantity, Row, Sample, Scorecard};

use super::format::num;

fn mark(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn fmt(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.2}")
    } else {
        "-".into()
    }
}

fn what(r: &Row) -> String {
    let o = &r.observation;
    match o.quantity {
        Quantity::Stoppage => format!(
            "{} {} stoppage (months)",
            o.region,
            o.sector.as_deref().unwrap_or("")
        ),
        Quantity::Exports => format!("{} exports of {} to {}", o.exporter, o.commodity, o.region),
        Quantity::PriceOutside | Quantity::PriceInside => {
            format!("{} price in {}", o.commodity, o.region)
        }
    }
}

/// Per episode: observations right in sign, timing and magnitude, right in sign, and scored.
fn episodes(card: &Scorecard) -> String {
    let mut ids: Vec<(&str, Sample)> = Vec::new();
    for r in &card.rows {
        let e = (r.observation.episode.as_str(), r.sample);
        if !ids.contains(&e) {
            ids.push(e);
        }
    }
    let mut out = String::from(
        "\n| episode | sample | right | right in sign | scored | not scored |\n|---|---|---|---|---|---|\n",
    );
    for (id, sample) in ids {
        let rows: Vec<&Row> = card
            .rows
            .iter()
            .filter(|r| r.observation.episode == id)
            .collect();
        let scored: Vec<_> = rows.iter().filter_map(|r| r.score.as_ref().ok()).collect();
        out.push_str(&format!(
            "| {id} | {} | {} | {} | {} | {} |\n",
            sample.name(),
            scored.iter().filter(|s| s.right()).count(),
            scored.iter().filter(|s| s.sign).count(),
            scored.len(),
            rows.len() - scored.len()
        ));
    }
    out
}

/// A Markdown table per episode, then one per sample (calibration first).
pub fn markdown(card: &Scorecard) -> String {
    let mut out = episodes(card);
    for sample in [Sample::Calibration, Sample::OutOfSample] {
        let rows: Vec<&Row> = card.rows.iter().filter(|r| r.sample == sample).collect();
        if rows.is_empty() {
            continue;
        }
        let (right, scored) = card.tally(sample);
        out.push_str(&format!(
            "\n**{}** ({right} of {scored} observations right in sign, timing and magnitude; {} trials)\n\n",
            sample.name(),
            card.trials
        ));
        out.push_str("| observation | month | observed | model p50 | p5-p95 | sign | timing | magnitude | band | sourced |\n");
        out.push_str("|---|---|---|---|---|---|---|---|---|---|\n");
        for r in rows {
            let o = &r.observation;
            let obs = match (o.low, o.high) {
                (Some(l), Some(h)) => format!("{} ({}-{})", fmt(o.value), fmt(l), fmt(h)),
                _ => fmt(o.value),
            };
            match &r.score {
                Ok(s) => out.push_str(&format!(
                    "| {} | {} | {obs} | {} | {}-{} | {} | {} | {} | {} | {} |\n",
                    what(r),
                    o.period,
                    fmt(s.median),
                    fmt(s.p5),
                    fmt(s.p95),
                    mark(s.sign),
                    mark(s.timing),
                    s.magnitude.map_or("n/a", mark),
                    mark(s.band),
                    mark(o.sourced())
                )),
                Err(e) => out.push_str(&format!(
                    "| {} | {} | {obs} | not scored: {e} | | | | | | {} |\n",
                    what(r),
                    o.period,
                    mark(o.sourced())
                )),
            }
        }
    }
    out
}

/// One row per observation: the observation, the model's quantiles and the four checks.
pub fn csv(card: &Scorecard) -> Vec<u8> {
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let head = [
        "id",
        "episode",
        "sample",
        "quantity",
        "commodity",
        "region",
        "period",
        "observed",
        "low",
        "high",
        "model_p50",
        "model_p5",
        "model_p95",
        "sign",
        "timing",
        "magnitude",
        "band",
        "sourced",
        "error",
    ];
    w.write_record(head).expect("in memory");
    for r in &card.rows {
        let o = &r.observation;
        let opt = |x: Option<f64>| x.map(num).unwrap_or_default();
        let (q, checks, err) = match &r.score {
            Ok(s) => (
                [num(s.median), num(s.p5), num(s.p95)],
                [
                    s.sign.to_string(),
                    s.timing.to_string(),
                    s.magnitude.map_or("n/a".into(), |b| b.to_string()),
                    s.band.to_string(),
                ],
                String::new(),
            ),
            Err(e) => (Default::default(), Default::default(), e.clone()),
        };
        let mut rec = vec![
            o.id.clone(),
            o.episode.clone(),
            r.sample.name().to_string(),
            o.quantity.name().to_string(),
            o.commodity.clone(),
            o.region.clone(),
            o.period.clone(),
            num(o.value),
            opt(o.low),
            opt(o.high),
        ];
        rec.extend(q);
        rec.extend(checks);
        rec.push(o.sourced().to_string());
        rec.push(err);
        w.write_record(rec).expect("in memory");
    }
    w.into_inner().expect("in memory")
}
