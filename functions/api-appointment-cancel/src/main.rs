//! Lambda `api-appointment-cancel`: POST|OPTIONS /api/appointments/{id}/cancel.

#[tokio::main]
async fn main() -> Result<(), frontdesk::lambda::Error> {
    // The queue: a booking change raises its business event on `notify`.
    let app = frontdesk::lambda::app_from_env(|aws| aws.queue()).await?;
    frontdesk::lambda::run(
        app,
        const { frontdesk::Route::ApiAppointmentCancel.with_handler() },
    )
    .await
}
