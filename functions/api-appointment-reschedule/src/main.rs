//! Lambda `api-appointment-reschedule`: POST|OPTIONS /api/appointments/{id}/reschedule.

#[tokio::main]
async fn main() -> Result<(), frontdesk::lambda::Error> {
    // The queue: a booking change raises its business event on `notify`.
    let app = frontdesk::lambda::app_from_env(|aws| aws.queue()).await?;
    frontdesk::lambda::run(
        app,
        const { frontdesk::Route::ApiAppointmentReschedule.with_handler() },
    )
    .await
}
