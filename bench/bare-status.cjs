// The status latency baseline (bench/figures/status-latency.ts): the units × rounds matrix of a year from
// one SQL query with better-sqlite3, as JSON ({ unit: { roundKey: status } }). Required by the bare HTTP
// server, or run as a script:  node bench/bare-status.cjs DATABASE_FILE PROGRAM_ID YEAR
const Database = require('better-sqlite3');

function matrix(file, programId, year) {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db
      .prepare('SELECT o.unitId AS unit, r.id AS round, o.status AS status FROM Obligation o JOIN Round r ON r.id = o.roundId WHERE r.programId = ? AND r.year = ?')
      .all(programId, year);
    const out = {};
    for (const row of rows) (out[row.unit] ??= {})[row.round.slice(row.round.lastIndexOf(':') + 1)] = row.status;
    return out;
  } finally {
    db.close();
  }
}

module.exports = { matrix };

if (require.main === module) {
  const [file, programId, year] = process.argv.slice(2);
  process.stdout.write(JSON.stringify(matrix(file, programId, Number(year))));
}
