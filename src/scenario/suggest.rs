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

/// Quoted, comma-separated, each item once (a file that defines an id twice, already an error of
/// its own, must not repeat it here), shortened after 12 items.
pub fn list(items: &[&str]) -> String {
    let mut unique: Vec<&str> = Vec::with_capacity(items.len());
    for &s in items {
        if !unique.contains(&s) {
            unique.push(s);
        }
    }
    let mut out: Vec<String> = unique.iter().take(12).map(|s| format!("\"{s}\"")).collect();
    if unique.len() > 12 {
        out.push(format!("... ({} more)", unique.len() - 12));
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

    #[test]
    fn lists_each_candidate_once() {
        assert_eq!(list(&["EU", "US", "EU"]), "\"EU\", \"US\"");
        let many: Vec<String> = (0..14).map(|i| format!("r{i}")).collect();
        let mut ids: Vec<&str> = many.iter().map(String::as_str).collect();
        ids.push("r0");
        assert!(list(&ids).ends_with("... (2 more)"), "{}", list(&ids));
    }
}
