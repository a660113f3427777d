//! anjuan: case files of a county secrecy bureau, from YAML to checked deadlines, statutory
//! documents as PDF, archive volumes and catalogues.
//!
//! The data flows one way: `project` (settings, calendar, loaded `case`s) → `case::validate` and
//! `deadlines` → `documents` (which documents, in procedural order) → `numbering` (文号 from the
//! `ledger`) → `render` (typst) → `build` (files and `manifest`).

pub mod archive;
pub mod build;
pub mod buildlog;
pub mod cache;
pub mod calendar;
pub mod case;
pub mod catalog;
pub mod cli;
pub mod deadlines;
pub mod diagnostics;
pub mod documents;
pub mod law;
pub mod ledger;
pub mod letters;
pub mod lock;
pub mod manifest;
pub mod memstat;
pub mod numbering;
pub mod output;
pub mod packed;
pub mod pdf;
pub mod problems;
pub mod procedure;
pub mod project;
pub mod records;
pub mod render;
pub mod schema;
pub mod settings;
pub mod signing;
pub mod skeleton;
pub mod stage;
pub mod stats;
pub mod status;
pub mod template_data;
pub mod text;
pub mod vocab;
pub mod xlsx;
pub mod yaml;
