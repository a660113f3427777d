#!/usr/bin/env bash
# Scale benchmark: builds N generated cases (scripts/gen-cases.py: both procedures, measures,
# services, attachments, archive blocks; seed 1) and prints, for each N:
#   - per stage (核对, 文书, 立卷, 目录, 移交包, …) its time and the peak memory so far,
#     the whole build's wall time and peak RSS (/usr/bin/time -v), documents a second and the
#     archive stage as a share of the documents' time;
#   - a no-op rebuild and a rebuild with one case changed (the build summary counts the files
#     it wrote);
#   - the same documents rendered by the typst CLI, one `typst compile` per document on the
#     same template and the data `anjuan build --dump-data` wrote (as users script it), on as
#     many processes as there are cores; the ratio is measured in the same run.
#
# Usage: scripts/scale-bench.sh [N ...]        (default: 1000; add 10000 for the full target)
# Environment:
#   ANJUAN_BIN        the anjuan binary (default target/release/anjuan; `cargo build --release`)
#   TYPST             the typst binary (default: `typst` on PATH)
#   SCALE_NO_TYPST_BUILD=1  when typst is absent, skip the comparison instead of building
#                     typst-cli 0.15.1 with `cargo install --locked typst-cli@0.15.1` (long)
#   SCALE_TYPST_DOCS  documents rendered by the typst CLI per N (default 300; 0 = all)
#   KEEP=1            keep the work folder
# Not a test: the figures depend on the machine. Run it niced on a shared machine.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
bin="${ANJUAN_BIN:-$repo/target/release/anjuan}"
[ -x "$bin" ] || { echo "没有 $bin：先运行 cargo build --release" >&2; exit 2; }
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000)
work="$(mktemp -d)"
[ "${KEEP:-}" = 1 ] && echo "工作目录：$work" || trap 'rm -rf "$work"' EXIT
today=2026-11-29
cores=$(nproc)

secs_of() { # wall clock of /usr/bin/time -v output -> seconds
  awk '/Elapsed \(wall clock\)/ {print $NF}' "$1" |
    awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }'
}
rss_of() { awk -F: '/Maximum resident set size/ {gsub(/ /,"",$2); printf "%d", $2/1024}' "$1"; }
summary_of() { grep '^完成' "$1" | tail -1; }

# typst CLI: found, built, or skipped (and said so).
typst_bin="${TYPST:-$(command -v typst || true)}"
if [ -z "$typst_bin" ] || [ ! -x "$typst_bin" ]; then
  if [ "${SCALE_NO_TYPST_BUILD:-}" = 1 ]; then
    echo "注意：没有 typst 可执行文件，且 SCALE_NO_TYPST_BUILD=1：跳过与 typst CLI 的比较。"
    typst_bin=""
  else
    echo "没有 typst 可执行文件：用 cargo 构建 typst-cli 0.15.1（cargo install --locked typst-cli@0.15.1，需要较长时间）……"
    cargo install --locked typst-cli@0.15.1 --root "$work/typst-cli" >&2
    typst_bin="$work/typst-cli/bin/typst"
  fi
fi
[ -n "$typst_bin" ] && echo "typst CLI：$typst_bin（$("$typst_bin" --version)）"

declare -A peak wall docs_s share noop_s noop_peak one_s one_files cli_ratio verify_s
for n in "${sizes[@]}"; do
  cases="$work/cases-$n" out="$work/out-$n" data="$work/data-$n"
  python3 "$repo/scripts/gen-cases.py" "$n" 1 "$cases"
  echo
  echo "== $n 件案件：首次生成 =="
  log="$work/build-$n.txt"
  ANJUAN_STAGES=1 /usr/bin/time -v "$bin" build "$cases" -o "$out" -q --today $today \
    --dump-data "$data" 2> "$log" >/dev/null || { cat "$log"; exit 1; }
  printf '%-22s %10s %12s %12s %10s\n' 阶段 用时/秒 结束时内存/MiB 峰值/MiB CPU/秒
  awk -F'\t' '$1=="阶段" {printf "%-24s %10s %14s %12s %10s\n", $2, $3, $4, $5, $6}' "$log"
  summary_of "$log"
  wall[$n]=$(secs_of "$log"); peak[$n]=$(rss_of "$log")
  ndocs=$(summary_of "$log" | sed -E 's/.*文书 ([0-9]+) 份.*/\1/')
  doc_s=$(awk -F'\t' '$1=="阶段" && $2=="文书" {print $3}' "$log")
  arch_s=$(awk -F'\t' '$1=="阶段" && ($2=="立卷" || $2=="目录" || $2=="移交包") {s+=$3} END {print s+0}' "$log")
  docs_s[$n]=$(awk -v d="$ndocs" -v s="$doc_s" 'BEGIN{printf "%.0f", d/s}')
  share[$n]=$(awk -v a="$arch_s" -v s="$doc_s" 'BEGIN{printf "%.0f", 100*a/s}')
  echo "总用时 ${wall[$n]} 秒，峰值内存 ${peak[$n]} MiB；文书 $ndocs 份，每秒 ${docs_s[$n]} 份；立卷+目录+移交包 ${arch_s} 秒，为文书用时的 ${share[$n]}%"

  /usr/bin/time -v "$bin" verify "$out" > "$work/verify-$n.txt" 2> "$work/verify-time-$n.txt" ||
    { cat "$work/verify-$n.txt" "$work/verify-time-$n.txt"; exit 1; }
  verify_s[$n]=$(secs_of "$work/verify-time-$n.txt")
  echo "四性检测：$(tail -1 "$work/verify-$n.txt")；用时 ${verify_s[$n]} 秒，峰值内存 $(rss_of "$work/verify-time-$n.txt") MiB"

  echo "== $n 件案件：不改动再次生成 =="
  log2="$work/noop-$n.txt"
  /usr/bin/time -v "$bin" build "$cases" -o "$out" -q --today $today 2> "$log2" >/dev/null
  summary_of "$log2"
  noop_s[$n]=$(secs_of "$log2"); noop_peak[$n]=$(rss_of "$log2")
  echo "用时 ${noop_s[$n]} 秒，峰值内存 ${noop_peak[$n]} MiB"

  echo "== $n 件案件：改动一件案件再生成 =="
  files=("$cases"/inspection/*.yaml)
  one="${files[0]}"
  unit=$(grep -m1 -A1 '^inspected_unit:' "$one" | sed -nE 's/^ +name: *(.*)$/\1/p')
  sed -i "s/$unit/${unit}（更名）/g" "$one"
  log3="$work/one-$n.txt"
  /usr/bin/time -v "$bin" build "$cases" -o "$out" -q --today $today 2> "$log3" >/dev/null
  summary_of "$log3"
  one_s[$n]=$(secs_of "$log3")
  one_files[$n]=$(summary_of "$log3" | sed -nE 's/.*本次共写入文件 ([0-9]+) 个.*/\1/p')
  echo "（改动 $(basename "$one")：受检单位名称）用时 ${one_s[$n]} 秒，峰值内存 $(rss_of "$log3") MiB"

  if [ -n "$typst_bin" ]; then
    echo "== $n 件案件：同样的文书由 typst CLI 逐份生成（$cores 个进程）=="
    mapfile -t jsons < <(cd "$data" && find . -name '*.json' | sort)
    limit=${SCALE_TYPST_DOCS:-300}
    [ "$limit" -gt 0 ] && [ "${#jsons[@]}" -gt "$limit" ] && jsons=("${jsons[@]:0:$limit}")
    m=${#jsons[@]}
    start=$(date +%s.%N)
    for w in $(seq 0 $((cores - 1))); do
      (
        root="$work/typst-root-$w"
        mkdir -p "$root" && cp -r "$repo/templates/." "$root/"
        for i in $(seq "$w" "$cores" $((m - 1))); do
          j="${jsons[$i]}"
          kind=$(basename "$j" .json | sed -E 's/^[0-9]+-//')
          cp "$data/$j" "$root/data.json"
          "$typst_bin" compile --root "$root" --font-path "$repo/fonts" --ignore-system-fonts \
            --pdf-standard a-2b "$root/$kind.typ" "$root/out.pdf" 2>/dev/null
        done
      ) &
    done
    wait
    end=$(date +%s.%N)
    line=$(awk -v m="$m" -v s="$start" -v e="$end" -v a="${docs_s[$n]}" 'BEGIN{
      t=e-s; r=m/t; printf "typst CLI：%d 份用时 %.1f 秒，每秒 %.1f 份；anjuan 每秒 %d 份，是 typst CLI 的 %.1f 倍\n", m, t, r, a, a/r }')
    echo "$line"
    cli_ratio[$n]=$(echo "$line" | sed -nE 's/.*的 ([0-9.]+) 倍/\1/p')
  fi
done

echo
echo "== 汇总 =="
printf '%-6s %8s %8s %8s %10s %10s %12s %10s\n' 案件 首次/秒 峰值MiB 文书/秒 立卷等占比 不改动/秒 改一件/秒,文件 typstCLI倍数
for n in "${sizes[@]}"; do
  printf '%-8s %8s %9s %9s %10s%% %11s %9s,%-5s %8s\n' "$n" "${wall[$n]}" "${peak[$n]}" "${docs_s[$n]}" \
    "${share[$n]}" "${noop_s[$n]}" "${one_s[$n]}" "${one_files[$n]}" "${cli_ratio[$n]:-—}"
done
verdict() { if [ "$1" = 1 ]; then echo 达到; else echo 未达到; fi; }
echo "目标（issue 10）："
for n in "${sizes[@]}"; do
  echo "  $n 件：峰值内存 ≤ 300 MiB：$(verdict "$(awk -v p="${peak[$n]}" 'BEGIN{print (p<=300)}')")（${peak[$n]} MiB）；" \
    "每秒 ≥ 150 份：$(verdict "$(awk -v d="${docs_s[$n]}" 'BEGIN{print (d>=150)}')")（${docs_s[$n]}）；" \
    "立卷+目录+移交包 ≤ 文书用时 30%：$(verdict "$(awk -v s="${share[$n]}" 'BEGIN{print (s<=30)}')")（${share[$n]}%）"
done
if [ -n "${peak[1000]:-}" ] && [ -n "${peak[10000]:-}" ]; then
  echo "  1,000 与 10,000 件峰值内存相差 ≤ 10%：$(verdict "$(awk -v a="${peak[1000]}" -v b="${peak[10000]}" 'BEGIN{print (b<=a*1.1 && a<=b*1.1)}')")（${peak[1000]} / ${peak[10000]} MiB）"
fi
if [ -n "${noop_s[10000]:-}" ]; then
  echo "  不改动再次生成 10,000 件 < 5 秒：$(verdict "$(awk -v t="${noop_s[10000]}" 'BEGIN{print (t<5)}')")（${noop_s[10000]} 秒）"
fi
