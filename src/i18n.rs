//! Every text a person reads, in French and English: the message catalogues
//! under `locales/` (Fluent), and dates, sizes and counts written the way
//! each language writes them.

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::NaiveDate;
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid};

use crate::domain::Lang;

fluent_templates::static_loader! {
    static CATALOGUES = {
        locales: "./locales",
        fallback_language: "fr",
        // Emails are plain text too: no invisible isolation marks around
        // the names and numbers put into a sentence.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static FRENCH: LanguageIdentifier = langid!("fr");
static ENGLISH: LanguageIdentifier = langid!("en");

/// What a page shows in place of a message missing from the catalogues, so
/// that tests can find it on any page.
pub const MISSING: &str = "⟦missing message⟧";

/// A value put into a message: a text or a number.
pub type Arg<'a> = FluentValue<'a>;

/// What can be put into a message, however deeply borrowed (templates pass
/// their values by reference).
pub trait ToArg {
    /// The value as a message argument.
    fn to_arg(&self) -> Arg<'static>;
}

impl<T: ToArg + ?Sized> ToArg for &T {
    fn to_arg(&self) -> Arg<'static> {
        (**self).to_arg()
    }
}

impl ToArg for str {
    fn to_arg(&self) -> Arg<'static> {
        Arg::from(self.to_owned())
    }
}

impl ToArg for String {
    fn to_arg(&self) -> Arg<'static> {
        Arg::from(self.clone())
    }
}

macro_rules! numbers_are_args {
    ($($number:ty),*) => {$(
        impl ToArg for $number {
            fn to_arg(&self) -> Arg<'static> {
                Arg::from(*self)
            }
        }
    )*};
}

numbers_are_args!(i32, i64, u32, u64, usize);

/// The texts of one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tr {
    /// The language.
    pub lang: Lang,
}

impl Tr {
    /// The texts of `lang`.
    pub fn new(lang: Lang) -> Self {
        Self { lang }
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self.lang {
            Lang::Fr => &FRENCH,
            Lang::En => &ENGLISH,
        }
    }

    /// The message `id`.
    pub fn t(&self, id: &str) -> String {
        self.with(id, &[])
    }

    /// The message `id` with one value.
    pub fn t1(&self, id: &str, name: &str, value: impl ToArg) -> String {
        self.with(id, &[(name, value.to_arg())])
    }

    /// The message `id` with two values.
    pub fn t2(
        &self,
        id: &str,
        (name1, value1): (&str, impl ToArg),
        (name2, value2): (&str, impl ToArg),
    ) -> String {
        self.with(id, &[(name1, value1.to_arg()), (name2, value2.to_arg())])
    }

    /// The message `id` with its values.
    pub fn with(&self, id: &str, args: &[(&str, Arg<'_>)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue<'_>> = args
            .iter()
            .map(|(name, value)| (Cow::Owned((*name).to_owned()), value.clone()))
            .collect();
        let args = (!args.is_empty()).then_some(&args);
        match CATALOGUES.try_lookup_complete(self.id(), id, args) {
            Some(text) => text,
            None => {
                tracing::error!(message_id = id, lang = self.lang.tag(), "message missing");
                format!("{MISSING} {id}")
            }
        }
    }

    /// A day, as people write it: "4 décembre 2026", "4 December 2026".
    pub fn date(&self, day: NaiveDate) -> String {
        day.format_localized("%-d %B %Y", self.locale()).to_string()
    }

    /// A day in short: "4 déc. 2026", "4 Dec 2026".
    pub fn date_short(&self, day: NaiveDate) -> String {
        day.format_localized("%-d %b %Y", self.locale()).to_string()
    }

    fn locale(self) -> chrono::Locale {
        match self.lang {
            Lang::Fr => chrono::Locale::fr_FR,
            Lang::En => chrono::Locale::en_GB,
        }
    }

    /// A whole number with the language's thousands separator.
    pub fn count(&self, n: u64) -> String {
        let separator = match self.lang {
            Lang::Fr => '\u{202f}',
            Lang::En => ',',
        };
        let digits = n.to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, digit) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(separator);
            }
            out.push(digit);
        }
        out
    }

    /// A file size: "820 Ko", "1,4 Mo" in French; "820 KB", "1.4 MB" in
    /// English.
    pub fn size(&self, bytes: u64) -> String {
        let (kilo, mega) = match self.lang {
            Lang::Fr => ("Ko", "Mo"),
            Lang::En => ("KB", "MB"),
        };
        let kib = bytes.div_ceil(1024);
        if kib < 1024 {
            return format!("{} {kilo}", self.count(kib));
        }
        // One decimal, rounded up, in whole tenths to stay in integers.
        let tenths = bytes.saturating_mul(10).div_ceil(1024 * 1024);
        let decimal = match self.lang {
            Lang::Fr => ',',
            Lang::En => '.',
        };
        format!("{}{decimal}{} {mega}", self.count(tenths / 10), tenths % 10)
    }
}

#[cfg(test)]
mod tests;
