//! The forms: how each one is laid out, and what its submission asks the database worker to do.

use crate::effect::Change;
use satui_domain::expiry::{self, DEFAULT_LIFETIME_DAYS, DEFAULT_MAX_AGE_DAYS, ExpiryRequest, Lifetime};
use satui_domain::permission::{self, Catalog};
use satui_domain::role::BasicRole;
use satui_domain::{names, time};
use satui_service::{Account, AccountChanges, Field as ServiceField, NewAccount, NewToken, Org, OrgChanges};

use super::{FieldKey, Form, FormField};

/// What the form is for, and so what submitting it produces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormKind {
    NewAccount {
        org_id: i64,
    },
    EditAccount {
        account_id: i64,
    },
    NewToken {
        account_id: i64,
    },
    AccountRole {
        account_id: i64,
        assign: bool,
    },
    NewGroup {
        org_id: i64,
    },
    RenameGroup {
        org_id: i64,
        group: String,
    },
    GroupChange {
        org_id: i64,
        group: String,
        add: bool,
    },
    NewRole {
        org_id: i64,
    },
    EditRole {
        org_id: i64,
        role: String,
    },
    RolePermission {
        org_id: i64,
        role: String,
        add: bool,
    },
    NewOrg,
    EditOrg {
        org_id: i64,
    },
    DeleteOrg {
        org_id: i64,
        name: String,
    },
    RotateToken {
        token_id: i64,
    },
    /// Register a plugin in this org from its plugin.json; `plugin`: the one being registered
    /// again (its permissions then follow the file).
    RegisterPlugin {
        org_id: i64,
        plugin: Option<String>,
    },
}

/// The graces the rotate form offers (DESIGN: now / 1 h / 24 h / 7 d).
const GRACES: [(&str, i64); 4] = [("now", 0), ("1 h", 3_600), ("24 h", 86_400), ("7 d", 604_800)];

const LIFETIMES: [&str; 7] = ["Never", "7 days", "30 days", "60 days", "90 days", "365 days", CUSTOM];
const LIFETIME_DAYS: [Option<u32>; 7] = [None, Some(7), Some(30), Some(60), Some(90), Some(365), None];
pub(super) const CUSTOM: &str = "Custom";

use ServiceField as S;

fn name_field(value: &str) -> FormField {
    FormField::text(FieldKey::Name, "Name", value).answering(&[S::Name])
}

fn description_field(value: &str) -> FormField {
    FormField::text(FieldKey::Description, "Description", value).answering(&[S::Description])
}

fn basic_role_field(role: BasicRole) -> FormField {
    let options = BasicRole::ALL.iter().map(|r| r.to_string()).collect();
    let index = BasicRole::ALL.iter().position(|r| *r == role).unwrap_or(0);
    FormField::choice(FieldKey::Role, "Role", options, index).answering(&[S::Role])
}

/// Every catalog action, narrowed by typing (`dash` → dashboards:…).
fn action_field() -> FormField {
    let actions: Vec<String> = Catalog::get().actions.iter().map(|a| a.action.clone()).collect();
    FormField::pick(FieldKey::Action, "Action", actions, false).answering(&[S::Role])
}

/// A permission as one line, "action scope", for picking one a role holds.
fn permission_line(p: &satui_domain::permission::Permission) -> String {
    if p.scope.is_empty() { p.action.clone() } else { format!("{} {}", p.action, p.scope) }
}

/// The org's cap on token lifetime in days; empty (or `none`) for no cap.
fn cap_field(value: &str) -> FormField {
    FormField::text(FieldKey::Cap, "Token cap days", value).answering(&[S::Cap])
}

/// The days of a Lifetime choice's label ("30 days" → 30); `None` for Never and Custom.
fn lifetime_days_of(label: &str) -> Option<u32> {
    LIFETIMES.iter().position(|l| *l == label).and_then(|i| LIFETIME_DAYS[i])
}

fn scope_field() -> FormField {
    FormField::text(FieldKey::Scope, "Scope", "")
}

impl Form {
    pub fn new_account(org_id: i64, org_name: &str) -> Form {
        Form::build(
            FormKind::NewAccount { org_id },
            format!("New service account in {org_name}"),
            vec![name_field(""), description_field(""), basic_role_field(BasicRole::default())],
        )
    }

    /// `groups`: the account's groups, shown read-only (membership is changed in the Groups view).
    pub fn edit_account(account: &Account, groups: &[String]) -> Form {
        let groups = if groups.is_empty() { "none".to_string() } else { groups.join(", ") };
        let mut form = Form::build(
            FormKind::EditAccount { account_id: account.id },
            format!("Edit {}", account.name),
            vec![name_field(&account.name), description_field(&account.description), basic_role_field(account.role)],
        );
        form.note = Some(format!("Groups: {groups} (change membership in the Groups view, 2)"));
        form
    }

    /// `cap_days`: the org's token lifetime cap. The Lifetime choice offers nothing past it (no
    /// `Never`, no `365 days` in a 90-day org); `Custom` stays, checked against the cap on save.
    pub fn new_token(account: &Account, cap_days: Option<u32>) -> Form {
        let offered: Vec<String> = LIFETIMES
            .iter()
            .zip(LIFETIME_DAYS)
            .filter(|(label, days)| match (cap_days, days) {
                (None, _) => true,
                (Some(_), None) => **label == CUSTOM,
                (Some(cap), Some(days)) => *days <= cap,
            })
            .map(|(label, _)| label.to_string())
            .collect();
        // 30 days, or the longest offered under the cap, or Custom.
        let wanted = cap_days.map_or(DEFAULT_LIFETIME_DAYS, |cap| cap.min(DEFAULT_LIFETIME_DAYS));
        let default_lifetime = offered
            .iter()
            .rposition(|label| lifetime_days_of(label).is_some_and(|d| d <= wanted))
            .unwrap_or(offered.len().saturating_sub(1));
        let mut form = Form::build(
            FormKind::NewToken { account_id: account.id },
            format!("New token for {}", account.name),
            vec![
                name_field(""),
                FormField::choice(FieldKey::Lifetime, "Lifetime", offered, default_lifetime).answering(&[S::Lifetime]),
                FormField::text(FieldKey::CustomDays, "Days or date", "").answering(&[S::Lifetime]),
                FormField::toggle(FieldKey::Extended, "Extended", false),
                FormField::text(
                    FieldKey::MaxAge,
                    "Max age days",
                    &cap_days.map_or(DEFAULT_MAX_AGE_DAYS, |cap| cap.min(DEFAULT_MAX_AGE_DAYS)).to_string(),
                )
                .answering(&[S::MaxAge]),
            ],
        );
        if let Some(cap) = cap_days {
            form.note = Some(format!("This organization caps token lifetime at {cap} days."));
        }
        form
    }

    /// `options`: the roles to give (the org's), or the ones the account holds (to take).
    pub fn account_role(account: &Account, assign: bool, options: Vec<String>) -> Form {
        let verb = if assign { "Give" } else { "Take" };
        let prep = if assign { "to" } else { "from" };
        Form::build(
            FormKind::AccountRole { account_id: account.id, assign },
            format!("{verb} a role {prep} {}", account.name),
            // Giving may name a role the list has not loaded yet; taking picks one it holds.
            vec![FormField::pick(FieldKey::Target, "Role", options, assign).answering(&[S::Role])],
        )
    }

    pub fn new_group(org_id: i64) -> Form {
        Form::build(FormKind::NewGroup { org_id }, "New group".into(), vec![name_field(""), description_field("")])
    }

    pub fn rename_group(org_id: i64, group: &str) -> Form {
        Form::build(
            FormKind::RenameGroup { org_id, group: group.to_string() },
            format!("Rename group {group}"),
            vec![name_field(group)],
        )
    }

    /// `members` and `roles`: what Target offers for each kind (to add: the org's roles, and
    /// members come from the store as they are typed; to remove: what the group holds).
    pub fn group_change(org_id: i64, group: &str, add: bool, members: Vec<String>, roles: Vec<String>) -> Form {
        let title = if add { format!("Add to group {group}") } else { format!("Remove from group {group}") };
        let mut form = Form::build(
            FormKind::GroupChange { org_id, group: group.to_string(), add },
            title,
            vec![
                FormField::choice(FieldKey::Kind, "What", vec!["Member".into(), "Role".into()], 0),
                FormField::pick(FieldKey::Target, "Name", members.clone(), add).answering(&[S::Account, S::Role]),
            ],
        );
        form.set_target_options(members, roles);
        form.focus = 1;
        form
    }

    pub fn new_role(org_id: i64) -> Form {
        Form::build(
            FormKind::NewRole { org_id },
            "New custom role".into(),
            vec![name_field(""), description_field(""), action_field(), scope_field()],
        )
    }

    /// Renames and re-describes a custom role (its holders keep it).
    pub fn edit_role(org_id: i64, role: &str, description: &str) -> Form {
        Form::build(
            FormKind::EditRole { org_id, role: role.to_string() },
            format!("Edit role {role}"),
            vec![name_field(role), description_field(description)],
        )
    }

    /// Granting picks an action from the catalog (the scope is filled with its usual one);
    /// removing picks one of the permissions the role holds (`held`).
    pub fn role_permission(org_id: i64, role: &str, add: bool, held: &[satui_domain::permission::Permission]) -> Form {
        let title =
            if add { format!("Grant a permission to {role}") } else { format!("Remove a permission from {role}") };
        let fields = if add {
            vec![action_field(), scope_field()]
        } else {
            let lines = held.iter().map(permission_line).collect();
            vec![FormField::pick(FieldKey::Action, "Permission", lines, false).answering(&[S::Role])]
        };
        Form::build(FormKind::RolePermission { org_id, role: role.to_string(), add }, title, fields)
    }

    pub fn register_plugin(org_id: i64, plugin: Option<&str>) -> Form {
        let title = match plugin {
            Some(id) => format!("Register plugin {id} again"),
            None => "Register a plugin".to_string(),
        };
        let mut form = Form::build(
            FormKind::RegisterPlugin { org_id, plugin: plugin.map(str::to_string) },
            title,
            vec![FormField::text(FieldKey::Path, "plugin.json", "")],
        );
        form.note = Some(match plugin {
            Some(_) => "The account and its token stay; its role's permissions become the file's iam.permissions. Tab completes the path.".into(),
            None => "A managed account, its role (the file's iam.permissions) and a token, shown once. Tab completes the path.".into(),
        });
        form
    }

    pub fn new_org() -> Form {
        Form::build(FormKind::NewOrg, "New organization".into(), vec![name_field(""), cap_field("")])
    }

    pub fn edit_org(org: &Org) -> Form {
        let cap = org.max_token_lifetime_days.map(|d| d.to_string()).unwrap_or_default();
        Form::build(
            FormKind::EditOrg { org_id: org.id },
            format!("Edit {}", org.name),
            vec![name_field(&org.name), cap_field(&cap)],
        )
    }

    pub fn rotate_token(token: &satui_service::Token, account: &str) -> Form {
        let mut form = Form::build(
            FormKind::RotateToken { token_id: token.id },
            format!("Rotate token {} ({}) of {account}", token.name, token.hint),
            vec![FormField::choice(
                FieldKey::Grace,
                "Old one works",
                GRACES.iter().map(|(l, _)| l.to_string()).collect(),
                0,
            )],
        );
        form.note = Some(
            "The new secret is shown once. With a grace the old secret keeps working until then, so a deployment can switch without an outage.".into(),
        );
        form
    }

    pub fn delete_org(org: &Org) -> Form {
        Form::build(
            FormKind::DeleteOrg { org_id: org.id, name: org.name.clone() },
            format!("Delete {} and everything in it? Type its name", org.name),
            vec![FormField::text(FieldKey::Confirm, "Name", "")],
        )
    }
}

/// Checks the fields of `form` and says what to write; `None` leaves the messages under them.
pub(super) fn submit(form: &mut Form) -> Option<Change> {
    match form.kind.clone() {
        FormKind::NewAccount { org_id } => {
            let (name, description, role) = account_fields(form)?;
            Some(Change::CreateAccount { org_id, new: NewAccount { name, description, role, disabled: false } })
        }
        FormKind::EditAccount { account_id } => {
            let (name, description, role) = account_fields(form)?;
            let changes =
                AccountChanges { name: Some(name), description: Some(description), role: Some(role), disabled: None };
            Some(Change::UpdateAccount { account_id, changes })
        }
        FormKind::NewToken { account_id } => token_fields(form).map(|new| Change::CreateToken { account_id, new }),
        FormKind::AccountRole { account_id, assign } => {
            let role = form.check(FieldKey::Target, form.pick_value(FieldKey::Target, "role"))?;
            Some(Change::AssignRole { account_id, role, assign })
        }
        FormKind::NewGroup { org_id } => {
            let name = form.check(FieldKey::Name, names::validate_label_name(&form.text_of(FieldKey::Name), "group"));
            let description =
                form.check(FieldKey::Description, names::validate_description(&form.text_of(FieldKey::Description)));
            Some(Change::CreateGroup { org_id, name: name?, description: description? })
        }
        FormKind::RenameGroup { org_id, group } => {
            let new_name =
                form.check(FieldKey::Name, names::validate_label_name(&form.text_of(FieldKey::Name), "group"))?;
            Some(Change::RenameGroup { org_id, group, new_name })
        }
        FormKind::GroupChange { org_id, group, add } => {
            let member = form.field(FieldKey::Kind).is_none_or(|f| f.choice_index() == 0);
            let what = if member { "account" } else { "role" };
            let target = form.check(FieldKey::Target, form.pick_value(FieldKey::Target, what))?;
            Some(if member {
                Change::ChangeMember { org_id, group, account: target, add }
            } else {
                Change::ChangeGroupRole { org_id, group, role: target, add }
            })
        }
        FormKind::NewRole { org_id } => {
            let name = form.check(FieldKey::Name, names::validate_label_name(&form.text_of(FieldKey::Name), "role"));
            let description =
                form.check(FieldKey::Description, names::validate_description(&form.text_of(FieldKey::Description)));
            let permission = permission_fields(form);
            Some(Change::CreateRole { org_id, name: name?, description: description?, permissions: vec![permission?] })
        }
        FormKind::EditRole { org_id, role } => {
            let name = form.check(FieldKey::Name, names::validate_label_name(&form.text_of(FieldKey::Name), "role"));
            let description =
                form.check(FieldKey::Description, names::validate_description(&form.text_of(FieldKey::Description)));
            Some(Change::UpdateRole { org_id, role, new_name: name?, description: description? })
        }
        FormKind::RolePermission { org_id, role, add } => {
            let (action, scope) = permission_fields(form)?;
            Some(Change::ChangeRolePermission { org_id, role, action, scope, grant: add })
        }
        FormKind::NewOrg => {
            let name = form.check(FieldKey::Name, names::validate_org_name(&form.text_of(FieldKey::Name)));
            let cap = cap_of(form);
            Some(Change::CreateOrg { name: name?, cap_days: cap? })
        }
        FormKind::EditOrg { org_id } => {
            let name = form.check(FieldKey::Name, names::validate_org_name(&form.text_of(FieldKey::Name)));
            let cap = cap_of(form);
            Some(Change::UpdateOrg { org_id, changes: OrgChanges { name: Some(name?), cap_days: Some(cap?) } })
        }
        FormKind::RotateToken { token_id } => {
            let index = form.field(FieldKey::Grace).map_or(0, FormField::choice_index);
            let grace_seconds = GRACES.get(index).map_or(0, |(_, seconds)| *seconds);
            Some(Change::RotateToken { token_id, grace_seconds })
        }
        FormKind::RegisterPlugin { org_id, plugin } => {
            let path = form.text_of(FieldKey::Path).trim().to_string();
            let given =
                if path.is_empty() { Err("give the path of the plugin's plugin.json".to_string()) } else { Ok(()) };
            form.check(FieldKey::Path, given)?;
            Some(Change::RegisterPlugin { org_id, path, again: plugin })
        }
        FormKind::DeleteOrg { org_id, name } => {
            let typed = form.text_of(FieldKey::Confirm);
            let matches =
                if typed.trim() == name { Ok(()) } else { Err(format!("type '{name}' exactly to delete it")) };
            form.check(FieldKey::Confirm, matches)?;
            Some(Change::DeleteOrg { org_id })
        }
    }
}

fn account_fields(form: &mut Form) -> Option<(String, String, BasicRole)> {
    let name = form.check(FieldKey::Name, names::validate_account_name(&form.text_of(FieldKey::Name)));
    let description =
        form.check(FieldKey::Description, names::validate_description(&form.text_of(FieldKey::Description)));
    let role =
        form.field(FieldKey::Role).and_then(|f| BasicRole::ALL.get(f.choice_index()).copied()).unwrap_or_default();
    Some((name?, description?, role))
}

fn permission_fields(form: &mut Form) -> Option<(String, String)> {
    let picked = form.check(FieldKey::Action, form.pick_value(FieldKey::Action, "action"))?;
    if form.field(FieldKey::Scope).is_none() {
        // A held permission was picked: "action scope".
        let (action, scope) = picked.split_once(' ').unwrap_or((&picked, ""));
        return Some((action.to_string(), scope.to_string()));
    }
    let scope = form.check(FieldKey::Scope, permission::validate_scope(&form.text_of(FieldKey::Scope)))?;
    Some((picked, scope))
}

fn parse_days(form: &mut Form, key: FieldKey, what: &str) -> Option<u32> {
    let parsed = form
        .text_of(key)
        .trim()
        .parse::<i64>()
        .map_err(|_| format!("{what} must be a whole number of days"))
        .and_then(|days| expiry::validate_days(days, what));
    form.check(key, parsed)
}

/// The token form's lifetime: a preset, or the custom field's days or `YYYY-MM-DD` date. Whether
/// the combination is allowed (Extended needs a lifetime, the org cap) is the service's answer.
/// The Cap field: `Some(None)` for no cap, `None` with the message under the field.
fn cap_of(form: &mut Form) -> Option<Option<i64>> {
    let cap_text = form.text_of(FieldKey::Cap).trim().to_string();
    if cap_text.is_empty() || cap_text == "none" {
        return Some(None);
    }
    let parsed = cap_text
        .parse::<i64>()
        .map_err(|_| "the cap must be a whole number of days, or empty for none".to_string())
        .and_then(|d| expiry::validate_days(d, "token lifetime cap"))
        .map(|d| Some(i64::from(d)));
    form.check(FieldKey::Cap, parsed)
}

fn token_fields(form: &mut Form) -> Option<NewToken> {
    let name = form.check(FieldKey::Name, names::validate_token_name(&form.text_of(FieldKey::Name)));
    let label = form.field(FieldKey::Lifetime).and_then(FormField::choice_value).unwrap_or("Never").to_string();
    let lifetime = match (label.as_str(), lifetime_days_of(&label)) {
        (CUSTOM, _) => {
            let text = form.text_of(FieldKey::CustomDays).trim().to_string();
            if text.contains('-') && !text.starts_with('-') {
                // A date: the service checks it is in the future and within the cap.
                form.check(FieldKey::CustomDays, time::parse_date(&text)).map(Lifetime::Until)
            } else {
                parse_days(form, FieldKey::CustomDays, "custom lifetime").map(Lifetime::Days)
            }
        }
        (_, Some(days)) => Some(Lifetime::Days(days)),
        _ => Some(Lifetime::Never),
    };
    let extended = form.field(FieldKey::Extended).is_some_and(FormField::is_on);
    let max_age = if extended { Some(parse_days(form, FieldKey::MaxAge, "max age")?) } else { None };
    Some(NewToken {
        name: name?,
        expiry: ExpiryRequest { lifetime: lifetime?, extended_max_age_days: max_age.map(i64::from) },
    })
}
