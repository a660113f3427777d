//! 行政强制 (`kind: enforcement`): the documents a case yields, its rules, its periods and what
//! its archived volume holds. The model and its loading are `case::enforcement`.

use chrono::{NaiveDate, TimeDelta};

use super::Procedure;
use crate::case::enforcement::*;
use crate::case::validate::{check_officers, order};
use crate::case::{Item, ServiceMethod, Text};
use crate::deadlines::{Deadline, Deadlines, Status};
use crate::diagnostics::Ctx;
use crate::documents::{self, DocKind, DocSpec, push_service_receipts, spec};

impl Procedure for EnforcementCase {
    fn tag(&self) -> documents::Procedure {
        documents::Procedure::Enforcement
    }

    fn documents(&self) -> Vec<DocSpec> {
        plan(self)
    }

    fn check(&self, ctx: &mut Ctx) {
        rules(self, ctx)
    }

    fn deadlines(&self, d: &mut Deadlines) {
        periods(d, self)
    }

    fn anchor(&self) -> &'static str {
        "on_site.date"
    }

    fn stage(&self) -> &'static str {
        let c = self;
        // Only stop-use and evidence preservation run (until lifted or decided on): 收缴
        // is a final disposal.
        let running = c.measures.iter().any(|m| {
            matches!(m.kind, MeasureKind::StopUse | MeasureKind::PreserveEvidence)
                && m.lifted.is_none()
                && c.decision.is_none()
        });
        if c.returned.is_some() || c.transfer.is_some() {
            "已处理（移送或退还），待归档"
        } else if c.decision.is_some() {
            "已作出处理决定，待归档"
        } else if running {
            "强制措施实施中"
        } else if c.measures.iter().any(|m| m.lifted.is_some()) {
            "措施已解除，待归档"
        } else {
            "措施已实施，待归档"
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Documents

/// 行政强制: approval, on-site documents, one decision per compulsory measure and one order per
/// rectification, one item list per measure with items (printed in two copies, see
/// docs/templates.md), then the handling decision, transfer and return.
fn plan(c: &EnforcementCase) -> Vec<DocSpec> {
    let mut docs = Vec::new();
    let a = &c.approval;
    let approval_date = a.approved_on.or(a.requested_on).or(Some(c.on_site.date));
    docs.push(spec(
        DocKind::EnforcementApproval,
        approval_date,
        "approval",
    ));
    let s = &c.on_site;
    if let Some(r) = s.recusal.as_ref().filter(|r| r.requested) {
        docs.push(spec(
            DocKind::RecusalDecision,
            r.decided_on.or(Some(s.date)),
            "on_site.recusal",
        ));
    }
    docs.push(spec(DocKind::OnsiteRecord, Some(s.date), "on_site"));
    if s.statements.as_ref().is_some_and(|t| !t.trim().is_empty()) {
        docs.push(spec(
            DocKind::StatementRecord,
            Some(s.date),
            "on_site.statements",
        ));
    }
    let measures = || c.measures.iter().enumerate();
    let per_measure = |kind: DocKind, i: usize, date: NaiveDate, field: &str| {
        let mut d = spec(kind, Some(date), field);
        d.index = Some(i);
        d
    };
    for (i, m) in measures().filter(|(_, m)| m.kind.is_compulsory()) {
        let mut d = per_measure(
            DocKind::MeasureDecision,
            i,
            s.date,
            &format!("measures[{i}]"),
        );
        d.explicit_no = m.no.as_ref().map(|n| n.to_string());
        d.title = format!("{}（{}）", d.title, m.kind.label());
        docs.push(d);
    }
    // 收缴清单: one per confiscate measure, and one for the items the handling decision
    // confiscates (index = the number of measures, so keys stay distinct).
    for (i, _) in measures().filter(|(_, m)| m.kind == MeasureKind::Confiscate) {
        docs.push(per_measure(
            DocKind::ConfiscationList,
            i,
            s.date,
            &format!("measures[{i}]"),
        ));
    }
    if let Some(dec) = c.decision.as_ref().filter(|d| !d.confiscated.is_empty()) {
        let mut d = per_measure(
            DocKind::ConfiscationList,
            c.measures.len(),
            dec.date,
            "decision.confiscated",
        );
        d.title = format!("{}（处理决定）", d.title);
        docs.push(d);
    }
    for (i, m) in measures().filter(|(_, m)| m.kind == MeasureKind::Rectify) {
        let mut d = per_measure(
            DocKind::RectificationOrder,
            i,
            s.date,
            &format!("measures[{i}]"),
        );
        d.explicit_no = m.no.as_ref().map(|n| n.to_string());
        docs.push(d);
    }
    for (i, m) in measures().filter(|(_, m)| !m.items.is_empty()) {
        let mut d = per_measure(DocKind::ItemList, i, s.date, &format!("measures[{i}]"));
        d.title = format!("{}（{}）", d.title, m.kind.label());
        docs.push(d);
    }
    if let Some(dec) = &c.decision {
        let mut d = spec(DocKind::HandlingDecision, Some(dec.date), "decision");
        d.explicit_no = dec.no.as_ref().map(|n| n.to_string());
        docs.push(d);
    }
    for (i, m) in measures() {
        if let Some(e) = m.extended_on {
            let mut d = per_measure(
                DocKind::ExtensionDecision,
                i,
                e,
                &format!("measures[{i}].extended_on"),
            );
            d.title = format!("{}（{}）", d.title, m.kind.label());
            docs.push(d);
        }
    }
    for (i, m) in measures() {
        if let (Some(_), Some(t)) = (m.testing_days, &m.testing) {
            let mut d = per_measure(
                DocKind::TestingNotice,
                i,
                t.notified_on,
                &format!("measures[{i}].testing"),
            );
            d.title = format!("{}（{}）", d.title, m.kind.label());
            docs.push(d);
        }
    }
    for (i, m) in measures() {
        if let Some(l) = &m.lifted {
            let mut d = per_measure(
                DocKind::ReleaseDecision,
                i,
                l.on,
                &format!("measures[{i}].lifted"),
            );
            d.explicit_no = l.no.as_ref().map(|n| n.to_string());
            d.title = format!("{}（{}）", d.title, m.kind.label());
            docs.push(d);
        }
    }
    if let Some(t) = &c.transfer {
        let mut d = spec(DocKind::TransferLetter, Some(t.date), "transfer");
        d.explicit_no = t.no.as_ref().map(|n| n.to_string());
        docs.push(d);
        docs.push(spec(DocKind::TransferNotice, Some(t.date), "transfer"));
    }
    if let Some(r) = &c.returned {
        docs.push(spec(DocKind::ReturnList, Some(r.date), "return"));
    }
    push_service_receipts(&mut docs, &c.common.services);
    docs
}

// ---------------------------------------------------------------------------------------------
// Consistency rules

/// The consistency rules of `documents.md` for an enforcement case.
fn rules(c: &EnforcementCase, ctx: &mut Ctx) {
    let officers = c
        .officers
        .iter()
        .enumerate()
        .map(|(i, o)| (format!("officers[{i}]"), o));
    check_officers(officers, "officers", "执法人员", ctx);
    check_party(c, ctx);
    check_approval(c, ctx);
    check_on_site(c, ctx);
    check_measures(c, ctx);
    check_returned_items(c, ctx);
    check_transfer(c, ctx);
    check_dates(c, ctx);
    check_citations(c, ctx);
}

fn blank(t: &Option<Text>) -> bool {
    t.as_ref().is_none_or(|s| s.trim().is_empty())
}

fn check_party(c: &EnforcementCase, ctx: &mut Ctx) {
    let p = &c.party;
    match p.kind {
        PartyType::Organization if blank(&p.credit_code) => {
            ctx.warn(
                "party.credit_code",
                "当事人为单位的，应写明统一社会信用代码（credit_code）",
            );
        }
        PartyType::Person if blank(&p.id_no) => {
            ctx.warn("party.id_no", "当事人为个人的，应写明身份证件号码（id_no）");
        }
        _ => {}
    }
}

fn check_approval(c: &EnforcementCase, ctx: &mut Ctx) {
    let a = &c.approval;
    let on = c.on_site.date;
    if a.urgent {
        match a.reported_at {
            None => ctx.error(
                "approval.reported_at",
                format!(
                    "情况紧急、当场实施行政强制措施的，应在24小时内向行政机关负责人报告（行政强制法第十九条）：缺少报告时间 reported_at（措施实施于 {}）",
                    Moment(c.measure_time())
                ),
            ),
            Some(r) => {
                let limit = c.measure_time() + TimeDelta::hours(24);
                if r.0 > limit {
                    ctx.error(
                        "approval.reported_at",
                        format!("情况紧急当场实施的措施应在24小时内报告：措施实施于 {}，最迟应于 {} 报告，实际 {} 才报告", Moment(c.measure_time()), Moment(limit), r),
                    );
                } else if r.0 < c.measure_time() {
                    ctx.error("approval.reported_at", format!("报告时间 {r} 早于措施实施时间 {}；情况紧急的是先实施、后报告", Moment(c.measure_time())));
                }
            }
        }
        match a.approved_on {
            None if c.common.archive.is_some() => ctx.error(
                "approval.approved_on",
                "情况紧急当场实施的措施应补办批准手续，归档前须填写 approved_on",
            ),
            None => ctx.warn(
                "approval.approved_on",
                "情况紧急当场实施的措施应补办批准手续（缺少 approved_on）",
            ),
            Some(d) if d < on => ctx.warn(
                "approval.approved_on",
                format!("批准日期 {d} 早于现场实施日期 {on}：事先已批准的，不应写 urgent: true"),
            ),
            _ => {}
        }
    } else {
        if a.reported_at.is_some() {
            ctx.warn(
                "approval.reported_at",
                "只有情况紧急（urgent: true）的才需要事后报告时间 reported_at",
            );
        }
        match a.approved_on {
            None => ctx.error("approval.approved_on", "实施行政强制措施前应报经行政机关负责人批准（缺少 approved_on）；情况紧急的，写 urgent: true"),
            Some(d) if d > on => ctx.error(
                "approval.approved_on",
                format!("批准日期 {d} 晚于现场实施日期 {on}：应先批准后实施；情况紧急当场实施的，写 urgent: true 并填写 reported_at"),
            ),
            _ => {}
        }
        if let (Some(r), Some(ap)) = (a.requested_on, a.approved_on)
            && ap < r
        {
            ctx.error(
                "approval.approved_on",
                format!("批准日期 {ap} 早于报批日期 {r}"),
            );
        }
    }
    if a.approved_on.is_some() && blank(&a.approved_by) {
        ctx.error(
            "approval.approved_by",
            "应写明批准的行政机关负责人（approved_by）",
        );
    }
}

fn check_on_site(c: &EnforcementCase, ctx: &mut Ctx) {
    let s = &c.on_site;
    if !s.credentials_shown {
        ctx.error(
            "on_site.credentials_shown",
            "执法人员实施行政强制措施应当出示执法身份证件（行政强制法第十八条）",
        );
    }
    if !s.informed {
        ctx.error(
            "on_site.informed",
            "应当场告知当事人采取行政强制措施的理由、依据以及当事人依法享有的权利、救济途径（行政强制法第十八条）",
        );
    }
    if let Some(end) = s.end_time
        && end < s.start_time
    {
        ctx.error(
            "on_site.end_time",
            format!("结束时间 {end} 早于开始时间 {}", s.start_time),
        );
    }
    let witness = s
        .witness
        .as_ref()
        .map(|w| w.name.trim())
        .filter(|w| !w.is_empty());
    if s.party_present {
        check_party_present(c, ctx);
    } else {
        check_party_absent(c, witness, ctx);
    }
    if let Some(r) = &s.recusal {
        if r.requested && r.decision.is_none() {
            ctx.error(
                "on_site.recusal.decision",
                "当事人申请回避的，应作出是否回避的决定（decision: granted 回避 / rejected 不回避）",
            );
        }
        if r.requested && blank(&r.against) {
            ctx.error(
                "on_site.recusal.against",
                "应写明申请回避的执法人员（against）",
            );
        }
        if r.decision.is_some() && blank(&r.decided_by) {
            ctx.error(
                "on_site.recusal.decided_by",
                "应写明作出回避决定的行政机关负责人（decided_by）",
            );
        }
        if let Some(against) = r.against.as_ref().filter(|_| r.requested) {
            if !c.officers.iter().any(|o| o.name == *against) {
                ctx.warn(
                    "on_site.recusal.against",
                    format!("申请回避的对象 {against} 不在执法人员（officers）名单中"),
                );
            }
            if r.decision == Some(RecusalDecision::Granted) && c.officers.len() < 3 {
                ctx.error(
                    "on_site.recusal.decision",
                    format!("决定 {against} 回避后，实施措施的执法人员不足两人；应另派执法人员并写入 officers"),
                );
            }
        }
    }
    check_services(c, ctx);
}

/// 当事人到场: the person who attended is named; a refusal to sign is noted in the record by the
/// officers (行政强制法 第十八条第八项), which is no ground for 留置送达.
fn check_party_present(c: &EnforcementCase, ctx: &mut Ctx) {
    let s = &c.on_site;
    // A person who is the party attends in person; a unit is present through someone.
    if c.party.kind == PartyType::Organization
        && s.party_attendee
            .as_ref()
            .is_none_or(|a| a.name.trim().is_empty())
    {
        ctx.error(
            "on_site.party_attendee",
            "当事人到场的，应写明到场人（party_attendee: { name, title, id_no }），执法人员向其出示证件、告知并由其签名",
        );
    }
    if s.signature == Signature::Refused && blank(&s.refused_reason) {
        ctx.warn(
            "on_site.refused_reason",
            "到场人拒绝签名的，执法人员应在笔录中注明情况（refused_reason）",
        );
    }
}

/// 当事人不到场: a witness signs with the officers (第十八条第九项); the party cannot have asked
/// for 回避, spoken or refused anything on site; decision and item list are served afterwards.
fn check_party_absent(c: &EnforcementCase, witness: Option<&str>, ctx: &mut Ctx) {
    let s = &c.on_site;
    match witness {
        None => ctx.error("on_site.witness", "当事人不到场的，应当邀请见证人到场，由见证人和执法人员在现场笔录上签名（行政强制法第十八条）：缺少见证人 witness"),
        Some(w) if c.officers.iter().any(|o| o.name.trim() == w) => ctx.error(
            "on_site.witness.name",
            format!("见证人 {w} 是本案执法人员；见证人应为执法人员以外的人"),
        ),
        Some(_) => {}
    }
    if s.notified_party.is_none() {
        ctx.warn(
            "on_site.notified_party",
            "当事人不到场的，应写明如何通知当事人到场（notified_party: { on, method }，行政强制法第十八条第四项）",
        );
    }
    if s.party_attendee.is_some() {
        ctx.error(
            "on_site.party_attendee",
            "on_site.party_present 为 false（当事人未到场），却写明了到场人 party_attendee；当事人有人到场的，应写 party_present: true",
        );
    }
    if let Some(r) = s.recusal.as_ref().filter(|r| r.requested) {
        let who = r.requested_by.as_deref().unwrap_or("当事人");
        ctx.error(
            "on_site.recusal",
            format!("当事人未到场（on_site.party_present: false），不能在现场申请回避；现场笔录和回避决定书会写明{who}当场申请回避。请核对到场情况或删除 recusal"),
        );
    }
    if !blank(&s.statements) {
        ctx.error(
            "on_site.statements",
            "当事人未到场（on_site.party_present: false），不能在现场陈述和申辩；请核对到场情况，或在事后另行听取陈述申辩",
        );
    }
    if s.signature == Signature::Refused {
        ctx.error(
            "on_site.signature",
            "当事人未到场（on_site.party_present: false），不存在拒绝签名：现场笔录由见证人和执法人员签名（行政强制法第十八条第九项），应写 signature: signed",
        );
    }
    // Nothing handed over on the spot: the decision and the item list are served afterwards.
    let needed: Vec<DocKind> = [
        (
            c.measures.iter().any(|m| m.kind.is_compulsory()),
            DocKind::MeasureDecision,
        ),
        (
            c.measures.iter().any(|m| !m.items.is_empty()),
            DocKind::ItemList,
        ),
    ]
    .into_iter()
    .filter(|(wanted, _)| *wanted)
    .map(|(_, kind)| kind)
    .collect();
    for kind in needed {
        let (id, title) = (kind.id(), kind.title());
        if !c.common.services.iter().any(|s| s.document == id) {
            ctx.error(
                "on_site.party_present",
                format!("当事人未到场，{title}不能当场交付，应事后送达：services 中应有 {{ document: {id}, on: …, method: …, recipient: {} }}", c.party.name),
            );
        }
    }
}

/// 留置送达 only where a person reached refused to accept (民事诉讼法 第八十九条): who refused,
/// why, and the witness; never to an absent party on the day on site.
fn check_services(c: &EnforcementCase, ctx: &mut Ctx) {
    let s = &c.on_site;
    for (i, sv) in c.common.services.iter().enumerate() {
        if sv.method != ServiceMethod::LeftAtPremises {
            if sv.refused_by.is_some() {
                ctx.error(
                    &format!("services[{i}].refused_by"),
                    "只有留置送达（method: left_at_premises）才有拒收人 refused_by",
                );
            }
            continue;
        }
        if !s.party_present && sv.on == s.date {
            ctx.error(
                &format!("services[{i}].method"),
                format!("当事人未到场（on_site.party_present: false），{} 当天没有人拒收文书，不能留置送达；应事后直接送达或邮寄送达", sv.on),
            );
            continue;
        }
        match sv.refused_by.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            None => ctx.error(
                &format!("services[{i}].refused_by"),
                "留置送达只适用于受送达人拒绝签收（民事诉讼法第八十九条）：应写明拒收的人 refused_by 和拒收事由 refused_reason",
            ),
            Some(r) => {
                if sv.witness.as_deref().map(str::trim) == Some(r) {
                    ctx.error(
                        &format!("services[{i}].witness"),
                        format!("见证人不能是拒收人本人（{r}）"),
                    );
                }
            }
        }
        if blank(&sv.refused_reason) {
            ctx.error(
                &format!("services[{i}].refused_reason"),
                "留置送达应在送达回证上记明拒收事由（refused_reason）",
            );
        }
    }
}

fn check_measures(c: &EnforcementCase, ctx: &mut Ctx) {
    if c.measures.is_empty() {
        ctx.warn("measures", "本案没有采取任何措施（measures 为空）");
    }
    for (i, m) in c.measures.iter().enumerate() {
        let at = format!("measures[{i}]");
        match m.kind {
            MeasureKind::Rectify => {
                if blank(&m.content) {
                    ctx.error(
                        &format!("{at}.content"),
                        "责令整改应写明整改内容（content）",
                    );
                }
                match m.due {
                    None => ctx.error(&format!("{at}.due"), "责令整改应写明整改期限（due）"),
                    Some(d) if d < c.on_site.date => ctx.error(
                        &format!("{at}.due"),
                        format!("整改期限 {d} 早于现场实施日期 {}", c.on_site.date),
                    ),
                    _ => {}
                }
            }
            MeasureKind::Confiscate | MeasureKind::PreserveEvidence => {
                if m.items.is_empty() {
                    ctx.error(
                        &format!("{at}.items"),
                        format!("{}应列明物品（items），制作物品清单", m.kind.label()),
                    );
                }
            }
            MeasureKind::StopUse => {}
        }
        check_lifted(c, i, m, ctx);
        check_extension(c, i, m, ctx);
        if m.kind == MeasureKind::Confiscate {
            check_confiscated(&m.items, &format!("{at}.items"), ctx);
        }
    }
    if let Some(d) = &c.decision {
        check_confiscated(&d.confiscated, "decision.confiscated", ctx);
        if c.transfer.is_none()
            && let Some(i) = d
                .items
                .iter()
                .position(|x| x.action == Disposition::Transfer)
        {
            ctx.error(
                &format!("decision.items[{i}].action"),
                "处理决定写明移送，但本案没有移送记录（transfer: { to, date, reason, … }）",
            );
        }
    }
    let preserved = c
        .measures
        .iter()
        .any(|m| m.kind == MeasureKind::PreserveEvidence);
    if c.decision.is_some() && !preserved {
        ctx.warn(
            "decision",
            "处理决定针对先行登记保存的证据，但本案没有 preserve_evidence 措施",
        );
    }
    if preserved && c.decision.is_none() && c.common.archive.is_some() {
        ctx.error(
            "decision",
            "先行登记保存的证据应在七个工作日内作出处理决定，归档前须补充 decision",
        );
    }
}

/// 解除 (行政强制法 第二十八条): a stop-use or evidence-preservation measure, on or after the day
/// on site; items returned under it are returned on or after the release.
fn check_lifted(c: &EnforcementCase, i: usize, m: &Measure, ctx: &mut Ctx) {
    let Some(l) = &m.lifted else { return };
    let at = format!("measures[{i}].lifted");
    if !matches!(m.kind, MeasureKind::StopUse | MeasureKind::PreserveEvidence) {
        ctx.error(
            &at,
            format!(
                "只有责令停止使用、证据保存措施可以解除（行政强制法第二十八条）；{}不能写 lifted",
                m.kind.label()
            ),
        );
    }
    if l.on < c.on_site.date {
        ctx.error(
            &format!("{at}.on"),
            format!("解除日期 {} 早于现场实施日期 {}", l.on, c.on_site.date),
        );
    }
    if l.reason.trim().is_empty() {
        ctx.error(&format!("{at}.reason"), "应写明解除措施的理由（reason）");
    }
    // The return list states the items were returned as the release decided: returning them
    // before the release would have the documents assert a later decision.
    if let Some(r) = &c.returned {
        let of_measure = r
            .items
            .iter()
            .any(|it| m.items.iter().any(|t| t.name == it.name));
        if of_measure && r.date < l.on {
            ctx.error(
                "return.date",
                format!(
                    "退还日期（return.date: {}）早于解除措施日期（{at}.on: {}）：退还物品清单会写明依解除决定退还，应先解除后退还",
                    r.date, l.on
                ),
            );
        }
    }
}

/// 延长 (行政强制法 第二十五条): only for the measures with a period, approved by the head,
/// within the first 30 days; 检测期间 told in writing.
fn check_extension(c: &EnforcementCase, i: usize, m: &Measure, ctx: &mut Ctx) {
    let at = format!("measures[{i}]");
    let with_period = matches!(m.kind, MeasureKind::StopUse | MeasureKind::PreserveEvidence);
    if let Some(e) = m.extended_on {
        if !with_period {
            ctx.error(
                &format!("{at}.extended_on"),
                format!(
                    "只有责令停止使用、证据保存措施有三十日期限可以延长；{}没有期限",
                    m.kind.label()
                ),
            );
        }
        if e < c.on_site.date {
            ctx.error(
                &format!("{at}.extended_on"),
                format!("延长日期 {e} 早于现场实施日期 {}", c.on_site.date),
            );
        }
        if blank(&m.extension_approved_by) {
            ctx.error(
                &format!("{at}.extension_approved_by"),
                "延长行政强制措施期限应经行政机关负责人批准（行政强制法第二十五条）：缺少 extension_approved_by",
            );
        }
    }
    if m.testing_days.is_some() {
        if !with_period {
            ctx.error(
                &format!("{at}.testing_days"),
                format!("{}没有三十日期限，检测期间无从扣除", m.kind.label()),
            );
        }
        match &m.testing {
            None => ctx.error(
                &format!("{at}.testing"),
                "检测、检验、技术鉴定的期间应当明确并书面告知当事人（行政强制法第二十五条）：缺少 testing: { content, by, notified_on }",
            ),
            Some(t) if t.notified_on < c.on_site.date => ctx.error(
                &format!("{at}.testing.notified_on"),
                format!(
                    "检测期间告知日期 {} 早于现场实施日期 {}",
                    t.notified_on, c.on_site.date
                ),
            ),
            Some(_) => {}
        }
    } else if m.testing.is_some() {
        ctx.error(
            &format!("{at}.testing_days"),
            "写了检测 testing，但缺少检测期间的天数 testing_days",
        );
    }
}

/// 收缴清单 (实施条例 (2024) 第六十二条): 密级, 来源 and 扩散范围 of every confiscated item.
fn check_confiscated(items: &[Item], field: &str, ctx: &mut Ctx) {
    for (j, it) in items.iter().enumerate() {
        let missing: Vec<&str> = [
            (&it.classification, "密级 classification"),
            (&it.source, "来源 source"),
            (&it.spread, "扩散范围 spread"),
        ]
        .into_iter()
        .filter(|(v, _)| blank(v))
        .map(|(_, what)| what)
        .collect();
        if !missing.is_empty() {
            ctx.warn(
                &format!("{field}[{j}]"),
                format!(
                    "收缴清单应载明收缴物品的密级、数量、来源、扩散范围（保密法实施条例第六十二条）：{} 缺少 {}",
                    it.name,
                    missing.join("、")
                ),
            );
        }
    }
}

/// Items returned must have been taken (by name, model and serial), no more than were taken.
fn check_returned_items(c: &EnforcementCase, ctx: &mut Ctx) {
    let Some(r) = &c.returned else { return };
    if r.items.is_empty() {
        ctx.error("return.items", "退还物品清单应列明退还的物品（items）");
    }
    let taken: Vec<&Item> = c.measures.iter().flat_map(|m| m.items.iter()).collect();
    for (i, it) in r.items.iter().enumerate() {
        let same = |t: &&&Item| {
            t.name == it.name
                && (it.model.is_none() || t.model == it.model)
                && (it.serial.is_none() || t.serial == it.serial)
        };
        let matching: Vec<&&Item> = taken.iter().filter(same).collect();
        let field = format!("return.items[{i}]");
        if matching.is_empty() {
            let names: Vec<String> = taken.iter().map(|t| item_label(t)).collect();
            let list = if names.is_empty() {
                "本案没有扣留任何物品".to_string()
            } else {
                format!("本案扣留的物品有：{}", names.join("、"))
            };
            ctx.error(
                &field,
                format!(
                    "退还的物品 {} 不在任何措施的物品清单（measures[].items）中；{list}",
                    item_label(it)
                ),
            );
            continue;
        }
        // 收缴 is final, a transferred item went with the case: neither comes back.
        if let Some(t) = c.transfer.as_ref().filter(|t| t.items.contains(&it.name)) {
            ctx.error(
                &field,
                format!(
                    "退还的物品 {} 已随案移送{}（transfer.items），不能再退还当事人",
                    it.name, t.to
                ),
            );
            continue;
        }
        let confiscated = c
            .measures
            .iter()
            .filter(|m| m.kind == MeasureKind::Confiscate)
            .flat_map(|m| m.items.iter())
            .chain(c.decision.iter().flat_map(|d| d.confiscated.iter()))
            .any(|t| t.name == it.name);
        if confiscated {
            ctx.error(
                &field,
                format!(
                    "退还的物品 {} 已被收缴（收缴是最终处置），不能退还；确需退还的，应删除收缴",
                    it.name
                ),
            );
            continue;
        }
        let available: u32 = matching.iter().map(|t| t.quantity).sum();
        if it.quantity > available {
            ctx.error(
                &format!("{field}.quantity"),
                format!(
                    "退还 {} 数量 {}，多于扣留的数量 {available}",
                    it.name, it.quantity
                ),
            );
        }
    }
}

fn item_label(it: &Item) -> String {
    match &it.model {
        Some(m) => format!("{}（{m}）", it.name),
        None => it.name.to_string(),
    }
}

/// 移送: the party is told in writing (a served 移送告知书); the items sent were taken; the
/// suspects are natural persons; the procuratorate gets a copy.
fn check_transfer(c: &EnforcementCase, ctx: &mut Ctx) {
    let Some(t) = &c.transfer else { return };
    let notice = c
        .common
        .services
        .iter()
        .enumerate()
        .find(|(_, s)| s.document == DocKind::TransferNotice.id());
    match notice {
        None => ctx.error(
            "transfer",
            format!(
                "案件移送{}后，应书面告知当事人：services 中应有移送告知书的送达记录 {{ document: {}, on: …, method: …, recipient: {} }}",
                t.to,
                DocKind::TransferNotice.id(),
                c.party.name
            ),
        ),
        Some((i, s)) if s.on < t.date => {
            ctx.error(&format!("services[{i}].on"), format!("移送告知书送达日期 {} 早于移送日期 {}", s.on, t.date));
        }
        Some(_) => {}
    }
    let taken: Vec<&Item> = c.measures.iter().flat_map(|m| m.items.iter()).collect();
    for (i, name) in t.items.iter().enumerate() {
        if !taken.iter().any(|it| it.name == *name) {
            let names: Vec<String> = taken.iter().map(|t| t.name.to_string()).collect();
            ctx.error(
                &format!("transfer.items[{i}]"),
                format!(
                    "随案移送的物品 {name} 不在任何措施的物品清单（measures[].items）中；本案扣留的物品有：{}",
                    if names.is_empty() { "无".to_string() } else { names.join("、") }
                ),
            );
        }
    }
    if t.suspects.is_empty() {
        ctx.warn(
            "transfer.suspects",
            "移送涉嫌犯罪案件应写明涉嫌犯罪的人员（suspects: [{ name, position }]）",
        );
    }
    for (i, p) in t.suspects.iter().enumerate() {
        if c.party.kind == PartyType::Organization && p.name == c.party.name {
            ctx.error(
                &format!("transfer.suspects[{i}].name"),
                format!("{} 是单位；刑法第三百九十八条（泄露国家秘密罪）追究的是自然人，应写明涉嫌犯罪的个人", p.name),
            );
        }
    }
    if t.materials.is_empty() {
        ctx.warn(
            "transfer.materials",
            "移送涉嫌犯罪案件应附调查报告、涉案物品清单、鉴定结论等材料（transfer.materials）",
        );
    }
    if blank(&t.copy_to) {
        ctx.warn(
            "transfer.copy_to",
            "移送涉嫌犯罪案件应抄送同级人民检察院（transfer.copy_to）",
        );
    }
}

fn check_dates(c: &EnforcementCase, ctx: &mut Ctx) {
    let on = c.on_site.date;
    order(
        ctx,
        "on_site.date",
        on,
        "现场实施日期",
        c.violation.discovered_on,
        "发现违法行为日期",
    );
    if let Some(n) = &c.on_site.notified_party {
        order(
            ctx,
            "on_site.date",
            on,
            "现场实施日期",
            n.on,
            "通知当事人日期",
        );
    }
    if let Some(r) = c.on_site.recusal.as_ref().and_then(|r| r.decided_on) {
        order(
            ctx,
            "on_site.recusal.decided_on",
            r,
            "回避决定日期",
            on,
            "现场实施日期",
        );
        // The on-site record (dated on_site.date) states the decision on the request.
        if r > on {
            ctx.error(
                "on_site.recusal.decided_on",
                format!("回避决定日期（on_site.recusal.decided_on: {r}）晚于现场实施日期（on_site.date: {on}）：现场笔录会记载一个尚未作出的回避决定。回避申请应当场决定"),
            );
        }
    }
    if let Some(d) = &c.decision {
        order(
            ctx,
            "decision.date",
            d.date,
            "处理决定日期",
            on,
            "现场实施日期",
        );
    }
    if let Some(t) = &c.transfer {
        order(ctx, "transfer.date", t.date, "移送日期", on, "现场实施日期");
    }
    if let Some(r) = &c.returned {
        order(ctx, "return.date", r.date, "退还日期", on, "现场实施日期");
        if let Some(d) = &c.decision {
            order(
                ctx,
                "return.date",
                r.date,
                "退还日期",
                d.date,
                "处理决定日期",
            );
        }
    }
    for (i, s) in c.common.services.iter().enumerate() {
        order(
            ctx,
            &format!("services[{i}].on"),
            s.on,
            "送达日期",
            on,
            "现场实施日期",
        );
    }
    if let Some(a) = &c.common.archive {
        let last = [
            c.decision.as_ref().map(|d| d.date),
            c.transfer.as_ref().map(|t| t.date),
            c.returned.as_ref().map(|r| r.date),
        ]
        .into_iter()
        .chain(c.measures.iter().map(|m| m.lifted.as_ref().map(|l| l.on)))
        .flatten()
        .max()
        .unwrap_or(on);
        order(
            ctx,
            "archive.filed_on",
            a.filed_on,
            "归档日期",
            last,
            "最后一项处理日期",
        );
    }
}

/// Citations written in the case follow the numbering in force on the day of the act.
fn check_citations(c: &EnforcementCase, ctx: &mut Ctx) {
    let on = c.on_site.date;
    let mut lists: Vec<(String, &[Text], NaiveDate)> =
        vec![("violation.legal_basis".into(), &c.violation.legal_basis, on)];
    for (i, m) in c.measures.iter().enumerate() {
        if let Some(l) = &m.legal_basis {
            lists.push((format!("measures[{i}].legal_basis"), l, on));
        }
    }
    if let Some(d) = &c.decision
        && let Some(l) = &d.legal_basis
    {
        lists.push(("decision.legal_basis".into(), l, d.date));
    }
    for (field, list, date) in lists {
        for (i, text) in list.iter().enumerate() {
            if let Some(hint) = crate::law::stale_numbering(text, date) {
                ctx.error(
                    &format!("{field}[{i}]"),
                    format!("引用的“{text}”与日期不符：{hint}"),
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Periods

/// 行政强制: the 24-hour report of an urgent measure, the 7-working-day handling decision on
/// preserved evidence, the 30-day period of a stop-use or evidence-preservation measure (none
/// for 收缴) and its extension.
fn periods(d: &mut Deadlines, c: &EnforcementCase) {
    let on = c.on_site.date;
    if c.approval.urgent {
        urgent_report(d, c);
    }
    if c.measures
        .iter()
        .any(|m| m.kind == MeasureKind::PreserveEvidence)
    {
        let done = c.decision.as_ref().map(|d| d.date);
        d.working_days_after(
            DocKind::HandlingDecision,
            "先行登记保存的证据，7个工作日内作出处理决定",
            "decision.date",
            on,
            7,
            done,
        );
    }
    for (i, m) in c.measures.iter().enumerate() {
        // 收缴 is a final disposal: no period. 责令整改 has its own deadline (`due`).
        if !matches!(m.kind, MeasureKind::StopUse | MeasureKind::PreserveEvidence) {
            continue;
        }
        // The authority's own maximum (行政强制法 第二十五条): 30 calendar days, extended once
        // by 30 with written notice, testing time not counted. Never rolled forward past a
        // holiday: that serves a party's time limits only.
        let first = on + chrono::Days::new(30);
        if let Some(e) = m.extended_on {
            // Told in writing before the first period ends: served, when the case records
            // the service, else decided.
            let served = c
                .common
                .services
                .iter()
                .filter(|s| {
                    s.document == DocKind::ExtensionDecision.id() && s.index.is_none_or(|x| x == i)
                })
                .map(|s| s.on)
                .min();
            d.push(
                DocKind::ExtensionDecision,
                "延长行政强制措施期限，应在原期限届满前书面告知当事人",
                &format!("measures[{i}].extended_on"),
                first,
                Some(served.unwrap_or(e)),
            );
        }
        let extended = m.extended_on.is_some();
        let testing = m.testing_days.unwrap_or(0);
        let days = if extended { 60 } else { 30 } + u64::from(testing);
        let mut rule = format!("{}措施期限不超过30日", m.kind.label());
        if extended {
            rule.push_str("（已延长30日）");
        }
        if testing > 0 {
            rule.push_str(&format!("（检测、鉴定{testing}日不计入）"));
        }
        let field = format!("measures[{i}].lifted");
        // An absurd `testing_days` is reported, not a crash.
        let due = on
            .checked_add_days(chrono::Days::new(days))
            .ok_or(crate::calendar::CalendarError::OutOfRange(on));
        let Some(due) = d.cal(&format!("measures[{i}].testing_days"), due) else {
            continue;
        };
        let done = m
            .lifted
            .as_ref()
            .map(|l| l.on)
            .or(c.decision.as_ref().map(|d| d.date));
        d.push(DocKind::MeasureDecision, &rule, &field, due, done);
    }
}

/// 情况紧急当场实施的，24小时内报告: compared to the minute, shown by date.
fn urgent_report(d: &mut Deadlines, c: &EnforcementCase) {
    let taken = c.measure_time();
    let limit = taken + chrono::TimeDelta::hours(24);
    let reported = c.approval.reported_at.map(|m| m.0);
    let status = match reported {
        Some(r) if r <= limit => Status::Ok,
        Some(_) => Status::Late,
        None if d.today <= limit.date() => Status::Pending,
        None => Status::Overdue,
    };
    // A missing or late report is an error of the case (validate); no second warning here.
    d.list.push(Deadline {
        case: d.case.clone(),
        document: DocKind::EnforcementApproval,
        due: limit.date(),
        done: reported.map(|r| r.date()),
        status,
        rule: format!(
            "情况紧急当场实施的，24小时内（{} 前）向负责人报告",
            Moment(limit)
        ),
        field: "approval.reported_at".into(),
    });
}
