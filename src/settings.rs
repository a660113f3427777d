//! `anjuan.yaml`: the settings of a cases root (authority, superior, remedies bodies, archive
//! codes, 文号 patterns, calendar additions, citation overrides).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diagnostics::Ctx;
use crate::problems::Problems;
use crate::signing::{KeyError, PublicKey, Signer};
use crate::text::Text;
use crate::yaml::{Fields, parse_yaml, read_text};

pub const FILE_NAME: &str = "anjuan.yaml";

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Authority {
    pub name: Text,
    pub short_name: Text,
    #[serde(default)]
    pub address: Option<Text>,
    #[serde(default)]
    pub postcode: Option<Text>,
    #[serde(default)]
    pub service_phone: Option<Text>,
    #[serde(default)]
    pub complaint_phone: Option<Text>,
    #[serde(default)]
    pub head: Option<Text>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Superior {
    #[serde(default)]
    pub name: Option<Text>,
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Remedies {
    pub review_body: Text,
    pub court: Text,
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ArchiveSettings {
    pub fonds_no: Text,
    pub fonds_name: Text,
    #[serde(default = "default_category")]
    pub category: Text,
    pub org_code: Text,
    #[serde(default)]
    pub filer: Option<Text>,
    #[serde(default)]
    pub checker: Option<Text>,
    #[serde(default = "default_max_pages")]
    pub max_pages: usize,
    #[serde(default = "default_code_template")]
    pub code_template: Text,
    /// Even pages stamped top left (for duplex printing).
    #[serde(default)]
    pub duplex: bool,
}

fn default_category() -> Text {
    "WS".into()
}
fn default_max_pages() -> usize {
    200
}
fn default_code_template() -> Text {
    "{fonds_no}-{category}·{year}-{retention}-{org_code}-{serial:04}".into()
}

/// `signing`: the office's SM2 key pair (see `anjuan keygen`). The private key lives outside
/// the cases root; relative paths are taken from the folder of `anjuan.yaml`.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SigningSettings {
    pub private_key: Text,
    pub public_key: Text,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarSettings {
    /// Extra years or corrections, same shape as the bundled data (JSON or YAML files): one
    /// path or a list.
    #[serde(default, deserialize_with = "one_or_many")]
    pub extra: Vec<Text>,
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Text>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(Text),
        Many(Vec<Text>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(t) => vec![t],
        OneOrMany::Many(v) => v,
    })
}

/// A citation override: one text for every date, or one before and one after the 2024 revision.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum LawOverride {
    Always(Text),
    ByRevision {
        #[serde(default)]
        before: Option<Text>,
        #[serde(default)]
        after: Option<Text>,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    pub authority: Authority,
    pub superior: Superior,
    pub remedies: Remedies,
    pub archive: Option<ArchiveSettings>,
    pub numbering: BTreeMap<String, Text>,
    pub calendar: CalendarSettings,
    pub law: BTreeMap<String, LawOverride>,
    pub signing: Option<SigningSettings>,
    /// The folder holding `anjuan.yaml`.
    #[serde(skip)]
    pub root: PathBuf,
}

impl Settings {
    /// The signer named by the `signing` block, checked against its public key; none when the
    /// block is absent.
    pub fn signer(&self) -> Result<Option<Signer>, KeyError> {
        let Some(s) = &self.signing else {
            return Ok(None);
        };
        Signer::load_checked(&self.private_key_path(), &s.public_key).map(Some)
    }

    /// Where `signing.private_key` points: relative paths from the cases root's folder.
    pub fn private_key_path(&self) -> PathBuf {
        let p = self
            .signing
            .as_ref()
            .map(|s| PathBuf::from(s.private_key.as_str()))
            .unwrap_or_default();
        if p.is_absolute() {
            p
        } else {
            self.root.join(p)
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("在 {0} 及其上级目录中找不到 anjuan.yaml（案件根目录的设置文件）")]
    NotFound(PathBuf),
    #[error("anjuan.yaml 有错误")]
    Invalid(Problems),
}

/// Finds `anjuan.yaml` by walking up from `start`.
pub fn discover(start: &Path) -> Result<PathBuf, SettingsError> {
    let start = std::fs::canonicalize(start).unwrap_or_else(|_| start.to_path_buf());
    let mut dir = if start.is_file() {
        start.parent().map(Path::to_path_buf)
    } else {
        Some(start.clone())
    };
    while let Some(d) = dir {
        let candidate = d.join(FILE_NAME);
        if candidate.is_file() {
            return Ok(candidate);
        }
        dir = d.parent().map(Path::to_path_buf);
    }
    Err(SettingsError::NotFound(start))
}

/// Loads and checks `anjuan.yaml`.
pub fn load(path: &Path) -> Result<Settings, SettingsError> {
    let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let (text, _) = read_text(path).map_err(|message| {
        let mut ctx = Ctx::new(FILE_NAME, "");
        ctx.error("", message);
        SettingsError::Invalid(ctx.problems)
    })?;
    let mut ctx = Ctx::new(FILE_NAME, &text);
    let settings = parse(&mut ctx, &text, root);
    match settings {
        Some(s) if !ctx.has_errors() => Ok(s),
        _ => Err(SettingsError::Invalid(ctx.problems)),
    }
}

/// Checks that every key of `numbering` names a document kind and every key of `law` a
/// citation: a misspelt key would silently leave documents without their 文号 or with the
/// default citation. The known names come from the caller, so settings stay a leaf module.
pub fn check_keys(
    path: &Path,
    settings: &Settings,
    kinds: &[&str],
    law_keys: &[&str],
) -> Result<(), SettingsError> {
    let text = read_text(path).map(|(t, _)| t).unwrap_or_default();
    let mut ctx = Ctx::new(FILE_NAME, &text);
    let sections = [
        (
            "numbering",
            settings.numbering.keys().collect::<Vec<_>>(),
            kinds,
            "文书种类",
        ),
        (
            "law",
            settings.law.keys().collect(),
            law_keys,
            "法律依据条目",
        ),
    ];
    for (section, keys, known, what) in sections {
        for key in keys.into_iter().filter(|k| !known.contains(&k.as_str())) {
            let hint = crate::yaml::did_you_mean(key, known)
                .map(|k| format!("是否想写 {k}？"))
                .unwrap_or_default();
            ctx.error(
                &format!("{section}.{key}"),
                format!(
                    "未知的{what} {key}，这一项不会生效。{hint}可用的有：{}",
                    known.join("、")
                ),
            );
        }
    }
    if ctx.has_errors() {
        Err(SettingsError::Invalid(ctx.problems))
    } else {
        Ok(())
    }
}

fn parse(ctx: &mut Ctx, text: &str, root: PathBuf) -> Option<Settings> {
    let value = parse_yaml(ctx, text)?;
    let Some(map) = value.as_mapping() else {
        ctx.error("", "anjuan.yaml 的顶层应为“键: 值”的映射");
        return None;
    };
    let mut f = Fields::new(map, "");
    let authority = f.required(ctx, "authority", "发文机关：name、short_name 等");
    let superior = f.optional(ctx, "superior").unwrap_or_default();
    let remedies = f.required(ctx, "remedies", "行政复议机关 review_body 和管辖法院 court");
    let archive = f.optional(ctx, "archive");
    let numbering: BTreeMap<String, Text> = f.optional(ctx, "numbering").unwrap_or_default();
    let calendar = f.optional(ctx, "calendar").unwrap_or_default();
    let law = f.optional(ctx, "law").unwrap_or_default();
    let signing: Option<SigningSettings> = f.optional(ctx, "signing");
    f.reject_unknown(ctx);
    if let Some(s) = &signing
        && PublicKey::parse(&s.public_key).is_err()
    {
        ctx.error(
            "signing.public_key",
            "公钥格式错误：应为 anjuan keygen 打印的 130 位十六进制串（04 开头）",
        );
    }
    for (key, pattern) in &numbering {
        if !pattern.contains("{seq}") {
            ctx.error(
                &format!("numbering.{key}"),
                "文号模式必须含有 {seq}（顺序号）",
            );
        }
    }
    Some(Settings {
        authority: authority?,
        superior,
        remedies: remedies?,
        archive,
        numbering,
        calendar,
        law,
        signing,
        root,
    })
}
