//! Error numbers, with the names the kernel uses and the texts user space prints.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An errno value the modelled code returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Errno(pub i32);

impl Errno {
    /// `EPERM`
    pub const EPERM: Errno = Errno(1);
    /// `ENOENT`
    pub const ENOENT: Errno = Errno(2);
    /// `EIO`
    pub const EIO: Errno = Errno(5);
    /// `ENOMEM`
    pub const ENOMEM: Errno = Errno(12);
    /// `EACCES`
    pub const EACCES: Errno = Errno(13);
    /// `EBUSY`
    pub const EBUSY: Errno = Errno(16);
    /// `EEXIST`
    pub const EEXIST: Errno = Errno(17);
    /// `ENODEV`
    pub const ENODEV: Errno = Errno(19);
    /// `EINVAL`
    pub const EINVAL: Errno = Errno(22);
    /// `ERANGE`
    pub const ERANGE: Errno = Errno(34);
    /// `ENOSYS`
    pub const ENOSYS: Errno = Errno(38);
    /// `ETIMEDOUT`
    pub const ETIMEDOUT: Errno = Errno(110);

    const TABLE: &'static [(i32, &'static str, &'static str)] = &[
        (1, "EPERM", "Operation not permitted"),
        (2, "ENOENT", "No such file or directory"),
        (3, "ESRCH", "No such process"),
        (4, "EINTR", "Interrupted system call"),
        (5, "EIO", "Input/output error"),
        (6, "ENXIO", "No such device or address"),
        (7, "E2BIG", "Argument list too long"),
        (8, "ENOEXEC", "Exec format error"),
        (9, "EBADF", "Bad file descriptor"),
        (10, "ECHILD", "No child processes"),
        (11, "EAGAIN", "Resource temporarily unavailable"),
        (12, "ENOMEM", "Cannot allocate memory"),
        (13, "EACCES", "Permission denied"),
        (14, "EFAULT", "Bad address"),
        (16, "EBUSY", "Device or resource busy"),
        (17, "EEXIST", "File exists"),
        (19, "ENODEV", "No such device"),
        (22, "EINVAL", "Invalid argument"),
        (24, "EMFILE", "Too many open files"),
        (28, "ENOSPC", "No space left on device"),
        (30, "EROFS", "Read-only file system"),
        (34, "ERANGE", "Numerical result out of range"),
        (38, "ENOSYS", "Function not implemented"),
        (61, "ENODATA", "No data available"),
        (95, "EOPNOTSUPP", "Operation not supported"),
        (110, "ETIMEDOUT", "Connection timed out"),
    ];

    /// The symbolic name, e.g. `ENODEV`, if known.
    pub fn name(self) -> Option<&'static str> {
        Self::TABLE
            .iter()
            .find(|(n, _, _)| *n == self.0)
            .map(|(_, name, _)| *name)
    }

    /// Looks up a symbolic name (`ENODEV`), case-sensitively.
    pub fn from_name(name: &str) -> Option<Errno> {
        Self::TABLE
            .iter()
            .find(|(_, n, _)| *n == name)
            .map(|(v, _, _)| Errno(*v))
    }

    /// glibc's `strerror()` text.
    pub fn strerror(self) -> String {
        match Self::TABLE.iter().find(|(n, _, _)| *n == self.0) {
            Some((_, _, text)) => (*text).to_string(),
            None => format!("Unknown error {}", self.0),
        }
    }

    /// kmod's `mod_strerror()` (tools/insmod.c): EINVAL is worded
    /// "Invalid parameters", everything else is `strerror()`.
    pub fn kmod_strerror(self) -> String {
        match self {
            Errno::EINVAL => "Invalid parameters".to_string(),
            Errno(8) => "Invalid module format".to_string(),
            Errno::ENOENT | Errno(3) => "Unknown symbol in module".to_string(),
            other => other.strerror(),
        }
    }

    /// The kernel's negative return value.
    pub fn negative(self) -> i32 {
        -self.0
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "-{name}"),
            None => write!(f, "-{}", self.0),
        }
    }
}

/// `kstrtobool()` (lib/kstrtox.c): the first character decides
/// (`y/Y/t/T/1` true, `n/N/f/F/0` false), `on`/`off` need the second.
pub fn kstrtobool(s: &str) -> Result<bool, Errno> {
    let b = s.as_bytes();
    match b.first() {
        Some(b'y' | b'Y' | b't' | b'T' | b'1') => Ok(true),
        Some(b'n' | b'N' | b'f' | b'F' | b'0') => Ok(false),
        Some(b'o' | b'O') => match b.get(1) {
            Some(b'n' | b'N') => Ok(true),
            Some(b'f' | b'F') => Ok(false),
            _ => Err(Errno::EINVAL),
        },
        _ => Err(Errno::EINVAL),
    }
}

/// `kstrtoint()` with base 0 as `param_set_int()` uses it: decimal, `0x`
/// hex or leading-0 octal, optional sign, one trailing newline allowed.
pub fn kstrtoint(s: &str) -> Result<i32, Errno> {
    let s = s.strip_suffix('\n').unwrap_or(s);
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) = if let Some(hex) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        (16, hex)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, &digits[1..])
    } else {
        (10, digits)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Err(Errno::EINVAL);
    }
    let magnitude = i64::from_str_radix(digits, radix).map_err(|_| Errno::ERANGE)?;
    let value = if neg { -magnitude } else { magnitude };
    i32::try_from(value).map_err(|_| Errno::ERANGE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strerror_texts_match_glibc() {
        assert_eq!(Errno::ENODEV.strerror(), "No such device");
        assert_eq!(Errno::EBUSY.strerror(), "Device or resource busy");
        assert_eq!(Errno::EINVAL.kmod_strerror(), "Invalid parameters");
        assert_eq!(Errno::EBUSY.kmod_strerror(), "Device or resource busy");
        assert_eq!(Errno(999).strerror(), "Unknown error 999");
    }

    #[test]
    fn kstrtobool_accepts_kernel_spellings() {
        for t in ["1", "y", "Y", "on", "true"] {
            assert_eq!(kstrtobool(t), Ok(true), "{t}");
        }
        for f in ["0", "n", "N", "off", "false"] {
            assert_eq!(kstrtobool(f), Ok(false), "{f}");
        }
        assert_eq!(kstrtobool("2"), Err(Errno::EINVAL));
        assert_eq!(kstrtobool(""), Err(Errno::EINVAL));
        assert_eq!(kstrtobool("o"), Err(Errno::EINVAL));
    }

    #[test]
    fn kstrtoint_handles_signs_bases_and_range() {
        assert_eq!(kstrtoint("-19"), Ok(-19));
        assert_eq!(kstrtoint("0x10"), Ok(16));
        assert_eq!(kstrtoint("010"), Ok(8));
        assert_eq!(kstrtoint("0"), Ok(0));
        assert_eq!(kstrtoint("5\n"), Ok(5));
        assert_eq!(kstrtoint("abc"), Err(Errno::EINVAL));
        assert_eq!(kstrtoint("-"), Err(Errno::EINVAL));
        assert_eq!(kstrtoint("99999999999"), Err(Errno::ERANGE));
    }
}
