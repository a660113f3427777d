//! 归档移交包 `OUT/transfer/<year>/` (archive.md): 说明文件.TXT, 案卷目录.XML, 文件目录.XML,
//! `电子档案/<档号>.pdf` with each 件's own file in `电子档案/<档号>/`, and per volume a DA/T 48-style
//! 封装包 `封装包/<档号>.xml` holding the DA/T 46 metadata of the volume and its 件; wrapped as a
//! BagIt 1.0 bag. BagIt keeps the payload under `data/`, so those files sit in `data/`, with
//! bagit.txt, bag-info.txt (Payload-Oxum), manifest-{sha256,sm3}.txt and
//! tagmanifest-{sha256,sm3}.txt beside it, and with a signing key `tagmanifest-sm3.txt.sig`.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use super::VolumeEntry;
use crate::cache::{BuildCache, Digests, Made, Shard};
use crate::catalog::{self, Cell};
use crate::manifest::ListedFile;
use crate::packed::Rows;
use crate::records::{Records, VolumeKey};
use crate::settings::Settings;
use crate::signing::Signer;
use crate::stage::{BuildContext, BuildError, Stage};

/// Where the 封装包 of each volume sit in a bag.
pub const PACKAGE_DIR: &str = "data/封装包";

/// The signature file of a bag's SM3 tag manifest.
pub const BAG_SIGNATURE: &str = "tagmanifest-sm3.txt.sig";

pub const DIR: &str = "transfer";

/// Why a bag could not be written.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    #[error("移交包：无法读取 {}：{}", .0, crate::text::io_error(.1))]
    Read(String, std::io::Error),
    #[error("移交包：无法写入 {}：{}", .0, crate::text::io_error(.1))]
    Write(String, std::io::Error),
}

/// 移交包: one bag per filing year over the volumes, recorded in the manifest's `transfer`.
/// Nothing filed yet: no package, and none left from before.
pub struct TransferPackage;

impl Stage for TransferPackage {
    fn name(&self) -> &'static str {
        "移交包"
    }

    fn run(&self, cx: &mut BuildContext) -> Result<(), BuildError> {
        let out = &cx.opts.out;
        // The listing kept by builds before the listing was kept a line an entry.
        let _ = std::fs::remove_file(out.join(".anjuan-cache/transfer-listed.json"));
        if cx.volumes.is_empty() {
            // None filed now: the last package goes.
            let previous = last_listed_paths(out);
            cx.transfer_changed = !previous.is_empty();
            cx.stale.extend(previous);
            let _ = std::fs::remove_file(out.join(SHARD));
            let _ = std::fs::remove_file(out.join(LISTED));
            return Ok(());
        }
        let settings = &cx.project.settings;
        // A key that cannot be loaded is reported once, by the build's end (buildlog::seal).
        let signer = settings.signer().ok().flatten();
        // The package is made from the volumes, the settings and the key alone: when none of
        // them changed and its files are as recorded, it stands. The volumes are known by their
        // entries' digests: nothing is read to know it.
        let inputs = {
            use sha2::Digest;
            let mut h = sha2::Sha256::new();
            h.update(env!("CARGO_PKG_VERSION"));
            h.update(serde_json::to_vec(settings).unwrap_or_default());
            h.update(
                signer
                    .as_ref()
                    .map(|s| s.public().hex())
                    .unwrap_or_default(),
            );
            for v in &cx.volumes {
                h.update(v.digest);
                h.update(v.path.as_bytes());
                h.update([0x1e]);
            }
            hex::encode(h.finalize())
        };
        // The records of the package's files are kept apart from the cache's index, so that the
        // build holds them (one a file of the bags) only while this stage works.
        let kept = Shard::load(out, SHARD);
        let kept_files = kept.files();
        cx.cache.adopt(kept);
        let made = Made {
            inputs: inputs.clone(),
            pages: 0,
            sha256: String::new(),
            mid: None,
        };
        if cx
            .cache
            .made_before(DIR)
            .is_some_and(|m| m.inputs == inputs)
            && let Some(listed) = last_listing_stands(out, &cx.cache)
        {
            cx.cache.made(DIR, made);
            let kept_whole = listed.kept && kept_files == listed.recorded;
            let shard = cx.cache.take_below(&format!("{DIR}/"));
            if !kept_whole {
                // Its records back in the cache, to be kept with the listing.
                cx.cache.adopt(shard);
                keep_listing(
                    out,
                    &cx.cache,
                    |emit| match listed.kept {
                        true => last_listed(out).0.try_for_each(|e| emit(&e)),
                        false => listed.entries.iter().try_for_each(emit),
                    },
                    &[],
                )?
                .note(cx);
            }
            return Ok(());
        }
        // Only the paths of the last listing are needed now (to find the files it no longer has).
        let before = last_listed_paths(out);
        let (records, volumes, cache) = (&cx.records, &cx.volumes, &cx.cache);
        let mut failed = None;
        let listed = keep_listing(
            out,
            cache,
            |emit| match write(
                records,
                volumes,
                settings,
                signer.as_ref(),
                out,
                cache,
                emit,
            ) {
                Ok(()) => Ok(()),
                Err(e) => {
                    failed = Some(e);
                    Err(std::io::Error::other("移交包"))
                }
            },
            &before,
        );
        match (listed, failed) {
            (_, Some(e)) => {
                cx.settings_error("archive", e.to_string());
                // Nothing of this package is listed: the last one's files go.
                keep_listing(out, &cx.cache, |_| Ok(()), &before)?.note(cx);
            }
            (Err(e), None) => return Err(e),
            (Ok(kept), None) => {
                kept.note(cx);
                cx.cache.made(DIR, made);
            }
        }
        Ok(())
    }
}

/// Where the records of the package's files are kept, below the output folder.
const SHARD: &str = ".anjuan-cache/transfer.json";

/// Where the manifest's `transfer` section is kept between builds, an entry a line: a build does
/// not hold it (an entry a file of the bags); the manifest's section is written from it.
const LISTED: &str = ".anjuan-cache/transfer-listed.jsonl";

/// The last build's `transfer` section, an entry at a time: as kept, else from its manifest
/// (a build of an older anjuan). Whether it was kept.
fn last_listed(out: &Path) -> (Box<dyn Iterator<Item = ListedFile>>, bool) {
    match std::fs::File::open(out.join(LISTED)) {
        Ok(f) => {
            use std::io::BufRead;
            let lines = std::io::BufReader::with_capacity(1 << 16, f).lines();
            let entries = lines
                .map_while(Result::ok)
                .filter_map(|l| serde_json::from_str::<ListedFile>(&l).ok());
            (Box::new(entries), true)
        }
        Err(_) => (
            Box::new(crate::manifest::Manifest::load_transfer(out).into_iter()),
            false,
        ),
    }
}

/// The paths of the last build's `transfer` section.
fn last_listed_paths(out: &Path) -> Vec<String> {
    last_listed(out).0.map(|e| e.path).collect()
}

/// The last listing, when every file it lists is as recorded, or is still the volume's file it
/// was linked from.
struct Standing {
    /// How many of its files stand by the cache's records (the others by their link).
    recorded: usize,
    /// Its entries when they came from the manifest (not kept apart yet), to be kept.
    entries: Vec<ListedFile>,
    kept: bool,
}

fn last_listing_stands(out: &Path, cache: &BuildCache) -> Option<Standing> {
    use rayon::prelude::*;
    // Each file is looked at on its own (a stat or two): a batch at a time, side by side.
    const BATCH: usize = 4096;
    let (entries, kept) = last_listed(out);
    let mut count = 0;
    let mut recorded = 0;
    let mut held = Vec::new();
    let mut batch: Vec<ListedFile> = Vec::with_capacity(BATCH);
    let mut entries = entries.peekable();
    while entries.peek().is_some() {
        batch.extend(entries.by_ref().take(BATCH));
        // Per file: Some(whether it stands by a record), None when it does not stand.
        let standing: Option<Vec<bool>> = batch
            .par_iter()
            .map(|e| {
                let linked = linked_from(&e.path)
                    .is_some_and(|from| same_file(&out.join(from), &out.join(&e.path)));
                match linked {
                    // A record an older build kept of it goes.
                    true => {
                        cache.forget([e.path.as_str()]);
                        Some(false)
                    }
                    false => cache.holds(&e.path, &e.sha256).then_some(true),
                }
            })
            .collect();
        let standing = standing?;
        count += batch.len();
        recorded += standing.into_iter().filter(|&r| r).count();
        match kept {
            true => batch.clear(),
            false => held.append(&mut batch),
        }
    }
    (count > 0).then_some(Standing {
        recorded,
        entries: held,
        kept,
    })
}

/// The volume's file (below `volumes/`) that a bag's copy of a volume or of a 件 is made from.
fn linked_from(path: &str) -> Option<String> {
    let (_, rest) = path.split_once("/data/电子档案/")?;
    Some(format!("{}/{rest}", super::VOLUMES_DIR))
}

/// Whether the files `a` and `b` are one file (a hard link): the copy in the bag is then the
/// volume's file itself, checked as such by 立卷, and needs no record of its own.
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (std::fs::metadata(a), std::fs::metadata(b)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (a, b);
        false
    }
}

/// Writes the listing `fill` gives, an entry at a time, where the manifest's section is written
/// from ([`write_listed_section`]); the files `before` listed and no longer listed are removed
/// when the build ends; the records of the listed files are taken out of the build's cache and
/// kept apart.
fn keep_listing(
    out: &Path,
    cache: &BuildCache,
    fill: impl FnOnce(&mut dyn FnMut(&ListedFile) -> std::io::Result<()>) -> std::io::Result<()>,
    before: &[String],
) -> Result<Kept, BuildError> {
    // What the last listing had and this one has not: all of it, less what is listed now.
    let mut gone: std::collections::HashSet<&str> = before.iter().map(String::as_str).collect();
    let (wrote, _) = crate::output::write_streamed(&out.join(LISTED), None, |w| {
        fill(&mut |e: &ListedFile| {
            gone.remove(e.path.as_str());
            serde_json::to_writer(&mut *w, e).map_err(std::io::Error::other)?;
            w.write_all(b"\n")
        })
    })
    .map_err(|e| BuildError::Output(out.join(LISTED), e))?;
    let stale = gone.into_iter().map(String::from).collect();
    // The records of the bags' files (those not linked from the volumes).
    let shard = cache.take_below(&format!("{DIR}/"));
    shard
        .save(out, SHARD)
        .map_err(|e| BuildError::Output(out.join(SHARD), e))?;
    Ok(Kept { wrote, stale })
}

/// What keeping a listing did: whether the kept listing changed, and the files listed before
/// and no longer.
struct Kept {
    wrote: bool,
    stale: Vec<String>,
}

impl Kept {
    fn note(self, cx: &mut BuildContext) {
        cx.transfer_changed = self.wrote;
        cx.stale.extend(self.stale);
    }
}

/// The manifest's `transfer` section (its array, in the manifest's layout) from the listing this
/// build kept; false when there is none.
pub fn write_listed_section(out: &Path, w: &mut dyn Write) -> std::io::Result<bool> {
    if !out.join(LISTED).is_file() {
        return Ok(false);
    }
    let (entries, _) = last_listed(out);
    let mut entries = entries.peekable();
    if entries.peek().is_none() {
        return Ok(false);
    }
    w.write_all(b",\n  \"transfer\": ")?;
    crate::manifest::write_member_entries(w, entries)?;
    Ok(true)
}

/// Writes one bag per year of the volumes of `index`, each volume's entry read from its case's
/// record in catalogue order and dropped once its files are in the bag; gives `emit` the
/// manifest entries a bag at a time (per bag: the payload by path, then the tag files), so that
/// only one bag's entries are ever held.
pub fn write(
    records: &Records,
    index: &[VolumeKey],
    settings: &Settings,
    signer: Option<&Signer>,
    out: &Path,
    cache: &BuildCache,
    emit: &mut dyn FnMut(&ListedFile) -> std::io::Result<()>,
) -> Result<(), TransferError> {
    let mut by_year: BTreeMap<i32, Vec<&VolumeKey>> = BTreeMap::new();
    for v in index {
        by_year.entry(v.year).or_default().push(v);
    }
    for (year, keys) in &by_year {
        let entries = bag(*year, keys, records, settings, signer, out, cache)?;
        let listed = format!("{DIR}/{year}");
        entries
            .iter()
            .try_for_each(|[path, sha256, sm3]| {
                emit(&ListedFile {
                    path: path.to_string(),
                    sha256: sha256.to_string(),
                    sm3: sm3.to_string(),
                })
            })
            .map_err(|e| TransferError::Write(listed, e))?;
    }
    Ok(())
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A catalogue as XML, each row with 电子档案名称 (the volume file's name), written a row at a
/// time to a spool: its head first, then [`CatalogXml::row`] for each row.
struct CatalogXml {
    root: &'static str,
    row_tag: &'static str,
    columns: &'static [&'static str],
    spool: catalog::Spool,
}

impl CatalogXml {
    fn new(
        out: &Path,
        root: &'static str,
        row_tag: &'static str,
        columns: &'static [&'static str],
    ) -> std::io::Result<CatalogXml> {
        let mut spool = catalog::Spool::create(out, &format!("transfer-{root}"))?;
        write!(
            spool.writer()?,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{root}>\n"
        )?;
        Ok(CatalogXml {
            root,
            row_tag,
            columns,
            spool,
        })
    }

    fn row(&mut self, r: &[Cell], link: &str) -> std::io::Result<()> {
        let row_tag = self.row_tag;
        let mut s = format!("  <{row_tag}>\n");
        for (name, cell) in self.columns.iter().zip(r) {
            s.push_str(&format!(
                "    <{name}>{}</{name}>\n",
                xml_escape(&cell.text())
            ));
        }
        let file = link.rsplit('/').next().unwrap_or(link);
        s.push_str(&format!(
            "    <电子档案名称>{}</电子档案名称>\n",
            xml_escape(file)
        ));
        s.push_str(&format!("  </{row_tag}>\n"));
        self.spool.writer()?.write_all(s.as_bytes())
    }

    fn finish(&mut self) -> std::io::Result<()> {
        let root = self.root;
        writeln!(self.spool.writer()?, "</{root}>")?;
        self.spool.finish()
    }
}

/// Puts `from` at `to` through a temporary name: a hard link where the file system has them (a
/// volume of the package takes no second copy on disk; anjuan replaces files by renaming, so a
/// later build never changes the package's file through the link), else a copy.
fn link_or_copy(from: &Path, to: &Path) -> std::io::Result<()> {
    let dir = to.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".copy.{}.tmp", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    if std::fs::hard_link(from, &tmp).is_err() {
        std::fs::copy(from, &tmp)?;
    }
    std::fs::rename(&tmp, to).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// Writes one year's bag: the volumes (`keys`) read from their cases' records one at a time in
/// catalogue order, each volume's file and 件 files linked in and its 封装包 written at once, the
/// catalogue XMLs a row at a time through spools; the payload's entries, sorted by path, give the
/// payload manifests (they are the manifest's `transfer` section anyway). Returns the bag's
/// entries (path, SHA-256, SM3), packed: a year of a province is hundreds of thousands.
fn bag(
    year: i32,
    keys: &[&VolumeKey],
    records: &Records,
    settings: &Settings,
    signer: Option<&Signer>,
    out: &Path,
    cache: &BuildCache,
) -> Result<Rows<3>, TransferError> {
    let bag_dir = format!("{DIR}/{year}");
    // A volume's file, its 件 files and its 封装包, the three data files and up to seven tag
    // files; a path below the bag is about 70 bytes (96 allowed), its digests 128.
    let listed_files: usize = keys.iter().map(|k| k.items as usize + 2).sum::<usize>() + 10;
    let mut entries =
        Rows::<3>::with_capacity(listed_files, listed_files * (bag_dir.len() + 96 + 128));
    let fonds_name = settings
        .archive
        .as_ref()
        .map(|a| a.fonds_name.to_string())
        .unwrap_or_default();
    // What the bag makes is written at once, so a year's package files are never all held.
    let put = |rel: &str, bytes: &[u8]| -> Result<Digests, TransferError> {
        let path = format!("{bag_dir}/{rel}");
        cache
            .write(&path, bytes)
            .map(|(d, _)| d)
            .map_err(|e| TransferError::Write(path, e))
    };
    let spool_err =
        |e: std::io::Error| TransferError::Write(format!("{}/spool-*.tmp", crate::cache::DIR), e);
    let mut oxum_bytes: u64 = 0;
    let mut listed = |path: &str, sha256: &str, sm3: &str, size: u64| {
        oxum_bytes += size;
        entries.push([path, sha256, sm3]);
    };
    let mut volumes_xml =
        CatalogXml::new(out, "案卷目录", "案卷", catalog::VOLUME_COLUMNS).map_err(spool_err)?;
    let mut items_xml =
        CatalogXml::new(out, "文件目录", "文件", catalog::ITEM_COLUMNS).map_err(spool_err)?;
    let (mut rows, mut item_rows, mut pages) = (0usize, 0usize, 0usize);
    let order = VolumeKey::catalogue_order(keys.iter().copied());
    for v in records.entries(order) {
        let v = v.map_err(|e| TransferError::Read(e.path.clone(), std::io::Error::other(e)))?;
        let (row, items) = catalog::rows_of(&v, rows + 1, item_rows + 1);
        rows += 1;
        item_rows += items.len();
        pages += v.content_pages;
        volumes_xml.row(&row, &v.path).map_err(spool_err)?;
        for r in &items {
            items_xml.row(r, &v.path).map_err(spool_err)?;
        }
        drop(items);
        // The volume's file and each 件's, linked in (a year's volumes are never all held in
        // memory; their digests are known from the build).
        let from = out.join(&v.path);
        let size = std::fs::metadata(&from)
            .map_err(|e| TransferError::Read(v.path.clone(), e))?
            .len();
        let sm3 = if v.sm3.is_empty() {
            crate::output::file_sm3(&from).unwrap_or_default()
        } else {
            v.sm3.clone()
        };
        let name = v.path.rsplit('/').next().unwrap_or(&v.path);
        let mut copy =
            |rel: String, from: std::path::PathBuf, sha256: &str, sm3: &str, size: u64| {
                let path = format!("{bag_dir}/{rel}");
                let to = out.join(&path);
                // A link to the volume's file is that file: known without a record (one an older
                // build kept goes). A copy (no hard links here) is known by its record; one that
                // stands as recorded is recorded again by `holds`. `from` is below the output
                // folder already (which may be a relative path).
                let mut linked = same_file(&from, &to);
                if !linked && !cache.holds(&path, sha256) {
                    link_or_copy(&from, &to).map_err(|e| TransferError::Write(path.clone(), e))?;
                    linked = same_file(&from, &to);
                    if !linked {
                        let d = Digests {
                            sha256: sha256.to_string(),
                            sm3: sm3.to_string(),
                            size,
                        };
                        cache.record(&path, &d);
                    }
                }
                if linked {
                    cache.forget([path.as_str()]);
                }
                listed(&path, sha256, sm3, size);
                Ok::<(), TransferError>(())
            };
        copy(format!("data/电子档案/{name}"), from, &v.sha256, &sm3, size)?;
        for it in &v.items {
            let Some(file) = &it.file else { continue };
            let item_name = file.rsplit('/').next().unwrap_or(file);
            copy(
                format!("data/电子档案/{}/{item_name}", v.archive_code),
                out.join(file),
                &it.sha256,
                &it.sm3,
                it.size,
            )?;
        }
        let rel = format!("{PACKAGE_DIR}/{}.xml", v.archive_code);
        let d = put(&rel, &package_xml(&v, settings, size, &sm3, signer))?;
        listed(&format!("{bag_dir}/{rel}"), &d.sha256, &d.sm3, d.size);
    }
    volumes_xml.finish().map_err(spool_err)?;
    items_xml.finish().map_err(spool_err)?;
    let signed = if signer.is_some() {
        "电子签名：SM2（GM/T 0003），见 tagmanifest-sm3.txt.sig 和各封装包的电子签名块；用 anjuan verify --key 公钥 核验\r\n"
    } else {
        "电子签名：无（生成时 anjuan.yaml 未配置 signing 签名密钥）\r\n"
    };
    let note = format!(
        "归档移交说明\r\n\r\n全宗名称：{fonds_name}\r\n归档年度：{year}\r\n内容：{} 卷案卷（{} 件文件，共 {pages} 页）的电子档案，每卷一个 PDF/A-2b 文件，\r\n      文件名为档号；电子档案/<档号>/ 中是卷内每一件的文件，文件名为件的档号；\r\n      案卷目录.XML 和 文件目录.XML 为对应的目录；封装包/<档号>.xml 是每卷的元数据封装包\r\n      （DA/T 46 文书类电子文件元数据，按 DA/T 48 的结构封装）。\r\n摘要算法：SM3 和 SHA-256（见 manifest-sm3.txt、manifest-sha256.txt 及对应的 tagmanifest）\r\n{signed}封装格式：BagIt 1.0\r\n生成工具：anjuan {}\r\n",
        rows,
        item_rows,
        env!("CARGO_PKG_VERSION"),
    );
    let d = put("data/说明文件.TXT", note.as_bytes())?;
    listed(
        &format!("{bag_dir}/data/说明文件.TXT"),
        &d.sha256,
        &d.sm3,
        d.size,
    );
    for (rel, xml) in [
        ("data/案卷目录.XML", &volumes_xml),
        ("data/文件目录.XML", &items_xml),
    ] {
        let path = format!("{bag_dir}/{rel}");
        let d = cache
            .write_streamed(&path, |w| xml.spool.copy_to(w))
            .map_err(|e| TransferError::Write(path.clone(), e))?;
        listed(&path, &d.sha256, &d.sm3, d.size);
    }
    drop((volumes_xml, items_xml));
    entries.sort_by_first(1);
    let payload_files = entries.len();

    let manifest = |w: &mut dyn Write, sm3: bool| -> std::io::Result<()> {
        for [path, sha256, sm3_digest] in entries.iter() {
            let digest = if sm3 { sm3_digest } else { sha256 };
            writeln!(w, "{digest}  {}", &path[bag_dir.len() + 1..])?;
        }
        Ok(())
    };
    let streamed = |rel: &str, fill: &dyn Fn(&mut dyn Write) -> std::io::Result<()>| {
        let path = format!("{bag_dir}/{rel}");
        cache
            .write_streamed(&path, |w| fill(w))
            .map_err(|e| TransferError::Write(path, e))
    };
    let manifest_sha256 = streamed("manifest-sha256.txt", &|w| manifest(w, false))?;
    let manifest_sm3 = streamed("manifest-sm3.txt", &|w| manifest(w, true))?;
    let bagit = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n".to_string();
    let date = keys
        .iter()
        .map(|v| v.filed_on)
        .max()
        .map(|d| d.to_string())
        .unwrap_or_default();
    let info = format!(
        "Source-Organization: {fonds_name}\nBagging-Date: {date}\nPayload-Oxum: {oxum_bytes}.{}\nExternal-Description: {year} 年度归档电子档案移交包\nBag-Software-Agent: anjuan {}\n",
        payload_files,
        env!("CARGO_PKG_VERSION"),
    );
    // The tag files follow the payload, unsorted.
    let info_d = put("bag-info.txt", info.as_bytes())?;
    let bagit_d = put("bagit.txt", bagit.as_bytes())?;
    let tags = [
        ("bag-info.txt", &info_d),
        ("bagit.txt", &bagit_d),
        ("manifest-sha256.txt", &manifest_sha256),
        ("manifest-sm3.txt", &manifest_sm3),
    ];
    let tagmanifest: String = tags
        .iter()
        .map(|(p, d)| format!("{}  {p}\n", d.sha256))
        .collect();
    let tagmanifest_sm3: String = tags
        .iter()
        .map(|(p, d)| format!("{}  {p}\n", d.sm3))
        .collect();
    for (rel, d) in tags {
        entries.push([&format!("{bag_dir}/{rel}"), &d.sha256, &d.sm3]);
    }
    let mut made: Vec<(&str, Vec<u8>)> = vec![("tagmanifest-sha256.txt", tagmanifest.into_bytes())];
    if let Some(s) = signer {
        // The SM3 tag manifest covers both payload manifests and bag-info: one signature holds
        // the whole bag.
        made.push((
            BAG_SIGNATURE,
            s.detached("tagmanifest-sm3.txt", tagmanifest_sm3.as_bytes()),
        ));
    }
    made.push(("tagmanifest-sm3.txt", tagmanifest_sm3.into_bytes()));
    for (rel, bytes) in made {
        let d = put(rel, &bytes)?;
        entries.push([&format!("{bag_dir}/{rel}"), &d.sha256, &d.sm3]);
    }
    Ok(entries)
}

/// The year whose bag holds a volume: the volume's own year (of its last document, archive.md
/// revision 2); volumes of older builds, which did not record it, by their filing year.
pub fn bag_year(v: &VolumeEntry) -> i32 {
    v.bag_year()
}

/// The 年度 segment of a volume's 档号: the year of its last document or of its filing, whichever
/// the code carries.
fn code_year(v: &VolumeEntry) -> i32 {
    use chrono::Datelike;
    [v.end_date.map(|d| d.year()), Some(v.filed_on.year())]
        .into_iter()
        .flatten()
        .find(|y| v.archive_code.contains(&y.to_string()))
        .unwrap_or(v.filed_on.year())
}

/// Text of one element.
fn el(indent: usize, name: &str, value: &str) -> String {
    format!(
        "{}<{name}>{}</{name}>\n",
        "  ".repeat(indent),
        xml_escape(value)
    )
}

fn date8(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.format("%Y%m%d").to_string())
        .unwrap_or_default()
}

/// 文种 of a document, from its title's ending (the kind of act it is).
pub fn genre(title: &str) -> &'static str {
    const GENRES: [&str; 14] = [
        "通知书",
        "决定书",
        "意见书",
        "审批表",
        "登记表",
        "报告",
        "笔录",
        "清单",
        "回证",
        "方案",
        "函",
        "告知书",
        "通知",
        "决定",
    ];
    let t = title.trim_end_matches(['）', ')']);
    let t = t.split(['（', '(']).next().unwrap_or(t);
    GENRES
        .iter()
        .find(|g| t.ends_with(*g))
        .copied()
        .unwrap_or("其他")
}

/// The 件 and volume metadata of one volume as a DA/T 48-style 封装包: 被签名对象 (封装内容:
/// 文件实体块 with the DA/T 46 elements of the volume and of each 件, 业务实体块 with the acts
/// that made and filed them, 机构人员实体块), then the 电子签名块 holding an SM2 signature over
/// the bytes of the 被签名对象 element.
pub fn package_xml(
    v: &VolumeEntry,
    settings: &Settings,
    volume_size: u64,
    volume_sm3: &str,
    signer: Option<&Signer>,
) -> Vec<u8> {
    let arch = settings.archive.as_ref();
    let text = |f: &dyn Fn(&crate::settings::ArchiveSettings) -> String| -> String {
        arch.map(f).unwrap_or_default()
    };
    let fonds_name = text(&|a| a.fonds_name.to_string());
    let fonds_no = text(&|a| a.fonds_no.to_string());
    let category = text(&|a| a.category.to_string());
    let org_code = text(&|a| a.org_code.to_string());
    let filer = arch.and_then(|a| a.filer.as_ref().map(|s| s.to_string()));
    let checker = arch.and_then(|a| a.checker.as_ref().map(|s| s.to_string()));
    let serial: String = {
        let d: Vec<char> = v
            .archive_code
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        d.into_iter().rev().collect()
    };
    let classification = v.classification.clone().unwrap_or_default();

    // 机构人员: the makers of the documents, the fonds, the filer and checker.
    // One entity per (类型, 名称); its roles (职能) gathered.
    let mut people: Vec<(String, &str, String, Vec<&str>)> = Vec::new(); // id, 类型, 名称, 职能
    let mut person = |kind: &'static str, name: &str, role: &'static str| -> String {
        if let Some(p) = people.iter_mut().find(|p| p.1 == kind && p.2 == name) {
            if !p.3.contains(&role) {
                p.3.push(role);
            }
            return p.0.clone();
        }
        let id = format!("JGRY-{}", people.len() + 1);
        people.push((id.clone(), kind, name.to_string(), vec![role]));
        id
    };
    let fonds_id = person("机构", &fonds_name, "立档单位");
    let filer_id = filer.as_deref().map(|f| person("个人", f, "立卷人"));
    if let Some(c) = checker.as_deref() {
        person("个人", c, "检查人");
    }

    let code_parts = |indent: usize, piece: Option<&str>| {
        let mut s = format!("{}<档号构成>\n", "  ".repeat(indent));
        s.push_str(&el(indent + 1, "全宗号", &fonds_no));
        s.push_str(&el(indent + 1, "类别号", &category));
        s.push_str(&el(indent + 1, "年度", &code_year(v).to_string()));
        s.push_str(&el(indent + 1, "保管期限", &v.retention));
        s.push_str(&el(indent + 1, "机构或问题", &org_code));
        s.push_str(&el(indent + 1, "案卷号", &serial));
        if let Some(p) = piece {
            s.push_str(&el(indent + 1, "件号", p));
        }
        s.push_str(&format!("{}</档号构成>\n", "  ".repeat(indent)));
        s
    };

    let mut files = String::new();
    // The volume first (聚合层次 案卷), then each 件.
    files.push_str("        <文件实体>\n");
    files.push_str(&el(5, "聚合层次", "案卷"));
    files.push_str("          <来源>\n");
    files.push_str(&el(6, "立档单位名称", &fonds_name));
    files.push_str("          </来源>\n");
    files.push_str(&el(5, "电子文件号", &v.path));
    files.push_str(&el(5, "档号", &v.archive_code));
    files.push_str(&code_parts(5, None));
    files.push_str("          <内容描述>\n");
    files.push_str(&el(6, "题名", &v.title));
    files.push_str(&el(6, "责任者", &fonds_name));
    files.push_str(&el(
        6,
        "日期",
        &format!("{}-{}", date8(v.start_date), date8(v.end_date)),
    ));
    files.push_str(&el(6, "密级", &classification));
    files.push_str("          </内容描述>\n");
    files.push_str("          <形式特征>\n");
    files.push_str(&el(6, "件数", &v.items.len().to_string()));
    files.push_str(&el(6, "页数", &v.pages.to_string()));
    files.push_str(&el(6, "语种", "汉语"));
    files.push_str("          </形式特征>\n");
    files.push_str("          <电子属性>\n");
    files.push_str(&el(6, "格式信息", "PDF/A-2b（ISO 19005-2）"));
    let vol_name = v.path.rsplit('/').next().unwrap_or(&v.path);
    files.push_str(&el(6, "计算机文件名", &format!("电子档案/{vol_name}")));
    files.push_str(&el(6, "计算机文件大小", &volume_size.to_string()));
    files.push_str(&el(
        6,
        "文档创建程序",
        &format!("anjuan {}", env!("CARGO_PKG_VERSION")),
    ));
    files.push_str("          </电子属性>\n");
    files.push_str("          <数字摘要>\n");
    files.push_str(&el(6, "摘要算法", "SM3"));
    files.push_str(&el(6, "摘要值", volume_sm3));
    files.push_str("          </数字摘要>\n");
    files.push_str("        </文件实体>\n");

    let mut acts = String::new();
    let mut act_no = 0;
    let mut act = |who: &str, what: &str, on: Option<chrono::NaiveDate>, item: &str, desc: &str| {
        act_no += 1;
        let mut s = String::from("        <业务实体>\n");
        s.push_str(&el(5, "业务标识", &format!("YW-{act_no}")));
        s.push_str(&el(5, "机构人员标识", who));
        s.push_str(&el(5, "业务行为", what));
        s.push_str(&el(
            5,
            "行为时间",
            &on.map(|d| d.to_string()).unwrap_or_default(),
        ));
        s.push_str(&el(5, "行为描述", desc));
        s.push_str(&el(5, "关联档号", item));
        s.push_str("        </业务实体>\n");
        acts.push_str(&s);
    };

    for it in &v.items {
        let code = super::item_code(&v.archive_code, it.seq);
        let author_id = person("机构", &it.author, "责任者");
        let file_name = it
            .file
            .as_deref()
            .and_then(|f| f.rsplit('/').next())
            .map(|n| format!("电子档案/{}/{n}", v.archive_code))
            .unwrap_or_default();
        let ext = file_name.rsplit('.').next().unwrap_or("").to_lowercase();
        let format = match (it.scanned, ext.as_str()) {
            (false, _) => "PDF/A-2b（ISO 19005-2）",
            (true, "pdf") => "PDF（原件扫描件）",
            (true, "jpg" | "jpeg") => "JPEG（原件扫描件）",
            (true, "png") => "PNG（原件扫描件）",
            _ => "",
        };
        files.push_str("        <文件实体>\n");
        files.push_str(&el(5, "聚合层次", "件"));
        files.push_str("          <来源>\n");
        files.push_str(&el(6, "立档单位名称", &fonds_name));
        files.push_str("          </来源>\n");
        files.push_str(&el(5, "电子文件号", it.file.as_deref().unwrap_or("")));
        files.push_str(&el(5, "档号", &code));
        files.push_str(&code_parts(5, Some(&format!("{:03}", it.seq))));
        files.push_str("          <内容描述>\n");
        files.push_str(&el(6, "题名", &it.title));
        files.push_str(&el(6, "文件编号", it.no.as_deref().unwrap_or("")));
        files.push_str(&el(6, "责任者", &it.author));
        files.push_str(&el(6, "日期", &date8(it.date)));
        files.push_str(&el(6, "密级", &classification));
        files.push_str("          </内容描述>\n");
        files.push_str("          <形式特征>\n");
        files.push_str(&el(6, "文件组合类型", "单件"));
        files.push_str(&el(6, "页数", &it.pages.to_string()));
        files.push_str(&el(6, "卷内页号", &format!("{}-{}", it.start, it.end)));
        files.push_str(&el(6, "语种", "汉语"));
        files.push_str(&el(6, "文种", genre(&it.title)));
        files.push_str("          </形式特征>\n");
        files.push_str("          <电子属性>\n");
        files.push_str(&el(6, "格式信息", format));
        files.push_str(&el(6, "计算机文件名", &file_name));
        files.push_str(&el(6, "计算机文件大小", &it.size.to_string()));
        if !it.scanned {
            files.push_str(&el(
                6,
                "文档创建程序",
                &format!("anjuan {}", env!("CARGO_PKG_VERSION")),
            ));
        }
        files.push_str("          </电子属性>\n");
        files.push_str("          <数字摘要>\n");
        files.push_str(&el(6, "摘要算法", "SM3"));
        files.push_str(&el(6, "摘要值", &it.sm3));
        files.push_str("          </数字摘要>\n");
        if let Some(r) = &it.remarks {
            files.push_str(&el(5, "备注", r));
        }
        files.push_str("        </文件实体>\n");

        // The acts the case records: made by its author, issued under a 文号 on its date,
        // served as the case's services say, filed with the volume.
        if !it.scanned {
            act(
                &author_id,
                "拟制",
                None,
                &code,
                &format!("{}拟制《{}》（拟制日期案件未记载）", it.author, it.title),
            );
            if let Some(no) = &it.no {
                act(
                    &author_id,
                    "签发",
                    it.date,
                    &code,
                    &format!("{}以{no}签发《{}》（成文日期）", it.author, it.title),
                );
            }
            for s in &it.served {
                person("机构或个人", &s.recipient, "受送达人");
                act(
                    &author_id,
                    "送达",
                    Some(s.on),
                    &code,
                    &format!("向{}送达《{}》", s.recipient, it.title),
                );
            }
        }
        act(
            filer_id.as_deref().unwrap_or(&fonds_id),
            "归档",
            Some(v.filed_on),
            &code,
            &format!("立卷归档，入卷 {}，卷内顺序号 {}", v.archive_code, it.seq),
        );
    }

    let mut people_xml = String::new();
    for (id, kind, name, role) in &people {
        people_xml.push_str("        <机构人员实体>\n");
        people_xml.push_str(&el(5, "机构人员标识", id));
        people_xml.push_str(&el(5, "机构人员类型", kind));
        people_xml.push_str(&el(5, "机构人员名称", name));
        people_xml.push_str(&el(5, "机构人员职能", &role.join("、")));
        if *kind == "个人" {
            people_xml.push_str(&el(5, "所属机构", &fonds_name));
        }
        people_xml.push_str("        </机构人员实体>\n");
    }

    let signed_object = format!(
        "<被签名对象 eep版本=\"2009\">\n    <封装包类型>原始型</封装包类型>\n{}{}    <封装内容>\n      <文件实体块>\n{files}      </文件实体块>\n      <业务实体块>\n{acts}      </业务实体块>\n      <机构人员实体块>\n{people_xml}      </机构人员实体块>\n    </封装内容>\n  </被签名对象>",
        el(
            2,
            "封装包类型描述",
            "案卷及卷内各件的元数据；文件数据不内嵌，按计算机文件名引用移交包 data/ 中的文件，以 SM3 数字摘要约束"
        ),
        el(2, "封装包创建单位", &fonds_name),
    );
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<电子文件封装包>\n");
    s.push_str(&el(
        1,
        "封装包格式描述",
        "按 DA/T 48-2009《基于XML的电子文件封装规范》的结构组织；元数据元素取自 DA/T 46-2009《文书类电子文件元数据方案》",
    ));
    s.push_str(&el(1, "版本", "2009"));
    s.push_str("  ");
    s.push_str(&signed_object);
    s.push('\n');
    if let Some(signer) = signer {
        s.push_str("  <电子签名块>\n    <电子签名>\n");
        s.push_str(&el(3, "签名标识", "QM-1"));
        s.push_str(&el(
            3,
            "签名规则",
            &format!(
                "对“被签名对象”元素（自其开始标记至结束标记）的 UTF-8 字节做 SM2 签名，杂凑算法 SM3，签名者标识 {}",
                crate::signing::DIST_ID
            ),
        ));
        s.push_str(&el(3, "签名人", &fonds_name));
        s.push_str(&el(
            3,
            "签名结果",
            &signer.sign_hex(signed_object.as_bytes()),
        ));
        s.push_str("      <证书块>\n");
        s.push_str(&el(4, "公钥", signer.public().hex()));
        s.push_str("      </证书块>\n");
        s.push_str(&el(
            3,
            "签名算法标识",
            &format!("{}（SM2 签名，SM3 杂凑）", crate::signing::ALGORITHM_OID),
        ));
        s.push_str("    </电子签名>\n  </电子签名块>\n");
    }
    s.push_str("</电子文件封装包>\n");
    s.into_bytes()
}

/// A 封装包 read back: its 文件实体 by 档号 (each a map element → text, first occurrence), and
/// its signature.
#[derive(Debug, Default)]
pub struct PackageRead {
    pub entities: BTreeMap<String, BTreeMap<String, String>>,
    pub signed_object: Option<String>,
    pub signature: Option<String>,
    pub public_key: Option<String>,
}

fn xml_unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The leaf elements `<name>text</name>` of a fragment, first occurrence of each name.
fn leaves(fragment: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    let mut rest = fragment;
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        let Some(close) = rest.find('>') else { break };
        let name = &rest[..close];
        if name.starts_with('/') || name.contains(' ') || name.ends_with('/') {
            continue;
        }
        let after = &rest[close + 1..];
        let end_tag = format!("</{name}>");
        if let Some(end) = after.find(&end_tag)
            && !after[..end].contains('<')
        {
            map.entry(name.to_string())
                .or_insert_with(|| xml_unescape(&after[..end]));
        }
    }
    map
}

pub fn read_package(text: &str) -> PackageRead {
    let mut p = PackageRead::default();
    let mut rest = text;
    while let Some(start) = rest.find("<文件实体>") {
        let Some(len) = rest[start..].find("</文件实体>") else {
            break;
        };
        let block = &rest[start..start + len];
        let map = leaves(block);
        if let Some(code) = map.get("档号") {
            p.entities.insert(code.clone(), map);
        }
        rest = &rest[start + len..];
    }
    if let (Some(a), Some(b)) = (text.find("<被签名对象"), text.find("</被签名对象>")) {
        p.signed_object = Some(text[a..b + "</被签名对象>".len()].to_string());
    }
    if let Some(i) = text.find("<电子签名块>") {
        let sig = leaves(&text[i..]);
        p.signature = sig.get("签名结果").cloned();
        p.public_key = sig.get("公钥").cloned();
    }
    p
}
