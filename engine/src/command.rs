//! The commands of a scenario: what a person types at a root shell.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Which module loader tool a load uses (they word errors differently).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Loader {
    /// `insmod PATH.ko`
    Insmod,
    /// `modprobe NAME`
    Modprobe,
}

/// One `% ` command.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "command")]
pub enum Command {
    /// `insmod [DIR/]NAME.ko [p=v ...]` or `modprobe NAME [p=v ...]`.
    Load {
        /// Which tool.
        loader: Loader,
        /// The argument as typed (`test_modules/x.ko` or `x`).
        path: String,
        /// The module name.
        module: String,
        /// Parameters as given; a bare `p` has value `None`.
        params: Vec<(String, Option<String>)>,
    },
    /// `rmmod NAME`
    Rmmod {
        /// The module name.
        module: String,
    },
    /// `echo V > /sys/kernel/livepatch/P/ATTR` (`enabled`, `force`, ...).
    PatchAttr {
        /// The patch (livepatch module) name.
        patch: String,
        /// The attribute file.
        attr: String,
        /// What is written.
        value: String,
    },
    /// `echo V > /sys/module/M/parameters/P`
    Param {
        /// Module name.
        module: String,
        /// Parameter name.
        param: String,
        /// What is written.
        value: String,
    },
    /// `sleep N`: N seconds pass (sleeping work wakes, the transition
    /// work retries once a second).
    Sleep {
        /// Seconds.
        secs: u32,
    },
    /// `sysctl -w kernel.ftrace_enabled=N`
    Sysctl {
        /// The key (`kernel.ftrace_enabled`).
        key: String,
        /// The value.
        value: String,
    },
    /// `echo TEXT > /dev/kmsg` (functions.sh's `log`); a `$(cat PATH)` in
    /// TEXT is replaced by the file's contents.
    Kmsg {
        /// The line written.
        text: String,
    },
    /// `grep PATTERN FILE > /dev/kmsg`: a /proc file's matching lines into
    /// the kernel log.
    Grep {
        /// The fixed string searched for.
        pattern: String,
        /// The file read (`/proc/cmdline`, ...).
        file: String,
    },
    /// `PROGRAM &`: a user-space test program started in the background
    /// (`./test_klp-call_getpid &`).
    Start {
        /// The program as the script names it.
        program: String,
    },
    /// `kill PID`
    Kill {
        /// The process.
        pid: u32,
    },
}

impl Command {
    /// The sysfs path an `echo` writes to, if it is one.
    pub fn sysfs_path(&self) -> Option<String> {
        match self {
            Command::PatchAttr { patch, attr, .. } => {
                Some(format!("/sys/kernel/livepatch/{patch}/{attr}"))
            }
            Command::Param { module, param, .. } => {
                Some(format!("/sys/module/{module}/parameters/{param}"))
            }
            _ => None,
        }
    }
}

impl fmt::Display for Command {
    /// The command line as a person types it (without the `% ` prompt).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::Load {
                loader,
                path,
                params,
                ..
            } => {
                let tool = match loader {
                    Loader::Insmod => "insmod",
                    Loader::Modprobe => "modprobe",
                };
                write!(f, "{tool} {path}")?;
                for (p, v) in params {
                    match v {
                        Some(v) => write!(f, " {p}={v}")?,
                        None => write!(f, " {p}")?,
                    }
                }
                Ok(())
            }
            Command::Rmmod { module } => write!(f, "rmmod {module}"),
            Command::PatchAttr { value, .. } | Command::Param { value, .. } => write!(
                f,
                "echo {value} > {}",
                self.sysfs_path().unwrap_or_default()
            ),
            Command::Sysctl { key, value } => write!(f, "sysctl -w {key}={value}"),
            Command::Kmsg { text } => write!(f, "echo \"{text}\" > /dev/kmsg"),
            Command::Grep { pattern, file } => write!(f, "grep '{pattern}' {file} > /dev/kmsg"),
            Command::Start { program } => write!(f, "{program} &"),
            Command::Kill { pid } => write!(f, "kill {pid}"),
            Command::Sleep { secs } => write!(f, "sleep {secs}"),
        }
    }
}
