//! [`Form`]: a portable form (a Slack modal, a Discord modal) of text inputs and menus, opened
//! in answer to a command, a button or a shortcut; its submission comes back as a
//! [`MessageKind::Submission`](crate::MessageKind::Submission) whose
//! [`Action`](crate::Action) holds the fields by name.

use crate::CardError;
use crate::card::SelectOption;

/// The longest form title every platform shows (Slack's modal title: 24).
pub const MAX_FORM_TITLE: usize = 24;
/// The longest field label every platform shows (Discord's: 45).
pub const MAX_FIELD_LABEL: usize = 45;
/// The most fields in a form (Discord's modal: 5).
pub const MAX_FORM_FIELDS: usize = 5;
/// The longest text a text input takes (both platforms: 4000).
pub const MAX_INPUT_LENGTH: u32 = 4000;

/// A form, built with chained calls and attached with
/// [`Reply::with_form`](crate::Reply::with_form), which checks it.
///
/// ```
/// use chatbridge_core::{Form, FormField, Reply};
///
/// let form = Form::new("feedback", "Feedback")
///     .field(FormField::short("name", "Your name").required())
///     .field(FormField::long("comments", "Comments").max(500).placeholder("What went well?"));
/// assert!(Reply::new().with_form(form).is_ok());
///
/// let too_long = Form::new("f", "A title longer than Slack shows");
/// assert!(Reply::new().with_form(too_long).is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
#[must_use]
pub struct Form {
    /// The id its submission comes back with (Slack `callback_id`, Discord `custom_id`).
    pub id: String,
    /// The title.
    pub title: String,
    /// The submit button's label (Slack; Discord's is fixed).
    pub submit: Option<String>,
    /// The fields, in order.
    pub fields: Vec<FormField>,
}

/// One field of a [`Form`].
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
#[must_use]
pub struct FormField {
    /// The name its value comes back under.
    pub name: String,
    /// The label shown.
    pub label: String,
    /// What kind of input it is.
    pub kind: FieldKind,
    /// Whether it must be filled.
    pub required: bool,
    /// Text shown while it is empty.
    pub placeholder: Option<String>,
    /// The shortest text accepted.
    pub min: Option<u32>,
    /// The longest text accepted.
    pub max: Option<u32>,
    /// A menu's options.
    pub options: Vec<SelectOption>,
}

/// A form field's kind.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum FieldKind {
    /// One line of text.
    Short,
    /// Several lines of text.
    Long,
    /// One choice among options.
    Select,
    /// Several choices among options.
    MultiSelect,
}

impl Form {
    /// A form with an id and a title.
    pub fn new(id: impl Into<String>, title: impl Into<String>) -> Self {
        Self { id: id.into(), title: title.into(), submit: None, fields: Vec::new() }
    }

    /// Adds a field.
    pub fn field(mut self, field: FormField) -> Self {
        self.fields.push(field);
        self
    }

    /// Sets the submit button's label.
    pub fn submit(mut self, label: impl Into<String>) -> Self {
        self.submit = Some(label.into());
        self
    }

    /// Checks the form against what every platform takes.
    ///
    /// # Errors
    ///
    /// The first limit the form is past.
    pub fn validate(&self) -> Result<(), CardError> {
        let too_long = |what: &'static str, text: &str, limit: usize| {
            (text.chars().count() > limit).then(|| CardError::TooLong {
                what,
                text: text.to_owned(),
                limit,
            })
        };
        if self.id.is_empty() {
            return Err(CardError::Empty("a form's id"));
        }
        if let Some(error) = too_long("id", &self.id, crate::card::MAX_ID)
            .or_else(|| too_long("form title", &self.title, MAX_FORM_TITLE))
        {
            return Err(error);
        }
        if self.fields.is_empty() {
            return Err(CardError::Empty("a form's fields"));
        }
        if self.fields.len() > MAX_FORM_FIELDS {
            return Err(CardError::TooMany { what: "form fields", limit: MAX_FORM_FIELDS });
        }
        let mut names = std::collections::HashSet::new();
        for field in &self.fields {
            if field.name.is_empty() || field.label.trim().is_empty() {
                return Err(CardError::Empty("a field's name or label"));
            }
            if !names.insert(field.name.as_str()) {
                return Err(CardError::DuplicateId(field.name.clone()));
            }
            if let Some(error) = too_long("id", &field.name, crate::card::MAX_ID)
                .or_else(|| too_long("field label", &field.label, MAX_FIELD_LABEL))
            {
                return Err(error);
            }
            if field.max.is_some_and(|max| max > MAX_INPUT_LENGTH) {
                return Err(CardError::TooMany { what: "characters", limit: 4000 });
            }
            let menu = matches!(field.kind, FieldKind::Select | FieldKind::MultiSelect);
            if menu && field.options.is_empty() {
                return Err(CardError::Empty("a menu's options"));
            }
            if field.options.len() > crate::card::MAX_OPTIONS {
                return Err(CardError::TooMany {
                    what: "options",
                    limit: crate::card::MAX_OPTIONS,
                });
            }
        }
        Ok(())
    }
}

impl FormField {
    fn of(kind: FieldKind, name: impl Into<String>, label: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            label: label.into(),
            kind,
            required: false,
            placeholder: None,
            min: None,
            max: None,
            options: Vec::new(),
        }
    }

    /// A one-line text input.
    pub fn short(name: impl Into<String>, label: impl Into<String>) -> Self {
        Self::of(FieldKind::Short, name, label)
    }

    /// A several-line text input.
    pub fn long(name: impl Into<String>, label: impl Into<String>) -> Self {
        Self::of(FieldKind::Long, name, label)
    }

    /// A menu of one choice.
    pub fn select(name: impl Into<String>, label: impl Into<String>) -> Self {
        Self::of(FieldKind::Select, name, label)
    }

    /// A menu of several choices.
    pub fn multi_select(name: impl Into<String>, label: impl Into<String>) -> Self {
        Self::of(FieldKind::MultiSelect, name, label)
    }

    /// It must be filled.
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// Sets the placeholder.
    pub fn placeholder(mut self, text: impl Into<String>) -> Self {
        self.placeholder = Some(text.into());
        self
    }

    /// The shortest text accepted.
    pub fn min(mut self, min: u32) -> Self {
        self.min = Some(min);
        self
    }

    /// The longest text accepted.
    pub fn max(mut self, max: u32) -> Self {
        self.max = Some(max);
        self
    }

    /// Adds a menu option.
    pub fn option(mut self, label: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.push(SelectOption { label: label.into(), value: value.into() });
        self
    }
}
