//! Hostile and careless use (issue 13): inputs that are not regular files, hostile text, bounds on
//! the command line, signals, leftovers of killed runs, closed pipes and full disks. The magnitude,
//! id and name bounds of scenario files are in the error corpus (tests/data/errors).

mod cli;
mod extremes;
mod fuzz;
mod output;
