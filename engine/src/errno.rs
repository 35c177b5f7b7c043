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

    /// glibc's `strerror()` texts (Linux numbering).
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
        (15, "ENOTBLK", "Block device required"),
        (16, "EBUSY", "Device or resource busy"),
        (17, "EEXIST", "File exists"),
        (18, "EXDEV", "Invalid cross-device link"),
        (19, "ENODEV", "No such device"),
        (20, "ENOTDIR", "Not a directory"),
        (21, "EISDIR", "Is a directory"),
        (22, "EINVAL", "Invalid argument"),
        (23, "ENFILE", "Too many open files in system"),
        (24, "EMFILE", "Too many open files"),
        (25, "ENOTTY", "Inappropriate ioctl for device"),
        (26, "ETXTBSY", "Text file busy"),
        (27, "EFBIG", "File too large"),
        (28, "ENOSPC", "No space left on device"),
        (29, "ESPIPE", "Illegal seek"),
        (30, "EROFS", "Read-only file system"),
        (31, "EMLINK", "Too many links"),
        (32, "EPIPE", "Broken pipe"),
        (33, "EDOM", "Numerical argument out of domain"),
        (34, "ERANGE", "Numerical result out of range"),
        (35, "EDEADLK", "Resource deadlock avoided"),
        (36, "ENAMETOOLONG", "File name too long"),
        (37, "ENOLCK", "No locks available"),
        (38, "ENOSYS", "Function not implemented"),
        (39, "ENOTEMPTY", "Directory not empty"),
        (40, "ELOOP", "Too many levels of symbolic links"),
        (42, "ENOMSG", "No message of desired type"),
        (43, "EIDRM", "Identifier removed"),
        (44, "ECHRNG", "Channel number out of range"),
        (45, "EL2NSYNC", "Level 2 not synchronized"),
        (46, "EL3HLT", "Level 3 halted"),
        (47, "EL3RST", "Level 3 reset"),
        (48, "ELNRNG", "Link number out of range"),
        (49, "EUNATCH", "Protocol driver not attached"),
        (50, "ENOCSI", "No CSI structure available"),
        (51, "EL2HLT", "Level 2 halted"),
        (52, "EBADE", "Invalid exchange"),
        (53, "EBADR", "Invalid request descriptor"),
        (54, "EXFULL", "Exchange full"),
        (55, "ENOANO", "No anode"),
        (56, "EBADRQC", "Invalid request code"),
        (57, "EBADSLT", "Invalid slot"),
        (59, "EBFONT", "Bad font file format"),
        (60, "ENOSTR", "Device not a stream"),
        (61, "ENODATA", "No data available"),
        (62, "ETIME", "Timer expired"),
        (63, "ENOSR", "Out of streams resources"),
        (64, "ENONET", "Machine is not on the network"),
        (65, "ENOPKG", "Package not installed"),
        (66, "EREMOTE", "Object is remote"),
        (67, "ENOLINK", "Link has been severed"),
        (68, "EADV", "Advertise error"),
        (69, "ESRMNT", "Srmount error"),
        (70, "ECOMM", "Communication error on send"),
        (71, "EPROTO", "Protocol error"),
        (72, "EMULTIHOP", "Multihop attempted"),
        (73, "EDOTDOT", "RFS specific error"),
        (74, "EBADMSG", "Bad message"),
        (75, "EOVERFLOW", "Value too large for defined data type"),
        (76, "ENOTUNIQ", "Name not unique on network"),
        (77, "EBADFD", "File descriptor in bad state"),
        (78, "EREMCHG", "Remote address changed"),
        (79, "ELIBACC", "Can not access a needed shared library"),
        (80, "ELIBBAD", "Accessing a corrupted shared library"),
        (81, "ELIBSCN", ".lib section in a.out corrupted"),
        (
            82,
            "ELIBMAX",
            "Attempting to link in too many shared libraries",
        ),
        (83, "ELIBEXEC", "Cannot exec a shared library directly"),
        (
            84,
            "EILSEQ",
            "Invalid or incomplete multibyte or wide character",
        ),
        (
            85,
            "ERESTART",
            "Interrupted system call should be restarted",
        ),
        (86, "ESTRPIPE", "Streams pipe error"),
        (87, "EUSERS", "Too many users"),
        (88, "ENOTSOCK", "Socket operation on non-socket"),
        (89, "EDESTADDRREQ", "Destination address required"),
        (90, "EMSGSIZE", "Message too long"),
        (91, "EPROTOTYPE", "Protocol wrong type for socket"),
        (92, "ENOPROTOOPT", "Protocol not available"),
        (93, "EPROTONOSUPPORT", "Protocol not supported"),
        (94, "ESOCKTNOSUPPORT", "Socket type not supported"),
        (95, "EOPNOTSUPP", "Operation not supported"),
        (96, "EPFNOSUPPORT", "Protocol family not supported"),
        (
            97,
            "EAFNOSUPPORT",
            "Address family not supported by protocol",
        ),
        (98, "EADDRINUSE", "Address already in use"),
        (99, "EADDRNOTAVAIL", "Cannot assign requested address"),
        (100, "ENETDOWN", "Network is down"),
        (101, "ENETUNREACH", "Network is unreachable"),
        (102, "ENETRESET", "Network dropped connection on reset"),
        (103, "ECONNABORTED", "Software caused connection abort"),
        (104, "ECONNRESET", "Connection reset by peer"),
        (105, "ENOBUFS", "No buffer space available"),
        (106, "EISCONN", "Transport endpoint is already connected"),
        (107, "ENOTCONN", "Transport endpoint is not connected"),
        (
            108,
            "ESHUTDOWN",
            "Cannot send after transport endpoint shutdown",
        ),
        (109, "ETOOMANYREFS", "Too many references: cannot splice"),
        (110, "ETIMEDOUT", "Connection timed out"),
        (111, "ECONNREFUSED", "Connection refused"),
        (112, "EHOSTDOWN", "Host is down"),
        (113, "EHOSTUNREACH", "No route to host"),
        (114, "EALREADY", "Operation already in progress"),
        (115, "EINPROGRESS", "Operation now in progress"),
        (116, "ESTALE", "Stale file handle"),
        (117, "EUCLEAN", "Structure needs cleaning"),
        (118, "ENOTNAM", "Not a XENIX named type file"),
        (119, "ENAVAIL", "No XENIX semaphores available"),
        (120, "EISNAM", "Is a named type file"),
        (121, "EREMOTEIO", "Remote I/O error"),
        (122, "EDQUOT", "Disk quota exceeded"),
        (123, "ENOMEDIUM", "No medium found"),
        (124, "EMEDIUMTYPE", "Wrong medium type"),
        (125, "ECANCELED", "Operation canceled"),
        (126, "ENOKEY", "Required key not available"),
        (127, "EKEYEXPIRED", "Key has expired"),
        (128, "EKEYREVOKED", "Key has been revoked"),
        (129, "EKEYREJECTED", "Key was rejected by service"),
        (130, "EOWNERDEAD", "Owner died"),
        (131, "ENOTRECOVERABLE", "State not recoverable"),
        (132, "ERFKILL", "Operation not possible due to RF-kill"),
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

    /// kmod's `mod_strerror()` (tools/insmod.c): its own words for EINVAL
    /// ("Invalid parameters"), ENOEXEC, ENOENT and ESRCH; `strerror()` for
    /// everything else.
    pub fn kmod_strerror(self) -> String {
        match self {
            Errno::EINVAL => "Invalid parameters".to_string(),
            Errno(8) => "Invalid module format".to_string(),
            Errno::ENOENT => "Unknown symbol in module".to_string(),
            Errno(3) => "Module has wrong symbol version".to_string(),
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
