//! Actions: what a rule or a default does (POLICY.md, "Actions").

use core::fmt;

/// A verdict of the policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Action {
    /// Deny and log (the default).
    Deny = 0,
    /// Allow silently.
    Allow,
    /// Allow and log.
    Warn,
    /// Deny silently.
    Filter,
    /// SIGKILL the offending process.
    Kill,
    /// End husk and with it the whole sandbox.
    Exit,
}

impl Action {
    /// The action whose `as u8` is `n` (a log record's).
    pub fn from_u8(n: u8) -> Option<Action> {
        [
            Action::Deny,
            Action::Allow,
            Action::Warn,
            Action::Filter,
            Action::Kill,
            Action::Exit,
        ]
        .into_iter()
        .find(|&a| a as u8 == n)
    }

    /// Parses an action name.
    pub fn parse(name: &[u8]) -> Option<Action> {
        Some(match name {
            b"allow" => Action::Allow,
            b"warn" => Action::Warn,
            b"filter" => Action::Filter,
            b"deny" => Action::Deny,
            b"kill" => Action::Kill,
            b"exit" => Action::Exit,
            _ => return None,
        })
    }

    /// The name used in rules and logs.
    pub fn name(self) -> &'static str {
        match self {
            Action::Allow => "allow",
            Action::Warn => "warn",
            Action::Filter => "filter",
            Action::Deny => "deny",
            Action::Kill => "kill",
            Action::Exit => "exit",
        }
    }

    /// Whether the operation goes ahead.
    pub fn allows(self) -> bool {
        matches!(self, Action::Allow | Action::Warn)
    }

    /// Whether a log line is written.
    pub fn logs(self) -> bool {
        !matches!(self, Action::Allow | Action::Filter)
    }

    /// Severity, for combining categories: the most severe applies.
    pub fn severity(self) -> u8 {
        match self {
            Action::Allow => 0,
            Action::Warn => 1,
            Action::Filter => 2,
            Action::Deny => 3,
            Action::Kill => 4,
            Action::Exit => 5,
        }
    }

    /// The more severe of two actions.
    pub fn max(self, other: Action) -> Action {
        if other.severity() > self.severity() {
            other
        } else {
            self
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_orders_actions() {
        assert_eq!(Action::Allow.max(Action::Warn), Action::Warn);
        assert_eq!(Action::Filter.max(Action::Deny), Action::Deny);
        assert_eq!(Action::Kill.max(Action::Deny), Action::Kill);
        assert_eq!(Action::Exit.max(Action::Allow), Action::Exit);
        for a in [
            Action::Allow,
            Action::Warn,
            Action::Filter,
            Action::Deny,
            Action::Kill,
            Action::Exit,
        ] {
            assert_eq!(Action::parse(a.name().as_bytes()), Some(a));
        }
        assert!(
            Action::Warn.allows()
                && !Action::Filter.allows()
                && !Action::Filter.logs()
                && Action::Deny.logs()
        );
    }
}
