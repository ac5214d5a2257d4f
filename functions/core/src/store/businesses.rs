//! Businesses and the phone-number index that routes a call or message to its business.

use async_trait::async_trait;

use super::StoreError;
use crate::domain::{Business, BusinessId, PhoneNumber};

#[async_trait]
pub trait BusinessStore: Send + Sync {
    /// Creates or replaces a business and claims its phone numbers. A number another business
    /// holds is refused with [`StoreError::NumberTaken`]; numbers the business dropped are freed.
    async fn put_business(&self, business: &Business) -> Result<(), StoreError>;

    async fn business(&self, id: &BusinessId) -> Result<Option<Business>, StoreError>;

    /// Deletes a business, frees its phone numbers and revokes its API keys and webhook secret;
    /// its calls and messages stay as history. `Ok(false)`: there was no such business.
    async fn delete_business(&self, id: &BusinessId) -> Result<bool, StoreError>;

    /// The business that owns `number`, through the phone-number index.
    async fn business_by_number(
        &self,
        number: &PhoneNumber,
    ) -> Result<Option<Business>, StoreError>;

    /// Every business, ordered by id.
    async fn list_businesses(&self) -> Result<Vec<Business>, StoreError>;

    /// Adds `number` to the business's blocked numbers (`blocked`), or takes it off, changing
    /// nothing else of the business even when another write of it races this one. Blocking a
    /// blocked number again (or unblocking one that is not) changes nothing. Returns the
    /// business as it now stands; `Ok(None)`: no such business.
    async fn set_number_blocked(
        &self,
        business: &BusinessId,
        number: &PhoneNumber,
        blocked: bool,
    ) -> Result<Option<Business>, StoreError>;
}

/// `business` with `number` blocked or not; `None` when that is how it already stands.
pub(super) fn with_number_blocked(
    business: &Business,
    number: &PhoneNumber,
    blocked: bool,
) -> Option<Business> {
    if business.blocked_numbers.contains(number) == blocked {
        return None;
    }
    let mut changed = business.clone();
    if blocked {
        changed.blocked_numbers.push(number.clone());
    } else {
        changed.blocked_numbers.retain(|n| n != number);
    }
    Some(changed)
}
