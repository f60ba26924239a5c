//! Command-line parsing (POLICY.md, "Command line").
//!
//! POSIX style: options may be clustered (`-xm CMD`), an option's
//! argument may be attached (`-mallow/read+/usr/***`) or the next
//! word, parsing stops at `--` or at the first non-option word (the
//! command), so the command's own options are never read as husk's.
//! The only long options are `--help` and `--version`, the spellings
//! every user tries first; any other `--word` is an error.
//! Policy sources keep their command-line order: it decides which rule
//! wins. Everything is borrowed from the process arguments; nothing is
//! copied.

use core::ffi::CStr;
use core::fmt;

use heapless::Vec;

use crate::limits;
use crate::rt::io::Bytes;

/// One policy source, in command-line order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// `-m COMMAND`
    Command(&'static CStr),
    /// `-p NAME`
    Profile(&'static CStr),
    /// `-P FILE`
    File(&'static CStr),
}

/// One `-e` option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnvOp {
    /// `-e VAR=VAL`: set (the whole `VAR=VAL` string).
    Set(&'static CStr),
    /// `-e VAR`: remove from the command's environment.
    Unset(&'static CStr),
}

/// `-E` formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Export {
    /// Readable pseudo-code.
    Pfc,
    /// Raw `struct sock_filter` arrays.
    Bpf,
    /// Where each category is decided (kernel, husk, off) and the
    /// Landlock ruleset.
    Landlock,
    /// `profile:NAME`: a built-in profile as plain commands
    /// (`profile:list` lists them).
    Profile(&'static [u8]),
}

/// What husk was asked to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `-h`
    Help,
    /// `-V`
    Version,
    /// `-C`
    Capabilities,
    /// `-E FORMAT`
    Export(Export),
    /// Run the command starting at this argv index.
    Run(usize),
}

/// The parsed command line.
#[derive(Debug)]
pub struct Options {
    /// What to do.
    pub mode: Mode,
    /// `-x`: every default becomes `warn`.
    pub trace: bool,
    /// `-m`, `-p`, `-P` in order.
    pub sources: Vec<Source, { limits::CLI_SOURCES }>,
    /// `-e` in order.
    pub env: Vec<EnvOp, { limits::CLI_ENV }>,
    /// `-a ARGV0`.
    pub argv0: Option<&'static CStr>,
    /// `-o FILE`: learning mode (implies `-x`), the policy learned goes
    /// to FILE.
    pub output: Option<&'static CStr>,
}

/// A command-line error. Displayed without the `husk: ` prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// `-q`
    UnknownOption(u8),
    /// `--verbose`: a long option other than `--help` and `--version`.
    UnknownLongOption(&'static [u8]),
    /// `-m` at the end.
    MissingArgument(u8),
    /// `-E json`
    BadExportFormat(&'static [u8]),
    /// `-e =x` or `-e ''`
    BadEnv(&'static [u8]),
    /// More sources than [`limits::CLI_SOURCES`] (or `-e` than `CLI_ENV`).
    TooMany(u8, usize),
    /// Neither a command nor an action.
    NoCommand,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::UnknownOption(c) => write!(f, "unknown option -{}", Bytes(&[c])),
            Error::UnknownLongOption(word) => write!(f, "unknown option {}", Bytes(word)),
            Error::MissingArgument(c) => write!(f, "option -{} needs an argument", c as char),
            Error::BadExportFormat(v) => {
                write!(
                    f,
                    "-E: unknown format '{}' (use pfc, bpf, landlock or profile:NAME)",
                    Bytes(v)
                )
            }
            Error::BadEnv(v) => write!(f, "-e: '{}' is not VAR or VAR=VALUE", Bytes(v)),
            Error::TooMany(c, cap) => write!(f, "too many -{} options (capacity {cap})", c as char),
            Error::NoCommand => write!(f, "no command given (see husk -h)"),
        }
    }
}

impl Options {
    /// Parses the command line; `arg(i)` is `argv[i]` (`None` past the
    /// end). Parsing starts at `argv[1]`.
    pub fn parse(arg: impl Fn(usize) -> Option<&'static CStr>) -> Result<Options, Error> {
        let mut opts = Options {
            mode: Mode::Help,
            trace: false,
            sources: Vec::new(),
            env: Vec::new(),
            argv0: None,
            output: None,
        };
        let (mut help, mut version, mut caps, mut export) = (false, false, false, None);
        let mut command = None;
        let mut i = 1;
        while let Some(cword) = arg(i) {
            let word = cword.to_bytes();
            i += 1;
            if word == b"--" {
                command = arg(i).map(|_| i);
                break;
            }
            if word.len() < 2 || word[0] != b'-' {
                command = Some(i - 1);
                break;
            }
            if word.starts_with(b"--") {
                match word {
                    b"--help" => help = true,
                    b"--version" => version = true,
                    _ => return Err(Error::UnknownLongOption(word)),
                }
                continue;
            }
            let mut j = 1;
            while j < word.len() {
                let c = word[j];
                j += 1;
                match c {
                    b'h' => help = true,
                    b'V' => version = true,
                    b'C' => caps = true,
                    b'x' => opts.trace = true,
                    b'm' | b'p' | b'P' | b'a' | b'e' | b'E' | b'o' => {
                        // The rest of this word, or the next word.
                        let value = if j < word.len() {
                            // The tail of this word, up to its NUL.
                            let tail = &cword.to_bytes_with_nul()[j..];
                            j = word.len();
                            CStr::from_bytes_with_nul(tail)
                                .map_err(|_| Error::MissingArgument(c))?
                        } else if let Some(next) = arg(i) {
                            i += 1;
                            next
                        } else {
                            return Err(Error::MissingArgument(c));
                        };
                        opts.take(c, value, &mut export)?;
                    }
                    other => return Err(Error::UnknownOption(other)),
                }
            }
        }
        opts.mode = if help {
            Mode::Help
        } else if version {
            Mode::Version
        } else if caps {
            Mode::Capabilities
        } else if let Some(format) = export {
            Mode::Export(format)
        } else if let Some(index) = command {
            Mode::Run(index)
        } else {
            return Err(Error::NoCommand);
        };
        Ok(opts)
    }

    fn take(
        &mut self,
        c: u8,
        value: &'static CStr,
        export: &mut Option<Export>,
    ) -> Result<(), Error> {
        let source = match c {
            b'm' => Some(Source::Command(value)),
            b'p' => Some(Source::Profile(value)),
            b'P' => Some(Source::File(value)),
            _ => None,
        };
        if let Some(source) = source {
            return self
                .sources
                .push(source)
                .map_err(|_| Error::TooMany(c, limits::CLI_SOURCES));
        }
        match c {
            b'a' => self.argv0 = Some(value),
            b'o' => {
                self.output = Some(value);
                self.trace = true;
            }
            b'e' => {
                let bytes = value.to_bytes();
                let op = match bytes.iter().position(|&b| b == b'=') {
                    Some(0) => return Err(Error::BadEnv(bytes)),
                    Some(_) => EnvOp::Set(value),
                    None if bytes.is_empty() => return Err(Error::BadEnv(bytes)),
                    None => EnvOp::Unset(value),
                };
                self.env
                    .push(op)
                    .map_err(|_| Error::TooMany(c, limits::CLI_ENV))?;
            }
            _ => {
                *export = Some(match value.to_bytes() {
                    b"pfc" => Export::Pfc,
                    b"bpf" => Export::Bpf,
                    b"landlock" => Export::Landlock,
                    other => match other.strip_prefix(b"profile:") {
                        Some(name) => Export::Profile(name),
                        None => return Err(Error::BadExportFormat(other)),
                    },
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&'static CStr]) -> Result<Options, Error> {
        Options::parse(|i| {
            if i == 0 {
                Some(c"husk")
            } else {
                args.get(i - 1).copied()
            }
        })
    }

    #[test]
    fn sources_keep_their_order() {
        let o = parse(&[
            c"-m",
            c"allow/read+/x",
            c"-pquiet",
            c"-P",
            c"f.conf",
            c"-mdeny/read+/y",
            c"--",
            c"cat",
        ])
        .unwrap();
        assert_eq!(
            o.sources.as_slice(),
            [
                Source::Command(c"allow/read+/x"),
                Source::Profile(c"quiet"),
                Source::File(c"f.conf"),
                Source::Command(c"deny/read+/y"),
            ]
        );
        assert_eq!(o.mode, Mode::Run(8));
    }

    #[test]
    fn stops_at_the_command() {
        let o = parse(&[c"-x", c"ls", c"-m", c"-l"]).unwrap();
        assert!(o.trace);
        assert_eq!(o.mode, Mode::Run(2));
        assert!(o.sources.is_empty());
    }

    #[test]
    fn clusters_and_attached_values() {
        let o = parse(&[
            c"-xmallow/all+/***",
            c"-a",
            c"sh",
            c"-eA=1",
            c"-e",
            c"B",
            c"true",
        ])
        .unwrap();
        assert!(o.trace);
        assert_eq!(o.sources.as_slice(), [Source::Command(c"allow/all+/***")]);
        assert_eq!(o.argv0, Some(c"sh"));
        assert_eq!(o.env.as_slice(), [EnvOp::Set(c"A=1"), EnvOp::Unset(c"B")]);
    }

    #[test]
    fn actions() {
        assert_eq!(parse(&[c"-h"]).unwrap().mode, Mode::Help);
        assert_eq!(parse(&[c"-V"]).unwrap().mode, Mode::Version);
        assert_eq!(parse(&[c"-C"]).unwrap().mode, Mode::Capabilities);
        assert_eq!(
            parse(&[c"-E", c"pfc"]).unwrap().mode,
            Mode::Export(Export::Pfc)
        );
        assert_eq!(parse(&[c"-Ebpf"]).unwrap().mode, Mode::Export(Export::Bpf));
    }

    #[test]
    fn long_help_and_version() {
        assert_eq!(parse(&[c"--help"]).unwrap().mode, Mode::Help);
        assert_eq!(parse(&[c"--version"]).unwrap().mode, Mode::Version);
        // Like -h, --help wins wherever it appears among the options.
        assert_eq!(parse(&[c"-x", c"--help", c"-V"]).unwrap().mode, Mode::Help);
        // After `--` or the command, they belong to the command.
        assert_eq!(parse(&[c"--", c"--help"]).unwrap().mode, Mode::Run(2));
        assert_eq!(parse(&[c"echo", c"--version"]).unwrap().mode, Mode::Run(1));
        assert_eq!(
            parse(&[c"--verbose", c"true"]).unwrap_err(),
            Error::UnknownLongOption(b"--verbose")
        );
        assert_eq!(
            parse(&[c"--help=x"]).unwrap_err(),
            Error::UnknownLongOption(b"--help=x")
        );
    }

    #[test]
    fn errors() {
        assert_eq!(parse(&[c"-q"]).unwrap_err(), Error::UnknownOption(b'q'));
        assert_eq!(parse(&[c"-m"]).unwrap_err(), Error::MissingArgument(b'm'));
        assert_eq!(
            parse(&[c"-E", c"json"]).unwrap_err(),
            Error::BadExportFormat(b"json")
        );
        assert_eq!(
            parse(&[c"-e", c"=x", c"true"]).unwrap_err(),
            Error::BadEnv(b"=x")
        );
        assert_eq!(parse(&[]).unwrap_err(), Error::NoCommand);
        assert_eq!(parse(&[c"--"]).unwrap_err(), Error::NoCommand);
        let many: std::vec::Vec<&'static CStr> =
            std::iter::repeat_n(c"-mallow/read+/x", limits::CLI_SOURCES + 1).collect();
        assert_eq!(
            parse(&many).unwrap_err(),
            Error::TooMany(b'm', limits::CLI_SOURCES)
        );
    }
}
