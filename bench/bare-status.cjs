// The status latency baselines (bench/figures/status-latency.ts), with better-sqlite3 and nothing else:
// the units × rounds matrix of a year from one SQL query, as JSON ({ unit: { roundKey: status } }); one
// round's counts by status; one page of a round's units. Required by the figure, or run as a script:
//   node bench/bare-status.cjs DATABASE_FILE PROGRAM_ID YEAR              prints the matrix
//   node bench/bare-status.cjs --serve PORT DATABASE_FILE PROGRAM_ID YEAR  answers GET with it on 127.0.0.1
const Database = require('better-sqlite3');

function withDb(file, fn) {
  const db = new Database(file, { readonly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

function matrix(file, programId, year) {
  return withDb(file, (db) => {
    const rows = db
      .prepare('SELECT o.unitId AS unit, r.id AS round, o.status AS status FROM Obligation o JOIN Round r ON r.id = o.roundId WHERE r.programId = ? AND r.year = ?')
      .all(programId, year);
    const out = {};
    for (const row of rows) (out[row.unit] ??= {})[row.round.slice(row.round.lastIndexOf(':') + 1)] = row.status;
    return out;
  });
}

function counts(file, roundId) {
  return withDb(file, (db) => db.prepare('SELECT status, COUNT(*) AS n FROM Obligation WHERE roundId = ? GROUP BY status').all(roundId));
}

function page(file, roundId, offset, limit) {
  return withDb(file, (db) =>
    db.prepare('SELECT unitId, status, dueAt, submittedAt, lateByMs FROM Obligation WHERE roundId = ? ORDER BY unitId LIMIT ? OFFSET ?').safeIntegers(true).all(roundId, limit, offset),
  );
}

module.exports = { matrix, counts, page };

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args[0] === '--serve') {
    const [, port, file, programId, year] = args;
    const server = require('node:http').createServer((req, res) => {
      const body = JSON.stringify(matrix(file, programId, Number(year)));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
    server.listen(Number(port), '127.0.0.1', () => process.stdout.write('ready\n'));
    process.once('SIGTERM', () => server.close(() => process.exit(0)));
    server.keepAliveTimeout = 60_000;
  } else {
    const [file, programId, year] = args;
    process.stdout.write(JSON.stringify(matrix(file, programId, Number(year))));
  }
}
