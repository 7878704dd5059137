//! Charts and the HTML report, on a small scenario built in code with synthetic results.

mod charts;
mod fixture;
mod html;
