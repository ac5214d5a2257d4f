//! The owner's inbox sign-in: one-time links taken once, sessions read by their id's hash, and
//! a business's revocation time (every link and session issued before it is dead), the
//! deployment's inbox key, made at its first use, and the one-time keys of the inbox's forms,
//! claimed once.

use async_trait::async_trait;
use jiff::Timestamp;

use super::StoreError;
use crate::config::Secret;
use crate::domain::{BusinessId, FormKey, InboxSession, SecretHash, SignInLink};

#[async_trait]
pub trait InboxStore: Send + Sync {
    /// Keeps a new sign-in link (by its token's hash).
    async fn put_sign_in_link(&self, link: &SignInLink) -> Result<(), StoreError>;

    /// Takes the link with this hash: it is returned once, expired or not (the caller
    /// decides), and is gone after. Of two takes at once, exactly one gets it.
    async fn take_sign_in_link(&self, token: &SecretHash)
        -> Result<Option<SignInLink>, StoreError>;

    /// Keeps a new session (by its id's hash).
    async fn put_inbox_session(&self, session: &InboxSession) -> Result<(), StoreError>;

    /// The session with this hash, expired or not; `None` once deleted.
    async fn inbox_session(&self, id: &SecretHash) -> Result<Option<InboxSession>, StoreError>;

    /// Deletes a session (signing out).
    async fn delete_inbox_session(&self, id: &SecretHash) -> Result<(), StoreError>;

    /// Revokes every link and session of `business` issued at or before `at`.
    async fn revoke_inbox(&self, business: &BusinessId, at: Timestamp) -> Result<(), StoreError>;

    /// The deployment's inbox key (it signs the session cookies and CSRF tokens): the one
    /// stored, else `fresh`, stored now. Of two first uses at once, both get the one stored.
    async fn inbox_key(&self, fresh: &Secret) -> Result<Secret, StoreError>;

    /// When the business's inbox was last revoked.
    async fn inbox_revoked_at(
        &self,
        business: &BusinessId,
    ) -> Result<Option<Timestamp>, StoreError>;

    /// Claims a form's one-time key for `business` at `at`: `true` the first time, `false` for
    /// every later claim (a double submit), also when racing. A claim is remembered for
    /// [`FormKey::KEPT`].
    async fn claim_form_key(
        &self,
        business: &BusinessId,
        key: &FormKey,
        at: Timestamp,
    ) -> Result<bool, StoreError>;
}
