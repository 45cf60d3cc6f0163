import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { CompiledQuery, type Kysely, sql } from 'kysely';
import { CliError } from './cli-error.js';

/** Kysely over any schema: the export reads whatever tables the migrations made. */
// biome-ignore lint/suspicious/noExplicitAny: the tables are discovered at run time
export type AnyDb = Kysely<any>;

export interface TableInfo {
  name: string;
  /** Stored columns in table order; generated columns are left out, the target computes them. */
  columns: string[];
  primaryKey: string[];
  /** Columns with a foreign key to the same table (a reply pointing at another message). */
  selfReferences: string[];
}

const FETCH_ROWS = 1_000;
const INSERT_BYTES = 4 * 1024 * 1024;

export const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Every table of the current schema, parents before the tables whose foreign keys point at them. */
export async function listTables(db: AnyDb): Promise<TableInfo[]> {
  const columns = await sql<{ table: string; column: string; primary: boolean; self: boolean }>`
    select c.relname as "table", a.attname as "column",
      exists (select 1 from pg_constraint p where p.conrelid = c.oid and p.contype = 'p'
        and a.attnum = any (p.conkey)) as "primary",
      exists (select 1 from pg_constraint f where f.conrelid = c.oid and f.contype = 'f'
        and f.confrelid = c.oid and a.attnum = any (f.conkey)) as "self"
    from pg_class c
    join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
    where c.relnamespace = current_schema()::regnamespace and c.relkind = 'r'
    order by c.relname, a.attnum`.execute(db);
  const edges = await sql<{ child: string; parent: string }>`
    select distinct c.relname as child, p.relname as parent
    from pg_constraint f join pg_class c on c.oid = f.conrelid join pg_class p on p.oid = f.confrelid
    where f.contype = 'f' and f.connamespace = current_schema()::regnamespace and c.oid <> p.oid`.execute(db);
  const tables = new Map<string, TableInfo>();
  for (const row of columns.rows) {
    const table = tables.get(row.table) ?? {
      name: row.table,
      columns: [],
      primaryKey: [],
      selfReferences: [],
    };
    table.columns.push(row.column);
    if (row.primary) table.primaryKey.push(row.column);
    if (row.self) table.selfReferences.push(row.column);
    tables.set(row.table, table);
  }
  return dependencyOrder([...tables.values()], edges.rows);
}

function dependencyOrder(tables: TableInfo[], edges: Array<{ child: string; parent: string }>): TableInfo[] {
  const ordered: TableInfo[] = [];
  const placed = new Set<string>();
  let remaining = tables;
  while (remaining.length > 0) {
    const ready = remaining.filter((table) =>
      edges.every((edge) => edge.child !== table.name || placed.has(edge.parent)),
    );
    if (ready.length === 0) {
      throw new CliError(`foreign keys form a cycle among: ${remaining.map((t) => t.name).join(', ')}`);
    }
    for (const table of ready) placed.add(table.name);
    ordered.push(...ready);
    remaining = remaining.filter((table) => !placed.has(table.name));
  }
  return ordered;
}

/**
 * Writes a table as one JSON object per line, read through a cursor so memory stays flat. Call it inside
 * one repeatable-read transaction for a consistent snapshot of every table.
 */
export async function exportTable(trx: AnyDb, table: TableInfo, file: string): Promise<number> {
  const out = createWriteStream(file, { mode: 0o600 });
  const columns = table.columns.map(quote).join(', ');
  await sql
    .raw(
      `declare export_rows no scroll cursor for select to_jsonb(r)::text as line from (select ${columns} from ${quote(table.name)}) r`,
    )
    .execute(trx);
  let rows = 0;
  for (;;) {
    const batch = await sql
      .raw<{ line: string }>(`fetch forward ${FETCH_ROWS} from export_rows`)
      .execute(trx);
    for (const { line } of batch.rows) {
      if (!out.write(`${line}\n`)) await once(out, 'drain');
    }
    rows += batch.rows.length;
    if (batch.rows.length < FETCH_ROWS) break;
  }
  await sql.raw('close export_rows').execute(trx);
  out.end();
  await once(out, 'finish');
  return rows;
}

/**
 * Inserts a table's lines in batches. Self-referencing columns are filled in a second pass, after every
 * row of the table exists, so the order of the lines never trips a foreign key.
 */
export async function importTable(trx: AnyDb, table: TableInfo, file: string): Promise<number> {
  const columns = table.columns.map(quote).join(', ');
  const values = table.columns
    .map((column) => (table.selfReferences.includes(column) ? `null as ${quote(column)}` : quote(column)))
    .join(', ');
  const insert = `insert into ${quote(table.name)} (${columns}) select ${values} from jsonb_populate_recordset(null::${quote(table.name)}, $1::jsonb)`;
  let rows = 0;
  for await (const json of batches(file)) {
    const result = await trx.executeQuery(CompiledQuery.raw(insert, [json]));
    rows += Number(result.numAffectedRows ?? 0);
  }
  if (table.selfReferences.length > 0) await linkSelfReferences(trx, table, file);
  return rows;
}

async function linkSelfReferences(trx: AnyDb, table: TableInfo, file: string): Promise<void> {
  if (table.primaryKey.length === 0) {
    throw new CliError(`table ${table.name} refers to itself but has no primary key`);
  }
  const name = quote(table.name);
  const set = table.selfReferences.map((column) => `${quote(column)} = s.${quote(column)}`).join(', ');
  const match = table.primaryKey.map((column) => `t.${quote(column)} = s.${quote(column)}`).join(' and ');
  const any = table.selfReferences.map((column) => `s.${quote(column)} is not null`).join(' or ');
  const update = `update ${name} t set ${set} from jsonb_populate_recordset(null::${name}, $1::jsonb) s where ${match} and (${any})`;
  for await (const json of batches(file)) {
    await trx.executeQuery(CompiledQuery.raw(update, [json]));
  }
}

/** The lines of a table file as JSON arrays of at most INSERT_BYTES. */
async function* batches(file: string): AsyncGenerator<string> {
  let lines: string[] = [];
  let bytes = 0;
  for await (const line of createInterface({
    input: createReadStream(file),
    crlfDelay: Number.POSITIVE_INFINITY,
  })) {
    if (line === '') continue;
    lines.push(line);
    bytes += line.length;
    if (bytes >= INSERT_BYTES) {
      yield `[${lines.join(',')}]`;
      lines = [];
      bytes = 0;
    }
  }
  if (lines.length > 0) yield `[${lines.join(',')}]`;
}

export interface SequenceValue {
  name: string;
  lastValue: string;
  isCalled: boolean;
}

export async function readSequences(trx: AnyDb): Promise<SequenceValue[]> {
  const names = await sql<{ name: string }>`
    select relname as name from pg_class
    where relkind = 'S' and relnamespace = current_schema()::regnamespace order by relname`.execute(trx);
  const values: SequenceValue[] = [];
  for (const { name } of names.rows) {
    const { rows } = await sql
      .raw<{ last_value: string; is_called: boolean }>(
        `select last_value::text, is_called from ${quote(name)}`,
      )
      .execute(trx);
    if (rows[0]) values.push({ name, lastValue: rows[0].last_value, isCalled: rows[0].is_called });
  }
  return values;
}

export async function restoreSequences(trx: AnyDb, sequences: SequenceValue[]): Promise<void> {
  for (const sequence of sequences) {
    await sql`select setval(${quote(sequence.name)}::regclass, ${sequence.lastValue}::bigint, ${sequence.isCalled})`.execute(
      trx,
    );
  }
}
