//! Businesses: the profile, the phone-number index claimed in the same transaction, and
//! everything in the business's partition that goes with it on delete.

use std::collections::BTreeSet;

use async_trait::async_trait;

use super::expr::{contended, Changes, Placeholders, Transaction, MAX_WRITE_ROUNDS};
use super::item::{business_from_item, corrupt, get_s, required, s};
use super::keys::{
    api_key_key, business_key, business_partition, key, phone_key, API_KEY_SK, BUSINESSES_GSI1PK,
    BUSINESS_ID, DATA, GSI1, GSI1_PARTITION_KEY, GSI1_SORT_KEY, PARTITION_KEY, PROFILE_SK,
    SORT_KEY,
};
use super::DynamoStore;
use crate::domain::{ApiKeyHash, Business, BusinessId, PhoneNumber};
use crate::store::businesses::with_number_blocked;
use crate::store::{BusinessStore, StoreError};

#[async_trait]
impl BusinessStore for DynamoStore {
    async fn put_business(&self, business: &Business) -> Result<(), StoreError> {
        let data = serde_json::to_string(business).map_err(|e| {
            StoreError::Corrupt(format!("business {} does not serialise: {e}", business.id))
        })?;
        let numbers: BTreeSet<&PhoneNumber> = business.phone_numbers.iter().collect();
        for _ in 0..MAX_WRITE_ROUNDS {
            let old_item = self.get(business_key(&business.id)).await?;
            let old_numbers: Vec<PhoneNumber> = match &old_item {
                Some(item) => business_from_item(item)?.phone_numbers,
                None => Vec::new(),
            };
            let dropped: BTreeSet<&PhoneNumber> = old_numbers
                .iter()
                .filter(|n| !numbers.contains(n))
                .collect();

            // The profile only replaces the one read, so the numbers to free are the right ones.
            let mut profile_condition = Placeholders::default();
            let old_data = old_item
                .as_ref()
                .map(|item| required(item, DATA))
                .transpose()?;
            let condition = match old_data {
                Some(old_data) => {
                    let name = profile_condition.name(DATA);
                    format!("{name} = {}", profile_condition.value(s(old_data)))
                }
                None => format!(
                    "attribute_not_exists({})",
                    profile_condition.name(PARTITION_KEY)
                ),
            };
            let mut profile = business_key(&business.id);
            profile.insert(DATA.into(), s(data.as_str()));
            profile.insert(GSI1_PARTITION_KEY.into(), s(BUSINESSES_GSI1PK));
            profile.insert(GSI1_SORT_KEY.into(), s(business.id.as_str()));
            let mut items =
                vec![self.transaction_put(profile, Some((condition, profile_condition)))?];

            for number in &numbers {
                let mut placeholders = Placeholders::default();
                let condition = format!(
                    "attribute_not_exists({pk}) OR {owner} = {id}",
                    pk = placeholders.name(PARTITION_KEY),
                    owner = placeholders.name(BUSINESS_ID),
                    id = placeholders.value(s(business.id.as_str())),
                );
                let mut index = phone_key(number);
                index.insert(BUSINESS_ID.into(), s(business.id.as_str()));
                items.push(self.transaction_put(index, Some((condition, placeholders)))?);
            }
            for number in &dropped {
                let mut placeholders = Placeholders::default();
                let condition = format!(
                    "{owner} = {id}",
                    owner = placeholders.name(BUSINESS_ID),
                    id = placeholders.value(s(business.id.as_str())),
                );
                items.push(self.transaction_delete(phone_key(number), (condition, placeholders))?);
            }

            let reasons = match self.transact(items).await? {
                Transaction::Committed => return Ok(()),
                Transaction::Cancelled(reasons) => reasons,
            };
            // Items are [profile, claimed numbers…, dropped numbers…]: a failed claim is a taken
            // number unless its owner let go meanwhile. Anything else changed under us: retry.
            let failed_claim = reasons
                .iter()
                .enumerate()
                .skip(1)
                .take(numbers.len())
                .find(|(_, code)| code.as_deref() == Some("ConditionalCheckFailed"))
                .and_then(|(i, _)| numbers.iter().nth(i - 1));
            if let Some(number) = failed_claim {
                let owner = match self.get(phone_key(number)).await? {
                    Some(item) => get_s(&item, BUSINESS_ID)?
                        .map(BusinessId::parse)
                        .transpose()
                        .map_err(corrupt("phone index owner"))?,
                    None => None,
                };
                if let Some(owner) = owner.filter(|o| *o != business.id) {
                    return Err(StoreError::NumberTaken {
                        number: (*number).clone(),
                        owner,
                    });
                }
            }
        }
        Err(contended(&format!("business {}", business.id)))
    }

    async fn business(&self, id: &BusinessId) -> Result<Option<Business>, StoreError> {
        self.get(business_key(id))
            .await?
            .as_ref()
            .map(business_from_item)
            .transpose()
    }

    async fn delete_business(&self, id: &BusinessId) -> Result<bool, StoreError> {
        for _ in 0..MAX_WRITE_ROUNDS {
            let Some(item) = self.get(business_key(id)).await? else {
                return Ok(false);
            };
            let numbers = business_from_item(&item)?.phone_numbers;
            // The profile goes only as it was read, so its numbers are the ones to free.
            let mut placeholders = Placeholders::default();
            let condition = format!(
                "{} = {}",
                placeholders.name(DATA),
                placeholders.value(s(required(&item, DATA)?))
            );
            let mut items =
                vec![self.transaction_delete(business_key(id), (condition, placeholders))?];
            let owned_by_business = |placeholders: &mut Placeholders| {
                format!(
                    "{} = {}",
                    placeholders.name(BUSINESS_ID),
                    placeholders.value(s(id.as_str()))
                )
            };
            for number in numbers.iter().collect::<BTreeSet<_>>() {
                let mut placeholders = Placeholders::default();
                let condition = owned_by_business(&mut placeholders);
                items.push(self.transaction_delete(phone_key(number), (condition, placeholders))?);
            }
            // The rest of the business's partition (its webhook secret, its API keys' entries),
            // and the keys themselves, so they stop authenticating.
            let mut placeholders = Placeholders::default();
            let key_condition = format!(
                "{} = {}",
                placeholders.name(PARTITION_KEY),
                placeholders.value(s(business_partition(id)))
            );
            for entry in self.query_all(None, &key_condition, placeholders).await? {
                let sort_key = required(&entry, SORT_KEY)?;
                if sort_key == PROFILE_SK {
                    continue;
                }
                if let Some(hash) = sort_key
                    .strip_prefix(API_KEY_SK)
                    .and_then(|rest| rest.strip_prefix('#'))
                    .and_then(ApiKeyHash::parse)
                {
                    let mut placeholders = Placeholders::default();
                    let condition = owned_by_business(&mut placeholders);
                    items.push(
                        self.transaction_delete(api_key_key(&hash), (condition, placeholders))?,
                    );
                }
                let entry_key = key(required(&entry, PARTITION_KEY)?.to_string(), sort_key);
                items.push(self.transaction_delete_unconditional(entry_key)?);
            }
            if let Transaction::Committed = self.transact(items).await? {
                return Ok(true);
            }
        }
        Err(contended(&format!("business {id}")))
    }

    async fn business_by_number(
        &self,
        number: &PhoneNumber,
    ) -> Result<Option<Business>, StoreError> {
        let Some(index) = self.get(phone_key(number)).await? else {
            return Ok(None);
        };
        let owner = BusinessId::parse(required(&index, BUSINESS_ID)?)
            .map_err(corrupt("phone index owner"))?;
        self.business(&owner).await
    }

    async fn list_businesses(&self) -> Result<Vec<Business>, StoreError> {
        let mut placeholders = Placeholders::default();
        let condition = format!(
            "{} = {}",
            placeholders.name(GSI1_PARTITION_KEY),
            placeholders.value(s(BUSINESSES_GSI1PK))
        );
        // gsi1sk is the id, so the index returns businesses in id order.
        self.query_all(Some(GSI1), &condition, placeholders)
            .await?
            .iter()
            .map(business_from_item)
            .collect()
    }

    async fn set_number_blocked(
        &self,
        business: &BusinessId,
        number: &PhoneNumber,
        blocked: bool,
    ) -> Result<Option<Business>, StoreError> {
        for _ in 0..MAX_WRITE_ROUNDS {
            let Some(item) = self.get(business_key(business)).await? else {
                return Ok(None);
            };
            let current = business_from_item(&item)?;
            let Some(changed) = with_number_blocked(&current, number, blocked) else {
                return Ok(Some(current));
            };
            let data = serde_json::to_string(&changed).map_err(|e| {
                StoreError::Corrupt(format!("business {business} does not serialise: {e}"))
            })?;
            // Only over the document as read: a write that came between is never undone.
            let mut changes = Changes::blind();
            changes.set(DATA, s(data));
            changes.only_if_equals(DATA, s(required(&item, DATA)?));
            if self.update_if(business_key(business), changes).await? {
                return Ok(Some(changed));
            }
        }
        Err(contended(&format!("business {business}")))
    }
}
