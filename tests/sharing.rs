//! Two officers, one cases folder: builds running at the same time as separate processes never
//! lose a 文号 or give one twice, and one output folder is built by one build at a time.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::temp_dir;

/// The binary under test; `ANJUAN_TEST_BIN` runs these tests against another build of it
/// (how the old, unlocked behaviour was shown to lose numbers).
fn bin() -> PathBuf {
    std::env::var_os("ANJUAN_TEST_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_anjuan")))
}

/// A short, lawful inspection (oral notice, nothing found) that gets a notice, an opinion and
/// a volume: three numbers from three sequences.
fn inspection(id: &str) -> String {
    format!(
        r#"kind: inspection
id: {id}
title: 对某县档案馆开展保密检查（{id}）
inspected_unit:
  name: 某县档案馆
  address: 某县文昌路9号
  contact: {{ name: 马某, title: 馆长, phone: "0976-8872200" }}
plan:
  approved_on: 2026-06-22
  approved_by: 张某某
  checklist: [ 国家秘密载体管理情况 ]
team:
  leader: {{ name: 王某, cert_no: 保执0101 }}
  members: [ {{ name: 陈某, cert_no: 保执0103 }} ]
notice:
  mode: oral
  issued_on: 2026-06-24
inspection:
  start: 2026-06-24
  end: 2026-06-24
  records:
    - {{ object: 档案库房涉密档案, method: 查阅台账, finding: 管理规范，未发现问题, problem: false }}
report:
  submitted_on: 2026-06-29
  data: {{ units: 1, computers: 4, storage_media: 6, documents: 80, problems: 0 }}
opinion:
  issued_on: 2026-07-08
services:
  - {{ document: inspection_opinion, on: 2026-07-08, method: direct, recipient: 马某 }}
archive:
  retention: 10y
  filed_on: 2026-07-20
"#
    )
}

/// A cases root with the samples' settings and nothing else.
fn empty_root(name: &str) -> PathBuf {
    let root = temp_dir(name).join("cases");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("cases/anjuan.yaml"),
        root.join("anjuan.yaml"),
    )
    .unwrap();
    root
}

fn build_command(case_file: &Path, out: &Path) -> Command {
    let mut c = Command::new(bin());
    c.arg("build")
        .arg(case_file)
        .arg("-o")
        .arg(out)
        .args(["--today", "2026-11-29", "-q"]);
    c
}

/// Every number an output folder's manifest lists: (number, case) for 文号 and 档号.
fn numbers_in(out: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    let m: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut found = Vec::new();
    for f in m["files"].as_array().unwrap() {
        if let Some(no) = f["no"].as_str() {
            found.push((no.to_string(), f["case"].as_str().unwrap().to_string()));
        }
    }
    for v in m["volumes"].as_array().into_iter().flatten() {
        found.push((
            v["archive_code"].as_str().unwrap().to_string(),
            v["case"].as_str().unwrap().to_string(),
        ));
    }
    found
}

#[derive(serde::Deserialize)]
struct Entry {
    seq: u32,
    owner: String,
    value: String,
}

#[derive(serde::Deserialize)]
struct LedgerFile {
    sequences: BTreeMap<String, Vec<Entry>>,
}

#[test]
fn concurrent_builds_of_one_root_lose_no_number_and_give_none_twice() {
    let root = empty_root("concurrent");
    let outs = root.parent().unwrap().join("outs");
    let mut printed: Vec<(String, String)> = Vec::new();
    let mut cases = 0;
    for round in 0..3 {
        let children: Vec<_> = (0..8)
            .map(|i| {
                let id = format!("2026-JC-{round}{i:02}");
                let file = root.join(format!("{id}.yaml"));
                std::fs::write(&file, inspection(&id)).unwrap();
                let out = outs.join(&id);
                let child = build_command(&file, &out)
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap();
                (id, out, child)
            })
            .collect();
        for (id, out, child) in children {
            let result = child.wait_with_output().unwrap();
            assert!(
                result.status.success(),
                "{id}: {}",
                String::from_utf8_lossy(&result.stderr)
            );
            let own = numbers_in(&out);
            assert_eq!(own.len(), 3, "{id}: notice, opinion and volume: {own:?}");
            assert!(own.iter().all(|(_, case)| case == &id), "{own:?}");
            printed.extend(own);
            cases += 1;
        }
    }

    let ledger: LedgerFile =
        serde_yaml::from_str(&std::fs::read_to_string(root.join("anjuan-ledger.yaml")).unwrap())
            .unwrap();
    let mut holders: BTreeMap<&str, &str> = BTreeMap::new();
    for (name, entries) in &ledger.sequences {
        let seqs: Vec<u32> = entries.iter().map(|e| e.seq).collect();
        assert_eq!(
            seqs,
            (1..=cases as u32).collect::<Vec<_>>(),
            "{name}: every case got one number, no gap, none twice"
        );
        let owners: BTreeSet<&str> = entries.iter().map(|e| e.owner.as_str()).collect();
        assert_eq!(owners.len(), entries.len(), "{name}: an owner twice");
        for e in entries {
            assert!(
                holders.insert(&e.value, &e.owner).is_none(),
                "{} given twice",
                e.value
            );
        }
    }
    assert_eq!(ledger.sequences.len(), 3, "{:?}", ledger.sequences.keys());
    assert_eq!(printed.len(), 3 * cases);
    for (no, case) in &printed {
        let owner = holders
            .get(no.as_str())
            .unwrap_or_else(|| panic!("{no} ({case}) printed but not in the ledger"));
        assert!(
            owner == case || owner.starts_with(&format!("{case}/")),
            "{no} printed for {case} but held by {owner}"
        );
    }
    assert!(root.join("anjuan-ledger.yaml.bak").is_file());
}

/// Reads what a child wrote to stderr until `needle` appears (or the time runs out).
fn wait_for_stderr(child: &mut std::process::Child, needle: &str) -> String {
    let mut stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 256];
        // Drains to the end, so the child never writes into a closed pipe.
        while let Ok(n) = stderr.read(&mut buf) {
            if n == 0 {
                break;
            }
            let _ = tx.send(buf[..n].to_vec());
        }
    });
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(chunk) = rx.recv_timeout(Duration::from_millis(200)) {
            seen.extend(chunk);
        }
        if String::from_utf8_lossy(&seen).contains(needle) {
            break;
        }
    }
    String::from_utf8_lossy(&seen).into_owned()
}

#[test]
fn a_second_build_into_a_locked_output_folder_waits_or_fails_with_no_wait() {
    let root = empty_root("output-lock");
    let file = root.join("2026-JC-901.yaml");
    std::fs::write(&file, inspection("2026-JC-901")).unwrap();
    let out = root.parent().unwrap().join("out");
    // This test process plays the first build: it holds the folder's lock.
    let held = anjuan::lock::lock_output(&out, false, |_| {}).unwrap();

    let refused = build_command(&file, &out)
        .arg("--no-wait")
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(
        message.contains("正由另一个 anjuan 生成任务使用")
            && message.contains(&format!("进程 {}", std::process::id())),
        "{message}"
    );
    assert!(!out.join("manifest.json").exists(), "nothing was built");

    let mut waiting = build_command(&file, &out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let said = wait_for_stderr(&mut waiting, "等待它结束");
    assert!(said.contains("等待它结束"), "{said}");
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        waiting.try_wait().unwrap().is_none(),
        "the second build must wait while the folder is held"
    );
    assert!(!out.join("manifest.json").exists());
    drop(held);
    let status = waiting.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert_eq!(
        numbers_in(&out).len(),
        3,
        "it built once the folder was free"
    );
}
