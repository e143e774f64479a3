import type { KeysetPage } from "@/lib/lists/keyset";
import type { Pager } from "./data-table";

/** The pager of a keyset-paged list (`cursor` in the URL); a new sort or size starts it again. */
export function keysetPager(list: KeysetPage<unknown>, size: number): Pager {
  return {
    first: list.first,
    total: list.total.count,
    exact: list.total.exact,
    page: list.page,
    size,
    previous: list.previous,
    next: list.next,
    restart: { cursor: null },
  };
}
