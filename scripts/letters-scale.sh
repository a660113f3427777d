#!/usr/bin/env bash
# Scale of bulk letters: builds a generated campaign of 100 and of 500 recipients (read from a
# CSV) and prints wall time and peak memory (max RSS) of each, and their ratio.
# Usage: scripts/letters-scale.sh [anjuan binary] (default target/release/anjuan; build it first
# with `cargo build --release`). Not a test: the figures depend on the machine.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
bin="${1:-$repo/target/release/anjuan}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

make_root() { # $1 = number of recipients
  local root="$work/cases-$1"
  mkdir -p "$root/campaigns"
  cp "$repo/cases/anjuan.yaml" "$root/"
  cat > "$root/campaigns/scale.yaml" <<YAML
kind: campaign
id: SCALE-$1
title: 规模测试通知
document: inspection_notice
recipients_from: units.csv
common:
  notice: { mode: written, issued_on: 2026-09-10 }
  inspection: { start: 2026-09-14, end: 2026-09-14 }
  plan: { checklist: [ 保密工作责任制落实情况, 涉密人员管理情况 ] }
  team:
    leader: { name: 王某, cert_no: 保执0101 }
    members: [ { name: 刘某, cert_no: 保执0102 } ]
YAML
  {
    echo "inspected_unit.name,inspected_unit.address,inspected_unit.contact.name,inspected_unit.contact.phone"
    for i in $(seq 1 "$1"); do
      echo "某县第${i}号测试单位,某县测试路${i}号,联系人${i},0976-88$(printf '%05d' "$i")"
    done
  } > "$root/campaigns/units.csv"
  echo "$root"
}

printf '%-8s %-10s %-12s %-10s\n' 收文单位 用时/秒 峰值内存/MB 每封/毫秒
declare -A rss secs
for n in 100 500; do
  root="$(make_root "$n")"
  log="$work/time-$n.txt"
  /usr/bin/time -v "$bin" build "$root" -o "$work/out-$n" -q --today 2026-11-29 2> "$log" >/dev/null || { cat "$log"; exit 1; }
  kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /,"",$2); print $2}' "$log")
  wall=$(awk '/Elapsed \(wall clock\)/ {print $NF}' "$log")
  s=$(echo "$wall" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  letters=$(ls "$work/out-$n/SCALE-$n/"*-inspection_notice.pdf | wc -l)
  [ "$letters" -eq "$n" ] || { echo "expected $n letters, got $letters"; exit 1; }
  rss[$n]=$((kb / 1024)); secs[$n]=$s
  printf '%-12s %-12s %-14s %-10s\n' "$n" "$s" "${rss[$n]}" "$(awk -v s="$s" -v n="$n" 'BEGIN{printf "%.0f", s*1000/n}')"
done
awk -v a="${rss[100]}" -v b="${rss[500]}" -v x="${secs[100]}" -v y="${secs[500]}" \
  'BEGIN{printf "500/100：内存 %.2f 倍，用时 %.2f 倍（收文单位 5 倍）\n", b/a, y/x}'
