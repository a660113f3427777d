//! The rules every case must satisfy, whatever its procedure (`documents.md`), and the helpers
//! the procedures' own rules use: each violation a Chinese error or warning on the field it
//! concerns.

use std::path::{Component, Path};

use chrono::NaiveDate;

use super::{Case, Officer};
use crate::diagnostics::Ctx;

/// The case id is usable as a folder name.
pub fn check_id(id: &str, ctx: &mut Ctx) {
    if !crate::output::valid_id(id) {
        ctx.error(
            "id",
            format!("案件编号 {id} 只能由字母、数字、“-”和“_”组成（它用作文件名）"),
        );
    }
}

/// 至少两名执法人员，每人有执法证件号。
pub fn check_officers<'a>(
    officers: impl Iterator<Item = (String, &'a Officer)>,
    field: &str,
    what: &str,
    ctx: &mut Ctx,
) {
    let mut count = 0;
    for (path, o) in officers {
        count += 1;
        if o.cert_no.as_ref().is_none_or(|c| c.trim().is_empty()) {
            ctx.error(&path, format!("{what} {} 缺少执法证件号 cert_no", o.name));
        }
    }
    if count < 2 {
        ctx.error(field, format!("{what}至少应有两人（现有 {count} 人）"));
    }
}

/// `earlier` must not come after `later`.
pub(crate) fn order(
    ctx: &mut Ctx,
    field: &str,
    later: NaiveDate,
    later_what: &str,
    earlier: NaiveDate,
    earlier_what: &str,
) {
    if later < earlier {
        ctx.error(
            field,
            format!("{later_what}（{later}）早于{earlier_what}（{earlier}），日期不符合程序顺序"),
        );
    }
}

/// Attachment files exist and stay inside the cases root.
pub fn check_attachment_files(case: &Case, root: &Path, case_dir: &Path, ctx: &mut Ctx) {
    for (i, a) in case.attachments().iter().enumerate() {
        let field = format!("attachments[{i}].file");
        let rel = Path::new(a.file.as_str());
        if rel.is_absolute()
            || rel
                .components()
                .any(|c| matches!(c, Component::ParentDir | Component::Prefix(_)))
        {
            ctx.error(
                &field,
                format!(
                    "附件路径 {} 必须是案件根目录内的相对路径，不能以“/”开头或含有“..”",
                    a.file
                ),
            );
            continue;
        }
        let ext = rel
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase());
        if !matches!(ext.as_deref(), Some("pdf" | "jpg" | "jpeg" | "png")) {
            ctx.error(&field, format!("附件 {} 应为 PDF、JPG 或 PNG 文件", a.file));
        }
        let Some(path) = resolve_attachment(rel, root, case_dir) else {
            ctx.error(
                &field,
                format!(
                    "找不到附件文件 {}（相对于案件文件所在目录或案件根目录）",
                    a.file
                ),
            );
            continue;
        };
        // A symbolic link may still lead out of the root.
        if let (Ok(p), Ok(r)) = (path.canonicalize(), root.canonicalize())
            && !p.starts_with(&r)
        {
            ctx.error(&field, format!("附件 {} 位于案件根目录之外", a.file));
        }
    }
}

/// An attachment's file: relative to the case file's folder, else to the cases root.
pub fn resolve_attachment(rel: &Path, root: &Path, case_dir: &Path) -> Option<std::path::PathBuf> {
    [case_dir.join(rel), root.join(rel)]
        .into_iter()
        .find(|p| p.is_file())
}
