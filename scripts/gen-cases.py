#!/usr/bin/env python3
"""Deterministic generator of N synthetic but lawful cases for scale tests.

Usage: scripts/gen-cases.py N SEED DIR [--from CASES_ROOT]

Writes DIR/anjuan.yaml (copied from CASES_ROOT, default: the repository's cases/) and N case
files under DIR/inspection/ and DIR/enforcement/. Each case is one of the sample cases of
CASES_ROOT that carry an archive block (both procedures: inspections with notices, measures,
technical checks, objections, re-inspections, services and attachments; enforcement cases with
approvals, on-site records, measures, decisions, transfers, returns and services), chosen by a
seeded generator, with its own id and its own unit or party name wherever the sample names it.
Dates, periods and every other field stay those of the sample, so every generated case passes
`anjuan check` exactly as the samples do and follows the model whenever the samples are revised.
Attachments are copied next to the case under a name of its own. Same N and SEED: same bytes.
"""

import argparse
import random
import re
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def templates(root: Path):
    """(path, text, id, kind, name) of every sample case with an archive block, sorted."""
    out = []
    for path in sorted(root.glob("**/*.yaml")):
        text = path.read_text(encoding="utf-8")
        kind = re.search(r"^kind:\s*(\w+)", text, re.M)
        if not kind or kind.group(1) not in ("inspection", "enforcement"):
            continue
        if not re.search(r"^archive:", text, re.M):
            continue
        case_id = re.search(r"^id:\s*(\S+)", text, re.M).group(1)
        block = "inspected_unit" if kind.group(1) == "inspection" else "party"
        name = re.search(rf"^{block}:.*?\n\s+name:\s*(\S+)", text, re.M | re.S)
        out.append((path, text, case_id, kind.group(1), name.group(1) if name else None))
    return out


def new_name(old: str, kind: str, n: int) -> str:
    """A unit or party name of the same sort as the sample's, numbered."""
    if kind == "inspection":
        return f"某县第{n}号测试单位"
    for suffix in ("有限公司", "公司", "中心"):
        if old.endswith(suffix):
            return f"某县测试{n}号{suffix}"
    return f"测试当事人{n}号"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("seed", type=int)
    ap.add_argument("dir", type=Path)
    ap.add_argument("--from", dest="source", type=Path, default=REPO / "cases")
    args = ap.parse_args()

    samples = templates(args.source)
    if not samples:
        print(f"{args.source} 中没有带 archive 的示例案件", file=sys.stderr)
        return 1
    rng = random.Random(args.seed)
    out: Path = args.dir
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(args.source / "anjuan.yaml", out / "anjuan.yaml")
    counts = {"inspection": 0, "enforcement": 0}
    for i in range(1, args.n + 1):
        path, text, case_id, kind, name = samples[rng.randrange(len(samples))]
        new_id = f"{case_id}-S{args.seed}-{i:05d}"
        text = re.sub(r"^id:\s*\S+", f"id: {new_id}", text, count=1, flags=re.M)
        # The schema pointer of the sample is relative to its folder.
        text = re.sub(r"^# yaml-language-server:.*\n", "", text, count=1, flags=re.M)
        if name:
            text = text.replace(name, new_name(name, kind, i))
        # Attachments: a copy of the sample's file under the new case's name.
        def copy(m):
            rel = m.group(2)
            src = args.source / rel
            dst_rel = f"scans/{new_id}-{Path(rel).name.replace(case_id + '-', '')}"
            (out / "scans").mkdir(exist_ok=True)
            shutil.copyfile(src, out / dst_rel)
            # Case files resolve attachments against the cases root.
            return f"{m.group(1)}{dst_rel}"

        text = re.sub(r"(\bfile:\s*)([^,}\s]+)", copy, text)
        folder = out / kind
        folder.mkdir(exist_ok=True)
        (folder / f"{new_id}.yaml").write_text(text, encoding="utf-8")
        counts[kind] += 1
    print(
        f"{args.n} 件案件（保密检查 {counts['inspection']} 件，行政强制 {counts['enforcement']} 件）"
        f" 写入 {out}（种子 {args.seed}）"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
