//! Lambda `voice-booking`: POST /webhook/voice_booking (a turn of booking by phone).

#[tokio::main]
async fn main() -> Result<(), frontdesk::lambda::Error> {
    // The queue: a booking raises appointment.booked on `notify`. No greetings bucket: whether
    // the greeting plays before a message comes in the callback URL (incoming_call checked).
    let app = frontdesk::lambda::app_from_env(|aws| aws.queue()).await?;
    frontdesk::lambda::run(app, const { frontdesk::Route::VoiceBooking.with_handler() }).await
}
