//! One module per route: plain async functions from a request to a response,
//! callable from a test without AWS.

pub mod call_status;
pub mod calls_api;
pub mod gather;
pub mod greeting;
pub mod health;
pub mod incoming_call;
pub mod meta_whatsapp;
pub mod reconcile;
pub mod recording;
pub mod voice;
pub mod whatsapp;
pub mod whatsapp_api;
