//! One module per route: plain async functions from a request to a response,
//! callable from a test without AWS.

pub mod health;
