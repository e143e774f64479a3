// Next's request plumbing, stood in for where a test calls the chains directly (no server, no
// request): the headers a request would carry, the cache, navigation's throws, and `after`,
// whose work goes on after the call. For vi.mock factories:
//   vi.mock("next/headers", async () => (await import("./test/next-plumbing")).nextHeaders("fuzz"));
import type * as NextServer from "next/server";

export function nextHeaders(agent: string) {
  return {
    headers: async () =>
      new Headers({
        "x-forwarded-for": "198.51.100.20",
        "user-agent": agent,
        host: `${agent}.test`,
      }),
    cookies: async () => ({ get: () => undefined, set: () => undefined, delete: () => undefined }),
  };
}

export const nextCache = { revalidatePath: () => undefined };

export const nextNavigation = {
  redirect: (url: string) => {
    throw Object.assign(new Error("redirect"), { redirectedTo: url });
  },
  notFound: () => {
    throw Object.assign(new Error("not found"), { notFound: true });
  },
};

export function nextServer(original: typeof NextServer) {
  return {
    ...original,
    after: (work: Promise<unknown> | (() => unknown)) =>
      void Promise.resolve(typeof work === "function" ? work() : work).catch(() => undefined),
  };
}
