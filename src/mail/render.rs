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

/// Renders an email in a language.
///
/// Limitation: emails are written in French only for now; `_lang` is kept so
/// that the English catalogue slots in without changing callers.
pub fn render(mail: &Mail, _lang: Lang, c: &MailContext) -> Result<Rendered, askama::Error> {
    let (title, link) = match mail {
        Mail::Invite { .. } => (
            "Rapports de contrôle : inscrivez-vous pour les consulter en ligne".to_owned(),
            format!("{}/inscription", c.base_url),
        ),
        Mail::ConfirmRegistration { token, .. } => (
            "Confirmez votre adresse pour recevoir les rapports de contrôle".to_owned(),
            format!("{}/inscription/confirmer?jeton={token}", c.base_url),
        ),
        Mail::NewReports {
            count,
            first_connection,
        } => (
            if *count > 1 {
                format!("{count} nouveaux rapports de contrôle sont disponibles")
            } else {
                "Un nouveau rapport de contrôle est disponible".to_owned()
            },
            match first_connection {
                Some(token) => format!("{}/premiere-connexion?jeton={token}", c.base_url),
                None => format!("{}/rapports", c.base_url),
            },
        ),
        Mail::PasswordChanged {} => (
            "Le mot de passe de votre compte a été changé".to_owned(),
            format!("{}/mot-de-passe-oublie", c.base_url),
        ),
        Mail::ResetPassword { token, .. } => (
            "Choisissez un nouveau mot de passe".to_owned(),
            format!("{}/mot-de-passe-oublie/nouveau?jeton={token}", c.base_url),
        ),
        Mail::Delegate { token, .. } => (
            "Accès aux rapports de contrôle".to_owned(),
            match token {
                Some(token) => format!("{}/invitation?jeton={token}", c.base_url),
                None => format!("{}/rapports", c.base_url),
            },
        ),
        Mail::EmailChangeConfirm { token, .. } => (
            "Confirmez votre nouvelle adresse de connexion".to_owned(),
            format!("{}/compte/email/confirmer?jeton={token}", c.base_url),
        ),
        Mail::EmailChangeNotice { done, .. } => (
            if *done {
                "Votre adresse de connexion a été changée".to_owned()
            } else {
                "Demande de changement de votre adresse de connexion".to_owned()
            },
            format!("{}/connexion", c.base_url),
        ),
    };
    let view = View {
        c,
        title,
        link,
        mail,
    };
    Ok(Rendered {
        subject: format!("{} – {}", view.title, c.lab_name),
        text: Text { v: &view }.render()?,
        html: Html { v: &view }.render()?,
    })
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
