//! Pure types and rules: names, slugs, roles, token format, expiry. No I/O, no SQL.

pub mod clock;
pub mod expiry;
pub mod model;
pub mod names;
pub mod permission;
pub mod role;
pub mod text;
pub mod time;
pub mod token;
