//! Path globs, byte-wise, in the dialect of POLICY.md (rsync's
//! wildmatch, as Syd uses it).
//!
//! | pattern | matches |
//! |---|---|
//! | `*` | any bytes except `/` (within one component) |
//! | `**` | any bytes, `/` included (across components) |
//! | `?` | one byte except `/` |
//! | `[...]` | one byte of a class, never `/`: `a-z` ranges, `!` or `^` negation, `]` first is literal, `\x` escapes, `[:alpha:]`-style classes |
//! | `\x` | `x` literally |
//! | `/**/` | also `/` alone: zero components (`/usr/**/bin` matches `/usr/bin`) |
//! | `PATH/***` at the end | `PATH` itself and everything below it |
//!
//! Matching simulates the pattern as a non-deterministic automaton: the
//! set of pattern positions still alive is a bitset, advanced once per
//! path byte. Time is O(path × pattern) whatever the pattern (no
//! backtracking, so no exponential blow-up on hostile patterns like
//! `*a*a*a*a*b`), memory is two small bitsets on the stack, and nothing
//! is allocated.
//!
//! A malformed pattern (an unclosed `[`, a trailing `\`, an unknown
//! `[:class:]`) is refused by [`validate`]; the rule parser reports it
//! instead of guessing. [`matches`] treats one as matching nothing.
#![forbid(unsafe_code)]

/// The longest pattern (in bytes) husk accepts: the kernel's PATH_MAX.
pub const MAX_PATTERN: usize = 4096;

const WORDS: usize = MAX_PATTERN / 64 + 1;

/// Why a pattern is not valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GlobError {
    /// Longer than [`MAX_PATTERN`].
    TooLong,
    /// `[` without its `]`.
    UnclosedClass,
    /// `[:name:]` with an unknown name.
    UnknownClass,
    /// A `\` with nothing after it.
    TrailingEscape,
}

impl core::fmt::Display for GlobError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            GlobError::TooLong => "pattern longer than 4096 bytes",
            GlobError::UnclosedClass => "'[' without a closing ']'",
            GlobError::UnknownClass => "unknown [:class:] name",
            GlobError::TrailingEscape => "'\\' at the end of the pattern",
        })
    }
}

/// One element of a pattern, as found at a position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token {
    /// This byte (after unescaping).
    Byte(u8),
    /// `?`
    AnyOne,
    /// `[...]` spanning pattern bytes `start..end` (`end` is past `]`).
    Class { start: usize, end: usize },
    /// `*`
    Star,
    /// `**` (or a longer run of stars).
    StarStar,
}

/// Reads the token at `p`; returns it and the position after it.
fn token(pat: &[u8], p: usize) -> Result<(Token, usize), GlobError> {
    match pat[p] {
        b'\\' => match pat.get(p + 1) {
            Some(&b) => Ok((Token::Byte(b), p + 2)),
            None => Err(GlobError::TrailingEscape),
        },
        b'?' => Ok((Token::AnyOne, p + 1)),
        b'*' => {
            let mut end = p;
            while end < pat.len() && pat[end] == b'*' {
                end += 1;
            }
            Ok((
                if end - p == 1 {
                    Token::Star
                } else {
                    Token::StarStar
                },
                end,
            ))
        }
        b'[' => {
            let end = class_end(pat, p)?;
            Ok((Token::Class { start: p, end }, end))
        }
        b => Ok((Token::Byte(b), p + 1)),
    }
}

/// The position just past the `]` closing the class opened at `open`.
fn class_end(pat: &[u8], open: usize) -> Result<usize, GlobError> {
    let mut p = open + 1;
    if matches!(pat.get(p), Some(b'!') | Some(b'^')) {
        p += 1;
    }
    // A `]` right after the opening (and negation) is a member.
    if pat.get(p) == Some(&b']') {
        p += 1;
    }
    while p < pat.len() {
        match pat[p] {
            b']' => return Ok(p + 1),
            b'\\' => p += 2,
            b'[' if pat.get(p + 1) == Some(&b':') => {
                let name_start = p + 2;
                let close = pat[name_start..].windows(2).position(|w| w == b":]");
                match close {
                    Some(len) => {
                        if named_class(&pat[name_start..name_start + len]).is_none() {
                            return Err(GlobError::UnknownClass);
                        }
                        p = name_start + len + 2;
                    }
                    // Not a named class: a literal `[`.
                    None => p += 1,
                }
            }
            _ => p += 1,
        }
    }
    Err(GlobError::UnclosedClass)
}

/// The predicate of a `[:name:]` class (ASCII, as in the C locale).
fn named_class(name: &[u8]) -> Option<fn(u8) -> bool> {
    Some(match name {
        b"alnum" => |c: u8| c.is_ascii_alphanumeric(),
        b"alpha" => |c: u8| c.is_ascii_alphabetic(),
        b"blank" => |c: u8| c == b' ' || c == b'\t',
        b"cntrl" => |c: u8| c.is_ascii_control(),
        b"digit" => |c: u8| c.is_ascii_digit(),
        b"graph" => |c: u8| c.is_ascii_graphic(),
        b"lower" => |c: u8| c.is_ascii_lowercase(),
        b"print" => |c: u8| c.is_ascii_graphic() || c == b' ',
        b"punct" => |c: u8| c.is_ascii_punctuation(),
        b"space" => |c: u8| c.is_ascii_whitespace() || c == 0x0b,
        b"upper" => |c: u8| c.is_ascii_uppercase(),
        b"xdigit" => |c: u8| c.is_ascii_hexdigit(),
        _ => return None,
    })
}

/// Whether byte `c` is in the (validated) class `pat[start..end]`.
fn class_matches(pat: &[u8], start: usize, end: usize, c: u8) -> bool {
    let mut p = start + 1;
    let negated = matches!(pat[p], b'!' | b'^');
    if negated {
        p += 1;
    }
    let last = end - 1; // the closing `]`
    let mut found = false;
    while p < last {
        // A named class.
        if pat[p] == b'[' && pat.get(p + 1) == Some(&b':') {
            if let Some(len) = pat[p + 2..last].windows(2).position(|w| w == b":]") {
                if named_class(&pat[p + 2..p + 2 + len]).is_some_and(|f| f(c)) {
                    found = true;
                }
                p += len + 4;
                continue;
            }
        }
        // One member byte, possibly escaped (`]` is literal only first).
        let (lo, next) = if pat[p] == b'\\' {
            (pat[p + 1], p + 2)
        } else {
            (pat[p], p + 1)
        };
        // A range `lo-hi`, unless the `-` is the last member.
        if next + 1 < last && pat[next] == b'-' {
            let (hi, after) = if pat[next + 1] == b'\\' {
                (pat[next + 2], next + 3)
            } else {
                (pat[next + 1], next + 2)
            };
            if lo <= c && c <= hi {
                found = true;
            }
            p = after;
        } else {
            if c == lo {
                found = true;
            }
            p = next;
        }
    }
    found != negated
}

/// Checks a pattern; `Ok` if [`matches`] can use it.
pub fn validate(pat: &[u8]) -> Result<(), GlobError> {
    if pat.len() > MAX_PATTERN {
        return Err(GlobError::TooLong);
    }
    let mut p = 0;
    while p < pat.len() {
        p = token(pat, p)?.1;
    }
    Ok(())
}

/// A set of pattern positions `0..=len`.
struct States([u64; WORDS]);

impl States {
    fn new() -> States {
        States([0; WORDS])
    }
    fn has(&self, p: usize) -> bool {
        self.0[p / 64] & (1 << (p % 64)) != 0
    }
    fn set(&mut self, p: usize) -> bool {
        let fresh = !self.has(p);
        self.0[p / 64] |= 1 << (p % 64);
        fresh
    }
    /// Clears the first `words` words (the only ones a pattern of that
    /// size uses).
    fn clear(&mut self, words: usize) {
        self.0[..words].fill(0);
    }
    fn is_empty(&self, words: usize) -> bool {
        self.0[..words].iter().all(|&w| w == 0)
    }
}

/// Adds `p` and everything reachable from it without consuming a byte.
fn add(pat: &[u8], states: &mut States, p: usize) {
    let mut work = [0u16; 64];
    let mut todo = 0;
    if states.set(p) {
        work[0] = p as u16;
        todo = 1;
    }
    while todo > 0 {
        todo -= 1;
        let p = work[todo] as usize;
        if p >= pat.len() {
            continue;
        }
        let mut push = |q: usize, states: &mut States, todo: &mut usize| {
            if states.set(q) {
                if *todo < work.len() {
                    work[*todo] = q as u16;
                    *todo += 1;
                } else {
                    // Deep epsilon chain: finish it recursively (rare,
                    // bounded by the pattern length).
                    add(pat, states, q);
                }
            }
        };
        match pat[p] {
            // Stars may match nothing.
            b'*' => {
                if let Ok((_, next)) = token(pat, p) {
                    push(next, states, &mut todo);
                }
            }
            b'/' => {
                let rest = &pat[p..];
                // `/**/` also matches a single `/`.
                if rest.starts_with(b"/**/") && !rest.starts_with(b"/***") {
                    push(p + 3, states, &mut todo);
                }
                // A trailing `/***` also matches nothing at all.
                if rest == b"/***" {
                    push(pat.len(), states, &mut todo);
                }
            }
            _ => {}
        }
    }
}

/// What a pattern is, found once when its rule is added: most rules
/// are a literal path or a literal directory and all below it, and
/// those match with one comparison; only the rest run the automaton.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// No glob character: the path itself.
    Literal,
    /// `BASE/***` with a literal BASE: BASE and everything below it.
    Tree,
    /// Anything else.
    Glob,
}

/// The shape of `pattern`, and the length of its literal start (up to
/// its first glob character).
pub fn shape(pattern: &[u8]) -> (Shape, usize) {
    let special = |b: &u8| matches!(b, b'*' | b'?' | b'[' | b'\\');
    let literal = pattern.iter().position(special).unwrap_or(pattern.len());
    let shape = if literal == pattern.len() {
        Shape::Literal
    } else if pattern.ends_with(b"/***") && literal + 3 == pattern.len() {
        Shape::Tree
    } else {
        Shape::Glob
    };
    (shape, literal)
}

/// Whether `path` matches `pattern` (a malformed pattern matches
/// nothing; check patterns with [`validate`] when they are written).
pub fn matches(pattern: &[u8], path: &[u8]) -> bool {
    let (shape, literal) = shape(pattern);
    matches_shaped(pattern, shape, literal, path)
}

/// [`matches`], with the pattern's [`shape`] known.
pub fn matches_shaped(pattern: &[u8], shape: Shape, literal: usize, path: &[u8]) -> bool {
    match shape {
        Shape::Literal => return path == pattern,
        Shape::Tree => {
            // `BASE/***`: BASE itself, and everything below it.
            let base = &pattern[..literal - 1];
            return path.starts_with(base)
                && (path.len() == base.len() || path[base.len()] == b'/');
        }
        Shape::Glob => {}
    }
    // Every match begins with the literal prefix, but for a `/` right
    // before `**` (`/**/` and `/***` may also match without it).
    let mut required = &pattern[..literal];
    if pattern[literal..].starts_with(b"**") {
        required = required.strip_suffix(b"/").unwrap_or(required);
    }
    if !path.starts_with(required) {
        return false;
    }
    if validate(pattern).is_err() {
        return false;
    }
    let mut cur = States::new();
    let mut next = States::new();
    add(pattern, &mut cur, 0);
    // Positions 0..=len: only these words are ever touched.
    let words = pattern.len() / 64 + 1;
    for &c in path {
        next.clear(words);
        for word in 0..words {
            let mut bits = cur.0[word];
            while bits != 0 {
                let p = word * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                if p >= pattern.len() {
                    continue;
                }
                let Ok((tok, after)) = token(pattern, p) else {
                    continue;
                };
                let target = match tok {
                    Token::Byte(b) => (c == b).then_some(after),
                    Token::AnyOne => (c != b'/').then_some(after),
                    Token::Class { start, end } => {
                        (c != b'/' && class_matches(pattern, start, end, c)).then_some(after)
                    }
                    Token::Star => (c != b'/').then_some(p),
                    Token::StarStar => Some(p),
                };
                if let Some(q) = target {
                    add(pattern, &mut next, q);
                }
            }
        }
        core::mem::swap(&mut cur, &mut next);
        if cur.is_empty(words) {
            return false;
        }
    }
    cur.has(pattern.len())
}

#[cfg(test)]
mod tests;
