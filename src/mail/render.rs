//! Renders each kind of email into a subject, a plain-text part and an HTML
//! part, from the templates under `templates/email/`.

use askama::Template;

use super::Mail;
use crate::config::Config;
use crate::db::FactorChange;
use crate::domain::Lang;
use crate::i18n::Tr;

/// What every email says about the lab, and where links point.
#[derive(Debug, Clone)]
pub struct MailContext {
    /// The lab's name.
    pub lab_name: String,
    /// Customer-service address.
    pub contact_email: String,
    /// Customer-service phone.
    pub contact_phone: String,
    /// The portal's public URL, without a trailing slash.
    pub base_url: String,
    /// Days a first-connection link stays valid.
    pub first_connection_days: i64,
}

impl MailContext {
    /// The context of a configuration.
    pub fn from_config(config: &Config) -> Self {
        Self {
            lab_name: config.lab_name.clone(),
            contact_email: config.lab_contact_email.clone(),
            contact_phone: config.lab_contact_phone.clone(),
            base_url: config.link(""),
            first_connection_days: config.first_connection_days,
        }
    }
}

/// A rendered email.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// Subject line.
    pub subject: String,
    /// Plain text.
    pub text: String,
    /// HTML.
    pub html: String,
}

/// One part of an email's body.
enum Block {
    /// A paragraph.
    Para(String),
    /// Codes to type, each with its label.
    Codes(Vec<(String, String)>),
    /// The email's button: its label; it leads to the email's link.
    Action(String),
}

/// What the text and HTML templates show.
struct View<'a> {
    c: &'a MailContext,
    lang: &'static str,
    title: String,
    link: String,
    greeting: String,
    blocks: Vec<Block>,
    questions: String,
    automatic: String,
    tr: Tr,
}

impl View<'_> {
    /// The plain-text line of the button: its label, then the link.
    fn action_line(&self, label: &str) -> String {
        self.tr.t2(
            "mail-action-line",
            ("label", label),
            ("link", self.link.as_str()),
        )
    }

    /// The plain-text line of a code: its label, then its value.
    fn code_line(&self, label: &str, value: &str) -> String {
        self.tr
            .t2("mail-code-line", ("label", label), ("value", value))
    }

    /// A paragraph wrapped for plain text (links are never broken).
    fn wrapped(&self, text: &str) -> String {
        let options = textwrap::Options::new(76)
            .break_words(false)
            .word_splitter(textwrap::WordSplitter::NoHyphenation);
        textwrap::fill(text, options)
    }
}

#[derive(Template)]
#[template(path = "email/body.txt")]
struct Text<'a> {
    v: &'a View<'a>,
}

#[derive(Template)]
#[template(path = "email/body.html")]
struct Html<'a> {
    v: &'a View<'a>,
}

/// Renders an email in a language.
pub fn render(mail: &Mail, lang: Lang, c: &MailContext) -> Result<Rendered, askama::Error> {
    let tr = Tr::new(lang);
    let (title, blocks) = content(mail, tr, c);
    let view = View {
        c,
        lang: lang.tag(),
        link: link(mail, c),
        greeting: tr.t("mail-greeting"),
        blocks,
        questions: tr.t2(
            "mail-questions",
            ("email", c.contact_email.as_str()),
            ("phone", c.contact_phone.as_str()),
        ),
        automatic: tr.t("mail-automatic"),
        title,
        tr,
    };
    Ok(Rendered {
        subject: tr.t2(
            "mail-subject",
            ("title", view.title.as_str()),
            ("lab", c.lab_name.as_str()),
        ),
        text: Text { v: &view }.render()?,
        html: Html { v: &view }.render()?,
    })
}

/// Where the email's button leads.
fn link(mail: &Mail, c: &MailContext) -> String {
    let base = &c.base_url;
    match mail {
        Mail::Invite { .. } => format!("{base}/inscription"),
        Mail::ConfirmRegistration { token, .. } => {
            format!("{base}/inscription/confirmer?jeton={token}")
        }
        Mail::NewReports {
            first_connection: Some(token),
            ..
        } => format!("{base}/premiere-connexion?jeton={token}"),
        Mail::NewReports { .. } => format!("{base}/rapports"),
        Mail::PasswordChanged {} => format!("{base}/mot-de-passe-oublie"),
        Mail::Expiring { .. } => format!("{base}/rapports"),
        Mail::ResetPassword { token, .. } => {
            format!("{base}/mot-de-passe-oublie/nouveau?jeton={token}")
        }
        Mail::Delegate {
            token: Some(token), ..
        } => format!("{base}/invitation?jeton={token}"),
        Mail::Delegate { .. } => format!("{base}/rapports"),
        Mail::EmailChangeConfirm { token, .. } => {
            format!("{base}/compte/email/confirmer?jeton={token}")
        }
        Mail::EmailChangeNotice { .. } => format!("{base}/connexion"),
        Mail::SecondFactor { .. } => format!("{base}/compte/securite"),
    }
}

/// The subject (before the lab's name) and the body of an email.
fn content(mail: &Mail, tr: Tr, c: &MailContext) -> (String, Vec<Block>) {
    let para = |id: &str| Block::Para(tr.t(id));
    let action = |id: &str| Block::Action(tr.t(id));
    let lab = c.lab_name.as_str();
    match mail {
        Mail::Invite {
            recipient_name,
            security_code,
            report_number,
        } => (
            tr.t("mail-invite-subject"),
            vec![
                Block::Para(tr.t2(
                    "mail-invite-intro",
                    ("lab", lab),
                    ("recipient", recipient_name.as_str()),
                )),
                Block::Codes(vec![
                    (tr.t("mail-invite-code"), security_code.clone()),
                    (tr.t("mail-invite-number"), report_number.clone()),
                ]),
                action("mail-invite-action"),
                para("mail-invite-personal"),
            ],
        ),
        Mail::ConfirmRegistration {
            recipient_name,
            hours,
            ..
        } => (
            tr.t("mail-confirm-subject"),
            vec![
                Block::Para(tr.t2(
                    "mail-confirm-intro",
                    ("recipient", recipient_name.as_str()),
                    ("hours", *hours),
                )),
                action("mail-confirm-action"),
                para("mail-confirm-after"),
            ],
        ),
        Mail::NewReports {
            count,
            first_connection,
        } => {
            let next = match first_connection {
                Some(_) => vec![
                    Block::Para(tr.t1("mail-new-first", "days", c.first_connection_days)),
                    action("mail-new-first-action"),
                ],
                None => vec![para("mail-new-sign-in"), action("mail-new-action")],
            };
            let mut blocks = vec![Block::Para(tr.t1("mail-new-intro", "count", *count))];
            blocks.extend(next);
            (tr.t1("mail-new-subject", "count", *count), blocks)
        }
        Mail::Expiring { count, on } => {
            let on = chrono::NaiveDate::parse_from_str(on, "%Y-%m-%d")
                .map_or_else(|_| on.clone(), |day| tr.date(day));
            (
                tr.t("mail-expiring-subject"),
                vec![
                    Block::Para(tr.t2(
                        "mail-expiring-intro",
                        ("count", *count),
                        ("on", on.as_str()),
                    )),
                    action("mail-expiring-action"),
                ],
            )
        }
        Mail::PasswordChanged {} => (
            tr.t("mail-password-changed-subject"),
            vec![
                para("mail-password-changed-intro"),
                para("mail-password-changed-not-you"),
                action("mail-password-changed-action"),
            ],
        ),
        Mail::ResetPassword { minutes, .. } => (
            tr.t("mail-reset-subject"),
            vec![
                Block::Para(tr.t1("mail-reset-intro", "minutes", *minutes)),
                action("mail-reset-action"),
                para("mail-reset-ignore"),
            ],
        ),
        Mail::Delegate {
            owner_email,
            token,
            days,
        } => {
            let intro = tr.t2(
                "mail-delegate-intro",
                ("owner", owner_email.as_str()),
                ("lab", lab),
            );
            let next = match token {
                Some(_) => vec![
                    Block::Para(tr.t1("mail-delegate-create", "days", *days)),
                    action("mail-delegate-create-action"),
                ],
                None => vec![
                    para("mail-delegate-existing"),
                    action("mail-delegate-existing-action"),
                ],
            };
            let mut blocks = vec![Block::Para(intro)];
            blocks.extend(next);
            (tr.t("mail-delegate-subject"), blocks)
        }
        Mail::EmailChangeConfirm {
            old_email, hours, ..
        } => (
            tr.t("mail-email-confirm-subject"),
            vec![
                Block::Para(tr.t1("mail-email-confirm-intro", "old", old_email.as_str())),
                Block::Para(tr.t1("mail-email-confirm-within", "hours", *hours)),
                action("mail-email-confirm-action"),
                para("mail-email-confirm-ignore"),
            ],
        ),
        Mail::EmailChangeNotice { new_email, done } => {
            let (subject, intro, not_you) = if *done {
                (
                    "mail-email-changed-subject",
                    "mail-email-changed-intro",
                    "mail-email-changed-not-you",
                )
            } else {
                (
                    "mail-email-asked-subject",
                    "mail-email-asked-intro",
                    "mail-email-asked-not-you",
                )
            };
            (
                tr.t(subject),
                vec![
                    Block::Para(tr.t1(intro, "new", new_email.as_str())),
                    para(not_you),
                ],
            )
        }
        Mail::SecondFactor { change } => {
            let intro = match change {
                FactorChange::AppAdded => tr.t("mail-factor-app-added"),
                FactorChange::PasskeyAdded { name } => {
                    tr.t1("mail-factor-passkey-added", "name", name.as_str())
                }
                FactorChange::AppRemoved => tr.t("mail-factor-app-removed"),
                FactorChange::PasskeyRemoved { name } => {
                    tr.t1("mail-factor-passkey-removed", "name", name.as_str())
                }
                FactorChange::CodesRenewed => tr.t("mail-factor-codes-renewed"),
                FactorChange::CodeUsed { left } => tr.t1("mail-factor-code-used", "left", *left),
                FactorChange::AllRemoved => tr.t("mail-factor-all-removed"),
            };
            (
                tr.t("mail-factor-subject"),
                vec![
                    Block::Para(intro),
                    para("mail-factor-not-you"),
                    action("mail-factor-action"),
                ],
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> MailContext {
        MailContext {
            lab_name: "ATLAS Dosimétrie".to_owned(),
            contact_email: "service@example.com".to_owned(),
            contact_phone: "+33 1 00 00 00 00".to_owned(),
            base_url: "https://portail.example.com".to_owned(),
            first_connection_days: 30,
        }
    }

    #[test]
    fn invitation_holds_the_codes_the_link_and_the_contact() {
        let mail = Mail::Invite {
            recipient_name: "Clinique <Les Œillets> & Co".to_owned(),
            security_code: "ABCD-EFGH-JKMN-PQRS".to_owned(),
            report_number: "RDC-2025-001001".to_owned(),
        };
        let r = render(&mail, Lang::Fr, &context()).unwrap();
        for part in [&r.text, &r.html] {
            assert!(part.contains("ABCD-EFGH-JKMN-PQRS"));
            assert!(part.contains("RDC-2025-001001"));
            assert!(part.contains("https://portail.example.com/inscription"));
            assert!(part.contains("service@example.com"));
        }
        assert!(r.text.contains("Clinique <Les Œillets> & Co"));
        assert!(r.html.contains("Clinique &#60;Les Œillets&#62; &#38; Co"));
    }

    #[test]
    fn new_reports_count_is_in_the_subject() {
        let mail = Mail::NewReports {
            count: 3,
            first_connection: None,
        };
        let r = render(&mail, Lang::Fr, &context()).unwrap();
        assert!(r.subject.starts_with("3 nouveaux rapports"));
        assert!(r.text.contains("https://portail.example.com/rapports"));

        let first = Mail::NewReports {
            count: 1,
            first_connection: Some("T0KEN".to_owned()),
        };
        let r = render(&first, Lang::Fr, &context()).unwrap();
        assert!(
            r.text
                .contains("https://portail.example.com/premiere-connexion?jeton=T0KEN")
        );
        assert!(r.text.contains("choisir votre mot de passe"));
    }
}

#[cfg(test)]
mod snapshots {
    use super::*;
    use crate::domain::secret::Token;

    fn context() -> MailContext {
        MailContext {
            lab_name: "ATLAS Dosimétrie".to_owned(),
            contact_email: "service@example.com".to_owned(),
            contact_phone: "+33 1 00 00 00 00".to_owned(),
            base_url: "https://portail.example.com".to_owned(),
            first_connection_days: 30,
        }
    }

    /// One email of every kind, each carrying a real random token.
    fn catalogue(token: &str) -> Vec<(&'static str, Mail)> {
        let t = || token.to_owned();
        vec![
            (
                "invite",
                Mail::Invite {
                    recipient_name: "Clinique « Les Œillets » & Cie".to_owned(),
                    security_code: "ABCD-EFGH-JKMN-PQRS".to_owned(),
                    report_number: "RDC-2025-001001".to_owned(),
                },
            ),
            (
                "confirm_registration",
                Mail::ConfirmRegistration {
                    recipient_name: "Centre hospitalier".to_owned(),
                    token: t(),
                    hours: 48,
                },
            ),
            (
                "new_reports_first_connection",
                Mail::NewReports {
                    count: 3,
                    first_connection: Some(t()),
                },
            ),
            (
                "new_report",
                Mail::NewReports {
                    count: 1,
                    first_connection: None,
                },
            ),
            ("password_changed", Mail::PasswordChanged {}),
            (
                "expiring",
                Mail::Expiring {
                    count: 4,
                    on: "2027-01-04".to_owned(),
                },
            ),
            (
                "reset_password",
                Mail::ResetPassword {
                    token: t(),
                    minutes: 60,
                },
            ),
            (
                "delegate_invitation",
                Mail::Delegate {
                    owner_email: "pcr@example.org".to_owned(),
                    token: Some(t()),
                    days: 7,
                },
            ),
            (
                "delegate_added",
                Mail::Delegate {
                    owner_email: "pcr@example.org".to_owned(),
                    token: None,
                    days: 7,
                },
            ),
            (
                "email_change_confirm",
                Mail::EmailChangeConfirm {
                    token: t(),
                    old_email: "old@example.org".to_owned(),
                    hours: 24,
                },
            ),
            (
                "email_change_asked",
                Mail::EmailChangeNotice {
                    new_email: "new@example.org".to_owned(),
                    done: false,
                },
            ),
            (
                "email_change_done",
                Mail::EmailChangeNotice {
                    new_email: "new@example.org".to_owned(),
                    done: true,
                },
            ),
            (
                "factor_passkey_added",
                Mail::SecondFactor {
                    change: FactorChange::PasskeyAdded {
                        name: "Clé <USB> du bureau".to_owned(),
                    },
                },
            ),
            (
                "factor_code_used",
                Mail::SecondFactor {
                    change: FactorChange::CodeUsed { left: 7 },
                },
            ),
        ]
    }

    #[test]
    fn every_email_in_both_languages() {
        let token = Token::generate();
        for (name, mail) in catalogue(token.expose()) {
            for lang in [Lang::Fr, Lang::En] {
                let r = render(&mail, lang, &context()).unwrap();
                for part in [&r.text, &r.html] {
                    assert!(part.contains("service@example.com"), "{name}: no contact");
                    assert!(part.contains("+33 1 00 00 00 00"), "{name}: no phone");
                    let has_button = !matches!(mail, Mail::EmailChangeNotice { .. });
                    let linked = part.contains("https://portail.example.com/");
                    assert!(linked || !has_button, "{name}: no link");
                }
                let masked = format!("Subject: {}\n\n{}\n----\n{}", r.subject, r.text, r.html)
                    .replace(token.expose(), "[token]");
                insta::assert_snapshot!(format!("{name}.{}", lang.tag()), masked);
            }
        }
    }

    #[test]
    fn french_and_english_differ_for_every_email() {
        let token = Token::generate();
        for (name, mail) in catalogue(token.expose()) {
            let fr = render(&mail, Lang::Fr, &context()).unwrap();
            let en = render(&mail, Lang::En, &context()).unwrap();
            assert_ne!(fr.subject, en.subject, "{name}");
            assert_ne!(fr.text, en.text, "{name}");
            assert!(
                en.html.contains("lang=\"en\"") && fr.html.contains("lang=\"fr\""),
                "{name}"
            );
        }
    }
}
