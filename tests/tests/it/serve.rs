//! `frontdesk serve` over real HTTP: routing, status codes, content types.

use frontdesk::Route;
use frontdesk_testkit::TestServer;

#[tokio::test]
async fn health_answers_ok_as_plain_text() {
    let server = TestServer::start(&[]).await;
    let response = frontdesk_testkit::http_client()
        .get(server.url(Route::Health.path()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; charset=utf-8"
    );
    assert_eq!(response.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn head_health_answers_200_without_a_body() {
    let server = TestServer::start(&[]).await;
    let response = frontdesk_testkit::http_client()
        .head(server.url(Route::Health.path()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn unknown_route_is_404() {
    let server = TestServer::start(&[]).await;
    let response = frontdesk_testkit::http_client()
        // Not a route: a path under /webhook/ that the table does not hold.
        .get(server.url("/webhook/nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn wrong_method_is_405_with_allow() {
    let server = TestServer::start(&[]).await;
    let response = frontdesk_testkit::http_client()
        .post(server.url(Route::Health.path()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "GET, HEAD");
}

#[tokio::test]
async fn an_oversized_body_is_400_not_a_dropped_connection() {
    let server = TestServer::start(&[]).await;
    let response = frontdesk_testkit::http_client()
        .post(server.url(Route::Health.path()))
        .body(vec![b'a'; 5 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert!(response
        .text()
        .await
        .unwrap()
        .starts_with("bad request: body over"));
}
