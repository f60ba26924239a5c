//! Glob tests: a table of cases (including the behaviours of rsync's
//! classic wildmatch tests), a property test against a simple
//! backtracking reference matcher, and hostile patterns.

use super::*;

/// (pattern, text, expected). Malformed patterns match nothing.
const TABLE: &[(&str, &str, bool)] = &[
    // Literals and `?`.
    ("foo", "foo", true),
    ("foo", "bar", false),
    ("", "", true),
    ("???", "foo", true),
    ("??", "foo", false),
    ("f?o", "f/o", false),
    // `*` stays within a component.
    ("*", "foo", true),
    ("f*", "foo", true),
    ("*f", "foo", false),
    ("*foo*", "foo", true),
    ("*ob*a*r*", "foobar", true),
    ("*ab", "aaaaaaabababab", true),
    ("foo*", "foo/bar", false),
    ("foo*bar", "foo/baz/bar", false),
    ("b*a", "aaabbb", false),
    ("*ba*", "aabcaa", false),
    // Escapes.
    ("foo\\*", "foo*", true),
    ("foo\\*bar", "foobar", false),
    ("f\\\\oo", "f\\oo", true),
    ("\\[ab]", "[ab]", true),
    ("foo\\", "foo\\", false), // trailing escape: malformed
    // Classes.
    ("*[al]?", "ball", true),
    ("[ten]", "ten", false),
    ("**[!te]", "ten", true),
    ("**[!ten]", "ten", false),
    ("t[a-g]n", "ten", true),
    ("t[!a-g]n", "ten", false),
    ("t[!a-g]n", "ton", true),
    ("t[^a-g]n", "ton", true),
    ("a[]]b", "a]b", true),
    ("a[]-]b", "a-b", true),
    ("a[]-]b", "a]b", true),
    ("a[]-]b", "aab", false),
    ("a[]a-]b", "aab", true),
    ("]", "]", true),
    ("[[:alpha:]][[:digit:]][[:upper:]]", "a1B", true),
    ("[[:digit:][:upper:][:space:]]", "A", true),
    ("[[:digit:][:upper:][:space:]]", "1", true),
    ("[[:digit:][:upper:][:space:]]", " ", true),
    ("[[:digit:][:upper:][:space:]]", "a", false),
    ("[[:digit:][:punct:][:space:]]", ".", true),
    ("[[:xdigit:]]", "5", true),
    ("[[:xdigit:]]", "f", true),
    ("[[:xdigit:]]", "D", true),
    ("[[:xdigit:]]", "g", false),
    (
        "[[:alnum:][:alpha:][:blank:][:cntrl:][:digit:][:graph:][:lower:][:print:][:punct:][:space:][:upper:][:xdigit:]]",
        "_",
        true,
    ),
    (
        "[^[:alnum:][:alpha:][:blank:][:cntrl:][:digit:][:lower:][:space:][:upper:][:xdigit:]]",
        ".",
        true,
    ),
    ("[a-c[:digit:]x-z]", "5", true),
    ("[a-c[:digit:]x-z]", "b", true),
    ("[a-c[:digit:]x-z]", "y", true),
    ("[a-c[:digit:]x-z]", "q", false),
    ("[[:bogus:]]", "a", false), // unknown class: malformed
    ("[\\\\-^]", "]", true),
    ("[\\\\-^]", "[", false),
    ("[\\-_]", "-", true),
    ("[\\]]", "]", true),
    ("[\\]]", "\\]", false),
    ("[\\]]", "\\", false),
    ("[\\]", "\\", false), // unclosed
    ("a[]b", "ab", false), // unclosed
    ("a[]b", "a[]b", false),
    ("ab[", "ab[", false),
    ("[!", "ab", false),
    ("[-]", "-", true),
    ("[a-", "-", false),
    ("[!a-", "-", false),
    ("[--A]", "-", true),
    ("[--A]", "5", true),
    ("[ --]", " ", true),
    ("[ --]", "$", true),
    ("[ --]", "-", true),
    ("[ --]", "0", false),
    ("[---]", "-", true),
    ("[------]", "-", true),
    ("[a-e-n]", "j", false),
    ("[a-e-n]", "-", true),
    ("[!------]", "a", true),
    ("[]-a]", "[", false),
    ("[]-a]", "^", true),
    ("[!]-a]", "^", false),
    ("[!]-a]", "[", true),
    ("[a^bc]", "^", true),
    ("[a-]b]", "-b]", true),
    ("[\\\\]", "\\", true),
    ("[!\\\\]", "\\", false),
    ("[A-\\\\]", "G", true),
    ("[,]", ",", true),
    ("[\\\\,]", ",", true),
    ("[\\\\,]", "\\", true),
    // A class never matches `/`, even negated.
    ("foo[/]bar", "foo/bar", false),
    ("foo[!a]bar", "foo/bar", false),
    ("f[^eiu][^eiu][^eiu][^eiu][^eiu]r", "foo/bar", false),
    ("f[^eiu][^eiu][^eiu][^eiu][^eiu]r", "foo-bar", true),
    ("foo?bar", "foo/bar", false),
    // `**` crosses components.
    ("foo**bar", "foo/baz/bar", true),
    ("foo**bar", "foobazbar", true),
    ("foo/**/bar", "foo/baz/bar", true),
    ("foo/**/**/bar", "foo/baz/bar", true),
    ("foo/**/bar", "foo/b/a/z/bar", true),
    ("foo/**/bar", "foo/bar", true),
    ("foo/**/**/bar", "foo/bar", true),
    ("foo/**/bar", "foobar", false),
    ("**/foo", "XXX/foo", true),
    ("**/foo", "bar/baz/foo", true),
    ("*/foo", "bar/baz/foo", false),
    ("**/bar*", "foo/bar/baz", false),
    ("**/bar/*", "deep/foo/bar/baz", true),
    ("**/bar/*", "deep/foo/bar/baz/", false),
    ("**/bar/**", "deep/foo/bar/baz/", true),
    ("**/bar/*/*", "deep/foo/bar", false),
    ("*/bar/**", "foo/bar/baz/x", true),
    ("*/bar/**", "deep/foo/bar/baz/x", false),
    ("**/bar/*/*", "deep/foo/bar/baz/x", true),
    ("*/*/*", "foo/bba/arr", true),
    ("*/*/*", "foo/bb/aa/rr", false),
    ("**/**/**", "foo/bb/aa/rr", true),
    ("*X*i", "abcXdefXghi", true),
    ("*/*X*/*/*i", "ab/cXd/efXg/hi", true),
    ("**/*X*/**/*i", "ab/cXd/efXg/hi", true),
    // POLICY.md's own examples.
    ("/usr/**/bin", "/usr/bin", true),
    ("/usr/**/bin", "/usr/local/bin", true),
    ("/usr/**/bin", "/usr/lib/x/bin", true),
    ("/usr/**/bin", "/usrbin", false),
    ("/usr/**", "/usr/lib/libc.so", true),
    ("/usr/**", "/usr", false),
    ("/usr/*", "/usr/lib", true),
    ("/usr/*", "/usr/lib/libc.so", false),
    ("/tmp/***", "/tmp", true),
    ("/tmp/***", "/tmp/", true),
    ("/tmp/***", "/tmp/a/b/c", true),
    ("/tmp/***", "/tmpfoo", false),
    ("/tmp/***", "/", false),
    ("/***", "/", true),
    ("/***", "/etc/passwd", true),
    ("/etc/shadow", "/etc/shadow", true),
    ("/etc/shadow", "/etc/shadow-", false),
    ("/proc/[0-9]*/mem", "/proc/1234/mem", true),
    ("/proc/[0-9]*/mem", "/proc/self/mem", false),
    ("/dev/tty[0-9]", "/dev/tty1", true),
    ("/dev/tty[0-9]", "/dev/tty10", false),
    ("/home/*/.ssh/**", "/home/alice/.ssh/id_ed25519", true),
    ("/home/*/.ssh/**", "/home/alice/x/.ssh/id", false),
    // Bytes that are not UTF-8 are just bytes.
    ("/tmp/\u{e9}*", "/tmp/\u{e9}t\u{e9}", true),
];

#[test]
fn table() {
    let mut failures = Vec::new();
    for &(pattern, text, expected) in TABLE {
        if matches(pattern.as_bytes(), text.as_bytes()) != expected {
            failures.push(format!("{pattern:?} vs {text:?}: expected {expected}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn validation_names_the_problem() {
    assert_eq!(validate(b"/a/[bc"), Err(GlobError::UnclosedClass));
    assert_eq!(validate(b"/a/[[:nope:]]"), Err(GlobError::UnknownClass));
    assert_eq!(validate(b"/a\\"), Err(GlobError::TrailingEscape));
    assert_eq!(validate(&[b'a'; MAX_PATTERN + 1]), Err(GlobError::TooLong));
    assert_eq!(validate(b"/usr/**/[a-z]*.so.[0-9]"), Ok(()));
    assert_eq!(validate(&[b'*'; MAX_PATTERN]), Ok(()));
}

/// A plain backtracking matcher with the same semantics, written
/// independently of the automaton (classes aside, which the table
/// covers): exponential, so only for short inputs.
fn reference(p: &[u8], t: &[u8]) -> bool {
    if p.is_empty() {
        return t.is_empty();
    }
    if p == b"/***" {
        return t.is_empty() || t[0] == b'/';
    }
    if p.starts_with(b"/**/") && !p.starts_with(b"/***") && reference(&p[3..], t) {
        return true;
    }
    match p[0] {
        b'*' => {
            let run = p.iter().take_while(|&&c| c == b'*').count();
            let rest = &p[run..];
            for i in 0..=t.len() {
                if i > 0 && run == 1 && t[i - 1] == b'/' {
                    break;
                }
                if reference(rest, &t[i..]) {
                    return true;
                }
            }
            false
        }
        b'?' => !t.is_empty() && t[0] != b'/' && reference(&p[1..], &t[1..]),
        b'[' => {
            let Ok(end) = class_end(p, 0) else {
                return false;
            };
            !t.is_empty()
                && t[0] != b'/'
                && class_matches(p, 0, end, t[0])
                && reference(&p[end..], &t[1..])
        }
        b'\\' => p.len() > 1 && !t.is_empty() && t[0] == p[1] && reference(&p[2..], &t[1..]),
        c => !t.is_empty() && t[0] == c && reference(&p[1..], &t[1..]),
    }
}

/// xorshift64*: a fixed-seed generator, so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn agrees_with_the_reference_matcher() {
    const PIECES: &[&str] = &[
        "a", "b", "/", "*", "**", "?", "[ab]", "[!a]", "/**/", "\\*", "***",
    ];
    const BYTES: &[u8] = b"ab/*";
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut positive = 0;
    for _ in 0..100_000 {
        let mut pattern = String::new();
        for _ in 0..rng.below(6) {
            pattern.push_str(PIECES[rng.below(PIECES.len())]);
        }
        if rng.below(4) == 0 {
            pattern.push_str("/***");
        }
        let text: Vec<u8> = (0..rng.below(8))
            .map(|_| BYTES[rng.below(BYTES.len())])
            .collect();
        let expected = reference(pattern.as_bytes(), &text);
        assert_eq!(
            matches(pattern.as_bytes(), &text),
            expected,
            "pattern {pattern:?} text {:?}",
            String::from_utf8_lossy(&text)
        );
        positive += expected as usize;
    }
    // The generator must produce matches too, or the test proves little.
    assert!(positive > 5_000, "only {positive} matching cases");
}

#[test]
fn hostile_patterns_stay_linear() {
    let start = std::time::Instant::now();
    let text = [b'a'; 4000];
    let pattern = "*a".repeat(500) + "b";
    assert!(!matches(pattern.as_bytes(), &text));
    let pattern = "**a".repeat(300) + "**b";
    assert!(!matches(pattern.as_bytes(), &text));
    let mut path = Vec::new();
    for _ in 0..1000 {
        path.extend_from_slice(b"/a");
    }
    let pattern = "/**".repeat(400) + "/b";
    assert!(!matches(pattern.as_bytes(), &path));
    // Each of these would take ages with naive backtracking.
    assert!(
        start.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
}
