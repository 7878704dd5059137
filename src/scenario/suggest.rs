//! "Did you mean" suggestions for mistyped keys and ids.

/// The closest candidate to `word`, when it is close enough to be a plausible typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let w = word.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&w, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// `did you mean "x"?` or a short list of what exists.
pub fn did_you_mean(word: &str, candidates: &[&str]) -> String {
    match closest(word, candidates.iter().copied()) {
        Some(c) => format!("did you mean \"{c}\"?"),
        None if candidates.is_empty() => "none are defined".to_string(),
        None => format!("known: {}", list(candidates)),
    }
}

/// Quoted, comma-separated, shortened after 12 items.
pub fn list(items: &[&str]) -> String {
    let mut out: Vec<String> = items.iter().take(12).map(|s| format!("\"{s}\"")).collect();
    if items.len() > 12 {
        out.push(format!("... ({} more)", items.len() - 12));
    }
    out.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_misses_only() {
        let ids = ["ndfeb_magnet", "ndpr_oxide", "gallium"];
        assert_eq!(closest("ndfeb_magnt", ids), Some("ndfeb_magnet"));
        assert_eq!(closest("galium", ids), Some("gallium"));
        assert_eq!(closest("zzz", ids), None);
    }
}
