//! The user space around the selftests' commands that the harness runs
//! without logging them (`# $ ` lines): writes to `/dev/kmsg`, reads of
//! /proc and sysfs files, and the processes test-syscall.sh starts.

use crate::catalog::FuncBody;
use crate::catalog::selftests::{COUNT_ATTRS, PROC_FILES, PROGRAMS};
use crate::errno::Errno;
use crate::event::EventKind;
use crate::world::{Impl, Task, World};

impl World {
    /// Kernel: `devkmsg_write()`, kernel/printk/printk.c: `echo TEXT >
    /// /dev/kmsg` (functions.sh's `log`) puts the line into the kernel log as
    /// written. Each `$(cat PATH)` in it is first replaced, as the shell does,
    /// by the file's contents.
    pub(crate) fn devkmsg_write(&mut self, text: &str) {
        let mut line = String::new();
        let mut rest = text;
        while let Some((before, path, after)) = cat_substitution(rest) {
            line.push_str(before);
            match self.read_file(path) {
                Some(v) => line.push_str(&v),
                None => self.emit(
                    EventKind::UserError {
                        errno: Errno::ENOENT.0,
                    },
                    Some(format!("cat: {path}: No such file or directory")),
                    None,
                    None,
                ),
            }
            rest = after;
        }
        line.push_str(rest);
        self.emit(EventKind::Harness, Some(line), None, None);
    }

    /// `grep PATTERN FILE > /dev/kmsg`: the lines of a /proc file that
    /// contain PATTERN, written into the kernel log.
    pub(crate) fn grep_to_kmsg(&mut self, pattern: &str, path: &str) {
        let Some(lines) = self.seq_read(path) else {
            self.emit(
                EventKind::UserError {
                    errno: Errno::ENOENT.0,
                },
                Some(format!("grep: {path}: No such file or directory")),
                None,
                None,
            );
            return;
        };
        for line in lines.into_iter().filter(|l| l.contains(pattern)) {
            self.emit(EventKind::Harness, Some(line), None, None);
        }
    }

    /// Kernel: `seq_read()`, fs/seq_file.c, on a /proc file: it calls the
    /// file's `show` function, so the ftrace handler picks the code for the
    /// reading process (a fresh one, forked from the shell). `None`: no such
    /// file; lines the model does not know (the boot command line) are left
    /// out.
    fn seq_read(&mut self, path: &str) -> Option<Vec<String>> {
        let file = PROC_FILES.iter().find(|f| f.path == path)?;
        if let Some(m) = file.obj
            && self.module(m).is_none()
        {
            return None;
        }
        let reader = self.klp_copy_process("cat");
        let code = self.klp_ftrace_handler(&reader, file.obj, file.show);
        let text = match code {
            Impl::Original => crate::catalog::selftests::seq_show(file.obj, file.show),
            Impl::New { patch, name } => crate::catalog::selftests::seq_show(Some(&patch), &name),
        };
        Some(text.map(String::from).into_iter().collect())
    }

    /// The value `cat PATH` prints (without its newline), for the sysfs
    /// files the selftests read; `None` if the model has no such file.
    pub(crate) fn read_file(&self, path: &str) -> Option<String> {
        let flag = |b: bool| if b { "1" } else { "0" }.to_string();
        let parts: Vec<&str> = path.split('/').collect();
        match parts.as_slice() {
            ["", "sys", "kernel", "livepatch", p, attr] => {
                let patch = self.patch(p)?;
                if !self.kernel().patch_attr_exists(attr) {
                    return None;
                }
                match *attr {
                    "enabled" => Some(flag(patch.enabled)),
                    "transition" => Some(flag(self.is_transition_patch(p))),
                    "replace" => Some(flag(patch.replace)),
                    "stack_order" => Some(self.stack_order_show(p).to_string()),
                    _ => None,
                }
            }
            ["", "sys", "kernel", "livepatch", p, obj, "patched"] => {
                if !self.kernel().object_patched_attr() {
                    return None;
                }
                let o = self
                    .patch(p)?
                    .objs
                    .iter()
                    .find(|o| o.display_name() == *obj)?;
                Some(flag(o.patched))
            }
            ["", "sys", "module", m, "parameters", param] => {
                self.module(m)?.param(param).map(String::from)
            }
            ["", "sys", "module", m, "refcnt"] => Some(self.module(m)?.refcnt.to_string()),
            _ => {
                let attr = COUNT_ATTRS.iter().find(|a| a.path == path)?;
                let m = self.module(attr.module)?;
                Some(m.array_count(attr.param).to_string())
            }
        }
    }

    /// `PROGRAM &` from the shell: a process (test_klp-call_getpid) that
    /// calls one syscall in a loop until killed.
    pub(crate) fn start_program(&mut self, path: &str) {
        let Some(prog) = PROGRAMS.iter().find(|p| p.path == path) else {
            return;
        };
        let mut task = self.klp_copy_process(prog.comm);
        task.calls = Some(prog.calls.into());
        self.next_pid += 1;
        self.tasks.push(task);
    }

    /// `kill PID`: SIGTERM ends a looping process.
    pub(crate) fn kill(&mut self, pid: u32) {
        match self
            .tasks
            .iter()
            .position(|t| t.pid == pid && t.calls.is_some())
        {
            Some(i) => {
                self.tasks.remove(i);
            }
            None => self.emit(
                EventKind::UserError { errno: Errno(3).0 },
                Some(format!("-bash: kill: ({pid}) - No such process")),
                None,
                None,
            ),
        }
    }

    /// Kernel: `klp_copy_process()`, kernel/livepatch/transition.c: a child
    /// forked from the shell takes the shell's `patch_state` (and its
    /// TIF_PATCH_PENDING); the pid is the next free one.
    fn klp_copy_process(&self, comm: &str) -> Task {
        let shell = self.tasks.iter().find(|t| t.comm == "bash");
        Task {
            comm: comm.into(),
            pid: self.next_pid,
            patch_state: shell.map_or(self.klp_target_state, |t| t.patch_state),
            pending: shell.is_some_and(|t| t.pending),
            owner: None,
            frame: None,
            park: None,
            on_wake: Vec::new(),
            calls: None,
        }
    }

    /// Each looping process makes one more call of its syscall; the ftrace
    /// handler picks old or new code by its `patch_state`.
    pub(crate) fn run_user_processes(&mut self) {
        let calls: Vec<(usize, String)> = self
            .tasks
            .iter()
            .enumerate()
            .filter_map(|(i, t)| t.calls.clone().map(|c| (i, c)))
            .collect();
        for (i, func) in calls {
            if let Impl::New { patch, name } = self.klp_ftrace_handler(&self.tasks[i], None, &func)
                && let Some(FuncBody::ClearsCallerPid(param)) = self.replacement_body(&patch, &name)
            {
                let pid = self.tasks[i].pid;
                self.lp_sys_getpid(&patch, &param, pid);
            }
        }
    }

    /// test_klp_syscall's `lp_sys_getpid()`: while some pids are pending,
    /// the caller's pid, if listed, is zeroed in the array and counted off.
    fn lp_sys_getpid(&mut self, module: &str, param: &str, pid: u32) {
        let Some(m) = self.module_mut(module) else {
            return;
        };
        if m.array_count(param) == 0 {
            return;
        }
        let Some(list) = m.param(param).map(String::from) else {
            return;
        };
        let mut found = false;
        let updated: Vec<String> = list
            .split(',')
            .map(|v| {
                if !found && v.parse::<i64>().ok() == Some(i64::from(pid)) {
                    found = true;
                    "0".to_string()
                } else {
                    v.to_string()
                }
            })
            .collect();
        if found {
            m.params.retain(|(n, _)| n != param);
            m.params.push((param.into(), updated.join(",")));
            for (n, c) in &mut m.array_counts {
                if n == param {
                    *c = c.saturating_sub(1);
                }
            }
        }
    }
}

/// Splits `A$(cat PATH)B` into `A`, `PATH`, `B`.
pub(crate) fn cat_substitution(text: &str) -> Option<(&str, &str, &str)> {
    let start = text.find("$(cat ")?;
    let rest = &text[start + 6..];
    let end = rest.find(')')?;
    Some((&text[..start], rest[..end].trim(), &rest[end + 1..]))
}

#[cfg(test)]
mod tests {
    use crate::render::{comparable_log, log};

    #[test]
    fn a_harness_step_runs_without_a_command_line() {
        let text = "% insmod test_modules/test_klp_livepatch.ko\n\
                    # $ grep 'live patched' /proc/cmdline > /dev/kmsg\n";
        let run = crate::run_text(text).expect("parses");
        let cmp = comparable_log(&run);
        assert!(!cmp.iter().any(|l| l.contains("grep")), "{cmp:?}");
        assert_eq!(
            cmp.last().map(String::as_str),
            Some("test_klp_livepatch: this has been live patched")
        );
        // `run` keeps the step, in its own form, so its output parses again.
        let out = log(&run);
        assert!(out.contains("\n# $ grep 'live patched' /proc/cmdline > /dev/kmsg\n"));
        let again = crate::parse(&out).expect("parses");
        assert!(!again.steps[1].logged);
    }

    #[test]
    fn malformed_harness_steps_are_errors_with_a_place_and_a_hint() {
        for (text, col, hint) in [
            (
                "# $ grep x /proc/cmdlin > /dev/kmsg\n",
                12,
                "did you mean '/proc/cmdline'?",
            ),
            (
                "# $ grep x /proc/cmdline\n",
                25,
                "grep 'PATTERN' FILE > /dev/kmsg",
            ),
            ("# $ ./test_klp-call_getpid\n", 27, "' &'"),
            ("# $ ./getpid &\n", 5, "./test_klp-call_getpid"),
            ("# $ kill me\n", 10, "process id"),
        ] {
            let e = crate::parse(text).expect_err(text);
            assert_eq!((e.line, e.col), (1, col), "{text}: {e:?}");
            assert!(
                e.hint.as_deref().is_some_and(|h| h.contains(hint)),
                "{text}: {e:?}"
            );
        }
    }

    #[test]
    fn a_post_handler_kprobe_and_a_livepatch_of_its_function_exclude_each_other() {
        let text = "% insmod test_modules/test_klp_livepatch.ko\n\
                    % insmod test_modules/test_klp_kprobe.ko\n\
                    % insmod test_modules/test_klp_kprobe.ko has_post_handler=N\n";
        let out = log(&crate::run_text(text).expect("parses"));
        assert!(
            out.contains("insmod: ERROR: could not insert module test_modules/test_klp_kprobe.ko: Device or resource busy"),
            "{out}"
        );
        assert!(out.trim_end().ends_with("has_post_handler=N"), "{out}");
    }
}
