//! `serve --demo`: a small fictional batch, made on the spot, imported into
//! an empty portal so that anyone can try every step.

use std::path::Path;

use anyhow::Context;
use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, Stream, dictionary};

use crate::app::App;
use crate::import::commit::{Imported, import_manifest};

/// The demo recipients: code, name, contact email.
const RECIPIENTS: [(&str, &str, &str); 3] = [
    (
        "D9900001",
        "Centre hospitalier de Démonstration – radiologie",
        "pcr.demo@example.org",
    ),
    (
        "D9900002",
        "Clinique vétérinaire des Érables",
        "accueil.demo@example.com",
    ),
    (
        "D9900003",
        "Contrôles Non Destructifs Démo SARL",
        "hse.demo@example.net",
    ),
];

/// Loads the demo batch if the portal holds no report yet, and says how to
/// register with it.
pub async fn load(app: &App) -> anyhow::Result<()> {
    if app.state.store.count_reports().await? > 0 {
        println!(
            "The database already holds reports: no demo batch loaded. Emails go to {}.",
            app.state.config.mail
        );
        return Ok(());
    }
    let folder = app.state.config.data_dir.join("demo-batch");
    write_batch(&folder).context("writing the demo batch")?;
    let imported = import_manifest(&folder.join("manifest.csv"), &app.import_target())
        .await
        .map_err(|e| anyhow::anyhow!("importing the demo batch: {e:?}"))?;
    app.mailer.deliver_due().await?;

    let Imported::Published(summary) = imported else {
        return Ok(());
    };
    println!(
        "Demo batch loaded: {} reports for {} recipients.",
        summary.reports, summary.recipients_created
    );
    println!(
        "Register at {} with one of these pairs:",
        app.state.config.link("/inscription")
    );
    for invitation in &summary.invited {
        println!(
            "  {:<52} code {}  report {}",
            invitation.recipient_name, invitation.security_code, invitation.report_number
        );
    }
    println!(
        "Emails (invitations, confirmations) are written to: {}",
        app.state.config.mail
    );
    Ok(())
}

/// Writes the manifest and its PDFs into `folder`.
fn write_batch(folder: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(folder.join("pdf"))?;
    let mut manifest = String::from(
        "report_number,recipient_code,recipient_name,recipient_email,period_start,period_end,kind,issued_on,file\n",
    );
    let periods = [
        ("2026-07-01", "2026-09-30", "2026-10-12"),
        ("2026-08-01", "2026-10-31", "2026-11-10"),
    ];
    let mut sequence = 990_001;
    for (code, name, email) in RECIPIENTS {
        for (start, end, issued) in periods {
            let number = format!("RDC-{}-{sequence:06}", &issued[..4]);
            let file = format!("pdf/{number}_{code}.pdf");
            let pdf = report_pdf(&number, name, start, end)?;
            std::fs::write(folder.join(&file), pdf)?;
            manifest.push_str(&format!(
                "{number},{code},\"{name}\",{email},{start},{end},periodique,{issued},{file}\n"
            ));
            sequence += 1;
        }
    }
    std::fs::write(folder.join("manifest.csv"), manifest)?;
    Ok(())
}

/// A one-page PDF saying what it is.
fn report_pdf(number: &str, recipient: &str, start: &str, end: &str) -> anyhow::Result<Vec<u8>> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let resources_id = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font_id } });
    let lines = [
        (18, format!("Rapport de controle {number}")),
        (12, format!("Destinataire : {}", ascii(recipient))),
        (12, format!("Periode : du {start} au {end}")),
        (
            12,
            "Document de demonstration : donnees fictives.".to_owned(),
        ),
    ];
    let mut operations = vec![
        Operation::new("BT", vec![]),
        Operation::new("Td", vec![56.into(), 770.into()]),
    ];
    for (size, text) in lines {
        operations.push(Operation::new("Tf", vec!["F1".into(), size.into()]));
        operations.push(Operation::new("Tj", vec![Object::string_literal(text)]));
        operations.push(Operation::new("Td", vec![0.into(), (-28).into()]));
    }
    operations.push(Operation::new("ET", vec![]));
    let content = Content { operations }.encode()?;
    let content_id = doc.add_object(Stream::new(dictionary! {}, content));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1,
            "Resources" => resources_id, "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes)?;
    Ok(bytes)
}

/// The text with accents dropped, for the PDF's standard font.
fn ascii(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.nfd().filter(char::is_ascii).collect()
}
