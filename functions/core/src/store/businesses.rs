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
}
