//! `badge clients add|list|remove`: the apps that sign people in with Badge.

use anyhow::{bail, Context};

use super::{connect, utc};
use crate::server::{
    cli::ClientsCommand,
    config::Config,
    oauth::clients::{self, Client, NewClient},
};

pub async fn run(config: &Config, command: ClientsCommand) -> anyhow::Result<()> {
    let db = connect(config).await?;
    match command {
        ClientsCommand::Add {
            name,
            redirect_uris,
            public,
            first_party,
            post_logout_uris,
            introspection_only,
        } => {
            let new = NewClient {
                name,
                redirect_uris,
                post_logout_uris,
                public,
                first_party,
                introspection_only,
            };
            let registered = clients::add(&db, new).await.map_err(|e| match e {
                clients::ClientError::Invalid(message) => anyhow::anyhow!(message),
                other => anyhow::Error::from(other).context("registering the client"),
            })?;
            println!("client_id: {}", registered.client.client_id);
            if let Some(secret) = registered.secret {
                println!("client_secret: {secret}");
                println!("(the secret is shown this once; Badge keeps only its hash)");
            }
        }
        ClientsCommand::List => {
            let all = clients::list(&db).await.context("reading the clients")?;
            print!("{}", client_table(&all));
        }
        ClientsCommand::Remove { client_id } => {
            if !clients::remove(&db, &client_id)
                .await
                .context("removing the client")?
            {
                bail!("no client has the id {client_id}");
            }
            println!(
                "{client_id} removed, with its consents and tokens; access tokens it holds are \
                 refused by userinfo from now on"
            );
        }
    }
    db.close().await;
    Ok(())
}

fn client_table(rows: &[Client]) -> String {
    let line = |id: &str, kind: &str, created: &str, name: &str, uris: &str| {
        format!("{id:<22}  {kind:<13}  {created:<20}  {name}  {uris}\n")
    };
    let mut table = line("CLIENT_ID", "KIND", "CREATED", "NAME", "REDIRECT_URIS");
    for client in rows {
        let kind = if client.first_party {
            format!("{}*", client.kind.name())
        } else {
            client.kind.name().to_owned()
        };
        table.push_str(&line(
            &client.client_id,
            &kind,
            &utc(client.created_at),
            &client.name,
            &client.redirect_uris.join(" "),
        ));
    }
    if rows.is_empty() {
        table.push_str(
            "(no clients yet: register one with `badge clients add NAME --redirect-uri URI`)\n",
        );
    } else if rows.iter().any(|c| c.first_party) {
        table.push_str("(* first party: no consent page)\n");
    }
    table
}
