// The customer list's sort keys and page sizes: shared by the URL schema and the table (a
// client component, so this module imports nothing).
export const SORTABLE = ["name", "status", "plan", "users", "created"] as const;
export const PAGE_SIZES = [10, 25, 50, 100] as const;
