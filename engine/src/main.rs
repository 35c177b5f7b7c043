//! `klpscope`: run and check livepatch callback scenarios.
//!
//! Exit codes: 0 success / all passed, 1 a transcript mismatch, 2 a usage,
//! input or parse error.

use clap::{Parser, Subcommand, ValueEnum};
use klpscope_engine::{
    KernelVersion, Semantics, check, diff, parse, render, run_with, share, table,
};
use std::io::Read;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "klpscope",
    version,
    about = "Which livepatch callback runs when, seeing what"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Print the transcript of a scenario (FILE or - for stdin).
    Run {
        /// Scenario file, or - for standard input.
        #[arg(required_unless_present = "link")]
        file: Option<String>,
        /// Replay a share link instead of a file: the fragment (with or
        /// without `#`) or the whole URL.
        #[arg(long, value_name = "FRAGMENT|URL", conflicts_with = "file")]
        link: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Log)]
        format: Format,
        /// Which log lines the console shows: `debug` (dynamic debug on for
        /// the livepatch core, as the selftests run) or `default` (no pr_debug).
        #[arg(long, value_enum, default_value_t = ConsoleArg::Debug)]
        console: ConsoleArg,
        /// Semantics profile [default: the file's `# semantics:` header, else upstream].
        #[arg(long)]
        semantics: Option<Semantics>,
        /// Kernel release, e.g. 5.4 [default: the file's `# kernel:` header, else latest].
        #[arg(long, value_name = "VERSION")]
        kernel: Option<KernelVersion>,
        /// The site's address, for the link in `--format mail`.
        #[arg(long, value_name = "URL", default_value = "")]
        url: String,
    },
    /// Replay scenario files and diff them against their expected output.
    Check {
        /// Scenario files.
        #[arg(required = true)]
        files: Vec<String>,
        /// Semantics profile [default: each file's `# semantics:` header, else upstream].
        #[arg(long)]
        semantics: Option<Semantics>,
        /// Kernel release, e.g. 4.15 [default: each file's `# kernel:` header,
        /// else a pasted log's `Linux version` banner, else latest].
        #[arg(long, value_name = "VERSION")]
        kernel: Option<KernelVersion>,
    },
    /// Replay a scenario under two semantics profiles and print both
    /// transcripts aligned (exit 0 if they agree, 1 if not).
    Diff {
        /// Scenario file, or - for standard input.
        file: String,
        /// Two profiles, A,B (one name: upstream against it).
        #[arg(long, default_value = "upstream,seed-v1")]
        semantics: String,
    },
    /// The situation table: patch phase × target module event, computed.
    Table {
        /// Output format.
        #[arg(long, value_enum, default_value_t = TableFormat::Text)]
        format: TableFormat,
        /// Kernel release, e.g. 5.4 [default: latest].
        #[arg(long, value_name = "VERSION", default_value_t = KernelVersion::Latest)]
        kernel: KernelVersion,
    },
    /// Run every command sequence up to a depth and check the invariants;
    /// with --ask, answer a question ("can this ever happen?").
    Explore {
        /// How many commands deep (default 4; 8 with --ask).
        #[arg(long)]
        depth: Option<usize>,
        /// A question: one of --questions' ids, or
        /// 'CALLBACK [on OBJECT] [seeing STATE] [after COMMAND]'.
        #[arg(long, value_name = "QUESTION", conflicts_with = "questions")]
        ask: Option<String>,
        /// List the questions with their kernel reasons.
        #[arg(long)]
        questions: bool,
        /// Kernel release the invariants are checked on, e.g. 5.4 [default: latest].
        #[arg(
            long,
            value_name = "VERSION",
            default_value_t = KernelVersion::Latest,
            conflicts_with_all = ["ask", "questions"]
        )]
        kernel: KernelVersion,
    },
    /// Work through the exercises of a Markdown file: type each answer,
    /// get the diff against the engine's. With --check, verify exercises.
    #[command(after_help = klpscope_engine::quiz::ANSWER_FORMAT)]
    Quiz {
        /// Markdown file with ```klpscope-quiz blocks (or, with --check, a
        /// directory of them).
        #[arg(required_unless_present = "check")]
        file: Option<std::path::PathBuf>,
        /// Verify that every exercise under DIR parses, runs and has an
        /// engine-computed answer; exit 1 if one does not.
        #[arg(long, value_name = "DIR", conflicts_with = "file")]
        check: Option<std::path::PathBuf>,
        /// Print the engine's answers instead of asking.
        #[arg(long)]
        answers: bool,
        /// Ask only the exercise with this id.
        #[arg(long, value_name = "ID")]
        only: Option<String>,
    },
    /// Write kernel modules for a scenario's `define` blocks (NAME.c,
    /// Kbuild, Makefile) and run.sh, which replays it on the running kernel.
    Kmod {
        /// Scenario file, or - for standard input.
        file: String,
        /// Output directory (created if missing).
        dir: std::path::PathBuf,
        /// Kernel release the modules are for, e.g. 5.4 [default: the
        /// file's `# kernel:` header, else latest]; refused where the
        /// generated code would not build.
        #[arg(long, value_name = "VERSION")]
        kernel: Option<KernelVersion>,
    },
    /// Print the share-link fragment for a scenario.
    Link {
        /// Scenario file, or - for standard input.
        file: String,
    },
    /// Write the documentation as static HTML: index.html, a page per
    /// chapter, print.html, and the site's CSS.
    Book {
        /// Output directory (created if missing).
        outdir: std::path::PathBuf,
        /// The documentation: SUMMARY and the chapters it lists.
        #[arg(long, default_value = "content")]
        content: std::path::PathBuf,
        /// The CSS to copy and link [default: style/ beside the content directory].
        #[arg(long)]
        style: Option<std::path::PathBuf>,
        /// The interactive site, relative to the pages (explorer links).
        #[arg(long, default_value = "../index.html")]
        app: String,
        /// Also write the site's shell and opening chapter into this built
        /// index.html (the site's first paint, before its wasm runs).
        #[arg(long)]
        prerender: Option<std::path::PathBuf>,
        /// Also write the upstream selftest transcripts into this file, as
        /// one bundle (the site loads it for its log check).
        #[arg(long)]
        selftests: Option<std::path::PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum TableFormat {
    /// One block per situation.
    Text,
    /// A Markdown table.
    Markdown,
    /// Cells with their scenarios, as JSON.
    Json,
    /// Every callback of every situation with its full contract, as Markdown.
    Contracts,
}

#[derive(Clone, Copy, ValueEnum)]
enum ConsoleArg {
    /// Every line, pr_debug included (the selftests' dynamic debug).
    Debug,
    /// What a console shows by default: pr_debug lines left out.
    Default,
}

impl From<ConsoleArg> for render::Console {
    fn from(c: ConsoleArg) -> Self {
        match c {
            ConsoleArg::Debug => render::Console::DynamicDebug,
            ConsoleArg::Default => render::Console::Default,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// The kernel log, as the selftests see it.
    Log,
    /// Events and snapshots, as JSON.
    Json,
    /// Swim lanes in plain text: one column per object.
    Timeline,
    /// The swim lanes as a Markdown table.
    Markdown,
    /// A ```klpscope block for a documentation page.
    Docs,
    /// Link, scenario and swim lanes, ready to paste into a mail.
    Mail,
    /// What the callbacks set up, what undid it, what remains and leaks.
    Ledger,
}

fn read_input(file: &str) -> Result<String, String> {
    if file == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("<stdin>: {e}"))?;
        Ok(s)
    } else {
        std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))
    }
}

fn label(file: &str) -> &str {
    if file == "-" { "<stdin>" } else { file }
}

/// Warnings go to stderr, each with its place and hint; the run goes on.
fn warn(file: &str, warnings: &[klpscope_engine::ParseError]) {
    for w in warnings {
        eprintln!("klpscope: warning: {}", w.in_file(label(file)));
    }
}

/// `klpscope run`: print a scenario's transcript (from a file or a link).
fn cmd_run(
    file: Option<&str>,
    link: Option<&str>,
    format: Format,
    console: ConsoleArg,
    sem: Option<Semantics>,
    kernel: Option<KernelVersion>,
    url: &str,
) -> ExitCode {
    let (file, text) = match (file, link) {
        (_, Some(link)) => match share::decode(link) {
            Ok(t) => ("<link>", t),
            Err(e) => return fail(&e.in_file("<link>")),
        },
        (Some(file), None) => match read_input(file) {
            Ok(t) => (file, t),
            Err(e) => return fail(&e),
        },
        (None, None) => return fail("run: give a FILE or --link FRAGMENT"),
    };
    match parse(&text) {
        Ok(mut scenario) => {
            warn(file, &scenario.warnings);
            if kernel.is_some() {
                scenario.kernel = kernel;
            }
            let r = run_with(&scenario, sem.or(scenario.semantics).unwrap_or_default());
            match format {
                Format::Log => print!("{}", render::log_on(&r, console.into())),
                Format::Json => println!("{}", render::json(&r)),
                Format::Timeline => print!("{}", render::timeline(&r)),
                Format::Markdown => print!("{}", render::markdown(&r)),
                Format::Docs => print!("{}", klpscope_engine::mail::docs_block(&text)),
                Format::Mail => print!("{}", klpscope_engine::mail::for_mail(&text, &r, url, None)),
                Format::Ledger => print!(
                    "{}",
                    klpscope_engine::ledger::text(&klpscope_engine::ledger::ledger(&r))
                ),
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e.in_file(label(file))),
    }
}

/// `klpscope check`: replay and compare; last line `N passed, M failed`.
/// A scenario file is compared strictly; a pasted log (any dressing, a
/// selftest diff, unknown commands) is read by `log` and reported with
/// its counts, pass or fail.
fn cmd_check(files: &[String], sem: Option<Semantics>, kernel: Option<KernelVersion>) -> ExitCode {
    let (mut passed, mut failed, mut errors) = (0, 0, 0);
    for file in files {
        let result = read_input(file).and_then(|t| {
            if check::is_pasted_log(&t) {
                return check::check_log_on(&t, sem, kernel)
                    .map(|c| {
                        let report = c.render(label(file));
                        (c.passed, report, c.nothing_compared.is_some())
                    })
                    .map_err(|e| e.in_file(label(file)));
            }
            check::check_text_on(label(file), &t, sem, kernel)
                .map(|r| (r.passed, r.diff, false))
                .map_err(|e| e.in_file(label(file)))
        });
        match result {
            Ok((true, report, _)) => {
                println!("ok   {file}");
                print!("{report}");
                passed += 1;
            }
            Ok((false, report, nothing)) => {
                println!("{} {file}", if nothing { "NONE" } else { "FAIL" });
                print!("{report}");
                failed += 1;
            }
            Err(e) => {
                eprintln!("klpscope: {e}");
                println!("ERR  {file}");
                errors += 1;
                failed += 1;
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if errors > 0 {
        ExitCode::from(2)
    } else if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `klpscope diff`: one scenario under two profiles, aligned.
fn cmd_diff(file: &str, pair: &str) -> ExitCode {
    let (a, b) = match diff::parse_pair(pair) {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let scenario =
        match read_input(file).and_then(|t| parse(&t).map_err(|e| e.in_file(label(file)))) {
            Ok(s) => s,
            Err(e) => return fail(&e),
        };
    let d = diff::compare(&scenario, a, b);
    print!("{}", d.render());
    ExitCode::from(u8::from(!d.agree()))
}

/// `klpscope link`: the share fragment.
fn cmd_link(file: &str) -> ExitCode {
    let text = match read_input(file) {
        Ok(t) => t,
        Err(e) => return fail(&e),
    };
    if let Err(e) = parse(&text) {
        return fail(&e.in_file(label(file)));
    }
    println!("#{}", share::encode(&text));
    ExitCode::SUCCESS
}

/// `klpscope table`: the situation table.
fn cmd_table(format: TableFormat, kernel: KernelVersion) -> ExitCode {
    let cells = table::situation_table_on(kernel);
    match format {
        TableFormat::Text => print!("{}", table::text(&cells)),
        TableFormat::Markdown => print!("{}", table::markdown(&cells)),
        TableFormat::Contracts => print!("{}", table::contracts_markdown(&cells)),
        TableFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&cells).unwrap_or_default()
        ),
    }
    ExitCode::SUCCESS
}

/// `klpscope explore`: exhaustive exploration with invariant checks.
fn cmd_explore(depth: usize, kernel: KernelVersion) -> ExitCode {
    let r = klpscope_engine::explore::explore_on(depth, kernel);
    println!(
        "depth {}: {} commands, {} steps, {} distinct states, {} violations",
        r.depth,
        r.commands,
        r.steps,
        r.states,
        r.violations.len()
    );
    for v in r.violations.iter().take(5) {
        println!("\n# {}\n{}", v.message, v.scenario);
    }
    if r.violations.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// `klpscope explore --questions`.
fn cmd_questions() -> ExitCode {
    for q in klpscope_engine::ask::QUESTIONS {
        println!("{}\n    {}\n    kernel: {}\n", q.id, q.text, q.reason);
    }
    ExitCode::SUCCESS
}

/// `klpscope explore --ask`: never (with the states checked) or the
/// shortest scenario, printed as a scenario file.
fn cmd_ask(text: &str, depth: usize) -> ExitCode {
    use klpscope_engine::ask::{Answer, Question, ask};
    let question = match Question::parse(text) {
        Ok(q) => q,
        Err(e) => return fail(&format!("{}\n  hint: {}", e.message, e.hint)),
    };
    match ask(question.clone(), depth) {
        Answer::Never {
            states,
            depth,
            steps,
        } => {
            println!("# {}", question.text());
            println!("# never: checked {states} states ({steps} steps) to depth {depth}");
        }
        Answer::Yes(w) => {
            println!("# {}", question.text());
            println!(
                "# yes: {} at step {} (shortest scenario, {} states checked)",
                w.what, w.step, w.states
            );
            print!("{}", w.scenario);
        }
    }
    ExitCode::SUCCESS
}

/// `klpscope book`: the static book.
fn cmd_book(
    outdir: &std::path::Path,
    content: &std::path::Path,
    style: Option<&std::path::Path>,
    app: &str,
    prerender: Option<&std::path::Path>,
    selftests: Option<&std::path::Path>,
) -> ExitCode {
    use klpscope_engine::book::{Book, site};
    let style = style.map(std::path::Path::to_path_buf).unwrap_or_else(|| {
        let parent = content.parent().unwrap_or(std::path::Path::new(""));
        parent.join("style")
    });
    let options = site::Options {
        app: app.to_string(),
        style: Some(style),
    };
    let book = match Book::load(content) {
        Ok(book) => book,
        Err(e) => return fail(&e.to_string()),
    };
    if let Some(page) = prerender {
        let done = std::fs::read_to_string(page)
            .map_err(|e| e.to_string())
            .and_then(|html| klpscope_engine::book::prerender::insert(&book, 0, &html))
            .and_then(|html| std::fs::write(page, html).map_err(|e| e.to_string()));
        if let Err(e) = done {
            return fail(&format!("{}: {e}", page.display()));
        }
    }
    if let Some(file) = selftests
        && let Err(e) = std::fs::write(file, klpscope_engine::log::selftests::bundle())
    {
        return fail(&format!("{}: {e}", file.display()));
    }
    match site::write(&book, outdir, &options) {
        Ok(written) => {
            for w in &written.warnings {
                eprintln!("klpscope: warning: {w}");
            }
            println!(
                "wrote {} files to {}",
                written.files.len(),
                outdir.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e.to_string()),
    }
}

fn cmd_kmod(file: &str, dir: &std::path::Path, kernel: Option<KernelVersion>) -> ExitCode {
    let text = match read_input(file) {
        Ok(t) => t,
        Err(e) => return fail(&e),
    };
    let scenario = match parse(&text) {
        Ok(s) => s,
        Err(e) => return fail(&e.in_file(label(file))),
    };
    let kernel = kernel.or(scenario.kernel).unwrap_or_default();
    if let Err(e) = klpscope_engine::kmod::supported_on(&scenario, kernel) {
        return fail(&e);
    }
    if let Err(e) = std::fs::create_dir_all(dir) {
        return fail(&format!("{}: {e}", dir.display()));
    }
    for (name, contents) in klpscope_engine::kmod::generate(&scenario) {
        let path = dir.join(&name);
        if let Err(e) = std::fs::write(&path, contents) {
            return fail(&format!("{}: {e}", path.display()));
        }
        #[cfg(unix)]
        if name.ends_with(".sh") {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755));
        }
        println!("{}", path.display());
    }
    ExitCode::SUCCESS
}

fn fail(msg: &str) -> ExitCode {
    eprintln!("klpscope: {msg}");
    ExitCode::from(2)
}

/// A closed pipe ends the process as it ends `cat` (SIGPIPE), instead of
/// the panic Rust's print macros turn EPIPE into.
fn die_on_broken_pipe() {
    #[cfg(unix)]
    // SAFETY: restores the default action of one signal before any thread
    // or output exists; no handler runs Rust code.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn main() -> ExitCode {
    die_on_broken_pipe();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match &cli.command {
        Cmd::Run {
            file,
            link,
            format,
            console,
            semantics,
            kernel,
            url,
        } => cmd_run(
            file.as_deref(),
            link.as_deref(),
            *format,
            *console,
            *semantics,
            *kernel,
            url,
        ),
        Cmd::Check {
            files,
            semantics,
            kernel,
        } => cmd_check(files, *semantics, *kernel),
        Cmd::Diff { file, semantics } => cmd_diff(file, semantics),
        Cmd::Link { file } => cmd_link(file),
        Cmd::Kmod { file, dir, kernel } => cmd_kmod(file, dir, *kernel),
        Cmd::Quiz {
            file,
            check,
            answers,
            only,
        } => ExitCode::from(klpscope_engine::quiz::term::main(
            file.as_deref(),
            check.as_deref(),
            *answers,
            only.as_deref(),
        )),
        Cmd::Table { format, kernel } => cmd_table(*format, *kernel),
        Cmd::Explore {
            depth,
            ask,
            questions,
            kernel,
        } => match (ask, questions) {
            (_, true) => cmd_questions(),
            (Some(q), _) => cmd_ask(q, depth.unwrap_or(klpscope_engine::ask::DEFAULT_DEPTH)),
            (None, false) => cmd_explore(depth.unwrap_or(4), *kernel),
        },
        Cmd::Book {
            outdir,
            content,
            style,
            app,
            prerender,
            selftests,
        } => cmd_book(
            outdir,
            content,
            style.as_deref(),
            app,
            prerender.as_deref(),
            selftests.as_deref(),
        ),
    }
}
