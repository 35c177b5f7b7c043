//! What a line of a log records: a command someone typed (after a `% `,
//! `$ ` or `# ` prompt), a line the selftest harness
//! (tools/testing/selftests/livepatch/functions.sh) wrote into the log
//! itself, a test's name, part of a scenario, or the kernel's output.

/// What one undressed line is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
    /// A command: the text after its prompt.
    Command(String),
    /// A line functions.sh writes to /dev/kmsg after running this command
    /// (`set_ftrace_enabled`): the command is replayed, and the line is
    /// compared with what the model records for it.
    Record(String),
    /// A test starts or reports: `===== TEST: NAME =====` (functions.sh's
    /// `start_test`, in the log) or `TEST: NAME ... ok` (its output).
    Test(String),
    /// A comment, a blank line, or a line of a `define` block.
    Scenario,
    /// Kernel output (or a console's error line), to compare.
    Kernel,
}

/// Words that start a shell command after a `$ ` or `# ` prompt.
const SHELL: &[&str] = &[
    "insmod",
    "modprobe",
    "rmmod",
    "echo",
    "sysctl",
    "sleep",
    "cat",
    "ls",
    "lsmod",
    "dmesg",
    "grep",
    "while",
    "for",
    "if",
    "modinfo",
    "kpatch",
    "cd",
    "make",
    "uname",
    "journalctl",
    "tail",
    "head",
    "sed",
    "awk",
    "find",
    "kill",
    "sync",
    "trace-cmd",
    "perf",
    "bash",
    "sh",
    "sudo",
    "taskset",
    "cp",
    "mount",
    "ps",
];

/// The role of a line whose dressing is gone.
pub fn role(text: &str) -> Role {
    let t = text.trim_end();
    if let Some(cmd) = command(t) {
        return Role::Command(cmd);
    }
    if let Some(name) = test_name(t) {
        return Role::Test(name);
    }
    if let Some(cmd) = harness_record(t) {
        return Role::Record(cmd);
    }
    if t.trim().is_empty() || t.starts_with('#') {
        return Role::Scenario;
    }
    Role::Kernel
}

/// The command of a `% CMD` line (how functions.sh logs each command it
/// runs) or of a shell prompt: `$ CMD`, `# CMD`, `user@host:~# CMD`,
/// `[user@host dir]$ CMD`.
fn command(t: &str) -> Option<String> {
    if let Some(rest) = t.strip_prefix('%') {
        let rest = rest.trim();
        return (!rest.is_empty()).then(|| rest.to_string());
    }
    let (prompt_end, after) = prompt(t)?;
    let cmd = after.trim();
    let first = cmd.split_whitespace().next()?;
    let shell_word = SHELL.contains(&first)
        || first.starts_with("./")
        || first.starts_with('/')
        || first.contains('=') && !first.starts_with('=');
    // After a bare `#` only a shell word makes a command: `# Title: ...` is a comment.
    (shell_word || prompt_end != '#').then(|| strip_sudo(cmd).to_string())
}

/// A prompt's last character and what follows it.
fn prompt(t: &str) -> Option<(char, &str)> {
    for p in ['$', '#'] {
        if let Some(rest) = t.strip_prefix(p)
            && rest.starts_with(' ')
        {
            return Some((p, rest));
        }
    }
    // user@host:dir# / [user@host dir]$
    let i = t.find(['#', '$'])?;
    let head = &t[..i];
    let looks_like_prompt = head.contains('@')
        && !head.contains(' ') | head.starts_with('[')
        && !head.contains(": ")
        && t[i + 1..].starts_with(' ');
    looks_like_prompt.then(|| (t.as_bytes()[i] as char, &t[i + 1..]))
}

fn strip_sudo(cmd: &str) -> &str {
    cmd.strip_prefix("sudo ").map_or(cmd, str::trim_start)
}

/// `===== TEST: NAME =====` or `TEST: NAME ... ok` / `... not ok`.
fn test_name(t: &str) -> Option<String> {
    if let Some(rest) = t.strip_prefix("===== TEST: ") {
        return Some(rest.trim_end_matches('=').trim().to_string());
    }
    let rest = t.strip_prefix("TEST: ")?;
    let name = rest.split(" ...").next()?.trim();
    (!name.is_empty()).then(|| name.to_string())
}

/// The command a harness line records: functions.sh's `set_ftrace_enabled`
/// runs `sysctl kernel.ftrace_enabled=N` and logs `livepatch:
/// kernel.ftrace_enabled = N`, or, when the write fails, sysctl's own
/// error (only a write of 0 can fail: `ftrace_enable_sysctl()` refuses to
/// turn ftrace off under a permanent ops).
fn harness_record(t: &str) -> Option<String> {
    if let Some(v) = t.strip_prefix("livepatch: kernel.ftrace_enabled = ") {
        let v = v.trim();
        return (!v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
            .then(|| format!("sysctl -w kernel.ftrace_enabled={v}"));
    }
    t.starts_with("livepatch: sysctl: setting key \"kernel.ftrace_enabled\"")
        .then(|| "sysctl -w kernel.ftrace_enabled=0".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts_and_their_commands() {
        let cmd = |s: &str| Role::Command(s.into());
        assert_eq!(
            role("% insmod test_modules/x.ko"),
            cmd("insmod test_modules/x.ko")
        );
        assert_eq!(
            role("$ cat /sys/kernel/livepatch/p/transition"),
            cmd("cat /sys/kernel/livepatch/p/transition")
        );
        assert_eq!(role("# insmod x.ko"), cmd("insmod x.ko"));
        assert_eq!(role("root@vm:~# rmmod x"), cmd("rmmod x"));
        assert_eq!(role("[root@vm ~]# sudo lsmod"), cmd("lsmod"));
        assert_eq!(
            role("$ while true; do cat f; done"),
            cmd("while true; do cat f; done")
        );
        assert_eq!(role("# Title: TEST: x"), Role::Scenario);
        assert_eq!(role("# cmd: wait until x"), Role::Scenario);
        assert_eq!(
            role("livepatch: 'p': starting patching transition"),
            Role::Kernel
        );
        assert_eq!(role("test_klp_x: a#b c"), Role::Kernel);
    }

    #[test]
    fn harness_lines() {
        assert_eq!(
            role("===== TEST: busy target module ====="),
            Role::Test("busy target module".into())
        );
        assert_eq!(
            role("TEST: basic function loading ... not ok"),
            Role::Test("basic function loading".into())
        );
        assert_eq!(
            role("livepatch: kernel.ftrace_enabled = 0"),
            Role::Record("sysctl -w kernel.ftrace_enabled=0".into())
        );
        assert_eq!(
            role(
                "livepatch: sysctl: setting key \"kernel.ftrace_enabled\": Device or resource busy"
            ),
            Role::Record("sysctl -w kernel.ftrace_enabled=0".into())
        );
    }
}
