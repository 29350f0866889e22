//! The users table: logins, roles, link to an inspector.

use rusqlite::{Connection, OptionalExtension, params};

use super::{Result, from_json, to_json};
use crate::domain::user::User;

pub fn put(conn: &Connection, user: &User) -> Result<()> {
    conn.execute(
        "INSERT INTO users (login, name, roles, inspector, active) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (login) DO UPDATE SET name = excluded.name, roles = excluded.roles,
           inspector = excluded.inspector, active = excluded.active",
        params![
            user.login,
            user.name,
            to_json(&user.roles),
            user.inspector,
            user.active
        ],
    )?;
    Ok(())
}

fn row_to_user(r: &rusqlite::Row<'_>) -> rusqlite::Result<(User, String)> {
    Ok((
        User {
            login: r.get(0)?,
            name: r.get(1)?,
            roles: Default::default(),
            inspector: r.get(3)?,
            active: r.get(4)?,
        },
        r.get(2)?,
    ))
}

pub fn get(conn: &Connection, login: &str) -> Result<Option<User>> {
    let row = conn
        .query_row(
            "SELECT login, name, roles, inspector, active FROM users WHERE login = ?1",
            [login],
            row_to_user,
        )
        .optional()?;
    row.map(|(mut u, roles)| {
        u.roles = from_json(login, &roles)?;
        Ok(u)
    })
    .transpose()
}

pub fn all(conn: &Connection) -> Result<Vec<User>> {
    let mut stmt =
        conn.prepare("SELECT login, name, roles, inspector, active FROM users ORDER BY login")?;
    let rows = stmt.query_map([], row_to_user)?;
    let mut out = Vec::new();
    for row in rows {
        let (mut u, roles) = row?;
        u.roles = from_json(&u.login, &roles)?;
        out.push(u);
    }
    Ok(out)
}
