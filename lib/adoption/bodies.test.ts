// What a function's body reads and calls, by PostgreSQL's parser: the definitions as
// pg_get_functiondef writes them.
import { describe, expect, it } from "vitest";
import { readFunctionBody } from "./bodies";

const def = (language: string, body: string) =>
  `CREATE OR REPLACE FUNCTION s.f(x integer)\n RETURNS bigint\n LANGUAGE ${language}\n SECURITY DEFINER\nAS $function$${body}$function$\n`;

describe("readFunctionBody", () => {
  it("reads a quoted SQL body, its CTE names left out, and its calls", async () => {
    expect(
      await readFunctionBody(
        def(
          "sql",
          "with orders as (select 1) select count(*) from orders, s.items i join lines using (id) where s.g(i.id)",
        ),
        "sql",
      ),
    ).toEqual({
      relations: [
        { schema: "s", name: "items" },
        { schema: null, name: "lines" },
      ],
      calls: [
        { schema: null, name: "count" },
        { schema: "s", name: "g" },
      ],
      opaque: null,
    });
  });

  it("reads an empty body as reading nothing", async () => {
    expect(await readFunctionBody(def("sql", ""), "sql")).toEqual({
      relations: [],
      calls: [],
      opaque: null,
    });
  });

  it("reads an SQL function's own body when the header, as PostgreSQL 15 writes it, does not parse here", async () => {
    const header = def("sql", "select count(*) from s.orders").replace(
      "(x integer)",
      "(json json DEFAULT '{}'::json)",
    );
    expect((await readFunctionBody(header, "sql")).opaque).toMatch(/^the plan could not parse/);
    expect(
      (await readFunctionBody(header, "sql", "select count(*) from s.orders")).relations,
    ).toEqual([{ schema: "s", name: "orders" }]);
  });

  it("reads a BEGIN ATOMIC body", async () => {
    const uses = await readFunctionBody(
      "CREATE OR REPLACE FUNCTION s.f()\n RETURNS bigint\n LANGUAGE sql\nBEGIN ATOMIC\n SELECT count(*) AS count\n   FROM s.orders;\nEND\n",
      "sql",
    );
    expect(uses.relations).toEqual([{ schema: "s", name: "orders" }]);
    expect(uses.opaque).toBeNull();
  });

  it("reads PL/pgSQL statements, expressions and assignments, not its messages or comments", async () => {
    const uses = await readFunctionBody(
      def(
        "plpgsql",
        `declare n bigint; r record;
         begin
           -- orders are counted below
           raise notice 'orders: %', x;
           n := (select count(*) from s.orders);
           for r in select * from items loop perform 1; end loop;
           if exists (select 1 from s.lines) then return n; end if;
           return 0;
         end`,
      ),
      "plpgsql",
    );
    expect(uses.relations).toEqual([
      { schema: "s", name: "orders" },
      { schema: null, name: "items" },
      { schema: "s", name: "lines" },
    ]);
    expect(uses.opaque).toBeNull();
  });

  it("says why it cannot tell: SQL built at run time, a text run as SQL, another language, a body it cannot parse", async () => {
    const opaque = async (language: string, body: string) =>
      (await readFunctionBody(def(language, body), language)).opaque;
    expect(await opaque("plpgsql", "begin execute 'select 1'; return 1; end")).toBe(
      "it runs SQL it builds at run time (EXECUTE)",
    );
    expect(
      await opaque(
        "plpgsql",
        "declare r record; begin for r in execute 'select 1' loop end loop; return 1; end",
      ),
    ).toBe("it runs SQL it builds at run time (EXECUTE)");
    const setOf = await readFunctionBody(
      def("plpgsql", "begin return query execute 'select 1::bigint'; end").replace(
        "RETURNS bigint",
        "RETURNS SETOF bigint",
      ),
      "plpgsql",
    );
    expect(setOf.opaque).toBe("it runs SQL it builds at run time (EXECUTE)");
    expect(
      await opaque("sql", "select query_to_xml('select * from s.orders', true, false, '')"),
    ).toBe("it calls query_to_xml, which runs a text as SQL");
    expect(await opaque("plpython3u", "return plpy.execute('select 1')")).toBe(
      "it is written in plpython3u, which the plan cannot read",
    );
    expect(await opaque("plpgsql", "begin selec 1; end")).toMatch(
      /^the plan could not parse its body \(.+\)$/,
    );
  });
});
