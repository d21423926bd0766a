//! `corsc import django SETTINGS.py`: read the settings module's literal
//! assignments with [`python`] and translate them with
//! [`cors_policy_lang::import::django::translate`].

use cors_policy_lang::import::{django, Import};

use super::python;

/// Translates the text of a django settings module into `.corspolicy`.
///
/// `stem` names the policy when it is a valid policy name (`settings` for
/// `settings.py`); otherwise the policy is named `django`. Never fails:
/// what cannot be read or translated is an error diagnostic and a comment
/// in the policy.
pub fn import(source: &str, stem: &str) -> Import {
    django::translate(&python::parse(source), stem)
}
