//! Renders each kind of email into a subject, a plain-text part and an HTML
//! part, from the templates under `templates/email/`.

use askama::Template;

use super::Mail;
use crate::config::Config;
use crate::domain::Lang;

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
}

impl MailContext {
    /// The context of a configuration.
    pub fn from_config(config: &Config) -> Self {
        Self {
            lab_name: config.lab_name.clone(),
            contact_email: config.lab_contact_email.clone(),
            contact_phone: config.lab_contact_phone.clone(),
            base_url: config.link(""),
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

/// The facts one email shows, shared by its text and HTML templates.
struct View<'a> {
    c: &'a MailContext,
    title: String,
    link: String,
    mail: &'a Mail,
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

#[derive(Template)]
#[template(path = "email/body_en.txt")]
struct TextEn<'a> {
    v: &'a View<'a>,
}

#[derive(Template)]
#[template(path = "email/body_en.html")]
struct HtmlEn<'a> {
    v: &'a View<'a>,
}

/// Renders an email in a language.
pub fn render(mail: &Mail, lang: Lang, c: &MailContext) -> Result<Rendered, askama::Error> {
    let view = View {
        c,
        title: title(mail, lang),
        link: link(mail, c),
        mail,
    };
    let (text, html) = match lang {
        Lang::Fr => (Text { v: &view }.render()?, Html { v: &view }.render()?),
        Lang::En => (TextEn { v: &view }.render()?, HtmlEn { v: &view }.render()?),
    };
    Ok(Rendered {
        subject: format!("{} – {}", view.title, c.lab_name),
        text,
        html,
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
    }
}

/// The subject, before the lab's name.
fn title(mail: &Mail, lang: Lang) -> String {
    let fixed = |fr: &str, en: &str| lang.pick(fr, en).to_owned();
    match mail {
        Mail::Invite { .. } => fixed(
            "Rapports de contrôle : inscrivez-vous pour les consulter en ligne",
            "Control reports: register to read them online",
        ),
        Mail::ConfirmRegistration { .. } => fixed(
            "Confirmez votre adresse pour recevoir les rapports de contrôle",
            "Confirm your address to receive the control reports",
        ),
        Mail::NewReports { count, .. } => match (lang, *count > 1) {
            (Lang::Fr, true) => format!("{count} nouveaux rapports de contrôle sont disponibles"),
            (Lang::Fr, false) => "Un nouveau rapport de contrôle est disponible".to_owned(),
            (Lang::En, true) => format!("{count} new control reports are available"),
            (Lang::En, false) => "A new control report is available".to_owned(),
        },
        Mail::Expiring { .. } => fixed(
            "Des rapports de contrôle vont bientôt être retirés du portail",
            "Control reports will soon leave the portal",
        ),
        Mail::PasswordChanged {} => fixed(
            "Le mot de passe de votre compte a été changé",
            "The password of your account was changed",
        ),
        Mail::ResetPassword { .. } => fixed(
            "Choisissez un nouveau mot de passe",
            "Choose a new password",
        ),
        Mail::Delegate { .. } => fixed(
            "Accès aux rapports de contrôle",
            "Access to control reports",
        ),
        Mail::EmailChangeConfirm { .. } => fixed(
            "Confirmez votre nouvelle adresse de connexion",
            "Confirm your new login address",
        ),
        Mail::EmailChangeNotice { done: true, .. } => fixed(
            "Votre adresse de connexion a été changée",
            "Your login address was changed",
        ),
        Mail::EmailChangeNotice { done: false, .. } => fixed(
            "Demande de changement de votre adresse de connexion",
            "Request to change your login address",
        ),
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
                    on: "04/01/2027".to_owned(),
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
