//! The real-browser check of the HTML pages, run by `.ci/run`: renders each page in headless
//! Chromium, driven over the DevTools protocol (`--remote-debugging-pipe`), and fails on any
//! console error, uncaught exception or request that leaves the machine (anything but `file:` and
//! `data:`); prints each page to PDF and bounds its page count, and the page count of its core
//! (the page without its `section.detail` parts); checks that every page opens with a briefing
//! that answers its questions (`--answers N`, five on a run report) on the first screen. Keeps a first-screen screenshot and the PDFs in `--out`.
//!
//! ```text
//! cargo run --release --example browser_check -- --chromium /usr/bin/chromium --out DIR \
//!     [--max-pages N] [--max-core-pages N] [--answers N] PAGE.html...
//! cargo run --release --example browser_check -- --chromium /usr/bin/chromium --out DIR --self-test
//! ```
//!
//! `--self-test` first renders a page that breaks every rule and fails unless the check catches
//! each break, so the check itself can fail.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use serde_json::{Value, json};

/// Viewport of the first screen: a laptop browser window.
const WIDTH: u64 = 1280;
const HEIGHT: u64 = 1000;
const STEP: Duration = Duration::from_secs(60);

struct Browser {
    child: Child,
    input: ChildStdin,
    events: Receiver<Value>,
    next_id: u64,
    session: Option<String>,
    /// Events seen while waiting for replies, for the checks to read.
    seen: Vec<Value>,
    _profile: tempfile::TempDir,
}

impl Browser {
    fn launch(chromium: &Path) -> Result<Browser, String> {
        let profile = tempfile::tempdir().map_err(|e| e.to_string())?;
        // Chromium reads protocol messages from fd 3 and writes them to fd 4; the shell moves
        // our pipes there, so no unsafe fd juggling is needed.
        let script = "exec 3<&0 4>&1 0</dev/null 1>/dev/null; exec \"$@\"";
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg("sh")
            .arg(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--remote-debugging-pipe",
                // Nothing resolves: a remote request fails fast, and is still reported.
                "--host-resolver-rules=MAP * ~NOTFOUND",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", chromium.display()))?;
        let input = child.stdin.take().ok_or("no pipe to chromium")?;
        let output = child.stdout.take().ok_or("no pipe from chromium")?;
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(output);
            loop {
                let mut buf = Vec::new();
                match r.read_until(0, &mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        buf.pop_if(|b| *b == 0);
                        if let Ok(v) = serde_json::from_slice::<Value>(&buf)
                            && tx.send(v).is_err()
                        {
                            break;
                        }
                    }
                }
            }
        });
        Ok(Browser {
            child,
            input,
            events: rx,
            next_id: 0,
            session: None,
            seen: Vec::new(),
            _profile: profile,
        })
    }

    /// Sends a command and waits for its reply, keeping every event that arrives meanwhile.
    fn call(&mut self, method: &str, params: Value) -> Result<Value, String> {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({ "id": id, "method": method, "params": params });
        if let Some(s) = &self.session {
            msg["sessionId"] = json!(s);
        }
        let mut bytes = serde_json::to_vec(&msg).map_err(|e| e.to_string())?;
        bytes.push(0);
        self.input
            .write_all(&bytes)
            .and_then(|()| self.input.flush())
            .map_err(|e| format!("{method}: chromium closed its pipe: {e}"))?;
        loop {
            let v = self
                .events
                .recv_timeout(STEP)
                .map_err(|_| format!("{method}: no reply from chromium within {STEP:?}"))?;
            if v.get("id").and_then(Value::as_u64) == Some(id) {
                if let Some(e) = v.get("error") {
                    return Err(format!("{method}: {e}"));
                }
                return Ok(v.get("result").cloned().unwrap_or(Value::Null));
            }
            self.seen.push(v);
        }
    }

    /// Waits until an event named `method` arrives (or was already seen since `from`).
    fn wait_for(&mut self, method: &str, from: usize) -> Result<(), String> {
        if self.seen[from..].iter().any(|e| e["method"] == method) {
            return Ok(());
        }
        loop {
            let v = self
                .events
                .recv_timeout(STEP)
                .map_err(|_| format!("no {method} within {STEP:?}"))?;
            let hit = v["method"] == method;
            self.seen.push(v);
            if hit {
                return Ok(());
            }
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Standard base64 (the protocol's encoding of screenshots and PDFs).
fn base64(s: &str) -> Result<Vec<u8>, String> {
    let val = |c: u8| -> Result<u32, String> {
        Ok(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return Err(format!("bad base64 byte {c}")),
        } as u32)
    };
    let bytes: Vec<u8> = s.bytes().filter(|&c| c != b'=' && c != b'\n').collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= val(c)? << (18 - 6 * i);
        }
        let keep = chunk.len().saturating_sub(1);
        out.extend_from_slice(&n.to_be_bytes()[1..1 + keep]);
    }
    Ok(out)
}

/// Pages of a PDF: page objects (`/Type /Page`) that are not page trees (`/Type /Pages`).
fn pdf_pages(pdf: &[u8]) -> usize {
    let needle = b"/Type /Page";
    (0..pdf.len().saturating_sub(needle.len()))
        .filter(|&i| &pdf[i..i + needle.len()] == needle && pdf[i + needle.len()] != b's')
        .count()
}

struct Limits {
    max_pages: usize,
    max_core_pages: usize,
    /// Questions the page's briefing answers (`#briefing dl.answers`): 5 on a run report.
    answers: u64,
}

/// What one page did wrong, all at once.
fn check_page(
    b: &mut Browser,
    page: &Path,
    out: &Path,
    limits: &Limits,
) -> Result<Vec<String>, String> {
    let mut problems = Vec::new();
    let abs = page
        .canonicalize()
        .map_err(|e| format!("{}: {e}", page.display()))?;
    let stem = page
        .file_stem()
        .map_or("page".into(), |s| s.to_string_lossy().to_string());
    let dir_name = page
        .parent()
        .and_then(Path::file_name)
        .map_or(String::new(), |d| format!("{}-", d.to_string_lossy()));
    let name = format!("{dir_name}{stem}");
    b.session = None;
    let target = b.call("Target.createTarget", json!({ "url": "about:blank" }))?;
    let target_id = target["targetId"].clone();
    let attached = b.call(
        "Target.attachToTarget",
        json!({ "targetId": target_id, "flatten": true }),
    )?;
    b.session = attached["sessionId"].as_str().map(str::to_string);
    for m in [
        "Page.enable",
        "Runtime.enable",
        "Log.enable",
        "Network.enable",
    ] {
        b.call(m, json!({}))?;
    }
    b.call(
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": false }),
    )?;
    let from = b.seen.len();
    b.call(
        "Page.navigate",
        json!({ "url": format!("file://{}", abs.display()) }),
    )?;
    b.wait_for("Page.loadEventFired", from)?;
    // Let late console messages and requests arrive.
    let settle = b.call(
        "Runtime.evaluate",
        json!({ "expression": "new Promise(r => setTimeout(() => r(document.readyState), 300))",
                "awaitPromise": true, "returnByValue": true }),
    )?;
    if settle["result"]["value"] != "complete" {
        problems.push(format!("{name}: document not complete: {settle}"));
    }

    let shot = b.call("Page.captureScreenshot", json!({ "format": "png" }))?;
    let png = base64(shot["data"].as_str().unwrap_or(""))?;
    write(&out.join(format!("{name}-first-screen.png")), &png)?;

    // The page itself never scrolls sideways (a wide table scrolls inside its own box).
    let wide = b.call(
        "Runtime.evaluate",
        json!({ "expression": "document.documentElement.scrollWidth - document.documentElement.clientWidth",
                "returnByValue": true }),
    )?;
    let over = wide["result"]["value"].as_f64().unwrap_or(0.0);
    if over > 1.0 {
        problems.push(format!(
            "{name}: the page scrolls sideways by {over:.0} px at {WIDTH} px"
        ));
    }

    // The briefing's questions on the first screen (five on a run report).
    let probe = "(() => { const d = document.querySelector('#briefing dl.answers'); \
                 if (!d) return null; \
                 return { bottom: d.getBoundingClientRect().bottom + window.scrollY, \
                          questions: d.querySelectorAll('dt').length }; })()";
    let r = b.call(
        "Runtime.evaluate",
        json!({ "expression": probe, "returnByValue": true }),
    )?;
    let v = &r["result"]["value"];
    if v.is_null() {
        problems.push(format!(
            "{name}: no briefing (#briefing dl.answers) on the page"
        ));
    } else {
        let bottom = v["bottom"].as_f64().unwrap_or(f64::INFINITY);
        let questions = v["questions"].as_u64().unwrap_or(0);
        println!(
            "{name}: the {questions} answers end at {bottom:.0} px of a {HEIGHT} px first screen"
        );
        if questions != limits.answers {
            problems.push(format!(
                "{name}: {questions} answers in the briefing, not {}",
                limits.answers
            ));
        }
        if bottom > HEIGHT as f64 {
            problems.push(format!(
                "{name}: the briefing's answers end at {bottom:.0} px, below the first screen \
                 ({HEIGHT} px)"
            ));
        }
    }

    let pdf_params = json!({ "printBackground": false, "preferCSSPageSize": true });
    let pdf = base64(
        b.call("Page.printToPDF", pdf_params.clone())?["data"]
            .as_str()
            .unwrap_or(""),
    )?;
    write(&out.join(format!("{name}.pdf")), &pdf)?;
    let pages = pdf_pages(&pdf);
    // The core: everything but the detail sections.
    b.call(
        "Runtime.evaluate",
        json!({ "expression": "document.querySelectorAll('section.detail').forEach(e => e.remove())" }),
    )?;
    let core = base64(
        b.call("Page.printToPDF", pdf_params)?["data"]
            .as_str()
            .unwrap_or(""),
    )?;
    write(&out.join(format!("{name}-core.pdf")), &core)?;
    let core_pages = pdf_pages(&core);
    println!("{name}: {pages} printed pages, {core_pages} for the core");
    if pages == 0 || pages > limits.max_pages {
        problems.push(format!(
            "{name}: prints to {pages} pages (allowed 1 to {})",
            limits.max_pages
        ));
    }
    if core_pages == 0 || core_pages > limits.max_core_pages {
        problems.push(format!(
            "{name}: its core prints to {core_pages} pages (allowed 1 to {})",
            limits.max_core_pages
        ));
    }

    for e in &b.seen[from..] {
        let p = &e["params"];
        match e["method"].as_str().unwrap_or("") {
            "Runtime.consoleAPICalled"
                if matches!(p["type"].as_str(), Some("error" | "assert")) =>
            {
                problems.push(format!("{name}: console error: {}", p["args"]));
            }
            "Runtime.exceptionThrown" => {
                problems.push(format!(
                    "{name}: uncaught exception: {}",
                    p["exceptionDetails"]["text"]
                ));
            }
            "Log.entryAdded" if p["entry"]["level"] == "error" => {
                problems.push(format!("{name}: console error: {}", p["entry"]["text"]));
            }
            "Network.requestWillBeSent" => {
                let url = p["request"]["url"].as_str().unwrap_or("");
                if !(url.starts_with("file:") || url.starts_with("data:")) {
                    problems.push(format!("{name}: remote request to {url}"));
                }
            }
            _ => {}
        }
    }
    b.session = None;
    b.call("Target.closeTarget", json!({ "targetId": target_id }))?;
    Ok(problems)
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// A page that breaks every rule: the check must report each break.
fn self_test(b: &mut Browser, out: &Path) -> Result<(), String> {
    let dir = out.join("self-test");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let page = dir.join("bad.html");
    let mut body = String::from(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>\
         <section id=\"briefing\"><dl class=\"answers\"><dt>Only one</dt><dd>answer</dd></dl>\
         </section><img src=\"http://remote.invalid/x.png\">\
         <div style=\"width: 3000px\">too wide</div>\
         <script>console.error('broken'); throw new Error('boom');</script>",
    );
    for k in 0..400 {
        body.push_str(&format!("<p>line {k}</p>"));
    }
    body.push_str("</body></html>");
    write(&page, body.as_bytes())?;
    let limits = Limits {
        max_pages: 2,
        max_core_pages: 1,
        answers: 5,
    };
    let problems = check_page(b, &page, &dir, &limits)?;
    let expect = [
        "console error",
        "uncaught exception",
        "remote request to http://remote.invalid/x.png",
        "answers in the briefing, not 5",
        "prints to",
        "its core prints to",
        "scrolls sideways",
    ];
    let missed: Vec<&str> = expect
        .iter()
        .copied()
        .filter(|e| !problems.iter().any(|p| p.contains(e)))
        .collect();
    if missed.is_empty() {
        println!(
            "self-test: the check catches every break ({} problems)",
            problems.len()
        );
        Ok(())
    } else {
        Err(format!(
            "self-test: the check missed {missed:?}; it reported {problems:#?}"
        ))
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut chromium = PathBuf::from("/usr/bin/chromium");
    let mut out = PathBuf::from("browser-check");
    let mut limits = Limits {
        max_pages: 30,
        max_core_pages: 4,
        answers: 5,
    };
    let mut pages = Vec::new();
    let mut run_self_test = false;
    let number = |v: Option<String>, flag: &str| -> usize {
        v.and_then(|s| s.parse().ok()).unwrap_or_else(|| {
            eprintln!("{flag} needs a whole number");
            std::process::exit(2)
        })
    };
    while let Some(a) = args.next() {
        match a.as_str() {
            "--chromium" => chromium = args.next().map(PathBuf::from).unwrap_or(chromium),
            "--out" => out = args.next().map(PathBuf::from).unwrap_or(out),
            "--max-pages" => limits.max_pages = number(args.next(), "--max-pages"),
            "--max-core-pages" => limits.max_core_pages = number(args.next(), "--max-core-pages"),
            "--answers" => limits.answers = number(args.next(), "--answers") as u64,
            "--self-test" => run_self_test = true,
            _ => pages.push(PathBuf::from(a)),
        }
    }
    if let Err(e) = std::fs::create_dir_all(&out) {
        eprintln!("cannot create {}: {e}", out.display());
        std::process::exit(2);
    }
    let mut browser = match Browser::launch(&chromium) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let mut problems = Vec::new();
    if run_self_test && let Err(e) = self_test(&mut browser, &out) {
        problems.push(e);
    }
    for p in &pages {
        match check_page(&mut browser, p, &out, &limits) {
            Ok(found) => problems.extend(found),
            Err(e) => problems.push(format!("{}: {e}", p.display())),
        }
    }
    if problems.is_empty() {
        println!(
            "browser check passed: {} page(s); screenshots and PDFs in {}",
            pages.len(),
            out.display()
        );
    } else {
        for p in &problems {
            eprintln!("browser check: {p}");
        }
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_known_text() {
        assert_eq!(base64("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(base64("aGVsbG8h").unwrap(), b"hello!");
        assert_eq!(base64("aGk=").unwrap(), b"hi");
        assert!(base64("a*==").is_err());
    }

    #[test]
    fn pdf_pages_skip_page_trees() {
        let pdf = b"<< /Type /Pages /Count 2 >> << /Type /Page >> << /Type /Page\n>>";
        assert_eq!(pdf_pages(pdf), 2);
    }
}
