//! The catalogues are complete in both languages, every template takes its
//! words from them, and dates, counts and sizes follow each language.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use fluent_syntax::ast;

use super::*;

/// Every message of a language's catalogues, with the names of the values
/// it uses, those of the messages it refers to included.
fn catalogue(lang: &str) -> BTreeMap<String, BTreeSet<String>> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("locales")
        .join(lang);
    let mut own = BTreeMap::new();
    for entry in std::fs::read_dir(&folder).unwrap() {
        let path = entry.unwrap().path();
        let source = std::fs::read_to_string(&path).unwrap();
        let resource = fluent_syntax::parser::parse(source.as_str())
            .unwrap_or_else(|(_, errors)| panic!("{}: {errors:?}", path.display()));
        for entry in resource.body {
            if let ast::Entry::Message(message) = entry {
                let mut found = Found::default();
                if let Some(pattern) = &message.value {
                    found.pattern(pattern);
                }
                let id = message.id.name.to_owned();
                assert!(
                    own.insert(id.clone(), found).is_none(),
                    "{lang}: {id} twice"
                );
            }
        }
    }
    own.keys()
        .map(|id| (id.clone(), variables_of(id, &own, 0)))
        .collect()
}

fn variables_of(id: &str, own: &BTreeMap<String, Found>, depth: usize) -> BTreeSet<String> {
    assert!(depth < 8, "{id}: messages refer to each other in a loop");
    let found = own
        .get(id)
        .unwrap_or_else(|| panic!("unknown message {id}"));
    let mut variables = found.variables.clone();
    for reference in &found.references {
        variables.extend(variables_of(reference, own, depth + 1));
    }
    variables
}

/// The values and the other messages a message uses.
#[derive(Default)]
struct Found {
    variables: BTreeSet<String>,
    references: BTreeSet<String>,
}

impl Found {
    fn pattern(&mut self, pattern: &ast::Pattern<&str>) {
        for element in &pattern.elements {
            if let ast::PatternElement::Placeable { expression } = element {
                self.expression(expression);
            }
        }
    }

    fn expression(&mut self, expression: &ast::Expression<&str>) {
        match expression {
            ast::Expression::Select { selector, variants } => {
                self.inline(selector);
                for variant in variants {
                    self.pattern(&variant.value);
                }
            }
            ast::Expression::Inline(inline) => self.inline(inline),
        }
    }

    fn inline(&mut self, inline: &ast::InlineExpression<&str>) {
        match inline {
            ast::InlineExpression::VariableReference { id } => {
                self.variables.insert(id.name.to_owned());
            }
            ast::InlineExpression::MessageReference { id, .. } => {
                self.references.insert(id.name.to_owned());
            }
            ast::InlineExpression::Placeable { expression } => self.expression(expression),
            _ => {}
        }
    }
}

#[test]
fn every_message_exists_in_both_languages_with_the_same_values() {
    let french = catalogue("fr");
    let english = catalogue("en");
    let only_french: Vec<_> = french
        .keys()
        .filter(|k| !english.contains_key(*k))
        .collect();
    let only_english: Vec<_> = english
        .keys()
        .filter(|k| !french.contains_key(*k))
        .collect();
    assert!(only_french.is_empty(), "French only: {only_french:?}");
    assert!(only_english.is_empty(), "English only: {only_english:?}");
    for (id, variables) in &french {
        assert_eq!(
            Some(variables),
            english.get(id),
            "{id}: other values in English"
        );
    }
}

#[test]
fn every_message_formats_in_both_languages() {
    for (id, variables) in catalogue("fr") {
        for lang in [Lang::Fr, Lang::En] {
            let args: Vec<(&str, Arg<'_>)> = variables
                .iter()
                .map(|name| (name.as_str(), Arg::from(2)))
                .collect();
            let text = Tr::new(lang).with(&id, &args);
            assert!(!text.contains(MISSING), "{id} in {lang:?}");
            assert!(!text.trim().is_empty(), "{id} in {lang:?} is empty");
            if !id.ends_with("-html") {
                assert!(!text.contains('<'), "{id}: markup outside an -html message");
            }
        }
    }
}

#[test]
fn a_missing_message_is_visible() {
    let text = Tr::new(Lang::En).t("no-such-message");
    assert!(text.contains(MISSING) && text.contains("no-such-message"));
}

/// Every message id a template asks for, as `"id"` right after `t(`, `t1(`,
/// `t2(` or `html(`.
fn ids_in(source: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for call in ["t(\"", "t1(\"", "t2(\"", "html(\"", "html1(\"", "html2(\""] {
        for (at, _) in source.match_indices(call) {
            let rest = &source[at + call.len()..];
            if let Some(end) = rest.find('"') {
                ids.push(rest[..end].to_owned());
            }
        }
    }
    ids
}

fn templates() -> Vec<(String, String)> {
    let mut found = Vec::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    for folder in [root.clone(), root.join("email")] {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                let text = std::fs::read_to_string(&path).unwrap();
                found.push((path.display().to_string(), text));
            }
        }
    }
    found
}

#[test]
fn every_message_a_template_asks_for_exists() {
    let french = catalogue("fr");
    for (path, text) in templates() {
        for id in ids_in(&text) {
            assert!(french.contains_key(&id), "{path}: unknown message {id}");
        }
    }
}

/// A template's text once its expressions, tags and comments are removed:
/// what it would show of its own, with the attributes a person reads or
/// hears.
fn own_words(template: &str) -> String {
    let plain = without_blocks(template);
    let mut text = String::new();
    let mut rest = plain.as_str();
    while let Some(start) = rest.find('<') {
        text.push_str(&rest[..start]);
        let tail = &rest[start..];
        let end = tail.find('>').unwrap_or(tail.len() - 1);
        let tag = &tail[..end];
        for attribute in [
            "title=\"",
            "aria-label=\"",
            "alt=\"",
            "placeholder=\"",
            "data-label=\"",
        ] {
            if let Some(at) = tag.find(attribute) {
                let value = &tag[at + attribute.len()..];
                text.push_str(&value[..value.find('"').unwrap_or(value.len())]);
            }
        }
        rest = &tail[end + 1..];
    }
    text.push_str(rest);
    text
}

/// The template without its `{{ }}`, `{% %}` and `{# #}` blocks.
fn without_blocks(template: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    loop {
        let next = ["{{", "{%", "{#"]
            .iter()
            .filter_map(|open| rest.find(open).map(|at| (at, *open)))
            .min();
        let Some((at, open)) = next else { break };
        out.push_str(&rest[..at]);
        let close = match open {
            "{{" => "}}",
            "{%" => "%}",
            _ => "#}",
        };
        let after = &rest[at + 2..];
        rest = after.find(close).map_or("", |end| &after[end + 2..]);
    }
    out.push_str(rest);
    out
}

#[test]
fn templates_take_every_word_from_the_catalogues() {
    for (path, text) in templates() {
        if path.ends_with(".css") {
            continue;
        }
        let words: String = own_words(&text)
            .chars()
            .filter(|c| c.is_alphabetic())
            .collect();
        assert!(words.is_empty(), "{path} has words of its own: {words}");
    }
}

#[test]
fn own_words_sees_text_and_readable_attributes_only() {
    assert_eq!(own_words("<p class=\"x\">{{ t(\"a\") }}</p>").trim(), "");
    assert_eq!(own_words("<td data-label=\"{{ t(\"a\") }}\">").trim(), "");
    assert!(own_words("<p>Bonjour</p>").contains("Bonjour"));
    assert!(own_words("<a title=\"Aide\" href=\"/\">{{ x }}</a>").contains("Aide"));
    assert!(own_words("{% if a %}Oui{% endif %}").contains("Oui"));
}

#[test]
fn dates_counts_and_sizes_follow_the_language() {
    let (fr, en) = (Tr::new(Lang::Fr), Tr::new(Lang::En));
    let day = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
    assert_eq!(fr.date(day), "4 décembre 2026");
    assert_eq!(en.date(day), "4 December 2026");
    assert_eq!(fr.count(1_234_567), "1\u{202f}234\u{202f}567");
    assert_eq!(en.count(1_234_567), "1,234,567");
    assert_eq!(en.count(999), "999");
    assert_eq!(fr.size(1), "1 Ko");
    assert_eq!(en.size(820 * 1024), "820 KB");
    assert_eq!(fr.size(1536 * 1024), "1,5 Mo");
    assert_eq!(en.size(1536 * 1024), "1.5 MB");
}

#[test]
fn plurals_follow_the_count() {
    let fr = Tr::new(Lang::Fr);
    assert_eq!(fr.t1("common-minutes", "minutes", 1), "1 minute");
    assert_eq!(fr.t1("common-minutes", "minutes", 15), "15 minutes");
    let en = Tr::new(Lang::En);
    assert_eq!(
        en.t1("mail-new-subject", "count", 1),
        "A new control report is available"
    );
}
