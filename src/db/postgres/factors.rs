//! Two-step sign-in's rows in PostgreSQL.

use super::*;
use crate::db::factors::*;

/// Queues the email that tells an account its two-step sign-in changed.
async fn tell(
    conn: &mut PgConnection,
    account_id: i64,
    change: FactorChange,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    tell_account(conn, account_id, &Mail::SecondFactor { change }, now).await
}

async fn store_codes(
    conn: &mut PgConnection,
    account_id: i64,
    hashes: &[String],
) -> Result<(), DbError> {
    sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *conn)
        .await?;
    for hash in hashes {
        sqlx::query("INSERT INTO recovery_codes (account_id, code_hash) VALUES ($1, $2)")
            .bind(account_id)
            .bind(hash)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

#[async_trait]
impl FactorStore for PostgresStore {
    async fn factors(&self, account_id: i64) -> Result<Factors, DbError> {
        let totp = sqlx::query(
            "SELECT secret, last_step, created_at FROM totp_factors WHERE account_id = $1",
        )
        .bind(account_id)
        .fetch_optional(&self.pool)
        .await?
        .map(|row| -> Result<TotpFactor, DbError> {
            Ok(TotpFactor {
                secret: row.try_get("secret")?,
                last_step: row.try_get("last_step")?,
                created_at: from_ts(row.try_get("created_at")?)?,
            })
        })
        .transpose()?;
        let passkeys = sqlx::query(
            "SELECT id, name, passkey, created_at, last_used_at FROM passkeys
             WHERE account_id = $1 ORDER BY id",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| -> Result<PasskeyFactor, DbError> {
            Ok(PasskeyFactor {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                passkey: row.try_get("passkey")?,
                created_at: from_ts(row.try_get("created_at")?)?,
                last_used_at: optional_ts(row, "last_used_at")?,
            })
        })
        .collect::<Result<_, _>>()?;
        let recovery_left = sqlx::query_scalar(
            "SELECT COUNT(*) FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL",
        )
        .bind(account_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(Factors {
            totp,
            passkeys,
            recovery_left,
        })
    }

    async fn add_factor(
        &self,
        account_id: i64,
        factor: &NewFactor,
        recovery: Option<&[String]>,
        now: DateTime<Utc>,
    ) -> Result<bool, DbError> {
        let mut tx = self.locked_tx(Lock::Account(account_id)).await?;
        let (inserted, change) = match factor {
            NewFactor::Totp { secret, last_step } => {
                let done = sqlx::query(
                    "INSERT INTO totp_factors (account_id, secret, last_step, created_at)
                     VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                )
                .bind(account_id)
                .bind(secret)
                .bind(last_step)
                .bind(ts(now))
                .execute(&mut *tx)
                .await?;
                (done.rows_affected() == 1, FactorChange::AppAdded)
            }
            NewFactor::Passkey {
                credential_id,
                name,
                passkey,
            } => {
                let done = sqlx::query(
                    "INSERT INTO passkeys (account_id, credential_id, name, passkey, created_at)
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                )
                .bind(account_id)
                .bind(credential_id)
                .bind(name)
                .bind(passkey)
                .bind(ts(now))
                .execute(&mut *tx)
                .await?;
                let name = name.clone();
                (
                    done.rows_affected() == 1,
                    FactorChange::PasskeyAdded { name },
                )
            }
        };
        if !inserted {
            return Ok(false);
        }
        if let Some(hashes) = recovery {
            store_codes(&mut tx, account_id, hashes).await?;
        }
        tell(&mut tx, account_id, change, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn remove_factor(
        &self,
        account_id: i64,
        which: FactorRef,
        keep_one: bool,
        now: DateTime<Utc>,
    ) -> Result<Removal, DbError> {
        let mut tx = self.locked_tx(Lock::Account(account_id)).await?;
        let change = match which {
            FactorRef::Totp => {
                let done = sqlx::query("DELETE FROM totp_factors WHERE account_id = $1")
                    .bind(account_id)
                    .execute(&mut *tx)
                    .await?;
                (done.rows_affected() == 1).then_some(FactorChange::AppRemoved)
            }
            FactorRef::Passkey(id) => sqlx::query_scalar(
                "DELETE FROM passkeys WHERE id = $1 AND account_id = $2 RETURNING name",
            )
            .bind(id)
            .bind(account_id)
            .fetch_optional(&mut *tx)
            .await?
            .map(|name| FactorChange::PasskeyRemoved { name }),
        };
        let Some(change) = change else {
            return Ok(Removal::Unknown);
        };
        let left: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM totp_factors WHERE account_id = $1)
                  + (SELECT COUNT(*) FROM passkeys WHERE account_id = $1)",
        )
        .bind(account_id)
        .fetch_one(&mut *tx)
        .await?;
        if left == 0 && keep_one {
            // Dropping the transaction rolls the removal back.
            return Ok(Removal::LastKept);
        }
        if left == 0 {
            store_codes(&mut tx, account_id, &[]).await?;
        }
        tell(&mut tx, account_id, change, now).await?;
        tx.commit().await?;
        Ok(Removal::Removed)
    }

    async fn replace_recovery_codes(
        &self,
        account_id: i64,
        hashes: &[String],
        now: DateTime<Utc>,
    ) -> Result<(), DbError> {
        let mut tx = self.locked_tx(Lock::Account(account_id)).await?;
        store_codes(&mut tx, account_id, hashes).await?;
        tell(&mut tx, account_id, FactorChange::CodesRenewed, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn accept_totp_step(&self, account_id: i64, step: i64) -> Result<bool, DbError> {
        let done = sqlx::query(
            "UPDATE totp_factors SET last_step = $1 WHERE account_id = $2 AND last_step < $1",
        )
        .bind(step)
        .bind(account_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn use_recovery_code(
        &self,
        account_id: i64,
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>, DbError> {
        let mut tx = self.locked_tx(Lock::Account(account_id)).await?;
        let done = sqlx::query(
            "UPDATE recovery_codes SET used_at = $1 
             WHERE account_id = $2 AND code_hash = $3 AND used_at IS NULL",
        )
        .bind(ts(now))
        .bind(account_id)
        .bind(hash)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(None);
        }
        let left: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL",
        )
        .bind(account_id)
        .fetch_one(&mut *tx)
        .await?;
        tell(&mut tx, account_id, FactorChange::CodeUsed { left }, now).await?;
        tx.commit().await?;
        Ok(Some(left))
    }

    async fn passkey_used(
        &self,
        account_id: i64,
        passkey_id: i64,
        passkey: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), DbError> {
        sqlx::query(
            "UPDATE passkeys SET last_used_at = $1, passkey = COALESCE($2, passkey)
             WHERE id = $3 AND account_id = $4",
        )
        .bind(ts(now))
        .bind(passkey)
        .bind(passkey_id)
        .bind(account_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn remove_all_factors(
        &self,
        account_id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, DbError> {
        let mut tx = self.locked_tx(Lock::Account(account_id)).await?;
        let mut removed = 0;
        for sql in [
            "DELETE FROM totp_factors WHERE account_id = $1",
            "DELETE FROM passkeys WHERE account_id = $1",
            "DELETE FROM recovery_codes WHERE account_id = $1",
        ] {
            removed += sqlx::query(sql)
                .bind(account_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        }
        if removed == 0 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM sessions WHERE account_id = $1")
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        tell(&mut tx, account_id, FactorChange::AllRemoved, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn session_pending(&self, id_hash: &str) -> Result<Option<String>, DbError> {
        let pending = sqlx::query_scalar("SELECT pending FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .fetch_optional(&self.pool)
            .await?;
        Ok(pending.flatten())
    }

    async fn set_session_pending(
        &self,
        id_hash: &str,
        pending: Option<&str>,
    ) -> Result<(), DbError> {
        sqlx::query("UPDATE sessions SET pending = $1 WHERE id_hash = $2")
            .bind(pending)
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn take_session_pending(&self, id_hash: &str, expected: &str) -> Result<bool, DbError> {
        let done =
            sqlx::query("UPDATE sessions SET pending = NULL WHERE id_hash = $1 AND pending = $2")
                .bind(id_hash)
                .bind(expected)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() == 1)
    }
}
