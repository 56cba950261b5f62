// Better Auth peer: email/password + the jwt() plugin on SQLite (better-sqlite3), served by
// Node's http module. `GET /api/auth/token` (session cookie) is the peer of Badge's /api/token.
// Usage: PORT=… DB=… SECRET=… node server.mjs
import http from "node:http";
import Database from "better-sqlite3";
import { betterAuth } from "better-auth";
import { jwt } from "better-auth/plugins";
import { toNodeHandler } from "better-auth/node";
import { getMigrations } from "better-auth/db/migration";

const port = Number(process.env.PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
const database = new Database(process.env.DB ?? "better-auth.db");
database.pragma("journal_mode = WAL");

export const auth = betterAuth({
  baseURL,
  secret: process.env.SECRET,
  database,
  emailAndPassword: { enabled: true },
  plugins: [jwt()],
  // Measured like Badge's token route: no limiter in the way of the load generator.
  rateLimit: { enabled: false },
  trustedOrigins: [baseURL],
});

const { runMigrations } = await getMigrations(auth.options);
await runMigrations();

http.createServer(toNodeHandler(auth)).listen(port, "127.0.0.1", () => {
  console.log(`better-auth peer on ${baseURL}`);
});
