// Sums the numbers of the event in an in-memory SQLite database, on the architecture it runs on.
const Database = require('better-sqlite3');
const _ = require('lodash');

exports.handler = async (event) => {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE n (v INTEGER)');
  const insert = db.prepare('INSERT INTO n (v) VALUES (?)');
  for (const v of _.uniq(event.numbers ?? [1, 2, 3])) insert.run(v);
  const { total } = db.prepare('SELECT sum(v) AS total FROM n').get();
  return { total, sqlite: db.prepare('SELECT sqlite_version() AS v').get().v, arch: process.arch };
};
