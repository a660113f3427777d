//! The command line, in Chinese: `anjuan build`, `anjuan check`.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::build::{self, BuildOptions};
use crate::deadlines::Deadline;
use crate::problems::{Problem, Problems};
use crate::project::{Project, ProjectError};
use crate::render::Renderer;
use crate::settings::SettingsError;

const HELP_TEMPLATE: &str = "{about}\n\n用法：{usage}\n\n{all-args}{after-help}";

#[derive(Parser)]
#[command(
    name = "anjuan",
    version,
    about = "案卷：保密检查和行政强制案件的文书生成、期限核对与立卷归档",
    help_template = HELP_TEMPLATE,
    subcommand_help_heading = "命令",
    subcommand_value_name = "命令",
    override_usage = "anjuan <命令> [选项]",
    disable_help_subcommand = true,
    disable_help_flag = true,
    disable_version_flag = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[arg(short = 'h', long = "help", action = clap::ArgAction::Help, help = "显示帮助", global = true, help_heading = "选项")]
    help: Option<bool>,
    #[arg(short = 'V', long = "version", action = clap::ArgAction::Version, help = "显示版本", help_heading = "选项")]
    version: Option<bool>,
}

#[derive(Subcommand)]
enum Command {
    /// 核对案件：字段、程序顺序和法定期限（按工作日计算）
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项", override_usage = "anjuan check <案件目录> [选项]")]
    Check(CheckArgs),
    /// 生成案件的全部法定文书（PDF）和清单 manifest.json
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项", override_usage = "anjuan build <案件目录> [选项]")]
    Build(BuildArgs),
    /// 四性检测：核对输出目录中案卷、目录和文书的真实性、完整性、可用性和安全性
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项")]
    Verify(VerifyArgs),
    /// 生成本单位的 SM2 签名密钥对（私钥只有本人可读），公钥写入 anjuan.yaml 的 signing
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项", override_usage = "anjuan keygen -o <目录>")]
    Keygen(KeygenArgs),
    /// 待办事项：各案件和批量发文尚未完成的期限、措施、整改和送达，按紧急程度分组
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项", override_usage = "anjuan status <案件目录> [--today 日期] [--within 天数] [--format table|json|html|ics|xlsx] [-o 文件]")]
    Status(StatusArgs),
    /// 年度统计：保密检查情况统计表和行政强制情况统计表（xlsx 和 PDF）
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项", override_usage = "anjuan stats <案件目录> --year 年度 [-o 目录] [--format json]")]
    Stats(StatsArgs),
    /// 输出案件、批量发文和设置文件格式的 JSON Schema（供编辑器补全和校验）
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项", override_usage = "anjuan schema [-o 文件]")]
    Schema(SchemaArgs),
    /// 新建案件文件：写出带注释的骨架，填好【必填】项即可通过 check
    #[command(help_template = HELP_TEMPLATE, next_help_heading = "选项", override_usage = "anjuan new inspection|enforcement|campaign <编号> [-o 目录]")]
    New(NewArgs),
}

#[derive(Args)]
struct StatusArgs {
    #[command(flatten)]
    common: Common,
    /// “近期”的范围：多少个工作日内到期（默认 10）
    #[arg(
        long,
        value_name = "天数",
        default_value_t = 10,
        hide_default_value = true
    )]
    within: u32,
    /// 输出格式：table（表格，默认）、json、html（网页）、ics（日历）或 xlsx（案件台账）
    #[arg(long, value_name = "格式", default_value = "table", hide_default_value = true, hide_possible_values = true, value_parser = ["table", "json", "html", "ics", "xlsx"])]
    format: String,
    /// 写入此文件（默认输出到屏幕；xlsx 默认写入 案件台账.xlsx）
    #[arg(short = 'o', long = "out", value_name = "文件")]
    out: Option<PathBuf>,
}

#[derive(Args)]
struct StatsArgs {
    #[command(flatten)]
    common: Common,
    /// 统计年度，如 2026
    #[arg(long, value_name = "年度")]
    year: i32,
    /// 输出目录（默认当前目录），写入“年度统计.xlsx”和“年度统计.pdf”
    #[arg(
        short = 'o',
        long = "out",
        value_name = "目录",
        default_value = ".",
        hide_default_value = true
    )]
    out: PathBuf,
    /// 输出格式：files（xlsx 和 PDF，默认）或 json（列出每个数字涉及的案件）
    #[arg(long, value_name = "格式", default_value = "files", hide_default_value = true, hide_possible_values = true, value_parser = ["files", "json"])]
    format: String,
}

#[derive(Args)]
struct SchemaArgs {
    /// 写入此文件（默认输出到屏幕）
    #[arg(short = 'o', long = "out", value_name = "文件")]
    out: Option<PathBuf>,
}

#[derive(Args)]
struct NewArgs {
    /// 案件种类：inspection（保密检查）、enforcement（行政强制）或 campaign（批量发文）
    #[arg(value_name = "种类", help_heading = "参数", display_order = 1, value_parser = ["inspection", "enforcement", "campaign"], hide_possible_values = true)]
    kind: String,
    /// 案件编号，只用字母、数字、“-”和“_”，如 2026-JC-012
    #[arg(value_name = "编号", help_heading = "参数", display_order = 2)]
    id: String,
    /// 写入此目录（默认当前目录），文件名为 编号.yaml
    #[arg(
        short = 'o',
        long = "out",
        value_name = "目录",
        default_value = ".",
        hide_default_value = true
    )]
    out: PathBuf,
}

#[derive(Args)]
struct KeygenArgs {
    /// 密钥存放目录（不要用共享的案件根目录）
    #[arg(short = 'o', long = "out", value_name = "目录")]
    out: PathBuf,
}

#[derive(Args)]
struct VerifyArgs {
    /// anjuan build 的输出目录
    #[arg(value_name = "输出目录")]
    out: PathBuf,
    /// 输出格式：text（文字）或 json
    #[arg(long, value_name = "格式", default_value = "text", value_parser = ["text", "json"])]
    format: String,
    /// 本单位的 SM2 公钥（十六进制串，或 keygen 生成的公钥文件）：核验电子签名
    #[arg(long, value_name = "公钥")]
    key: Option<String>,
    /// 案件根目录：从其 anjuan.yaml 读取公钥，并用其中的生成记录核对清单
    #[arg(long, value_name = "案件根目录")]
    cases: Option<PathBuf>,
}

#[derive(Args)]
struct Common {
    /// 案件根目录（含 anjuan.yaml）或单个案件文件
    #[arg(value_name = "案件目录", help_heading = "参数")]
    cases: PathBuf,
    /// 以此日期判断期限状态（默认今天），格式 YYYY-MM-DD
    #[arg(long, value_name = "日期", value_parser = parse_date)]
    today: Option<NaiveDate>,
}

#[derive(Args)]
struct CheckArgs {
    #[command(flatten)]
    common: Common,
    /// 输出格式：table（表格，默认）或 json
    #[arg(long, value_name = "格式", default_value = "table", hide_default_value = true, hide_possible_values = true, value_parser = ["table", "json"])]
    format: String,
}

#[derive(Args)]
struct BuildArgs {
    #[command(flatten)]
    common: Common,
    /// 输出目录（默认 out）
    #[arg(
        short = 'o',
        long = "out",
        value_name = "目录",
        default_value = "out",
        hide_default_value = true
    )]
    out: PathBuf,
    /// 并行线程数（默认为处理器核数）
    #[arg(short = 'j', long = "jobs", value_name = "数量")]
    jobs: Option<usize>,
    /// 用此目录中的模板逐个替换内置模板
    #[arg(long, value_name = "目录")]
    templates: Option<PathBuf>,
    /// 本单位的字体目录（优先于内置字体，如仿宋_GB2312、方正小标宋简体）
    #[arg(long = "font-path", value_name = "目录")]
    font_path: Option<PathBuf>,
    /// 把每份文书的模板数据写成 JSON，便于修改模板
    #[arg(long = "dump-data", value_name = "目录")]
    dump_data: Option<PathBuf>,
    /// 不显示进度条
    #[arg(short, long)]
    quiet: bool,
    /// 输出目录正被另一个生成任务使用时立即退出（退出码 1），不排队等待
    #[arg(long = "no-wait")]
    no_wait: bool,
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("日期 {s} 无效，应写作 YYYY-MM-DD"))
}

/// Runs the command line; the exit code is 0 on success, 1 when anything failed, 2 on usage
/// errors.
pub fn main() -> ExitCode {
    let matches = match Cli::command().try_get_matches() {
        Ok(m) => m,
        Err(e) => return usage_error(e),
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => return usage_error(e),
    };
    match cli.command {
        Command::Check(args) => check(args),
        Command::Build(args) => run_build(args),
        Command::Verify(args) => run_verify(args),
        Command::Keygen(args) => run_keygen(args),
        Command::Status(args) => run_status(args),
        Command::Stats(args) => run_stats(args),
        Command::Schema(args) => run_schema(args),
        Command::New(args) => run_new(args),
    }
}

fn usage_error(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            return if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
        _ => {}
    }
    let what = match e.kind() {
        ErrorKind::UnknownArgument => "未知的选项",
        ErrorKind::InvalidSubcommand => {
            "未知的命令（可用：check、build、verify、keygen、status、stats、schema、new）"
        }
        ErrorKind::MissingRequiredArgument => "缺少必需的参数",
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => "参数取值无效",
        ErrorKind::MissingSubcommand => {
            "缺少命令（可用：check、build、verify、keygen、status、stats、schema、new）"
        }
        _ => "命令行有误",
    };
    let detail = error_detail(&e);
    eprintln!(
        "错误：{what}（{detail}）\n用法：anjuan check 案件目录 [--today 日期] [--format table|json]\n      anjuan build 案件目录 [-o 输出目录] [-j 线程数] [--no-wait]\n      anjuan verify 输出目录 [--key 公钥 | --cases 案件根目录] [--format text|json]\n      anjuan keygen -o 密钥目录\n      anjuan status 案件目录 [--today 日期] [--within 天数] [--format table|json|html|ics|xlsx] [-o 文件]\n      anjuan stats 案件目录 --year 年度 [-o 目录] [--format json]\n      anjuan schema [-o 文件]\n      anjuan new inspection|enforcement|campaign 编号 [-o 目录]\n运行 anjuan --help 查看全部说明。"
    );
    ExitCode::from(2)
}

/// The argument or value clap complains about, without its English sentence.
fn error_detail(e: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue};
    let text = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(v)) => Some(v.join("、")),
        _ => None,
    };
    match (
        text(ContextKind::InvalidArg),
        text(ContextKind::InvalidValue),
    ) {
        (Some(arg), Some(value)) => format!("{arg} {value}"),
        (Some(arg), None) => arg,
        (None, Some(value)) => value,
        (None, None) => text(ContextKind::InvalidSubcommand).unwrap_or_default(),
    }
}

fn open(common: &Common) -> Result<Project, ExitCode> {
    or_say(Project::open(&common.cases))
}

/// The project opened for a build: its cases checked as they are loaded.
fn open_for_build(common: &Common) -> Result<Project, ExitCode> {
    or_say(Project::open_checked(&common.cases, today(common)))
}

fn or_say(opened: Result<Project, ProjectError>) -> Result<Project, ExitCode> {
    opened.map_err(|e| {
        match e {
            ProjectError::Settings(SettingsError::Invalid(problems)) => {
                eprintln!("anjuan.yaml 有错误，无法继续：");
                print_problems(&problems.sorted());
            }
            other => eprintln!("错误：{other}"),
        }
        ExitCode::from(1)
    })
}

fn today(common: &Common) -> NaiveDate {
    common
        .today
        .unwrap_or_else(|| chrono::Local::now().date_naive())
}

fn print_problems(problems: &[Problem]) {
    for p in problems {
        eprintln!("{p}");
    }
}

fn check(args: CheckArgs) -> ExitCode {
    let project = match open(&args.common) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mut checked = project.check(today(&args.common));
    // Campaign rows are checked like cases of their document's kind; a letter's own deadline
    // (e.g. the notice period) is listed with the cases'.
    let (prepared, letter_problems) = crate::letters::check(&project, today(&args.common));
    checked.problems.extend(letter_problems);
    for letter in prepared.iter().flat_map(|p| &p.letters) {
        let kind = letter.doc().kind;
        checked.deadlines.extend(
            letter
                .case
                .deadlines
                .iter()
                .filter(|d| d.document == kind)
                .cloned(),
        );
    }
    let has_errors = checked.problems.has_errors();
    let problems = checked.problems.sorted();
    if args.format == "json" {
        let out = serde_json::json!({ "deadlines": checked.deadlines, "problems": problems });
        println!(
            "{}",
            serde_json::to_string_pretty(&out).expect("serializes")
        );
    } else {
        print_deadline_table(&checked.deadlines);
        if !problems.is_empty() {
            println!();
            for p in &problems {
                println!("{p}");
            }
        }
        let errors = problems
            .iter()
            .filter(|p| p.severity == crate::problems::Severity::Error)
            .count();
        let letters: usize = prepared
            .iter()
            .map(|p| p.letters.len() + p.failed_rows)
            .sum();
        let campaigns = if prepared.is_empty() {
            String::new()
        } else {
            format!("，批量发文 {} 批 {letters} 封", prepared.len())
        };
        println!(
            "\n案件 {} 件{campaigns}，期限 {} 项；错误 {} 个，警告 {} 个",
            project.cases.len()
                + checked
                    .failed
                    .iter()
                    .filter(|f| f.ends_with(".yaml") || f.ends_with(".yml"))
                    .count(),
            checked.deadlines.len(),
            errors,
            problems.len() - errors
        );
    }
    if has_errors {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn print_deadline_table(deadlines: &[Deadline]) {
    if deadlines.is_empty() {
        println!("（没有可核对的期限）");
        return;
    }
    let header = ["案件", "文书", "期限", "完成日期", "状态", "依据"];
    let rows: Vec<[String; 6]> = deadlines
        .iter()
        .map(|d| {
            [
                d.case.clone(),
                d.document.title().to_string(),
                d.due.to_string(),
                d.done.map(|x| x.to_string()).unwrap_or_else(|| "—".into()),
                d.status.label().to_string(),
                d.rule.clone(),
            ]
        })
        .collect();
    let columns = crate::text::Columns::fit(&header, rows.iter().map(|r| r.as_slice()));
    println!("{}", columns.line(&header));
    println!("{}", columns.rule());
    for r in &rows {
        println!("{}", columns.line(r));
    }
}

fn run_build(args: BuildArgs) -> ExitCode {
    let jobs = args.jobs.unwrap_or(0);
    // typst's own layout and export use the global pool too: documents nested inside it need
    // more than the default 2 MiB stack.
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .stack_size(8 << 20)
        .build_global();
    let project = match open_for_build(&args.common) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let renderer = match Renderer::new(args.templates.as_deref(), args.font_path.as_deref()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("错误：{e}");
            return ExitCode::from(1);
        }
    };
    let opts = BuildOptions {
        out: args.out.clone(),
        today: today(&args.common),
        progress: !args.quiet && std::io::stderr().is_terminal(),
        dump_data: args.dump_data.clone(),
    };
    let when_busy = if args.no_wait {
        build::WhenBusy::Fail
    } else {
        build::WhenBusy::Wait
    };
    let report = match build::build_with(&project, &renderer, &opts, when_busy) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("错误：{e}");
            return ExitCode::from(1);
        }
    };
    let problems: Problems = report.problems.clone();
    let sorted = problems.sorted();
    print_problems(&sorted);
    let secs = report.elapsed.as_secs_f64();
    eprintln!(
        "完成：案件 {} 件生成成功{}；文书 {} 份（本次写入 {} 份），共 {} 页；本次共写入文件 {} 个；用时 {:.2} 秒（平均每份 {:.0} 毫秒）；错误 {} 个，警告 {} 个。输出目录：{}",
        report.cases_built,
        if report.cases_failed.is_empty() {
            String::new()
        } else {
            format!(
                "，{} 件失败（{}）",
                report.cases_failed.len(),
                report.cases_failed.join("、")
            )
        },
        report.documents,
        report.written,
        report.pages,
        report.files_written,
        secs,
        if report.documents > 0 {
            secs * 1000.0 / report.documents as f64
        } else {
            0.0
        },
        report.problems.errors(),
        report.problems.warnings(),
        args.out.display()
    );
    let l = &report.letters;
    if l.campaigns > 0 {
        eprintln!(
            "批量发文：{} 个批次，信函 {} 封，送达回证 {} 份，共 {} 页（本次写入 {} 个文件）{}",
            l.campaigns,
            l.letters,
            l.receipts,
            l.pages,
            l.written,
            if l.failed_rows > 0 {
                format!("；{} 行有错误，未生成", l.failed_rows)
            } else {
                String::new()
            }
        );
    }
    if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn run_keygen(args: KeygenArgs) -> ExitCode {
    match crate::signing::keygen(&args.out) {
        Ok((private, public)) => {
            let abs = std::path::absolute(&private).unwrap_or(private);
            println!(
                "已生成 SM2 签名密钥对。\n  私钥：{}（只有本人可读；请离线妥善保管并另做备份，不要放进共享的案件根目录）\n  公钥：{public}\n\n在 anjuan.yaml 中加入：\n\nsigning:\n  private_key: {}\n  public_key: \"{public}\"\n\n公钥可以公开，交给档案馆用于 anjuan verify --key 核验。",
                abs.display(),
                abs.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("错误：{e}");
            ExitCode::from(1)
        }
    }
}

fn run_verify(args: VerifyArgs) -> ExitCode {
    let mut anchors = crate::archive::verify::Anchors::default();
    if let Some(cases) = &args.cases {
        let settings =
            match crate::settings::discover(cases).and_then(|p| crate::settings::load(&p)) {
                Ok(s) => s,
                Err(SettingsError::Invalid(problems)) => {
                    eprintln!("anjuan.yaml 有错误，无法继续：");
                    print_problems(&problems.sorted());
                    return ExitCode::from(1);
                }
                Err(e) => {
                    eprintln!("错误：{e}");
                    return ExitCode::from(1);
                }
            };
        if let Some(s) = &settings.signing {
            anchors.key = crate::signing::PublicKey::parse(&s.public_key).ok();
        }
        anchors.cases_root = Some(settings.root.clone());
    }
    if let Some(key) = &args.key {
        match crate::signing::read_public(key) {
            Ok(k) => anchors.key = Some(k),
            Err(e) => {
                eprintln!("错误：--key {key}：{e}");
                return ExitCode::from(2);
            }
        }
    }
    let report = crate::archive::verify::verify_with(&args.out, &anchors);
    if args.format == "json" {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("serializes")
        );
    } else {
        print!("{}", report.to_text());
    }
    if report.errors() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Writes `bytes` to `out`, or prints them.
fn emit(out: Option<&std::path::Path>, bytes: &[u8]) -> ExitCode {
    match out {
        Some(path) => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                let _ = std::fs::create_dir_all(dir);
            }
            match std::fs::write(path, bytes) {
                Ok(()) => {
                    eprintln!("已写入 {}", path.display());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!(
                        "错误：无法写入 {}：{}",
                        path.display(),
                        crate::text::io_error(&e)
                    );
                    ExitCode::from(1)
                }
            }
        }
        None => {
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(bytes);
            let _ = stdout.flush();
            ExitCode::SUCCESS
        }
    }
}

fn run_status(args: StatusArgs) -> ExitCode {
    let project = match open(&args.common) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let report = crate::status::collect(&project, today(&args.common), args.within);
    for year in &report.missing_years {
        eprintln!(
            "警告：日历缺少 {year} 年的节假日和调休数据，部分事项的剩余工作日无法计算（显示为“—”）；请在 anjuan.yaml 的 calendar.extra 中加入该年的日历文件"
        );
    }
    let bytes = match args.format.as_str() {
        "json" => {
            let mut s = crate::status::to_json(&report);
            s.push('\n');
            s.into_bytes()
        }
        "html" => crate::status::to_html(&report).into_bytes(),
        "ics" => crate::status::to_ics(&report).into_bytes(),
        "xlsx" => match crate::status::to_xlsx(&report) {
            Ok(b) => {
                let out = args
                    .out
                    .clone()
                    .unwrap_or_else(|| PathBuf::from("案件台账.xlsx"));
                return emit(Some(&out), &b);
            }
            Err(e) => {
                eprintln!("错误：无法生成案件台账：{e}");
                return ExitCode::from(1);
            }
        },
        _ => crate::status::to_table(&report).into_bytes(),
    };
    emit(args.out.as_deref(), &bytes)
}

fn run_stats(args: StatsArgs) -> ExitCode {
    let project = match open(&args.common) {
        Ok(p) => p,
        Err(code) => return code,
    };
    if !(1900..=9999).contains(&args.year) {
        eprintln!("错误：年度 {} 无效，应写作四位数字，如 2026", args.year);
        return ExitCode::from(2);
    }
    let stats = crate::stats::collect(&project, args.year, today(&args.common));
    if args.format == "json" {
        let mut s = crate::stats::to_json(&stats);
        s.push('\n');
        return emit(None, s.as_bytes());
    }
    let renderer = match Renderer::new(None, None) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("错误：{e}");
            return ExitCode::from(1);
        }
    };
    match crate::stats::write(&stats, &renderer, &args.out) {
        Ok(files) => {
            for f in files {
                eprintln!("已写入 {f}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("错误：{e}");
            ExitCode::from(1)
        }
    }
}

fn run_schema(args: SchemaArgs) -> ExitCode {
    emit(args.out.as_deref(), crate::schema::to_string().as_bytes())
}

fn run_new(args: NewArgs) -> ExitCode {
    if !crate::skeleton::valid_id(&args.id) {
        eprintln!(
            "错误：案件编号 {} 只能由字母、数字、“-”和“_”组成（它用作文件名）",
            args.id
        );
        return ExitCode::from(2);
    }
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        eprintln!(
            "错误：无法创建目录 {}：{}",
            args.out.display(),
            crate::text::io_error(&e)
        );
        return ExitCode::from(1);
    }
    let path = args.out.join(format!("{}.yaml", args.id));
    if path.exists() {
        eprintln!("错误：{} 已存在，未覆盖", path.display());
        return ExitCode::from(1);
    }
    if crate::settings::discover(&args.out).is_err() {
        eprintln!(
            "提示：{} 及其上级目录中没有 anjuan.yaml；案件文件应放在案件根目录（含 anjuan.yaml）之下",
            args.out.display()
        );
    }
    let depth = crate::skeleton::depth_below_root(&args.out);
    let text =
        crate::skeleton::skeleton(&args.kind, &args.id, depth).expect("kind checked by clap");
    match std::fs::write(&path, text) {
        Ok(()) => {
            eprintln!(
                "已写入 {}：请填写标有【必填】的项，然后运行 anjuan check 核对",
                path.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!(
                "错误：无法写入 {}：{}",
                path.display(),
                crate::text::io_error(&e)
            );
            ExitCode::from(1)
        }
    }
}
