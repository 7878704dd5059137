//! `chokepoint compare`: exporter snapshots on synthetic paired runs, the command's flow with a
//! stand-in runner (errors, overwrite rules), and end-to-end runs on small closed-form worlds.

mod cli;
mod exporters;
mod fixtures;
mod flagship;
mod properties;
