//! anjuan: case files of a county secrecy bureau, from YAML to checked deadlines, statutory
//! documents as PDF, archive volumes and catalogues.

pub mod render;
