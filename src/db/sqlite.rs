//! The SQLite implementation of [`Store`]: the embedded default.

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, Sqlite, SqliteConnection, SqlitePool, Transaction};

use super::*;

mod factors;
use crate::domain::secret::{SecurityCode, Token};

/// How long a writer waits for another one before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Rows of the portal in one SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

fn ts(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

fn from_ts(secs: i64) -> Result<DateTime<Utc>, DbError> {
    DateTime::from_timestamp(secs, 0).ok_or_else(|| DbError::Corrupt(format!("timestamp {secs}")))
}

impl SqliteStore {
    /// Opens (creating if needed) the database and migrates it.
    pub async fn open(url: &str) -> Result<Self, DbError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        // A connection is a handle on a file of this process, which cannot
        // hang up like a server: pinging it before each use (a round trip to
        // its thread) would check nothing.
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        sqlx::migrate!("migrations/sqlite").run(&pool).await?;
        Ok(Self { pool })
    }

    /// The underlying pool, for tests that inspect rows.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    async fn write_tx(&self) -> Result<Transaction<'static, Sqlite>, DbError> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }
}

async fn enqueue(
    tx: &mut Transaction<'_, Sqlite>,
    dedupe_key: &str,
    to: &str,
    lang: Lang,
    mail: &Mail,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let params = serde_json::to_string(mail).map_err(|e| DbError::Corrupt(format!("mail: {e}")))?;
    sqlx::query(
        "INSERT INTO outbox (dedupe_key, kind, to_addr, lang, params, created_at, next_attempt_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(dedupe_key)
    .bind(mail.kind())
    .bind(to)
    .bind(lang.tag())
    .bind(params)
    .bind(ts(now))
    .bind(ts(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_audit(tx: &mut Transaction<'_, Sqlite>, e: &AuditEvent) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO audit (at, account_id, recipient_id, event, detail, client_addr)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(ts(e.at))
    .bind(e.account_id)
    .bind(e.recipient_id)
    .bind(e.event)
    .bind(&e.detail)
    .bind(&e.client_addr)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Sorts a batch's reports into new, unchanged and conflicting ones. The
/// batch's numbers go to SQLite as one JSON array: one statement for the
/// whole batch, where a statement per report cost a trip to the
/// connection's thread each.
async fn classify(conn: &mut SqliteConnection, plan: &ImportPlan) -> Result<BatchCheck, DbError> {
    let numbers: Vec<&str> = plan.reports.iter().map(|r| r.number.as_str()).collect();
    let rows = sqlx::query(
        "SELECT j.key, rc.code, r.period_start, r.period_end, r.kind, r.issued_on, r.file_sha256
         FROM json_each(?) j
         JOIN reports r ON r.number = j.value
         JOIN recipients rc ON rc.id = r.recipient_id",
    )
    .bind(serde_json::Value::from(numbers).to_string())
    .fetch_all(&mut *conn)
    .await?;
    let mut existing = HashMap::with_capacity(rows.len());
    for row in rows {
        existing.insert(row.try_get::<i64, _>(0)?, row);
    }

    let mut fresh = Vec::new();
    let mut unchanged = 0;
    let mut conflicts = Vec::new();
    for (index, report) in plan.reports.iter().enumerate() {
        let Some(row) = existing.get(&i64::try_from(index).unwrap_or(i64::MAX)) else {
            fresh.push(index);
            continue;
        };
        let same = row.try_get::<String, _>(1)? == report.recipient_code
            && row.try_get::<String, _>(2)? == report.period_start.to_string()
            && row.try_get::<String, _>(3)? == report.period_end.to_string()
            && row.try_get::<String, _>(4)? == report.kind
            && row.try_get::<String, _>(5)? == report.issued_on.to_string()
            && row.try_get::<String, _>(6)? == report.sha256;
        if same {
            unchanged += 1;
        } else {
            conflicts.push(Conflict {
                row: report.row,
                number: report.number.clone(),
            });
        }
    }
    Ok(BatchCheck {
        fresh,
        unchanged,
        conflicts,
    })
}

/// Finds or creates each recipient of the new reports; returns their ids and
/// the ids of those created.
async fn upsert_recipients(
    tx: &mut Transaction<'_, Sqlite>,
    plan: &ImportPlan,
    fresh: &[usize],
) -> Result<(HashMap<String, i64>, Vec<(i64, usize)>), DbError> {
    let mut ids = HashMap::new();
    let mut created = Vec::new();
    for &index in fresh {
        let report = &plan.reports[index];
        if ids.contains_key(&report.recipient_code) {
            continue;
        }
        let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM recipients WHERE code = ?")
            .bind(&report.recipient_code)
            .fetch_optional(&mut **tx)
            .await?;
        let id = match existing {
            Some(id) => {
                sqlx::query("UPDATE recipients SET name = ?, contact_email = ? WHERE id = ?")
                    .bind(&report.recipient_name)
                    .bind(&report.recipient_email)
                    .bind(id)
                    .execute(&mut **tx)
                    .await?;
                id
            }
            None => {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO recipients (code, name, contact_email, security_code_hash, created_at)
                     VALUES (?, ?, ?, ?, ?) RETURNING id",
                )
                .bind(&report.recipient_code)
                .bind(&report.recipient_name)
                .bind(&report.recipient_email)
                .bind(&report.new_code.hash)
                .bind(ts(plan.now))
                .fetch_one(&mut **tx)
                .await?;
                created.push((id, index));
                id
            }
        };
        ids.insert(report.recipient_code.clone(), id);
    }
    Ok((ids, created))
}

async fn insert_reports(
    tx: &mut Transaction<'_, Sqlite>,
    plan: &ImportPlan,
    fresh: &[usize],
    recipients: &HashMap<String, i64>,
    batch_id: i64,
) -> Result<(), DbError> {
    let mut rows = Vec::with_capacity(fresh.len());
    for &index in fresh {
        let r = &plan.reports[index];
        let recipient_id = recipients
            .get(&r.recipient_code)
            .copied()
            .ok_or_else(|| DbError::Corrupt(format!("recipient {}", r.recipient_code)))?;
        rows.push(serde_json::json!([
            r.number,
            recipient_id,
            r.period_start.to_string(),
            r.period_end.to_string(),
            r.kind,
            r.issued_on.to_string(),
            r.sha256,
            i64::try_from(r.size).unwrap_or(i64::MAX),
            r.file_name,
        ]));
    }
    // One statement for the batch, as in `classify`, in the batch's order.
    sqlx::query(
        "INSERT INTO reports (number, recipient_id, batch_id, period_start, period_end, kind,
             issued_on, published_at, available_until, file_sha256, file_size, file_name)
         SELECT value ->> 0, value ->> 1, ?, value ->> 2, value ->> 3, value ->> 4,
             value ->> 5, ?, ?, value ->> 6, value ->> 7, value ->> 8
         FROM json_each(?) ORDER BY key",
    )
    .bind(batch_id)
    .bind(ts(plan.now))
    .bind(plan.available_until.to_string())
    .bind(serde_json::Value::Array(rows).to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Queues one E-NEW-REPORTS per account with access to the batch's reports.
async fn queue_notifications(
    tx: &mut Transaction<'_, Sqlite>,
    batch_id: i64,
    plan: &ImportPlan,
) -> Result<usize, DbError> {
    let rows = sqlx::query(
        "WITH access (account_id, owner_id) AS (
             SELECT id, id FROM accounts
             UNION ALL SELECT delegate_account_id, owner_account_id FROM delegations)
         SELECT a.id, a.email, a.lang, COUNT(*), a.password_hash IS NULL AS first_time
         FROM reports r
         JOIN recipients rc ON rc.id = r.recipient_id
         JOIN access ON access.owner_id = rc.owner_account_id
         JOIN accounts a ON a.id = access.account_id
         WHERE r.batch_id = ?
         GROUP BY a.id, a.email, a.lang, a.password_hash",
    )
    .bind(batch_id)
    .fetch_all(&mut **tx)
    .await?;
    for row in &rows {
        let account_id: i64 = row.try_get(0)?;
        let first_connection = if row.try_get::<bool, _>(4)? {
            Some(first_connection_token(tx, account_id, plan).await?)
        } else {
            None
        };
        let mail = Mail::NewReports {
            count: row.try_get(3)?,
            first_connection,
        };
        let key = format!("new-reports:{batch_id}:{account_id}");
        let lang = Lang::from_tag(&row.try_get::<String, _>(2)?);
        enqueue(
            tx,
            &key,
            &row.try_get::<String, _>(1)?,
            lang,
            &mail,
            plan.now,
        )
        .await?;
    }
    Ok(rows.len())
}

/// A new first-connection link for an account without a password.
async fn first_connection_token(
    tx: &mut Transaction<'_, Sqlite>,
    account_id: i64,
    plan: &ImportPlan,
) -> Result<String, DbError> {
    let token = Token::generate();
    sqlx::query(
        "INSERT INTO tokens (hash, purpose, account_id, created_at, expires_at)
         VALUES (?, 'first_connection', ?, ?, ?)",
    )
    .bind(token.hash())
    .bind(account_id)
    .bind(ts(plan.now))
    .bind(ts(plan.first_connection_expires_at))
    .execute(&mut **tx)
    .await?;
    Ok(token.expose().to_owned())
}

/// The row of a confirmation token that can be used now, or what to say
/// instead.
async fn usable_confirmation(
    conn: &mut SqliteConnection,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Result<sqlx::sqlite::SqliteRow, ConfirmOutcome>, DbError> {
    let token = sqlx::query(
        "SELECT t.id, t.email, t.recipient_id, t.expires_at, t.used_at, t.revoked_at,
                a.email AS owner_email
         FROM tokens t JOIN recipients rc ON rc.id = t.recipient_id
         LEFT JOIN accounts a ON a.id = rc.owner_account_id
         WHERE t.hash = ? AND t.purpose = 'confirm_registration'",
    )
    .bind(token_hash)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(token) = token else {
        return Ok(Err(ConfirmOutcome::Invalid));
    };
    let email: String = token.try_get("email")?;
    let owner_email: Option<String> = token.try_get("owner_email")?;
    let outcome = match owner_email {
        Some(owner) if owner == email => Some(ConfirmOutcome::AlreadyDone),
        Some(_) => Some(ConfirmOutcome::TakenByOther),
        None if token.try_get::<Option<i64>, _>("used_at")?.is_some() => {
            Some(ConfirmOutcome::Invalid)
        }
        None if token.try_get::<Option<i64>, _>("revoked_at")?.is_some() => {
            Some(ConfirmOutcome::Replaced)
        }
        None if token.try_get::<i64, _>("expires_at")? <= ts(now) => Some(ConfirmOutcome::Expired),
        None => None,
    };
    Ok(outcome.map_or(Ok(token), Err))
}

/// Where an emailed link's row stands.
enum Liveness {
    /// Usable.
    Live,
    /// Used, or killed by a newer link or a change of the account.
    Used,
    /// Past its end.
    Expired,
}

/// Where a token row (with `used_at`, `revoked_at`, `expires_at`) stands.
fn liveness(row: &sqlx::sqlite::SqliteRow, now: DateTime<Utc>) -> Result<Liveness, DbError> {
    let used = row.try_get::<Option<i64>, _>("used_at")?.is_some()
        || row.try_get::<Option<i64>, _>("revoked_at")?.is_some();
    Ok(if used {
        Liveness::Used
    } else if row.try_get::<i64, _>("expires_at")? <= ts(now) {
        Liveness::Expired
    } else {
        Liveness::Live
    })
}

/// What a link for an account (with `account_id` and `email`) allows now.
fn account_link(row: &sqlx::sqlite::SqliteRow, now: DateTime<Utc>) -> Result<LinkState, DbError> {
    Ok(match liveness(row, now)? {
        Liveness::Used => LinkState::Invalid,
        Liveness::Expired => LinkState::Expired,
        Liveness::Live => LinkState::Valid {
            account_id: row.try_get("account_id")?,
            email: row.try_get("email")?,
        },
    })
}

/// Queues E-PASSWORD-CHANGED for an account.
async fn tell_password_changed(
    tx: &mut Transaction<'_, Sqlite>,
    account_id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    tell_account(tx, account_id, &Mail::PasswordChanged {}, now).await
}

/// Queues an email to an account's login, in its language.
async fn tell_account(
    tx: &mut Transaction<'_, Sqlite>,
    account_id: i64,
    mail: &Mail,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let row = sqlx::query("SELECT email, lang FROM accounts WHERE id = ?")
        .bind(account_id)
        .fetch_one(&mut **tx)
        .await?;
    let key = format!("{}:{account_id}:{}", mail.kind(), Token::generate().hash());
    let lang = Lang::from_tag(&row.try_get::<String, _>("lang")?);
    let to: String = row.try_get("email")?;
    enqueue(tx, &key, &to, lang, mail, now).await
}

/// Sets a password and kills the reset, first-connection and email-change
/// links of the account (not the invitations it sent to others).
async fn store_password(
    tx: &mut Transaction<'_, Sqlite>,
    account_id: i64,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    sqlx::query("UPDATE accounts SET password_hash = ? WHERE id = ?")
        .bind(hash)
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "UPDATE tokens SET revoked_at = ?
         WHERE account_id = ? AND used_at IS NULL AND revoked_at IS NULL
           AND purpose IN ('reset', 'first_connection', 'email_change')",
    )
    .bind(ts(now))
    .bind(account_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn account_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<Account, DbError> {
    Ok(Account {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        password_hash: row.try_get("password_hash")?,
        lang: Lang::from_tag(&row.try_get::<String, _>("lang")?),
    })
}

/// The recipients an account may see, as a SQL fragment binding the account
/// id once as `?1`.
const ACCESS: &str = "SELECT id AS recipient_id, 1 AS owned FROM recipients
        WHERE owner_account_id = ?1
    UNION SELECT rc.id, 0 FROM recipients rc
        JOIN delegations d ON d.owner_account_id = rc.owner_account_id
        WHERE d.delegate_account_id = ?1";

#[async_trait]
impl Store for SqliteStore {
    async fn import_batch(&self, plan: &ImportPlan) -> Result<ImportOutcome, DbError> {
        let mut tx = self.write_tx().await?;
        let BatchCheck {
            fresh,
            unchanged,
            conflicts,
        } = classify(&mut tx, plan).await?;
        if !conflicts.is_empty() {
            return Ok(ImportOutcome::Conflicts(conflicts));
        }
        if fresh.is_empty() {
            return Ok(ImportOutcome::NothingNew);
        }

        let batch_id: i64 = sqlx::query_scalar(
            "INSERT INTO batches (source, report_count, imported_at) VALUES (?, ?, ?) RETURNING id",
        )
        .bind(&plan.source)
        .bind(i64::try_from(fresh.len()).unwrap_or(i64::MAX))
        .bind(ts(plan.now))
        .fetch_one(&mut *tx)
        .await?;
        let (recipients, created) = upsert_recipients(&mut tx, plan, &fresh).await?;
        insert_reports(&mut tx, plan, &fresh, &recipients, batch_id).await?;

        let mut invited = Vec::new();
        for &(recipient_id, index) in &created {
            let report = &plan.reports[index];
            invited.push(Invitation {
                recipient_name: report.recipient_name.clone(),
                report_number: report.number.clone(),
                security_code: report.new_code.display.clone(),
            });
            let mail = Mail::Invite {
                recipient_name: report.recipient_name.clone(),
                security_code: report.new_code.display.clone(),
                report_number: report.number.clone(),
            };
            let key = format!("invite:{recipient_id}:{batch_id}");
            enqueue(
                &mut tx,
                &key,
                &report.recipient_email,
                Lang::Fr,
                &mail,
                plan.now,
            )
            .await?;
        }
        let accounts_notified = queue_notifications(&mut tx, batch_id, plan).await?;
        tx.commit().await?;

        Ok(ImportOutcome::Imported(ImportSummary {
            batch_id,
            reports: fresh.len(),
            unchanged,
            recipients_created: created.len(),
            accounts_notified,
            invited,
        }))
    }

    async fn check_batch(&self, plan: &ImportPlan) -> Result<BatchCheck, DbError> {
        let mut conn = self.pool.acquire().await?;
        classify(&mut conn, plan).await
    }

    async fn count_reports(&self) -> Result<i64, DbError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM reports")
            .fetch_one(&self.pool)
            .await?)
    }

    async fn recipient_for_report(&self, number: &str) -> Result<Option<RecipientAuth>, DbError> {
        let row = sqlx::query(
            "SELECT rc.id, rc.name, rc.security_code_hash, rc.owner_account_id
             FROM reports r JOIN recipients rc ON rc.id = r.recipient_id WHERE r.number = ?",
        )
        .bind(number)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(RecipientAuth {
                recipient_id: row.try_get(0)?,
                recipient_name: row.try_get(1)?,
                code_hash: row.try_get(2)?,
                owner_account_id: row.try_get(3)?,
            })
        })
        .transpose()
    }

    async fn create_draft(
        &self,
        id_hash: &str,
        draft: &Draft,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), DbError> {
        sqlx::query("DELETE FROM registration_drafts WHERE expires_at <= ?")
            .bind(ts(now))
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "INSERT INTO registration_drafts (id_hash, recipient_id, report_number, email,
                 created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(id_hash)
        .bind(draft.recipient_id)
        .bind(&draft.report_number)
        .bind(&draft.email)
        .bind(ts(now))
        .bind(ts(expires_at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn draft(&self, id_hash: &str, now: DateTime<Utc>) -> Result<Option<Draft>, DbError> {
        let row = sqlx::query(
            "SELECT d.recipient_id, rc.name, d.report_number, d.email
             FROM registration_drafts d JOIN recipients rc ON rc.id = d.recipient_id
             WHERE d.id_hash = ? AND d.expires_at > ?",
        )
        .bind(id_hash)
        .bind(ts(now))
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(Draft {
                recipient_id: row.try_get(0)?,
                recipient_name: row.try_get(1)?,
                report_number: row.try_get(2)?,
                email: row.try_get(3)?,
            })
        })
        .transpose()
    }

    async fn set_draft_email(&self, id_hash: &str, email: &str) -> Result<(), DbError> {
        sqlx::query("UPDATE registration_drafts SET email = ? WHERE id_hash = ?")
            .bind(email)
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn delete_draft(&self, id_hash: &str) -> Result<(), DbError> {
        sqlx::query("DELETE FROM registration_drafts WHERE id_hash = ?")
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn start_confirmation(&self, start: &StartConfirmation) -> Result<bool, DbError> {
        let mut tx = self.write_tx().await?;
        if let Some(since) = start.unless_pending_since {
            let recent: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM tokens WHERE purpose = 'confirm_registration'
                     AND recipient_id = ? AND email = ? AND used_at IS NULL
                     AND revoked_at IS NULL AND created_at >= ?)",
            )
            .bind(start.recipient_id)
            .bind(&start.email)
            .bind(ts(since))
            .fetch_one(&mut *tx)
            .await?;
            if recent {
                return Ok(false);
            }
        }
        sqlx::query(
            "UPDATE tokens SET revoked_at = ? WHERE purpose = 'confirm_registration'
                 AND recipient_id = ? AND email = ? AND used_at IS NULL AND revoked_at IS NULL",
        )
        .bind(ts(start.now))
        .bind(start.recipient_id)
        .bind(&start.email)
        .execute(&mut *tx)
        .await?;
        let token_id: i64 = sqlx::query_scalar(
            "INSERT INTO tokens (hash, purpose, email, recipient_id, created_at, expires_at)
             VALUES (?, 'confirm_registration', ?, ?, ?, ?) RETURNING id",
        )
        .bind(&start.token_hash)
        .bind(&start.email)
        .bind(start.recipient_id)
        .bind(ts(start.now))
        .bind(ts(start.expires_at))
        .fetch_one(&mut *tx)
        .await?;
        let audit = AuditEvent {
            at: start.now,
            account_id: None,
            recipient_id: Some(start.recipient_id),
            event: start.event,
            detail: format!(
                "{} certified being authorised to receive the reports",
                start.email
            ),
            client_addr: Some(start.client_addr.clone()),
        };
        insert_audit(&mut tx, &audit).await?;
        let key = format!("confirm:{token_id}");
        enqueue(
            &mut tx,
            &key,
            &start.email,
            start.lang,
            &start.mail,
            start.now,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn confirm_registration(
        &self,
        token_hash: &str,
        lang: Lang,
        now: DateTime<Utc>,
    ) -> Result<ConfirmOutcome, DbError> {
        let mut tx = self.write_tx().await?;
        let token = match usable_confirmation(&mut tx, token_hash, now).await? {
            Ok(token) => token,
            Err(outcome) => return Ok(outcome),
        };
        let email: String = token.try_get("email")?;

        let token_id: i64 = token.try_get("id")?;
        let recipient_id: i64 = token.try_get("recipient_id")?;
        let consumed = sqlx::query(
            "UPDATE tokens SET used_at = ?
             WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?",
        )
        .bind(ts(now))
        .bind(token_id)
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
        if consumed.rows_affected() != 1 {
            return Ok(ConfirmOutcome::AlreadyDone);
        }

        let existing =
            sqlx::query("SELECT id, email, password_hash, lang FROM accounts WHERE email = ?")
                .bind(&email)
                .fetch_optional(&mut *tx)
                .await?
                .map(|row| account_from_row(&row))
                .transpose()?;
        let account_id =
            match &existing {
                Some(account) => account.id,
                None => sqlx::query_scalar(
                    "INSERT INTO accounts (email, lang, created_at) VALUES (?, ?, ?) RETURNING id",
                )
                .bind(&email)
                .bind(lang.tag())
                .bind(ts(now))
                .fetch_one(&mut *tx)
                .await?,
            };
        let owned = sqlx::query(
            "UPDATE recipients SET owner_account_id = ?, owned_at = ?
             WHERE id = ? AND owner_account_id IS NULL",
        )
        .bind(account_id)
        .bind(ts(now))
        .bind(recipient_id)
        .execute(&mut *tx)
        .await?;
        if owned.rows_affected() != 1 {
            return Ok(ConfirmOutcome::TakenByOther);
        }
        let audit = AuditEvent {
            at: now,
            account_id: Some(account_id),
            recipient_id: Some(recipient_id),
            event: "registration_confirmed",
            detail: format!("{email} became the owner"),
            client_addr: None,
        };
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await?;

        Ok(match existing {
            None => ConfirmOutcome::AccountCreated { account_id },
            Some(account) => ConfirmOutcome::AccessAdded {
                account_id,
                has_password: account.password_hash.is_some(),
            },
        })
    }

    async fn confirmation_state(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<ConfirmOutcome>, DbError> {
        let mut conn = self.pool.acquire().await?;
        Ok(usable_confirmation(&mut conn, token_hash, now).await?.err())
    }

    async fn account_by_email(&self, email: &str) -> Result<Option<Account>, DbError> {
        sqlx::query("SELECT id, email, password_hash, lang FROM accounts WHERE email = ?")
            .bind(email)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| account_from_row(&row))
            .transpose()
    }

    async fn account(&self, id: i64) -> Result<Option<Account>, DbError> {
        sqlx::query("SELECT id, email, password_hash, lang FROM accounts WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| account_from_row(&row))
            .transpose()
    }

    async fn set_password(
        &self,
        account_id: i64,
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), DbError> {
        let mut tx = self.write_tx().await?;
        store_password(&mut tx, account_id, hash, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_password_with_token(
        &self,
        token_hash: &str,
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>, DbError> {
        let mut tx = self.write_tx().await?;
        let account_id: Option<i64> = sqlx::query_scalar(
            "UPDATE tokens SET used_at = ?1
             WHERE hash = ?2 AND purpose = 'first_connection' AND used_at IS NULL
               AND revoked_at IS NULL AND expires_at > ?1
               AND account_id IN (SELECT id FROM accounts WHERE password_hash IS NULL)
             RETURNING account_id",
        )
        .bind(ts(now))
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await?
        .flatten();
        let Some(account_id) = account_id else {
            return Ok(None);
        };
        store_password(&mut tx, account_id, hash, now).await?;
        tx.commit().await?;
        Ok(Some(account_id))
    }

    async fn first_connection(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<LinkState, DbError> {
        let row = sqlx::query(
            "SELECT t.account_id, a.email, a.password_hash IS NOT NULL AS has_password,
                    t.used_at, t.revoked_at, t.expires_at
             FROM tokens t JOIN accounts a ON a.id = t.account_id
             WHERE t.hash = ? AND t.purpose = 'first_connection'",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(LinkState::Invalid);
        };
        if row.try_get::<bool, _>("has_password")? {
            return Ok(LinkState::PasswordAlreadySet);
        }
        account_link(&row, now)
    }

    async fn pending_confirmation(
        &self,
        recipient_id: i64,
        email: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, DbError> {
        let created: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(created_at) FROM tokens
             WHERE purpose = 'confirm_registration' AND recipient_id = ? AND email = ?
               AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?",
        )
        .bind(recipient_id)
        .bind(email)
        .bind(ts(now))
        .fetch_one(&self.pool)
        .await?;
        created.map(from_ts).transpose()
    }

    async fn request_reset(&self, email: &str, reset: &NewLink) -> Result<bool, DbError> {
        let mut tx = self.write_tx().await?;
        let account =
            sqlx::query("SELECT id, email, password_hash, lang FROM accounts WHERE email = ?")
                .bind(email)
                .fetch_optional(&mut *tx)
                .await?
                .map(|row| account_from_row(&row))
                .transpose()?;
        let Some(account) = account else {
            return Ok(false);
        };
        sqlx::query(
            "UPDATE tokens SET revoked_at = ? WHERE purpose = 'reset' AND account_id = ?
               AND used_at IS NULL AND revoked_at IS NULL",
        )
        .bind(ts(reset.now))
        .bind(account.id)
        .execute(&mut *tx)
        .await?;
        let token_id: i64 = sqlx::query_scalar(
            "INSERT INTO tokens (hash, purpose, account_id, created_at, expires_at)
             VALUES (?, 'reset', ?, ?, ?) RETURNING id",
        )
        .bind(&reset.token_hash)
        .bind(account.id)
        .bind(ts(reset.now))
        .bind(ts(reset.expires_at))
        .fetch_one(&mut *tx)
        .await?;
        let key = format!("reset:{token_id}");
        enqueue(
            &mut tx,
            &key,
            &account.email,
            account.lang,
            &reset.mail,
            reset.now,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn reset_link(&self, token_hash: &str, now: DateTime<Utc>) -> Result<LinkState, DbError> {
        let row = sqlx::query(
            "SELECT t.account_id, a.email, t.used_at, t.revoked_at, t.expires_at
             FROM tokens t JOIN accounts a ON a.id = t.account_id
             WHERE t.hash = ? AND t.purpose = 'reset'",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(LinkState::Invalid);
        };
        account_link(&row, now)
    }

    async fn reset_password(
        &self,
        token_hash: &str,
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>, DbError> {
        let mut tx = self.write_tx().await?;
        let account_id: Option<i64> = sqlx::query_scalar(
            "UPDATE tokens SET used_at = ?1
             WHERE hash = ?2 AND purpose = 'reset' AND used_at IS NULL
               AND revoked_at IS NULL AND expires_at > ?1
             RETURNING account_id",
        )
        .bind(ts(now))
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await?
        .flatten();
        let Some(account_id) = account_id else {
            return Ok(None);
        };
        store_password(&mut tx, account_id, hash, now).await?;
        sqlx::query("DELETE FROM sessions WHERE account_id = ?")
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        tell_password_changed(&mut tx, account_id, now).await?;
        tx.commit().await?;
        Ok(Some(account_id))
    }

    async fn change_password(
        &self,
        account_id: i64,
        hash: &str,
        keep_session: &str,
        now: DateTime<Utc>,
    ) -> Result<(), DbError> {
        let mut tx = self.write_tx().await?;
        store_password(&mut tx, account_id, hash, now).await?;
        sqlx::query("DELETE FROM sessions WHERE account_id = ? AND id_hash <> ?")
            .bind(account_id)
            .bind(keep_session)
            .execute(&mut *tx)
            .await?;
        tell_password_changed(&mut tx, account_id, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn delegation(
        &self,
        account_id: i64,
        now: DateTime<Utc>,
    ) -> Result<DelegationView, DbError> {
        let owns: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM recipients WHERE owner_account_id = ?)",
        )
        .bind(account_id)
        .fetch_one(&self.pool)
        .await?;
        let rows = sqlx::query(
            "SELECT 'a' || a.id AS key, a.email, 0 AS pending, d.created_at AS since
             FROM delegations d JOIN accounts a ON a.id = d.delegate_account_id
             WHERE d.owner_account_id = ?1
             UNION ALL
             SELECT 'i' || t.id, t.email, 1, t.created_at FROM tokens t
             WHERE t.purpose = 'delegate_invite' AND t.account_id = ?1 AND t.used_at IS NULL
               AND t.revoked_at IS NULL AND t.expires_at > ?2
             ORDER BY since, key",
        )
        .bind(account_id)
        .bind(ts(now))
        .fetch_all(&self.pool)
        .await?;
        let mut delegates = Vec::new();
        for row in &rows {
            let key: String = row.try_get("key")?;
            let key = DelegateKey::decode(&key).ok_or_else(|| DbError::Corrupt(key.clone()))?;
            delegates.push(DelegateEntry {
                key,
                email: row.try_get("email")?,
                pending: row.try_get::<i64, _>("pending")? == 1,
            });
        }
        let granted_by: Vec<String> = sqlx::query_scalar(
            "SELECT a.email FROM delegations d JOIN accounts a ON a.id = d.owner_account_id
             WHERE d.delegate_account_id = ? ORDER BY a.email",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(DelegationView {
            owns,
            delegates,
            granted_by,
        })
    }

    async fn add_delegate(&self, r: &DelegateRequest) -> Result<AddDelegate, DbError> {
        let mut tx = self.write_tx().await?;
        let owner = sqlx::query(
            "SELECT email, EXISTS (SELECT 1 FROM recipients WHERE owner_account_id = ?1) AS owns
             FROM accounts WHERE id = ?1",
        )
        .bind(r.owner_id)
        .fetch_one(&mut *tx)
        .await?;
        let owner_email: String = owner.try_get("email")?;
        if !owner.try_get::<bool, _>("owns")? {
            return Ok(AddDelegate::NotOwner);
        }
        if owner_email == r.email {
            return Ok(AddDelegate::Itself);
        }
        let existing =
            sqlx::query("SELECT id, email, password_hash, lang FROM accounts WHERE email = ?")
                .bind(&r.email)
                .fetch_optional(&mut *tx)
                .await?
                .map(|row| account_from_row(&row))
                .transpose()?;
        let already: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM delegations d JOIN accounts a ON a.id = d.delegate_account_id
                            WHERE d.owner_account_id = ?1 AND a.email = ?2)
                 OR EXISTS (SELECT 1 FROM tokens WHERE purpose = 'delegate_invite' AND account_id = ?1
                            AND email = ?2 AND used_at IS NULL AND revoked_at IS NULL
                            AND expires_at > ?3)",
        )
        .bind(r.owner_id)
        .bind(&r.email)
        .bind(ts(r.now))
        .fetch_one(&mut *tx)
        .await?;
        if already {
            return Ok(AddDelegate::AlreadyThere);
        }
        let count: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM delegations WHERE owner_account_id = ?1)
                  + (SELECT COUNT(*) FROM tokens WHERE purpose = 'delegate_invite' AND account_id = ?1
                     AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?2)",
        )
        .bind(r.owner_id)
        .bind(ts(r.now))
        .fetch_one(&mut *tx)
        .await?;
        if count >= r.limit {
            return Ok(AddDelegate::LimitReached);
        }

        let (outcome, key, token, lang) = match &existing {
            Some(account) => {
                sqlx::query(
                    "INSERT INTO delegations (owner_account_id, delegate_account_id, created_at)
                     VALUES (?, ?, ?)",
                )
                .bind(r.owner_id)
                .bind(account.id)
                .bind(ts(r.now))
                .execute(&mut *tx)
                .await?;
                let key = format!("delegate:{}:{}:{}", r.owner_id, account.id, ts(r.now));
                (AddDelegate::Added, key, None, account.lang)
            }
            None => {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO tokens (hash, purpose, account_id, email, created_at, expires_at)
                     VALUES (?, 'delegate_invite', ?, ?, ?, ?) RETURNING id",
                )
                .bind(&r.token_hash)
                .bind(r.owner_id)
                .bind(&r.email)
                .bind(ts(r.now))
                .bind(ts(r.expires_at))
                .fetch_one(&mut *tx)
                .await?;
                (
                    AddDelegate::Invited,
                    format!("delegate-invite:{id}"),
                    Some(r.token.clone()),
                    Lang::Fr,
                )
            }
        };
        let mail = Mail::Delegate {
            owner_email,
            token,
            days: r.days,
        };
        enqueue(&mut tx, &key, &r.email, lang, &mail, r.now).await?;
        let audit = AuditEvent {
            at: r.now,
            account_id: Some(r.owner_id),
            recipient_id: None,
            event: "delegate_added",
            detail: format!("{} given access", r.email),
            client_addr: None,
        };
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    async fn remove_delegate(
        &self,
        owner_id: i64,
        key: &DelegateKey,
        now: DateTime<Utc>,
    ) -> Result<bool, DbError> {
        let mut tx = self.write_tx().await?;
        let removed = match key {
            DelegateKey::Account(id) => {
                sqlx::query(
                    "UPDATE tokens SET revoked_at = ?1 WHERE purpose = 'delegate_invite'
                       AND account_id = ?2 AND used_at IS NULL AND revoked_at IS NULL
                       AND email = (SELECT email FROM accounts WHERE id = ?3)",
                )
                .bind(ts(now))
                .bind(owner_id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM delegations WHERE owner_account_id = ? AND delegate_account_id = ?")
                    .bind(owner_id)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
            }
            DelegateKey::Invitation(id) => sqlx::query(
                "UPDATE tokens SET revoked_at = ? WHERE id = ? AND account_id = ?
                   AND purpose = 'delegate_invite' AND used_at IS NULL AND revoked_at IS NULL",
            )
            .bind(ts(now))
            .bind(id)
            .bind(owner_id)
            .execute(&mut *tx)
            .await?
            .rows_affected(),
        };
        if removed != 1 {
            // Nothing of this owner's had that key: nothing to record.
            return Ok(false);
        }
        let audit = AuditEvent {
            at: now,
            account_id: Some(owner_id),
            recipient_id: None,
            event: "delegate_removed",
            detail: key.encode(),
            client_addr: None,
        };
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn invitation(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<InvitationState, DbError> {
        let row = sqlx::query(
            "SELECT t.email, a.email AS owner_email, t.used_at, t.revoked_at, t.expires_at
             FROM tokens t JOIN accounts a ON a.id = t.account_id
             WHERE t.hash = ? AND t.purpose = 'delegate_invite'",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(InvitationState::Invalid);
        };
        match liveness(&row, now)? {
            Liveness::Used => return Ok(InvitationState::Invalid),
            Liveness::Expired => return Ok(InvitationState::Expired),
            Liveness::Live => {}
        }
        Ok(InvitationState::Valid {
            owner_email: row.try_get("owner_email")?,
            email: row.try_get("email")?,
        })
    }

    async fn accept_invitation(
        &self,
        token_hash: &str,
        password_hash: Option<&str>,
        lang: Lang,
        now: DateTime<Utc>,
    ) -> Result<Option<Accepted>, DbError> {
        let mut tx = self.write_tx().await?;
        let row = sqlx::query(
            "UPDATE tokens SET used_at = ?1
             WHERE hash = ?2 AND purpose = 'delegate_invite' AND used_at IS NULL
               AND revoked_at IS NULL AND expires_at > ?1
             RETURNING account_id, email",
        )
        .bind(ts(now))
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let owner_id: i64 = row.try_get("account_id")?;
        let email: String = row.try_get("email")?;
        let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM accounts WHERE email = ?")
            .bind(&email)
            .fetch_optional(&mut *tx)
            .await?;
        let accepted = match existing {
            Some(account_id) => Accepted {
                account_id,
                created: false,
            },
            None => Accepted {
                account_id: sqlx::query_scalar(
                    "INSERT INTO accounts (email, password_hash, lang, created_at)
                     VALUES (?, ?, ?, ?) RETURNING id",
                )
                .bind(&email)
                .bind(password_hash)
                .bind(lang.tag())
                .bind(ts(now))
                .fetch_one(&mut *tx)
                .await?,
                created: true,
            },
        };
        sqlx::query(
            "INSERT INTO delegations (owner_account_id, delegate_account_id, created_at)
             VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(owner_id)
        .bind(accepted.account_id)
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(accepted))
    }

    async fn request_email_change(
        &self,
        account_id: i64,
        new_email: &str,
        link: &NewLink,
    ) -> Result<(), DbError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "UPDATE tokens SET revoked_at = ? WHERE purpose = 'email_change' AND account_id = ?
               AND used_at IS NULL AND revoked_at IS NULL",
        )
        .bind(ts(link.now))
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
        let token_id: i64 = sqlx::query_scalar(
            "INSERT INTO tokens (hash, purpose, account_id, email, created_at, expires_at)
             VALUES (?, 'email_change', ?, ?, ?, ?) RETURNING id",
        )
        .bind(&link.token_hash)
        .bind(account_id)
        .bind(new_email)
        .bind(ts(link.now))
        .bind(ts(link.expires_at))
        .fetch_one(&mut *tx)
        .await?;
        let row = sqlx::query("SELECT email, lang FROM accounts WHERE id = ?")
            .bind(account_id)
            .fetch_one(&mut *tx)
            .await?;
        let old: String = row.try_get("email")?;
        let lang = Lang::from_tag(&row.try_get::<String, _>("lang")?);
        let confirm = format!("email-change:{token_id}");
        enqueue(&mut tx, &confirm, new_email, lang, &link.mail, link.now).await?;
        let notice = Mail::EmailChangeNotice {
            new_email: new_email.to_owned(),
            done: false,
        };
        let asked = format!("email-change-asked:{token_id}");
        enqueue(&mut tx, &asked, &old, lang, &notice, link.now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn email_change_link(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<LinkState, DbError> {
        let row = sqlx::query(
            "SELECT account_id, email, used_at, revoked_at, expires_at FROM tokens
             WHERE hash = ? AND purpose = 'email_change'",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(LinkState::Invalid);
        };
        account_link(&row, now)
    }

    async fn confirm_email_change(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<EmailChange, DbError> {
        let mut tx = self.write_tx().await?;
        let row = sqlx::query(
            "SELECT t.id, t.account_id, t.email, a.email AS old_email, a.lang
             FROM tokens t JOIN accounts a ON a.id = t.account_id
             WHERE t.hash = ?1 AND t.purpose = 'email_change' AND t.used_at IS NULL
               AND t.revoked_at IS NULL AND t.expires_at > ?2",
        )
        .bind(token_hash)
        .bind(ts(now))
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(EmailChange::Invalid);
        };
        let (token_id, account_id): (i64, i64) = (row.try_get("id")?, row.try_get("account_id")?);
        let new: String = row.try_get("email")?;
        let old: String = row.try_get("old_email")?;
        let taken: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM accounts WHERE email = ?)")
                .bind(&new)
                .fetch_one(&mut *tx)
                .await?;
        if taken {
            return Ok(EmailChange::Taken);
        }

        sqlx::query("UPDATE tokens SET used_at = ? WHERE id = ?")
            .bind(ts(now))
            .bind(token_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE accounts SET email = ? WHERE id = ?")
            .bind(&new)
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE tokens SET revoked_at = ?
             WHERE account_id = ? AND used_at IS NULL AND revoked_at IS NULL
               AND purpose IN ('reset', 'first_connection', 'email_change')",
        )
        .bind(ts(now))
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
        let notice = Mail::EmailChangeNotice {
            new_email: new.clone(),
            done: true,
        };
        let lang = Lang::from_tag(&row.try_get::<String, _>("lang")?);
        enqueue(
            &mut tx,
            &format!("email-changed:{token_id}"),
            &old,
            lang,
            &notice,
            now,
        )
        .await?;
        let audit = AuditEvent {
            at: now,
            account_id: Some(account_id),
            recipient_id: None,
            event: "login_changed",
            detail: format!("{old} became {new}"),
            client_addr: None,
        };
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(EmailChange::Changed { email: new })
    }

    async fn queue_expiry_reminders(
        &self,
        today: NaiveDate,
        horizon: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<usize, DbError> {
        let mut tx = self.write_tx().await?;
        let rows = sqlx::query(
            "WITH access (account_id, owner_id) AS (
                 SELECT id, id FROM accounts
                 UNION ALL SELECT delegate_account_id, owner_account_id FROM delegations)
             SELECT r.batch_id, a.id, a.email, a.lang, COUNT(*) AS count,
                    MIN(r.available_until) AS leaves_on
             FROM reports r
             JOIN recipients rc ON rc.id = r.recipient_id
             JOIN access ON access.owner_id = rc.owner_account_id
             JOIN accounts a ON a.id = access.account_id
             WHERE r.available_until > ?1 AND r.available_until <= ?2
               AND NOT EXISTS (SELECT 1 FROM outbox o
                               WHERE o.dedupe_key = 'expiring:' || r.batch_id || ':' || a.id)
             GROUP BY r.batch_id, a.id, a.email, a.lang",
        )
        .bind(today.to_string())
        .bind(horizon.to_string())
        .fetch_all(&mut *tx)
        .await?;
        for row in &rows {
            let (batch_id, account_id): (i64, i64) = (row.try_get(0)?, row.try_get(1)?);
            let leaves_on: String = row.try_get("leaves_on")?;
            let lang = Lang::from_tag(&row.try_get::<String, _>("lang")?);
            let mail = Mail::Expiring {
                count: row.try_get("count")?,
                on: leaves_on.clone(),
            };
            let key = format!("expiring:{batch_id}:{account_id}");
            enqueue(
                &mut tx,
                &key,
                &row.try_get::<String, _>("email")?,
                lang,
                &mail,
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(rows.len())
    }

    async fn purge_expired(&self, today: NaiveDate) -> Result<Purged, DbError> {
        let mut tx = self.write_tx().await?;
        let today = today.to_string();
        let files: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT file_sha256 FROM reports WHERE available_until < ?",
        )
        .bind(&today)
        .fetch_all(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM downloads WHERE report_id IN
                 (SELECT id FROM reports WHERE available_until < ?)",
        )
        .bind(&today)
        .execute(&mut *tx)
        .await?;
        let reports = sqlx::query("DELETE FROM reports WHERE available_until < ?")
            .bind(&today)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let mut orphan_files = Vec::new();
        for sha in files {
            let used: bool =
                sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM reports WHERE file_sha256 = ?)")
                    .bind(&sha)
                    .fetch_one(&mut *tx)
                    .await?;
            if !used {
                orphan_files.push(sha);
            }
        }
        tx.commit().await?;
        Ok(Purged {
            reports: usize::try_from(reports).unwrap_or(usize::MAX),
            orphan_files,
        })
    }

    async fn sweep(&self, now: DateTime<Utc>) -> Result<u64, DbError> {
        let now = ts(now);
        let statements = [
            "DELETE FROM sessions WHERE expires_at <= ?1 OR (remember = 0 AND created_at <= ?1 - 86400)",
            "DELETE FROM registration_drafts WHERE expires_at <= ?1",
            "DELETE FROM throttle WHERE window_start <= ?1 - 86400",
            "DELETE FROM tokens WHERE expires_at <= ?1 - 2592000",
        ];
        let mut deleted = 0;
        for sql in statements {
            deleted += sqlx::query(sql)
                .bind(now)
                .execute(&self.pool)
                .await?
                .rows_affected();
        }
        Ok(deleted)
    }

    async fn throttle_hit(
        &self,
        key: &str,
        now: DateTime<Utc>,
        window_secs: i64,
    ) -> Result<Hits, DbError> {
        let row = sqlx::query(
            "INSERT INTO throttle (key, window_start, count) VALUES (?1, ?2, 1)
             ON CONFLICT (key) DO UPDATE SET
                 count = CASE WHEN window_start <= ?2 - ?3 THEN 1 ELSE count + 1 END,
                 window_start = CASE WHEN window_start <= ?2 - ?3 THEN ?2 ELSE window_start END
             RETURNING count, window_start",
        )
        .bind(key)
        .bind(ts(now))
        .bind(window_secs)
        .fetch_one(&self.pool)
        .await?;
        Ok(Hits {
            count: row.try_get(0)?,
            until: from_ts(row.try_get::<i64, _>(1)? + window_secs)?,
        })
    }

    async fn throttle_give_back(&self, key: &str) -> Result<(), DbError> {
        sqlx::query("UPDATE throttle SET count = count - 1 WHERE key = ? AND count > 0")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn throttle_clear(&self, key: &str) -> Result<(), DbError> {
        sqlx::query("DELETE FROM throttle WHERE key = ?")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn create_session(&self, s: &NewSession) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO sessions (id_hash, account_id, kind, remember, created_at, last_seen_at,
                 expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&s.id_hash)
        .bind(s.account_id)
        .bind(s.kind.as_str())
        .bind(s.remember)
        .bind(ts(s.now))
        .bind(ts(s.now))
        .bind(ts(s.expires_at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn session(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
        idle_until: DateTime<Utc>,
    ) -> Result<Option<SessionInfo>, DbError> {
        let row = sqlx::query(
            "SELECT s.account_id, s.kind, s.remember, s.last_seen_at, a.email,
                    a.password_hash IS NOT NULL AS has_password
             FROM sessions s JOIN accounts a ON a.id = s.account_id
             WHERE s.id_hash = ? AND s.expires_at > ?
               AND (s.remember = 1 OR s.created_at > ?)",
        )
        .bind(id_hash)
        .bind(ts(now))
        .bind(ts(now) - SESSION_ABSOLUTE_SECS)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let remember: bool = row.try_get("remember")?;
        let kind = SessionKind::from_str(&row.try_get::<String, _>("kind")?);
        let slides = !remember && kind == SessionKind::Full;
        if slides && row.try_get::<i64, _>("last_seen_at")? < ts(now) - 60 {
            sqlx::query("UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id_hash = ?")
                .bind(ts(now))
                .bind(ts(idle_until))
                .bind(id_hash)
                .execute(&self.pool)
                .await?;
        }
        Ok(Some(SessionInfo {
            account_id: row.try_get("account_id")?,
            email: row.try_get("email")?,
            kind,
            has_password: row.try_get("has_password")?,
            remember,
        }))
    }

    async fn delete_session(&self, id_hash: &str) -> Result<(), DbError> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = ?")
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn delete_sessions_of(&self, account_id: i64, keep: Option<&str>) -> Result<(), DbError> {
        sqlx::query("DELETE FROM sessions WHERE account_id = ? AND id_hash IS NOT ?")
            .bind(account_id)
            .bind(keep)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn set_account_lang(&self, account_id: i64, lang: Lang) -> Result<(), DbError> {
        sqlx::query("UPDATE accounts SET lang = ? WHERE id = ?")
            .bind(lang.tag())
            .bind(account_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn access_recipients(&self, account_id: i64) -> Result<Vec<AccessRecipient>, DbError> {
        let sql = format!(
            "WITH access AS ({ACCESS})
             SELECT rc.id, rc.code, rc.name, MAX(access.owned) AS owned
             FROM access JOIN recipients rc ON rc.id = access.recipient_id
             GROUP BY rc.id, rc.code, rc.name ORDER BY rc.name"
        );
        let rows = sqlx::query(&sql)
            .bind(account_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(AccessRecipient {
                    id: row.try_get(0)?,
                    code: row.try_get(1)?,
                    name: row.try_get(2)?,
                    owned: row.try_get::<i64, _>(3)? == 1,
                })
            })
            .collect()
    }

    async fn reports_view(&self, account_id: i64, q: &ReportQuery) -> Result<ReportsView, DbError> {
        let row = sqlx::query(&format!(
            "WITH access AS MATERIALIZED ({ACCESS}),
             mine AS MATERIALIZED (
                 SELECT id, recipient_id, published_at, issued_on FROM reports
                 WHERE recipient_id IN (SELECT recipient_id FROM access)),
             chosen AS MATERIALIZED (
                 SELECT * FROM mine
                 WHERE (?2 IS NULL OR recipient_id = ?2)
                   AND (?3 IS NULL OR substr(issued_on, 1, 4) = ?3)),
             shown AS (
                 SELECT r.id, r.number, rc.name, rc.code, r.period_start, r.period_end, r.kind,
                        r.issued_on, r.published_at, r.available_until, r.file_size,
                        NOT EXISTS (SELECT 1 FROM downloads d
                                    WHERE d.account_id = ?1 AND d.report_id = r.id) AS is_new
                 FROM (SELECT id FROM chosen
                       ORDER BY published_at DESC, issued_on DESC, id DESC
                       LIMIT ?4 OFFSET ?5) page
                 JOIN reports r ON r.id = page.id
                 JOIN recipients rc ON rc.id = r.recipient_id),
             held AS (
                 SELECT rc.id, rc.code, rc.name, MAX(access.owned) AS owned
                 FROM access JOIN recipients rc ON rc.id = access.recipient_id
                 GROUP BY rc.id, rc.code, rc.name),
             years AS (SELECT DISTINCT substr(issued_on, 1, 4) AS y FROM mine)
             SELECT (SELECT COUNT(*) FROM chosen),
                    (SELECT json_group_array(json_array(id, number, name, code, period_start,
                                period_end, kind, issued_on, published_at, available_until,
                                file_size, is_new)
                            ORDER BY published_at DESC, issued_on DESC, id DESC) FROM shown),
                    (SELECT json_group_array(json_array(id, code, name, owned) ORDER BY name, id)
                     FROM held),
                    (SELECT json_group_array(y ORDER BY y DESC) FROM years)"
        ))
        .bind(account_id)
        .bind(q.recipient_id)
        .bind(q.year_prefix())
        .bind(q.limit())
        .bind(q.offset())
        .fetch_one(&self.pool)
        .await?;
        ReportsView::from_json(
            row.try_get(0)?,
            row.try_get(1)?,
            row.try_get(2)?,
            row.try_get(3)?,
        )
    }

    async fn report_file(
        &self,
        account_id: i64,
        report_id: i64,
    ) -> Result<Option<ReportFile>, DbError> {
        let row = sqlx::query(&format!(
            "WITH access AS ({ACCESS})
             SELECT id, number, file_sha256, file_size, file_name, published_at FROM reports
             WHERE id = ?2 AND recipient_id IN (SELECT recipient_id FROM access)"
        ))
        .bind(account_id)
        .bind(report_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(ReportFile {
                id: row.try_get(0)?,
                number: row.try_get(1)?,
                sha256: row.try_get(2)?,
                size: row.try_get(3)?,
                file_name: row.try_get(4)?,
                published_at: from_ts(row.try_get(5)?)?,
            })
        })
        .transpose()
    }

    async fn record_download(
        &self,
        account_id: i64,
        report_id: i64,
        now: DateTime<Utc>,
        client_addr: &str,
    ) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO downloads (account_id, report_id, at, client_addr) VALUES (?, ?, ?, ?)",
        )
        .bind(account_id)
        .bind(report_id)
        .bind(ts(now))
        .bind(client_addr)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<OutboxItem>, DbError> {
        let rows = sqlx::query(
            "UPDATE outbox SET lease_until = ?2
             WHERE id IN (SELECT id FROM outbox
                 WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ?1
                   AND (lease_until IS NULL OR lease_until <= ?1)
                 ORDER BY id LIMIT ?3)
             RETURNING id, to_addr, lang, params, created_at, attempts",
        )
        .bind(ts(now))
        .bind(ts(lease_until))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut items = BTreeMap::new();
        for row in &rows {
            let params: String = row.try_get("params")?;
            let mail = serde_json::from_str(&params)
                .map_err(|e| DbError::Corrupt(format!("outbox params: {e}")))?;
            let id: i64 = row.try_get("id")?;
            items.insert(
                id,
                OutboxItem {
                    id,
                    to: row.try_get("to_addr")?,
                    lang: Lang::from_tag(&row.try_get::<String, _>("lang")?),
                    mail,
                    created_at: from_ts(row.try_get("created_at")?)?,
                    attempts: row.try_get("attempts")?,
                },
            );
        }
        Ok(items.into_values().collect())
    }

    async fn outbox_sent(&self, ids: &[i64], now: DateTime<Utc>) -> Result<(), DbError> {
        let ids = serde_json::to_string(ids).map_err(|e| DbError::Corrupt(format!("ids: {e}")))?;
        sqlx::query(
            "UPDATE outbox SET sent_at = ?, params = '{}', lease_until = NULL,
                 attempts = attempts + 1 WHERE id IN (SELECT value FROM json_each(?))",
        )
        .bind(ts(now))
        .bind(ids)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn outbox_retry(&self, id: i64, error: &str, next: DateTime<Utc>) -> Result<(), DbError> {
        sqlx::query(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?,
                 lease_until = NULL WHERE id = ?",
        )
        .bind(error)
        .bind(ts(next))
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn outbox_failed(&self, id: i64, error: &str, now: DateTime<Utc>) -> Result<(), DbError> {
        sqlx::query(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, failed_at = ?,
                 lease_until = NULL WHERE id = ?",
        )
        .bind(error)
        .bind(ts(now))
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn audit(&self, event: &AuditEvent) -> Result<(), DbError> {
        let mut tx = self.pool.begin().await?;
        insert_audit(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn ping(&self) -> Result<(), DbError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn search(&self, term: &SearchTerm) -> Result<Found, DbError> {
        let accounts = sqlx::query(
            "SELECT id, email, password_hash IS NOT NULL AS has_password, created_at
             FROM accounts
             WHERE lower(email) LIKE ?2 ESCAPE '\\'
                OR id IN (SELECT owner_account_id FROM recipients WHERE code = ?1
                          OR id IN (SELECT recipient_id FROM reports WHERE number = ?1))
             ORDER BY email LIMIT ?3",
        )
        .bind(&term.exact)
        .bind(&term.pattern)
        .bind(LIST_LIMIT)
        .fetch_all(&self.pool)
        .await?;
        let recipients = sqlx::query(&format!(
            "{RECIPIENT_SUMMARY} {RECIPIENT_FROM}
             WHERE rc.code = ?1
                OR rc.id IN (SELECT recipient_id FROM reports WHERE number = ?1)
                OR lower(rc.name) LIKE ?2 ESCAPE '\\'
                OR lower(rc.contact_email) LIKE ?2 ESCAPE '\\'
                OR lower(a.email) LIKE ?2 ESCAPE '\\'
             ORDER BY rc.code LIMIT ?3"
        ))
        .bind(&term.exact)
        .bind(&term.pattern)
        .bind(LIST_LIMIT)
        .fetch_all(&self.pool)
        .await?;
        Ok(Found {
            accounts: accounts
                .iter()
                .map(account_summary)
                .collect::<Result<_, _>>()?,
            recipients: recipients
                .iter()
                .map(recipient_summary)
                .collect::<Result<_, _>>()?,
        })
    }

    async fn recipient_by_code_or_report(&self, exact: &str) -> Result<Option<i64>, DbError> {
        let by_code: Option<i64> = sqlx::query_scalar("SELECT id FROM recipients WHERE code = ?")
            .bind(exact)
            .fetch_optional(&self.pool)
            .await?;
        if by_code.is_some() {
            return Ok(by_code);
        }
        Ok(
            sqlx::query_scalar("SELECT recipient_id FROM reports WHERE number = ?")
                .bind(exact)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn recipient_record(
        &self,
        recipient_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<RecipientRecord>, DbError> {
        let row = sqlx::query(&format!(
            "{RECIPIENT_SUMMARY}, rc.created_at, rc.owner_account_id, rc.owned_at,
                 (SELECT number FROM reports WHERE recipient_id = rc.id
                  ORDER BY published_at DESC, id DESC LIMIT 1) AS latest_report
             {RECIPIENT_FROM} WHERE rc.id = ?"
        ))
        .bind(recipient_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let pending = sqlx::query(
            "SELECT email, created_at, expires_at FROM tokens
             WHERE purpose = 'confirm_registration' AND recipient_id = ? AND used_at IS NULL
               AND revoked_at IS NULL AND expires_at > ?
             ORDER BY created_at, id",
        )
        .bind(recipient_id)
        .bind(ts(now))
        .fetch_all(&self.pool)
        .await?;
        let invitations = sqlx::query(&format!(
            "{OUTBOX_ENTRY} WHERE dedupe_key LIKE ? ORDER BY id"
        ))
        .bind(format!("invite:{recipient_id}:%"))
        .fetch_all(&self.pool)
        .await?;
        Ok(Some(RecipientRecord {
            summary: recipient_summary(&row)?,
            created_at: from_ts(row.try_get("created_at")?)?,
            owner_account_id: row.try_get("owner_account_id")?,
            owned_at: row
                .try_get::<Option<i64>, _>("owned_at")?
                .map(from_ts)
                .transpose()?,
            pending: pending
                .iter()
                .map(|p| {
                    Ok(PendingConfirmation {
                        email: p.try_get("email")?,
                        sent_at: from_ts(p.try_get("created_at")?)?,
                        expires_at: from_ts(p.try_get("expires_at")?)?,
                    })
                })
                .collect::<Result<_, DbError>>()?,
            latest_report: row.try_get("latest_report")?,
            invitations: invitations
                .iter()
                .map(outbox_entry)
                .collect::<Result<_, _>>()?,
        }))
    }

    async fn account_record(
        &self,
        account_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<AccountRecord>, DbError> {
        let row = sqlx::query(
            "SELECT a.id, a.email, a.password_hash IS NOT NULL AS has_password, a.created_at,
                    a.lang,
                    (SELECT COUNT(*) FROM sessions s
                     WHERE s.account_id = a.id AND s.expires_at > ?2) AS live_sessions,
                    (SELECT COUNT(*) FROM downloads d WHERE d.account_id = a.id) AS downloads
             FROM accounts a WHERE a.id = ?1",
        )
        .bind(account_id)
        .bind(ts(now))
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(AccountRecord {
                summary: account_summary(&row)?,
                lang: row.try_get("lang")?,
                live_sessions: row.try_get("live_sessions")?,
                downloads: row.try_get("downloads")?,
            })
        })
        .transpose()
    }

    async fn audit_trail(
        &self,
        subject: AuditSubject,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, DbError> {
        let (column, id) = match subject {
            AuditSubject::Account(id) => ("account_id", id),
            AuditSubject::Recipient(id) => ("recipient_id", id),
        };
        let rows = sqlx::query(&format!(
            "SELECT at, account_id, recipient_id, event, detail, client_addr FROM audit
             WHERE {column} = ? ORDER BY at DESC, id DESC LIMIT ?"
        ))
        .bind(id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AuditEntry {
                    at: from_ts(row.try_get("at")?)?,
                    account_id: row.try_get("account_id")?,
                    recipient_id: row.try_get("recipient_id")?,
                    event: row.try_get("event")?,
                    detail: row.try_get("detail")?,
                    client_addr: row.try_get("client_addr")?,
                })
            })
            .collect()
    }

    async fn replace_security_code(&self, r: &CodeReplacement) -> Result<CodeOutcome, DbError> {
        let mut tx = self.write_tx().await?;
        let row = sqlx::query(
            "SELECT rc.name, rc.contact_email, a.email AS owner_email,
                    (SELECT number FROM reports WHERE recipient_id = rc.id
                     ORDER BY published_at DESC, id DESC LIMIT 1) AS latest_report
             FROM recipients rc LEFT JOIN accounts a ON a.id = rc.owner_account_id
             WHERE rc.id = ?",
        )
        .bind(r.recipient_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(CodeOutcome::NotFound);
        };
        let invitation = match invitation_to_send(&row, r)? {
            Ok(invitation) => invitation,
            Err(refused) => return Ok(refused),
        };

        sqlx::query("UPDATE recipients SET security_code_hash = ? WHERE id = ?")
            .bind(&r.code.hash)
            .bind(r.recipient_id)
            .execute(&mut *tx)
            .await?;
        let links_ended = if r.end_registrations {
            end_registrations(&mut tx, r.recipient_id, r.now).await?
        } else {
            0
        };
        let invited = match invitation {
            Some((to, mail)) => {
                let key = format!("invite:{}:code:{}", r.recipient_id, &r.code.hash[..16]);
                enqueue(&mut tx, &key, &to, Lang::Fr, &mail, r.now).await?;
                Some(to)
            }
            None => None,
        };
        let detail = match &invited {
            Some(to) => format!("by {}; invitation sent to {to}", r.actor),
            None => format!("by {}", r.actor),
        };
        let audit = AuditEvent {
            at: r.now,
            account_id: None,
            recipient_id: Some(r.recipient_id),
            event: r.event,
            detail,
            client_addr: None,
        };
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(CodeOutcome::Replaced {
            invited,
            links_ended,
        })
    }

    async fn revoke_access(
        &self,
        account_id: i64,
        now: DateTime<Utc>,
        actor: &str,
    ) -> Result<Option<Revoked>, DbError> {
        let mut tx = self.write_tx().await?;
        let email: Option<String> = sqlx::query_scalar("SELECT email FROM accounts WHERE id = ?")
            .bind(account_id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(email) = email else {
            return Ok(None);
        };
        let mut revoked = Revoked::default();
        let owned =
            sqlx::query("SELECT id, code FROM recipients WHERE owner_account_id = ? ORDER BY code")
                .bind(account_id)
                .fetch_all(&mut *tx)
                .await?;
        for row in &owned {
            let (recipient_id, code): (i64, String) = (row.try_get("id")?, row.try_get("code")?);
            sqlx::query(
                "UPDATE recipients SET owner_account_id = NULL, owned_at = NULL,
                     security_code_hash = ? WHERE id = ?",
            )
            .bind(SecurityCode::generate().hash())
            .bind(recipient_id)
            .execute(&mut *tx)
            .await?;
            // Links begun by others while it was owned would now succeed.
            end_registrations(&mut tx, recipient_id, now).await?;
            let audit = AuditEvent {
                at: now,
                account_id: Some(account_id),
                recipient_id: Some(recipient_id),
                event: "owner_revoked",
                detail: format!("by {actor}; {email} no longer owns {code}; new security code"),
                client_addr: None,
            };
            insert_audit(&mut tx, &audit).await?;
            revoked.released.push(code);
        }
        revoked.delegations_ended = sqlx::query(
            "DELETE FROM delegations WHERE owner_account_id = ?1 OR delegate_account_id = ?1",
        )
        .bind(account_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        revoked.invitations_withdrawn = sqlx::query(
            "UPDATE tokens SET revoked_at = ?1
             WHERE purpose = 'delegate_invite' AND (account_id = ?2 OR email = ?3)
               AND used_at IS NULL AND revoked_at IS NULL",
        )
        .bind(ts(now))
        .bind(account_id)
        .bind(&email)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        revoked.links_killed = sqlx::query(
            "UPDATE tokens SET revoked_at = ?1
             WHERE account_id = ?2 AND used_at IS NULL AND revoked_at IS NULL
               AND purpose IN ('reset', 'first_connection', 'email_change')",
        )
        .bind(ts(now))
        .bind(account_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        revoked.sessions_ended = sqlx::query("DELETE FROM sessions WHERE account_id = ?")
            .bind(account_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if revoked.changed() {
            let audit = AuditEvent {
                at: now,
                account_id: Some(account_id),
                recipient_id: None,
                event: "access_revoked",
                detail: revoked_detail(actor, &revoked),
                client_addr: None,
            };
            insert_audit(&mut tx, &audit).await?;
        }
        tx.commit().await?;
        Ok(Some(revoked))
    }

    async fn outbox_problems(
        &self,
        stuck_before: DateTime<Utc>,
    ) -> Result<Vec<OutboxEntry>, DbError> {
        let rows = sqlx::query(&format!(
            "{OUTBOX_ENTRY} WHERE sent_at IS NULL
                 AND (failed_at IS NOT NULL OR attempts > 0 OR created_at <= ?)
             ORDER BY id LIMIT ?"
        ))
        .bind(ts(stuck_before))
        .bind(LIST_LIMIT)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(outbox_entry).collect()
    }

    async fn retry_emails(
        &self,
        selection: &RetrySelection,
        now: DateTime<Utc>,
        actor: &str,
    ) -> Result<Vec<i64>, DbError> {
        let mut tx = self.write_tx().await?;
        // The lease stays: an email being sent right now is not sent twice.
        let mut retried = Vec::new();
        match selection {
            RetrySelection::Ids(ids) => {
                for id in ids {
                    let done: Option<i64> = sqlx::query_scalar(
                        "UPDATE outbox SET failed_at = NULL, next_attempt_at = ?
                         WHERE id = ? AND sent_at IS NULL RETURNING id",
                    )
                    .bind(ts(now))
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
                    retried.extend(done);
                }
            }
            RetrySelection::AllProblems { stuck_before } => {
                retried = sqlx::query_scalar(
                    "UPDATE outbox SET failed_at = NULL, next_attempt_at = ?1
                     WHERE sent_at IS NULL
                       AND (failed_at IS NOT NULL OR attempts > 0 OR created_at <= ?2)
                     RETURNING id",
                )
                .bind(ts(now))
                .bind(ts(*stuck_before))
                .fetch_all(&mut *tx)
                .await?;
                retried.sort_unstable();
            }
        }
        if !retried.is_empty() {
            let audit = AuditEvent {
                at: now,
                account_id: None,
                recipient_id: None,
                event: "emails_retried",
                detail: retried_detail(actor, &retried),
                client_addr: None,
            };
            insert_audit(&mut tx, &audit).await?;
        }
        tx.commit().await?;
        Ok(retried)
    }

    async fn outbox_stats(&self) -> Result<OutboxStats, DbError> {
        let pending = sqlx::query(
            "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox
             WHERE sent_at IS NULL AND failed_at IS NULL",
        )
        .fetch_one(&self.pool)
        .await?;
        let failed: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE failed_at IS NOT NULL AND sent_at IS NULL",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(OutboxStats {
            pending: pending.try_get("n")?,
            oldest_pending: pending
                .try_get::<Option<i64>, _>("oldest")?
                .map(from_ts)
                .transpose()?,
            failed,
        })
    }

    async fn create_api_key(&self, key: &NewApiKey) -> Result<Option<ApiKeyInfo>, DbError> {
        let mut tx = self.write_tx().await?;
        let row = sqlx::query(&format!(
            "INSERT INTO api_keys (name, hash, scope, created_at) VALUES (?, ?, ?, ?)
             ON CONFLICT DO NOTHING RETURNING {API_KEY_COLUMNS}"
        ))
        .bind(&key.name)
        .bind(&key.hash)
        .bind(key.scope)
        .bind(ts(key.now))
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let info = api_key_info(&row)?;
        let audit = AuditEvent {
            at: key.now,
            account_id: None,
            recipient_id: None,
            event: "api_key_created",
            detail: format!("by {}; key {} ({})", key.actor, info.name, info.scope),
            client_addr: None,
        };
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(Some(info))
    }

    async fn api_keys(&self) -> Result<Vec<ApiKeyInfo>, DbError> {
        let rows = sqlx::query(&format!(
            "SELECT {API_KEY_COLUMNS} FROM api_keys ORDER BY id DESC"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(api_key_info).collect()
    }

    async fn revoke_api_key(
        &self,
        name: &str,
        now: DateTime<Utc>,
        actor: &str,
    ) -> Result<KeyRevocation, DbError> {
        let mut tx = self.write_tx().await?;
        let row = sqlx::query(&format!(
            "UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL
             RETURNING {API_KEY_COLUMNS}"
        ))
        .bind(ts(now))
        .bind(name)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            let known: bool =
                sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM api_keys WHERE name = ?)")
                    .bind(name)
                    .fetch_one(&mut *tx)
                    .await?;
            return Ok(if known {
                KeyRevocation::AlreadyRevoked
            } else {
                KeyRevocation::Unknown
            });
        };
        let info = api_key_info(&row)?;
        let audit = AuditEvent {
            at: now,
            account_id: None,
            recipient_id: None,
            event: "api_key_revoked",
            detail: format!("by {actor}; key {}", info.name),
            client_addr: None,
        };
        insert_audit(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(KeyRevocation::Revoked(info))
    }

    async fn use_api_key(
        &self,
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<ApiKeyInfo>, DbError> {
        let row = sqlx::query(&format!(
            "UPDATE api_keys SET last_used_at = ? WHERE hash = ? AND revoked_at IS NULL
             RETURNING {API_KEY_COLUMNS}"
        ))
        .bind(ts(now))
        .bind(hash)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(api_key_info).transpose()
    }
    async fn archive_files(
        &self,
        account_id: i64,
        report_ids: &[i64],
    ) -> Result<Vec<ArchiveFile>, DbError> {
        let rows = sqlx::query(&format!(
            "WITH access AS ({ACCESS})
             SELECT r.id, r.number, r.file_sha256, r.file_size, r.file_name, r.published_at,
                    rc.code, r.period_start, r.period_end
             FROM reports r JOIN recipients rc ON rc.id = r.recipient_id
             WHERE r.id IN (SELECT value FROM json_each(?2)) AND r.recipient_id IN (SELECT recipient_id FROM access)
             ORDER BY rc.code, r.period_start, r.number"
        ))
        .bind(account_id)
        .bind(serde_json::to_string(report_ids).map_err(|e| DbError::Corrupt(e.to_string()))?)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(archive_file).collect()
    }

    async fn download_history(
        &self,
        owner_id: i64,
        query: &HistoryQuery,
    ) -> Result<HistoryPage, DbError> {
        let from = "FROM downloads d JOIN reports r ON r.id = d.report_id
             JOIN recipients rc ON rc.id = r.recipient_id
             JOIN accounts a ON a.id = d.account_id
             WHERE rc.owner_account_id = ?1";
        let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) {from}"))
            .bind(owner_id)
            .fetch_one(&self.pool)
            .await?;
        let rows = sqlx::query(&format!(
            "SELECT d.id, d.at, a.email, d.account_id = ?1, r.number, rc.code, rc.name
             {from} AND (?2 IS NULL OR d.id < ?2)
             ORDER BY d.id DESC LIMIT ?3 OFFSET ?4"
        ))
        .bind(owner_id)
        .bind(query.before_id)
        .bind(query.limit)
        .bind(query.offset)
        .fetch_all(&self.pool)
        .await?;
        let items = rows.iter().map(history_entry).collect::<Result<_, _>>()?;
        Ok(HistoryPage { items, total })
    }
}

fn archive_file(row: &sqlx::sqlite::SqliteRow) -> Result<ArchiveFile, DbError> {
    Ok(ArchiveFile {
        file: ReportFile {
            id: row.try_get(0)?,
            number: row.try_get(1)?,
            sha256: row.try_get(2)?,
            size: row.try_get(3)?,
            file_name: row.try_get(4)?,
            published_at: from_ts(row.try_get(5)?)?,
        },
        recipient_code: row.try_get(6)?,
        period_start: row.try_get(7)?,
        period_end: row.try_get(8)?,
    })
}

fn history_entry(row: &sqlx::sqlite::SqliteRow) -> Result<HistoryEntry, DbError> {
    Ok(HistoryEntry {
        id: row.try_get(0)?,
        at: from_ts(row.try_get(1)?)?,
        email: row.try_get(2)?,
        by_owner: row.try_get(3)?,
        report_number: row.try_get(4)?,
        recipient_code: row.try_get(5)?,
        recipient_name: row.try_get(6)?,
    })
}

/// A recipient as support lists it, with its owner's login as `a.email`;
/// the caller adds columns, then `WHERE`.
const RECIPIENT_SUMMARY: &str = "SELECT rc.id, rc.code, rc.name, rc.contact_email,
        a.email AS owner_email,
        (SELECT COUNT(*) FROM reports r WHERE r.recipient_id = rc.id) AS report_count";

/// The `FROM` that goes with [`RECIPIENT_SUMMARY`].
const RECIPIENT_FROM: &str =
    "FROM recipients rc LEFT JOIN accounts a ON a.id = rc.owner_account_id";

/// An outbox row without its content; the caller adds `WHERE`.
const OUTBOX_ENTRY: &str = "SELECT id, kind, to_addr, created_at, attempts, next_attempt_at,
        last_error, sent_at, failed_at FROM outbox";

/// The columns of an API key read back.
const API_KEY_COLUMNS: &str = "id, name, scope, created_at, last_used_at, revoked_at";

fn optional_ts(
    row: &sqlx::sqlite::SqliteRow,
    column: &str,
) -> Result<Option<DateTime<Utc>>, DbError> {
    row.try_get::<Option<i64>, _>(column)?
        .map(from_ts)
        .transpose()
}

fn account_summary(row: &sqlx::sqlite::SqliteRow) -> Result<AccountSummary, DbError> {
    Ok(AccountSummary {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        has_password: row.try_get("has_password")?,
        created_at: from_ts(row.try_get("created_at")?)?,
    })
}

fn recipient_summary(row: &sqlx::sqlite::SqliteRow) -> Result<RecipientSummary, DbError> {
    Ok(RecipientSummary {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        contact_email: row.try_get("contact_email")?,
        owner_email: row.try_get("owner_email")?,
        reports: row.try_get("report_count")?,
    })
}

fn outbox_entry(row: &sqlx::sqlite::SqliteRow) -> Result<OutboxEntry, DbError> {
    Ok(OutboxEntry {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        to: row.try_get("to_addr")?,
        created_at: from_ts(row.try_get("created_at")?)?,
        attempts: row.try_get("attempts")?,
        next_attempt_at: from_ts(row.try_get("next_attempt_at")?)?,
        last_error: row.try_get("last_error")?,
        sent_at: optional_ts(row, "sent_at")?,
        failed_at: optional_ts(row, "failed_at")?,
    })
}

fn api_key_info(row: &sqlx::sqlite::SqliteRow) -> Result<ApiKeyInfo, DbError> {
    Ok(ApiKeyInfo {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        scope: row.try_get("scope")?,
        created_at: from_ts(row.try_get("created_at")?)?,
        last_used_at: optional_ts(row, "last_used_at")?,
        revoked_at: optional_ts(row, "revoked_at")?,
    })
}

/// The invitation a code replacement sends (address and email), or why it
/// is refused, from the recipient's row.
fn invitation_to_send(
    row: &sqlx::sqlite::SqliteRow,
    r: &CodeReplacement,
) -> Result<Result<Option<(String, Mail)>, CodeOutcome>, DbError> {
    let owner_email: Option<String> = row.try_get("owner_email")?;
    let latest_report: Option<String> = row.try_get("latest_report")?;
    let report_number = match (r.invite, owner_email, latest_report) {
        (Invite::No, _, _) | (Invite::IfNoOwner, Some(_), _) | (Invite::IfNoOwner, _, None) => {
            return Ok(Ok(None));
        }
        (Invite::Required, Some(owner_email), _) => {
            return Ok(Err(CodeOutcome::Owned { owner_email }));
        }
        (Invite::Required, None, None) => return Ok(Err(CodeOutcome::NoReport)),
        (_, None, Some(number)) => number,
    };
    let mail = Mail::Invite {
        recipient_name: row.try_get("name")?,
        security_code: r.code.display.clone(),
        report_number,
    };
    Ok(Ok(Some((row.try_get("contact_email")?, mail))))
}

/// Ends the registrations under way for a recipient: drafts, and unused
/// confirmation links; how many links died.
async fn end_registrations(
    tx: &mut Transaction<'_, Sqlite>,
    recipient_id: i64,
    now: DateTime<Utc>,
) -> Result<u64, DbError> {
    sqlx::query("DELETE FROM registration_drafts WHERE recipient_id = ?")
        .bind(recipient_id)
        .execute(&mut **tx)
        .await?;
    let ended = sqlx::query(
        "UPDATE tokens SET revoked_at = ? WHERE purpose = 'confirm_registration'
           AND recipient_id = ? AND used_at IS NULL AND revoked_at IS NULL",
    )
    .bind(ts(now))
    .bind(recipient_id)
    .execute(&mut **tx)
    .await?;
    Ok(ended.rows_affected())
}
