//! Modal forms as data: a list of fields with a focus and a message under each field.
//!
//! - `field.rs`: the fields (text lines edited like a shell line, choices, toggles);
//! - `kinds.rs`: the forms themselves (new account, new token, ...) and what submitting each
//!   one asks the database worker to do. Validation calls the same domain functions the
//!   service layer uses; errors the service finds later come back and land under the field
//!   that answers for them.

mod field;
mod kinds;

pub use field::{FieldKey, FormField, Input, MAX_INPUT_CHARS, Picker, TextLine};
pub use kinds::FormKind;

use super::effect::Change;
use satui_domain::permission;
use satui_service::Field as ServiceField;

#[derive(Clone, Debug, PartialEq)]
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
    /// The action whose usual scope was last filled in, and that scope: when another action
    /// is picked, the scope follows unless the admin typed their own.
    scope_hint: Option<(String, String)>,
    /// A group change's Target options for Member and for Role (swapped when What changes).
    target_options: Option<[Vec<String>; 2]>,
    /// The account-name query last sent for suggestions (adding a member).
    pub suggested: Option<String>,
}

impl Form {
    fn build(kind: FormKind, title: String, fields: Vec<FormField>) -> Form {
        let mut form = Form {
            kind,
            title,
            fields,
            focus: 0,
            error: None,
            busy: false,
            note: None,
            scope_hint: None,
            target_options: None,
            suggested: None,
        };
        form.sync_enabled();
        form.picked();
        form
    }

    /// After a pick changed: fill the scope with the picked action's usual scope (while the
    /// admin has not typed another), and give Target the options of what What says.
    fn picked(&mut self) {
        let action = self.field(FieldKey::Action).and_then(FormField::picker).and_then(|p| p.highlighted());
        let action = action.map(str::to_string).unwrap_or_default();
        let info = permission::Catalog::get().actions.iter().find(|i| i.action == action);
        let scope = info.and_then(|i| i.scopes.first().cloned()).unwrap_or_default();
        let (last_action, last_scope) = self.scope_hint.clone().unwrap_or_default();
        if action != last_action
            && let Some(FormField { input: Input::Text(line), .. }) = self.field_mut(FieldKey::Scope)
            && (line.is_empty() || line.value() == last_scope)
        {
            *line = TextLine::new(&scope, MAX_INPUT_CHARS);
            self.scope_hint = Some((action, scope));
        }
        let member = self.field(FieldKey::Kind).is_none_or(|f| f.choice_index() == 0);
        let wanted = self.target_options.as_ref().map(|options| options[usize::from(!member)].clone());
        if let Some(options) = wanted
            && let Some(FormField { input: Input::Pick(picker), .. }) = self.field_mut(FieldKey::Target)
            && picker.options != options
        {
            picker.set_options(options);
        }
    }

    fn set_target_options(&mut self, members: Vec<String>, roles: Vec<String>) {
        self.target_options = Some([members, roles]);
        self.picked();
    }

    /// The value of picker `key`, or why there is none.
    fn pick_value(&self, key: FieldKey, what: &str) -> Result<String, String> {
        match self.field(key).and_then(FormField::picker) {
            Some(picker) => picker.value(what),
            None => Err(format!("no {what} field")),
        }
    }

    /// Adding a member picks from every account of the org, too many to hold: the picker asks
    /// the store for names matching what is typed. The query to ask, when it changed.
    pub fn suggestion_query(&mut self) -> Option<(i64, String)> {
        let FormKind::GroupChange { org_id, add: true, .. } = self.kind else { return None };
        if self.field(FieldKey::Kind).is_some_and(|f| f.choice_index() != 0) {
            return None;
        }
        let query = self.field(FieldKey::Target)?.text_value().trim().to_string();
        if self.suggested.as_deref() == Some(&query) {
            return None;
        }
        self.suggested = Some(query.clone());
        Some((org_id, query))
    }

    /// The path field's text, when Tab should complete it (the plugin form).
    pub fn path_to_complete(&self) -> Option<String> {
        let focused = self.fields.get(self.focus)?;
        (focused.key == FieldKey::Path).then(|| focused.text_value().to_string())
    }

    /// Puts a completed path in the path field, cursor at its end, if it still holds `typed`.
    pub fn complete_path(&mut self, typed: &str, completed: &str, choices: &[String]) {
        let Some(field) = self.field_mut(FieldKey::Path) else { return };
        if field.text_value() != typed {
            return;
        }
        if let field::Input::Text(line) = &mut field.input {
            *line = field::TextLine::new(completed, field::MAX_INPUT_CHARS);
        }
        self.note = Some(match choices.len() {
            0 => "nothing there starts so (folders and .json files are offered)".to_string(),
            1 => "Tab: the one match".to_string(),
            _ => format!(
                "{}{}",
                choices.join("  "),
                if choices.len() >= crate::effect::PATH_CHOICES { "  …" } else { "" }
            ),
        });
    }

    pub fn field(&self, key: FieldKey) -> Option<&FormField> {
        self.fields.iter().find(|f| f.key == key)
    }

    fn field_mut(&mut self, key: FieldKey) -> Option<&mut FormField> {
        self.fields.iter_mut().find(|f| f.key == key)
    }

    fn text_of(&self, key: FieldKey) -> String {
        self.field(key).map(|f| f.text_value().to_string()).unwrap_or_default()
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
                let n = options.len().max(1);
                *index = if forward { (*index + 1) % n } else { (*index + n - 1) % n };
            }
            Input::Toggle(on) => *on = !*on,
            Input::Pick(picker) => picker.step(forward),
            Input::Text(_) => return false,
        }
        field.error = None;
        self.sync_enabled();
        self.picked();
        true
    }

    pub fn focused_is_text(&self) -> bool {
        matches!(self.fields[self.focus].input, Input::Text(_) | Input::Pick(_))
    }

    pub fn focused_is_pick(&self) -> bool {
        matches!(self.fields[self.focus].input, Input::Pick(_))
    }

    pub fn edit_focused(&mut self, change: impl FnOnce(&mut TextLine) -> bool) {
        let field = &mut self.fields[self.focus];
        let changed = match &mut field.input {
            Input::Text(line) => change(line),
            Input::Pick(picker) => {
                let changed = change(&mut picker.query);
                if changed {
                    picker.refilter();
                }
                changed
            }
            _ => false,
        };
        if changed {
            field.error = None;
            self.picked();
        }
    }

    /// New options for the picker `key` (a list that arrived after the form opened).
    pub fn set_pick_options(&mut self, key: FieldKey, options: Vec<String>) {
        let member = self.field(FieldKey::Kind).is_none_or(|f| f.choice_index() == 0);
        if key == FieldKey::Target
            && let Some(kinds) = self.target_options.as_mut()
        {
            // Keep what What offers in step, so switching Member/Role does not undo it.
            kinds[usize::from(!member)] = options.clone();
        }
        if let Some(FormField { input: Input::Pick(picker), .. }) = self.field_mut(key) {
            picker.set_options(options);
        }
        self.picked();
    }

    /// The field that shows errors about `field` from the service: the last enabled field that
    /// answers for it (the custom-days field, when shown, answers for the lifetime).
    pub fn key_for(&self, field: ServiceField) -> Option<FieldKey> {
        self.fields.iter().rev().find(|f| f.enabled && f.answers.contains(&field)).map(|f| f.key)
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

    /// Validates every field with the domain rules and says what to write. On failure the
    /// messages sit under the fields, the input stays as typed and nothing is asked of the store.
    pub fn submit(&mut self) -> Option<Change> {
        self.error = None;
        for f in &mut self.fields {
            f.error = None;
        }
        let mut effect = kinds::submit(self);
        // Input longer than a field keeps: the answer gives the real length, not the kept one
        // (the domain's "name is 600 characters; the limit is 190" becomes "is 5000 …").
        for f in &mut self.fields {
            if let Input::Text(line) = &f.input
                && line.overflowed()
            {
                let (kept, given) = (line.value().chars().count(), line.given_len());
                f.error = Some(match f.error.take() {
                    Some(message) => {
                        message.replace(&format!(" is {kept} characters"), &format!(" is {given} characters"))
                    }
                    None => format!("{given} characters given; this field keeps at most {}", line.limit()),
                });
                effect = None;
            }
        }
        if let Some(i) = self.fields.iter().position(|f| f.error.is_some()) {
            self.focus = i;
        }
        self.busy = effect.is_some();
        effect
    }

    /// Runs a validation and keeps its message under `key` when it fails.
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

    /// Fields that only apply with another setting: custom days with a Custom lifetime, max age
    /// with Extended on.
    fn sync_enabled(&mut self) {
        let custom = self.field(FieldKey::Lifetime).is_some_and(|f| f.choice_value() == Some(kinds::CUSTOM));
        let extended = self.field(FieldKey::Extended).is_some_and(FormField::is_on);
        if let Some(f) = self.field_mut(FieldKey::CustomDays) {
            f.enabled = custom;
        }
        if let Some(f) = self.field_mut(FieldKey::MaxAge) {
            f.enabled = extended;
        }
    }
}
