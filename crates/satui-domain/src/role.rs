//! Basic roles: every account has exactly one.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The four basic roles of Grafana, weakest first. The default for a new account is `Viewer`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum BasicRole {
    None,
    #[default]
    Viewer,
    Editor,
    Admin,
}

impl BasicRole {
    pub const ALL: [BasicRole; 4] = [BasicRole::None, BasicRole::Viewer, BasicRole::Editor, BasicRole::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            BasicRole::None => "None",
            BasicRole::Viewer => "Viewer",
            BasicRole::Editor => "Editor",
            BasicRole::Admin => "Admin",
        }
    }
}

impl fmt::Display for BasicRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for BasicRole {
    type Err = String;

    /// Case-insensitive, so `--role editor` works.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        BasicRole::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown role '{}': expected None, Viewer, Editor or Admin", s.trim()))
    }
}

/// Where a role comes from, which decides whether an admin may change it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RoleKind {
    /// None, Viewer, Editor, Admin: every account holds exactly one.
    Basic,
    /// Grafana's built-in `fixed:` roles from the catalog.
    Fixed,
    /// An org's own role, made by an admin.
    Custom,
    /// A plugin's `managed:` role, changed only by registering the plugin again.
    Managed,
}

impl RoleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RoleKind::Basic => "basic",
            RoleKind::Fixed => "fixed",
            RoleKind::Custom => "custom",
            RoleKind::Managed => "managed",
        }
    }

    /// Only custom roles can be edited or deleted by an admin.
    pub fn read_only(self) -> bool {
        self != RoleKind::Custom
    }
}

impl fmt::Display for RoleKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
