use crate::helpers::spawn_app;

#[tokio::test]
async fn health_is_ok_while_the_database_answers() {
    let app = spawn_app().await;

    let response = app.get("/healthz").await;

    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
}
