// The engine writes SQL about schemas it reads from the catalog: names are quoted here, once.
export const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** `"schema"."table"`. */
export const qualified = (schema: string, table: string) => `${ident(schema)}.${ident(table)}`;

export const identList = (names: string[]) => names.map(ident).join(", ");
