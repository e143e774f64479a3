// What a function's body reads and calls, from PostgreSQL's own parser (libpg-query: the server's
// grammar compiled to WebAssembly, with its PL/pgSQL parser): the relations its statements name
// and the functions they call. Adoption asks it of SECURITY DEFINER functions that bypass RLS
// (introspect.ts): searching the body's text for a table's name took a message or a comment that
// said "customer" for a read of `customer`, and missed a read through a view or a called function.
// Where the body cannot be read exactly — SQL built at run time (EXECUTE), a call of a built-in
// that runs text as SQL, a language other than SQL and PL/pgSQL, a body the parser refuses — it
// says why, and the caller assumes the worst.
import "server-only";
import { loadModule, parsePlPgSQLSync, parseSync } from "libpg-query";

/** A name as a statement wrote it: `schema` is null when it is not qualified. */
export interface QualifiedName {
  schema: string | null;
  name: string;
}

export interface BodyUses {
  /** The relations its statements read or write (tables, views, CTEs excluded). */
  relations: QualifiedName[];
  /** The functions it calls. */
  calls: QualifiedName[];
  /** Why what it reads cannot be known from its text (null when it can). */
  opaque: string | null;
}

/** Built-ins that run a text as a query, or read a relation named by a value. */
const RUNS_TEXT = new Set([
  "query_to_xml",
  "query_to_xmlschema",
  "query_to_xml_and_xmlschema",
  "table_to_xml",
  "table_to_xmlschema",
  "table_to_xml_and_xmlschema",
  "cursor_to_xml",
  "schema_to_xml",
  "schema_to_xmlschema",
  "schema_to_xml_and_xmlschema",
  "database_to_xml",
  "database_to_xmlschema",
  "database_to_xml_and_xmlschema",
  "ts_stat",
  "dblink",
  "dblink_exec",
  "dblink_send_query",
]);

/** PL/pgSQL statements that run SQL built at run time. */
const DYNAMIC_STATEMENTS = new Set(["PLpgSQL_stmt_dynexecute", "PLpgSQL_stmt_dynfors"]);

/**
 * What the function `definition` (pg_get_functiondef's text) in `language` reads and calls.
 * `source` (pg_proc.prosrc), when given, is an SQL function's quoted body, parsed alone: the
 * header as an older server writes it may not parse here (PostgreSQL 15 leaves an argument named
 * `json` unquoted, a keyword to this parser). A BEGIN ATOMIC body has none, and is read from
 * `definition`.
 */
export async function readFunctionBody(
  definition: string,
  language: string,
  source?: string,
): Promise<BodyUses> {
  await loadModule();
  const uses: BodyUses = { relations: [], calls: [], opaque: null };
  try {
    if (language === "sql" && source?.trim()) readSql(source, uses);
    else if (language === "sql") readSql(definition, uses, true);
    else if (language === "plpgsql") readPlpgsql(definition, uses);
    else uses.opaque = `it is written in ${language}, which the plan cannot read`;
  } catch (error) {
    uses.opaque = `the plan could not parse its body (${(error as Error).message})`;
  }
  return uses;
}

type Node = unknown;

/** Every statement of `text` (or a CREATE FUNCTION … LANGUAGE sql: its body's too). */
function readSql(text: string, uses: BodyUses, definition = false) {
  // An empty body (a function that does nothing) has no statements: the parser refuses it.
  if (!text.trim()) return;
  for (const { stmt } of parseSync(text).stmts ?? []) {
    const create = (stmt as { CreateFunctionStmt?: CreateFunction }).CreateFunctionStmt;
    if (definition && create) {
      // A body in quotes is a string to parse again; BEGIN ATOMIC … END is parsed already.
      const body = create.options?.find((o) => o.DefElem?.defname === "as")?.DefElem?.arg?.List
        ?.items?.[0]?.String?.sval;
      if (body !== undefined) readSql(body, uses);
      if (create.sql_body) collect(create.sql_body, uses);
    } else collect(stmt, uses);
  }
}

interface CreateFunction {
  options?: {
    DefElem?: { defname: string; arg?: { List?: { items?: { String?: { sval: string } }[] } } };
  }[];
  sql_body?: Node;
}

/** PL/pgSQL: each embedded statement and expression, and whether it runs SQL it builds. */
function readPlpgsql(definition: string, uses: BodyUses) {
  const walk = (node: Node): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node)) {
      if (DYNAMIC_STATEMENTS.has(key) || key === "dynquery")
        uses.opaque ??= "it runs SQL it builds at run time (EXECUTE)";
      if (key === "PLpgSQL_expr")
        readExpression(value as { query: string; parseMode?: number }, uses);
      else walk(value);
    }
  };
  walk(parsePlPgSQLSync(definition));
}

/**
 * One PL/pgSQL expression: a statement (parse mode 0), an expression (2), or an assignment
 * `target := expression` (3–5), parsed as the SELECT PL/pgSQL makes of it.
 */
function readExpression(
  { query, parseMode = 0 }: { query: string; parseMode?: number },
  uses: BodyUses,
) {
  if (parseMode === 0) return readSql(query, uses);
  let expression = query;
  if (parseMode >= 3) {
    const at = query.indexOf(":=");
    const assign = at >= 0 ? at + 2 : query.indexOf("=") + 1;
    expression = query.slice(assign);
  }
  readSql(`select ${expression}`, uses);
}

const words = (list: unknown): string[] =>
  ((list as { String?: { sval: string } }[] | undefined) ?? []).flatMap((w) =>
    w.String ? [w.String.sval] : [],
  );

const qualified = (parts: string[]): QualifiedName =>
  parts.length > 1
    ? { schema: parts[parts.length - 2], name: parts[parts.length - 1] }
    : { schema: null, name: parts[0] };

/** The relations and calls anywhere under `node`; a WITH's own names are not relations. */
function collect(node: Node, uses: BodyUses) {
  const ctes = new Set<string>();
  const relations: QualifiedName[] = [];
  const walk = (n: Node): void => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!n || typeof n !== "object") return;
    for (const [key, value] of Object.entries(n)) {
      if (key === "RangeVar") {
        const r = value as { schemaname?: string; relname: string };
        relations.push({ schema: r.schemaname ?? null, name: r.relname });
      } else if (key === "CommonTableExpr") ctes.add((value as { ctename: string }).ctename);
      else if (key === "FuncCall") {
        const call = qualified(words((value as { funcname: unknown }).funcname));
        if (RUNS_TEXT.has(call.name) && (call.schema === null || call.schema === "pg_catalog"))
          uses.opaque ??= `it calls ${call.name}, which runs a text as SQL`;
        else uses.calls.push(call);
      }
      walk(value);
    }
  };
  walk(node);
  uses.relations.push(...relations.filter((r) => r.schema !== null || !ctes.has(r.name)));
}
