//! Appointment booking: a business's booking settings ([`settings`]), the engine that turns them
//! and the appointments already booked into free slots ([`engine`]), and understanding what a
//! customer writes or says: a day and a time ([`when`]) and what they want ([`intent`]).
//! Pure: no I/O, `now` is always given.

pub mod engine;
pub mod intent;
pub mod settings;
pub mod when;
