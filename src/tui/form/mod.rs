//! Modal forms as data: a list of fields with a focus and a message under each field.
//!
//! - `field.rs`: the fields (text lines edited like a shell line, choices, toggles);
//! - `kinds.rs`: the forms themselves (new account, new token, ...) and what submitting each
//!   one asks the database worker to do. Validation calls the same domain functions the
//!   service layer uses; errors the service finds later come back and land under the field
//!   that answers for them.

mod field;
mod kinds;

pub use field::{FieldKey, FormField, Input, MAX_INPUT_CHARS, TextLine};
pub use kinds::FormKind;

use super::effect::Change;
use crate::service::Field as ServiceField;

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
}

impl Form {
    fn build(kind: FormKind, title: String, fields: Vec<FormField>) -> Form {
        let mut form = Form { kind, title, fields, focus: 0, error: None, busy: false, note: None };
        form.sync_enabled();
        form
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
            Input::Text(_) => return false,
        }
        field.error = None;
        self.sync_enabled();
        true
    }

    pub fn focused_is_text(&self) -> bool {
        matches!(self.fields[self.focus].input, Input::Text(_))
    }

    pub fn edit_focused(&mut self, change: impl FnOnce(&mut TextLine) -> bool) {
        let field = &mut self.fields[self.focus];
        if let Input::Text(line) = &mut field.input
            && change(line)
        {
            field.error = None;
        }
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
        let effect = kinds::submit(self);
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
