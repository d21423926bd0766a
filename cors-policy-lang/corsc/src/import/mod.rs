//! `corsc import`: read another framework's configuration file and hand
//! its values to the translation in [`cors_policy_lang::import`].
//!
//! - [`django`]: `settings.py` of django-cors-headers 4.x, read by the
//!   Python-source reader [`python`].

pub mod django;
pub mod python;
