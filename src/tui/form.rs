//! Modal forms as data: a list of fields (text, choice, toggle) with a focus and a message under
//! each field. Validation calls the same domain functions the service layer uses.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::domain::expiry::{self, DEFAULT_LIFETIME_DAYS, DEFAULT_MAX_AGE_DAYS, ExpiryRequest, Lifetime};
use crate::domain::permission::{self, Catalog};
use crate::domain::role::BasicRole;
use crate::domain::{names, time};
use crate::service::{Account, AccountChanges, Field as ServiceField, NewAccount, NewToken, Org};

fn non_empty(text: String, what: &str) -> Result<String, String> {
    if text.is_empty() { Err(format!("{what} must not be empty")) } else { Ok(text) }
}

/// Longest text a form field takes; a huge paste is cut here instead of freezing the UI.
pub const MAX_INPUT_CHARS: usize = 600;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKey {
    Name,
    Description,
    Role,
    Lifetime,
    CustomDays,
    Extended,
    MaxAge,
    /// Member or Role (group changes).
    Kind,
    /// The name of the account or role being added or removed.
    Target,
    Action,
    Scope,
    Cap,
    Confirm,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    Text(String),
    Choice { options: Vec<String>, index: usize },
    Toggle(bool),
}

#[derive(Clone, Debug)]
pub struct FormField {
    pub key: FieldKey,
    pub label: &'static str,
    pub input: Input,
    pub enabled: bool,
    pub error: Option<String>,
}

impl FormField {
    fn text(key: FieldKey, label: &'static str, value: &str) -> FormField {
        FormField { key, label, input: Input::Text(value.to_string()), enabled: true, error: None }
    }

    fn choice(key: FieldKey, label: &'static str, options: Vec<String>, index: usize) -> FormField {
        FormField { key, label, input: Input::Choice { options, index }, enabled: true, error: None }
    }

    pub fn text_value(&self) -> &str {
        match &self.input {
            Input::Text(text) => text,
            _ => "",
        }
    }
}

/// What the form is for, and so what submitting it produces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormKind {
    NewAccount { org_id: i64 },
    EditAccount { account_id: i64 },
    NewToken { account_id: i64 },
    AccountRole { account_id: i64, assign: bool },
    NewGroup { org_id: i64 },
    RenameGroup { org_id: i64, group: String },
    GroupChange { org_id: i64, group: String, add: bool },
    NewRole { org_id: i64 },
    RolePermission { org_id: i64, role: String, add: bool },
    NewOrg,
    EditOrg { org_id: i64 },
    DeleteOrg { org_id: i64, name: String },
}

#[derive(Clone, Debug)]
pub struct Form {
    pub kind: FormKind,
    pub title: String,
    pub fields: Vec<FormField>,
    pub focus: usize,
    /// An error that belongs to no single field (shown at the bottom).
    pub error: Option<String>,
    /// Set while the submission is with the database worker.
    pub busy: bool,
    /// A read-only line shown above the keys (e.g. the account's groups).
    pub note: Option<String>,
}

/// The validated result of a form, ready for the service layer.
#[derive(Clone, Debug)]
pub enum Submission {
    NewAccount { org_id: i64, new: NewAccount },
    EditAccount { account_id: i64, changes: AccountChanges },
    NewToken { account_id: i64, new: NewToken },
    AccountRole { account_id: i64, role: String, assign: bool },
    NewGroup { org_id: i64, name: String, description: String },
    RenameGroup { org_id: i64, group: String, new_name: String },
    GroupMember { org_id: i64, group: String, account: String, add: bool },
    GroupRole { org_id: i64, group: String, role: String, add: bool },
    NewRole { org_id: i64, name: String, description: String, permission: (String, String) },
    RolePermission { org_id: i64, role: String, permission: (String, String), add: bool },
    NewOrg { name: String },
    EditOrg { org_id: i64, name: String, cap: Option<i64> },
    DeleteOrg { org_id: i64 },
}

const LIFETIMES: [&str; 7] = ["Never", "7 days", "30 days", "60 days", "90 days", "365 days", "Custom"];
const LIFETIME_DAYS: [Option<u32>; 7] = [None, Some(7), Some(30), Some(60), Some(90), Some(365), None];
const CUSTOM: usize = 6;

fn role_options() -> Vec<String> {
    BasicRole::ALL.iter().map(|r| r.to_string()).collect()
}

impl Form {
    pub fn new_account(org_id: i64, org_name: &str) -> Form {
        let viewer = BasicRole::ALL.iter().position(|r| *r == BasicRole::default()).unwrap_or(0);
        Form::build(
            FormKind::NewAccount { org_id },
            format!("New service account in {org_name}"),
            vec![
                FormField::text(FieldKey::Name, "Name", ""),
                FormField::text(FieldKey::Description, "Description", ""),
                FormField::choice(FieldKey::Role, "Role", role_options(), viewer),
            ],
        )
    }

    /// `groups`: the account's groups, shown read-only (membership is changed in the Groups view).
    pub fn edit_account(account: &Account, groups: &[String]) -> Form {
        let role = BasicRole::ALL.iter().position(|r| *r == account.role).unwrap_or(0);
        let groups = if groups.is_empty() { "none".to_string() } else { groups.join(", ") };
        let mut form = Form::build(
            FormKind::EditAccount { account_id: account.id },
            format!("Edit {}", account.name),
            vec![
                FormField::text(FieldKey::Name, "Name", &account.name),
                FormField::text(FieldKey::Description, "Description", &account.description),
                FormField::choice(FieldKey::Role, "Role", role_options(), role),
            ],
        );
        form.note = Some(format!("Groups: {groups} (change membership in the Groups view, 2)"));
        form
    }

    pub fn new_token(account: &Account) -> Form {
        let default_lifetime = LIFETIME_DAYS.iter().position(|d| *d == Some(DEFAULT_LIFETIME_DAYS)).unwrap_or(2);
        let mut form = Form::build(
            FormKind::NewToken { account_id: account.id },
            format!("New token for {}", account.name),
            vec![
                FormField::text(FieldKey::Name, "Name", ""),
                FormField::choice(
                    FieldKey::Lifetime,
                    "Lifetime",
                    LIFETIMES.iter().map(|s| s.to_string()).collect(),
                    default_lifetime,
                ),
                FormField::text(FieldKey::CustomDays, "Days or date", ""),
                FormField {
                    key: FieldKey::Extended,
                    label: "Extended",
                    input: Input::Toggle(false),
                    enabled: true,
                    error: None,
                },
                FormField::text(FieldKey::MaxAge, "Max age days", &DEFAULT_MAX_AGE_DAYS.to_string()),
            ],
        );
        form.sync_enabled();
        form
    }

    pub fn account_role(account: &Account, assign: bool) -> Form {
        let verb = if assign { "Give" } else { "Take" };
        let prep = if assign { "to" } else { "from" };
        Form::build(
            FormKind::AccountRole { account_id: account.id, assign },
            format!("{verb} a role {prep} {}", account.name),
            vec![FormField::text(FieldKey::Target, "Role", "")],
        )
    }

    pub fn new_group(org_id: i64) -> Form {
        Form::build(
            FormKind::NewGroup { org_id },
            "New group".into(),
            vec![
                FormField::text(FieldKey::Name, "Name", ""),
                FormField::text(FieldKey::Description, "Description", ""),
            ],
        )
    }

    pub fn rename_group(org_id: i64, group: &str) -> Form {
        Form::build(
            FormKind::RenameGroup { org_id, group: group.to_string() },
            format!("Rename group {group}"),
            vec![FormField::text(FieldKey::Name, "Name", group)],
        )
    }

    pub fn group_change(org_id: i64, group: &str, add: bool) -> Form {
        let title = if add { format!("Add to group {group}") } else { format!("Remove from group {group}") };
        Form::build(
            FormKind::GroupChange { org_id, group: group.to_string(), add },
            title,
            vec![
                FormField::choice(FieldKey::Kind, "What", vec!["Member".into(), "Role".into()], 0),
                FormField::text(FieldKey::Target, "Name", ""),
            ],
        )
    }

    fn action_choice() -> FormField {
        let actions: Vec<String> = Catalog::get().actions.iter().map(|a| a.action.clone()).collect();
        FormField::choice(FieldKey::Action, "Action", actions, 0)
    }

    pub fn new_role(org_id: i64) -> Form {
        Form::build(
            FormKind::NewRole { org_id },
            "New custom role".into(),
            vec![
                FormField::text(FieldKey::Name, "Name", ""),
                FormField::text(FieldKey::Description, "Description", ""),
                Form::action_choice(),
                FormField::text(FieldKey::Scope, "Scope", ""),
            ],
        )
    }

    pub fn role_permission(org_id: i64, role: &str, add: bool) -> Form {
        let title =
            if add { format!("Grant a permission to {role}") } else { format!("Remove a permission from {role}") };
        Form::build(
            FormKind::RolePermission { org_id, role: role.to_string(), add },
            title,
            vec![Form::action_choice(), FormField::text(FieldKey::Scope, "Scope", "")],
        )
    }

    pub fn new_org() -> Form {
        Form::build(FormKind::NewOrg, "New organization".into(), vec![FormField::text(FieldKey::Name, "Name", "")])
    }

    pub fn edit_org(org: &Org) -> Form {
        let cap = org.max_token_lifetime_days.map(|d| d.to_string()).unwrap_or_default();
        Form::build(
            FormKind::EditOrg { org_id: org.id },
            format!("Edit {}", org.name),
            vec![
                FormField::text(FieldKey::Name, "Name", &org.name),
                FormField::text(FieldKey::Cap, "Token cap days", &cap),
            ],
        )
    }

    pub fn delete_org(org: &Org) -> Form {
        Form::build(
            FormKind::DeleteOrg { org_id: org.id, name: org.name.clone() },
            format!("Delete {} and everything in it? Type its name", org.name),
            vec![FormField::text(FieldKey::Confirm, "Name", "")],
        )
    }

    fn text_of(&self, key: FieldKey) -> String {
        self.field(key).map(|f| f.text_value().to_string()).unwrap_or_default()
    }

    fn scope_field(&mut self) -> Option<(String, String)> {
        let action = match self.field(FieldKey::Action).map(|f| &f.input) {
            Some(Input::Choice { options, index }) => options.get(*index).cloned().unwrap_or_default(),
            _ => String::new(),
        };
        let scope = self.text_of(FieldKey::Scope);
        let scope = self.check(FieldKey::Scope, permission::validate_scope(&scope))?;
        Some((action, scope))
    }

    fn other_fields(&mut self) -> Option<Submission> {
        let kind = self.kind.clone();
        match kind {
            FormKind::AccountRole { account_id, assign } => {
                let role = self.text_of(FieldKey::Target).trim().to_string();
                let role = self.check(FieldKey::Target, non_empty(role, "role name"))?;
                Some(Submission::AccountRole { account_id, role, assign })
            }
            FormKind::NewGroup { org_id } => {
                let name =
                    self.check(FieldKey::Name, names::validate_label_name(&self.text_of(FieldKey::Name), "group"));
                let description = self
                    .check(FieldKey::Description, names::validate_description(&self.text_of(FieldKey::Description)));
                Some(Submission::NewGroup { org_id, name: name?, description: description? })
            }
            FormKind::RenameGroup { org_id, group } => {
                let new_name =
                    self.check(FieldKey::Name, names::validate_label_name(&self.text_of(FieldKey::Name), "group"))?;
                Some(Submission::RenameGroup { org_id, group, new_name })
            }
            FormKind::GroupChange { org_id, group, add } => {
                let target = self.text_of(FieldKey::Target).trim().to_string();
                let target = self.check(FieldKey::Target, non_empty(target, "name"))?;
                if self.choice_index(FieldKey::Kind) == 0 {
                    Some(Submission::GroupMember { org_id, group, account: target, add })
                } else {
                    Some(Submission::GroupRole { org_id, group, role: target, add })
                }
            }
            FormKind::NewRole { org_id } => {
                let name =
                    self.check(FieldKey::Name, names::validate_label_name(&self.text_of(FieldKey::Name), "role"));
                let description = self
                    .check(FieldKey::Description, names::validate_description(&self.text_of(FieldKey::Description)));
                let permission = self.scope_field();
                Some(Submission::NewRole { org_id, name: name?, description: description?, permission: permission? })
            }
            FormKind::RolePermission { org_id, role, add } => {
                let permission = self.scope_field()?;
                Some(Submission::RolePermission { org_id, role, permission, add })
            }
            FormKind::NewOrg => {
                let name = self.check(FieldKey::Name, names::validate_org_name(&self.text_of(FieldKey::Name)))?;
                Some(Submission::NewOrg { name })
            }
            FormKind::EditOrg { org_id } => {
                let name = self.check(FieldKey::Name, names::validate_org_name(&self.text_of(FieldKey::Name)));
                let cap_text = self.text_of(FieldKey::Cap).trim().to_string();
                let cap = if cap_text.is_empty() || cap_text == "none" {
                    Some(None)
                } else {
                    let parsed = cap_text
                        .parse::<i64>()
                        .map_err(|_| "the cap must be a whole number of days, or empty for none".to_string())
                        .and_then(|d| expiry::validate_days(d, "token lifetime cap"))
                        .map(|d| Some(i64::from(d)));
                    self.check(FieldKey::Cap, parsed)
                };
                Some(Submission::EditOrg { org_id, name: name?, cap: cap? })
            }
            FormKind::DeleteOrg { org_id, name } => {
                let typed = self.text_of(FieldKey::Confirm);
                let matches =
                    if typed.trim() == name { Ok(()) } else { Err(format!("type '{name}' exactly to delete it")) };
                self.check(FieldKey::Confirm, matches)?;
                Some(Submission::DeleteOrg { org_id })
            }
            FormKind::NewAccount { .. } | FormKind::EditAccount { .. } | FormKind::NewToken { .. } => None,
        }
    }

    fn build(kind: FormKind, title: String, fields: Vec<FormField>) -> Form {
        Form { kind, title, fields, focus: 0, error: None, busy: false, note: None }
    }

    pub fn field(&self, key: FieldKey) -> Option<&FormField> {
        self.fields.iter().find(|f| f.key == key)
    }

    fn field_mut(&mut self, key: FieldKey) -> Option<&mut FormField> {
        self.fields.iter_mut().find(|f| f.key == key)
    }

    /// Custom days only with a Custom lifetime; Max age only with Extended on.
    fn sync_enabled(&mut self) {
        let custom = matches!(self.field(FieldKey::Lifetime).map(|f| &f.input), Some(Input::Choice { index, .. }) if *index == CUSTOM);
        let extended = matches!(self.field(FieldKey::Extended).map(|f| &f.input), Some(Input::Toggle(true)));
        if let Some(f) = self.field_mut(FieldKey::CustomDays) {
            f.enabled = custom;
        }
        if let Some(f) = self.field_mut(FieldKey::MaxAge) {
            f.enabled = extended;
        }
    }

    pub fn move_focus(&mut self, forward: bool) {
        let n = self.fields.len();
        for step in 1..=n {
            let i = if forward { (self.focus + step) % n } else { (self.focus + n - step) % n };
            if self.fields[i].enabled {
                self.focus = i;
                return;
            }
        }
    }

    /// ←/→/Space on a choice or toggle. Returns false when the focused field is text.
    pub fn cycle(&mut self, forward: bool) -> bool {
        let field = &mut self.fields[self.focus];
        match &mut field.input {
            Input::Choice { options, index } => {
                let n = options.len();
                *index = if forward { (*index + 1) % n } else { (*index + n - 1) % n };
            }
            Input::Toggle(on) => *on = !*on,
            Input::Text(_) => return false,
        }
        field.error = None;
        self.sync_enabled();
        true
    }

    pub fn focused_is_text(&self) -> bool {
        matches!(self.fields[self.focus].input, Input::Text(_))
    }

    /// Typing into the focused text field. Control characters are dropped.
    pub fn input(&mut self, key: KeyEvent) {
        let field = &mut self.fields[self.focus];
        let Input::Text(text) = &mut field.input else { return };
        match key.code {
            KeyCode::Backspace => {
                text.pop();
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => text.clear(),
            KeyCode::Char('w') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                let trimmed = text.trim_end().len();
                let cut = text[..trimmed].rfind(' ').map_or(0, |i| i + 1);
                text.truncate(cut);
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) && !c.is_control() => {
                if text.chars().count() < MAX_INPUT_CHARS {
                    text.push(c);
                }
            }
            _ => return,
        }
        field.error = None;
    }

    /// A paste goes into the focused text field, cut to the field limit, newlines dropped.
    pub fn paste(&mut self, pasted: &str) {
        let field = &mut self.fields[self.focus];
        if let Input::Text(text) = &mut field.input {
            let room = MAX_INPUT_CHARS.saturating_sub(text.chars().count());
            text.extend(pasted.chars().filter(|c| !c.is_control()).take(room));
            field.error = None;
        }
    }

    /// Puts a message under a field (or at the bottom) and focuses that field.
    pub fn reject(&mut self, key: Option<FieldKey>, message: String) {
        self.busy = false;
        match key.and_then(|k| self.fields.iter().position(|f| f.key == k)) {
            Some(i) => {
                self.fields[i].error = Some(message);
                self.focus = i;
            }
            None => self.error = Some(message),
        }
    }

    pub fn has_errors(&self) -> bool {
        self.error.is_some() || self.fields.iter().any(|f| f.error.is_some())
    }

    /// Validates every field with the domain rules; on failure the messages sit under the
    /// fields and the input stays as typed.
    pub fn submit(&mut self) -> Option<Submission> {
        self.error = None;
        for f in &mut self.fields {
            f.error = None;
        }
        let submission = match self.kind.clone() {
            FormKind::NewAccount { org_id } => self.account_fields().map(|(name, description, role)| {
                Submission::NewAccount { org_id, new: NewAccount { name, description, role } }
            }),
            FormKind::EditAccount { account_id } => {
                self.account_fields().map(|(name, description, role)| Submission::EditAccount {
                    account_id,
                    changes: AccountChanges { name: Some(name), description: Some(description), role: Some(role) },
                })
            }
            FormKind::NewToken { account_id } => {
                self.token_fields().map(|new| Submission::NewToken { account_id, new })
            }
            _ => self.other_fields(),
        };
        if let Some(i) = self.fields.iter().position(|f| f.error.is_some()) {
            self.focus = i;
        }
        self.busy = submission.is_some();
        submission
    }

    fn check<T>(&mut self, key: FieldKey, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                if let Some(f) = self.field_mut(key) {
                    f.error = Some(message);
                }
                None
            }
        }
    }

    fn choice_index(&self, key: FieldKey) -> usize {
        match self.field(key).map(|f| &f.input) {
            Some(Input::Choice { index, .. }) => *index,
            _ => 0,
        }
    }

    fn account_fields(&mut self) -> Option<(String, String, BasicRole)> {
        let name_text = self.field(FieldKey::Name).map(|f| f.text_value().to_string()).unwrap_or_default();
        let description_text =
            self.field(FieldKey::Description).map(|f| f.text_value().to_string()).unwrap_or_default();
        let name = self.check(FieldKey::Name, names::validate_account_name(&name_text));
        let description = self.check(FieldKey::Description, names::validate_description(&description_text));
        let role = BasicRole::ALL.get(self.choice_index(FieldKey::Role)).copied().unwrap_or_default();
        Some((name?, description?, role))
    }

    fn parse_days(&mut self, key: FieldKey, what: &str) -> Option<u32> {
        let text = self.field(key).map(|f| f.text_value().trim().to_string()).unwrap_or_default();
        let parsed = text
            .parse::<i64>()
            .map_err(|_| format!("{what} must be a whole number of days"))
            .and_then(|days| expiry::validate_days(days, what));
        self.check(key, parsed)
    }

    fn token_fields(&mut self) -> Option<NewToken> {
        let name_text = self.field(FieldKey::Name).map(|f| f.text_value().to_string()).unwrap_or_default();
        let name = self.check(FieldKey::Name, names::validate_token_name(&name_text));
        let choice = self.choice_index(FieldKey::Lifetime);
        let lifetime = match (choice, LIFETIME_DAYS.get(choice).copied().flatten()) {
            (CUSTOM, _) => {
                let text =
                    self.field(FieldKey::CustomDays).map(|f| f.text_value().trim().to_string()).unwrap_or_default();
                if text.contains('-') && !text.starts_with('-') {
                    // A date (YYYY-MM-DD): the service checks it is in the future and within the cap.
                    self.check(FieldKey::CustomDays, time::parse_date(&text)).map(Lifetime::Until)
                } else {
                    self.parse_days(FieldKey::CustomDays, "custom lifetime").map(Lifetime::Days)
                }
            }
            (_, Some(days)) => Some(Lifetime::Days(days)),
            _ => Some(Lifetime::Never),
        };
        let extended = matches!(self.field(FieldKey::Extended).map(|f| &f.input), Some(Input::Toggle(true)));
        let max_age = if extended {
            if lifetime == Some(Lifetime::Never) {
                self.check::<()>(
                    FieldKey::Extended,
                    Err("Extended needs a lifetime: pick one other than Never".into()),
                );
                return None;
            }
            Some(self.parse_days(FieldKey::MaxAge, "max age")?)
        } else {
            None
        };
        Some(NewToken {
            name: name?,
            expiry: ExpiryRequest { lifetime: lifetime?, extended_max_age_days: max_age.map(i64::from) },
        })
    }
}

/// Where a service-layer error goes in a form.
pub fn field_for(field: ServiceField) -> FieldKey {
    match field {
        ServiceField::Name => FieldKey::Name,
        ServiceField::Description => FieldKey::Description,
        ServiceField::Role => FieldKey::Role,
        ServiceField::Lifetime | ServiceField::Cap => FieldKey::Lifetime,
        ServiceField::MaxAge => FieldKey::MaxAge,
    }
}
