//! `anjuan verify`.
