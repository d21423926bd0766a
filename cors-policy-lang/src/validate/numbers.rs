//! `max-age` (a duration) and `preflight-status` (a 2xx status code).

use crate::ast::Directive;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};

/// The largest `max-age` accepted, in seconds (one day).
const MAX_AGE_LIMIT: u64 = 86_400;
/// Chromium's cap on `Access-Control-Max-Age`; above it the value is cut.
const MAX_AGE_BROWSER_CAP: u64 = 7_200;

/// Validates `max-age` (`600`, `600s`, `10m`, `2h`); returns seconds.
pub(super) fn max_age(directive: &Directive, diagnostics: &mut Diagnostics) -> Option<u32> {
    let arg = super::single_arg(directive, diagnostics)?;
    let Some(seconds) = parse_duration(&arg.value) else {
        diagnostics.push(
            Diagnostic::error(
                Code::InvalidDuration,
                format!("invalid duration `{}`", arg.value.escape_debug()),
                arg.span.clone(),
            )
            .with_label("expected seconds, or a number with `s`, `m` or `h`")
            .with_help("write e.g. `max-age 600;`, `max-age 10m;` or `max-age 2h;`"),
        );
        return None;
    };
    if seconds > MAX_AGE_LIMIT {
        diagnostics.push(
            Diagnostic::error(
                Code::MaxAgeTooLarge,
                format!("`max-age` is {} seconds, more than one day", display_seconds(seconds)),
                arg.span.clone(),
            )
            .with_label("above 86400 seconds")
            .with_help("browsers cap the preflight cache far lower (Chromium at 2h, WebKit at 10m); use at most `2h`"),
        );
        return None;
    }
    if seconds > MAX_AGE_BROWSER_CAP {
        diagnostics.push(
            Diagnostic::warning(
                Code::MaxAgeAboveBrowserCap,
                format!("`max-age` of {seconds} seconds is more than browsers honour"),
                arg.span.clone(),
            )
            .with_label("above 7200 seconds")
            .with_help("Chromium caps the preflight cache at 2h and WebKit at 10m; `max-age 2h;` has the same effect"),
        );
    }
    u32::try_from(seconds).ok()
}

fn display_seconds(seconds: u64) -> String {
    if seconds == u64::MAX {
        "too many".to_string()
    } else {
        seconds.to_string()
    }
}

/// `N`, `Ns`, `Nm` or `Nh` in seconds, saturating at `u64::MAX`; `None`
/// when malformed.
fn parse_duration(text: &str) -> Option<u64> {
    let (digits, multiplier) = match text.as_bytes().last()? {
        b's' => (&text[..text.len() - 1], 1),
        b'm' => (&text[..text.len() - 1], 60),
        b'h' => (&text[..text.len() - 1], 3600),
        _ => (text, 1),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value = digits.bytes().fold(0u64, |value, digit| {
        value
            .saturating_mul(10)
            .saturating_add(u64::from(digit - b'0'))
    });
    Some(value.saturating_mul(multiplier))
}

/// Validates `preflight-status` (200..=299).
pub(super) fn preflight_status(
    directive: &Directive,
    diagnostics: &mut Diagnostics,
) -> Option<u16> {
    let arg = super::single_arg(directive, diagnostics)?;
    let status = arg
        .value
        .parse::<u16>()
        .ok()
        .filter(|status| (200..=299).contains(status) && arg.value.len() == 3);
    if status.is_none() {
        diagnostics.push(
            Diagnostic::error(
                Code::InvalidPreflightStatus,
                format!("invalid preflight status `{}`", arg.value.escape_debug()),
                arg.span.clone(),
            )
            .with_label("expected a status from 200 to 299")
            .with_help(
                "browsers reject a preflight without an ok status; `204` (the default) or `200`",
            ),
        );
    }
    status
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("600"), Some(600));
        assert_eq!(parse_duration("600s"), Some(600));
        assert_eq!(parse_duration("10m"), Some(600));
        assert_eq!(parse_duration("2h"), Some(7200));
        assert_eq!(parse_duration("0"), Some(0));
        assert_eq!(parse_duration("99999999999999999999999h"), Some(u64::MAX));
        for bad in ["", "s", "m", "1d", "-1", "1.5h", "10 m", "1hm", "é"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }
}
