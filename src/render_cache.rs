//! Re-runs: a document whose template data, templates, fonts and identity are unchanged since
//! the last build is not rendered again — its PDF from the last build is used as it is (same
//! bytes, file untouched). The digests live in `manifest.json` (`render_inputs`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::manifest::Manifest;
use crate::output::sha256_hex;
use crate::render::{RenderError, RenderRequest, Rendered, Renderer};

pub const KEY: &str = "render_inputs";

pub struct RenderCache {
    out: PathBuf,
    /// path → (inputs digest, sha256, pages) of the last build.
    previous: BTreeMap<String, (String, String, usize)>,
    now: Mutex<BTreeMap<String, String>>,
}

impl RenderCache {
    pub fn load(out: &Path) -> Self {
        let mut previous = BTreeMap::new();
        if let Some(m) = Manifest::load(out) {
            let inputs: BTreeMap<String, String> = m
                .extra
                .get(KEY)
                .and_then(|v| serde_json::from_value(v.clone()).ok())
                .unwrap_or_default();
            for f in m.files {
                if let Some(i) = inputs.get(&f.path) {
                    previous.insert(f.path.clone(), (i.clone(), f.sha256, f.pages));
                }
            }
        }
        Self {
            out: out.to_path_buf(),
            previous,
            now: Mutex::new(BTreeMap::new()),
        }
    }

    /// Renders `request` into `path` (relative to OUT), or takes the last build's file when
    /// nothing it depends on changed and the file is still the one recorded.
    pub fn render(
        &self,
        renderer: &Renderer,
        request: &RenderRequest,
        path: &str,
    ) -> Result<Rendered, RenderError> {
        let mut key = format!(
            "{}\n{}\n{}\n{:?}\n",
            renderer.fingerprint(),
            request.template,
            request.ident,
            request.date
        )
        .into_bytes();
        key.extend_from_slice(&request.data);
        let inputs = sha256_hex(&key);
        if let Ok(mut now) = self.now.lock() {
            now.insert(path.to_string(), inputs.clone());
        }
        let unchanged = self
            .previous
            .get(path)
            .filter(|(i, _, _)| *i == inputs)
            .and_then(|(_, sha, pages)| {
                let pdf = std::fs::read(self.out.join(path)).ok()?;
                (sha256_hex(&pdf) == *sha).then_some(Rendered { pdf, pages: *pages })
            });
        if let Some(r) = unchanged {
            return Ok(r);
        }
        renderer.render(request)
    }

    /// The digests for the manifest: this build's, and the last build's for documents that
    /// stand untouched (cases a build of one case file did not read).
    pub fn finish(&self, files: &[crate::manifest::FileEntry]) -> serde_json::Value {
        let mut now = self.now.lock().map(|m| m.clone()).unwrap_or_default();
        for f in files {
            if let Some((inputs, _, _)) = self.previous.get(&f.path) {
                now.entry(f.path.clone()).or_insert_with(|| inputs.clone());
            }
        }
        serde_json::to_value(now).unwrap_or_default()
    }
}
