// X-Forwarded-For is whatever a client sends. With no proxy trusted, 25 sign-ins that each forge
// a different address are one client to the throttle; and an attacker's failures from one
// address never lock the owner out of the account from another. The two clients are real
// sockets from distinct loopback addresses (127.0.0.3, 127.0.0.4), so nothing here can pass by
// trusting a header.
import http from "node:http";
import { expect, test } from "@playwright/test";
import { DEMO_PASSWORD } from "./helpers";

const EMAIL = "admin@bluebird.example";
let port = 0;

function call(
  method: "GET" | "POST",
  path: string,
  options: { localAddress: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; body: string; cookies: string[] }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: "127.0.0.1",
        port,
        method,
        path,
        localAddress: options.localAddress,
        headers: options.headers,
      },
      (response) => {
        let body = "";
        response.on("data", (chunk) => (body += chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            body,
            cookies: response.headers["set-cookie"] ?? [],
          }),
        );
      },
    );
    request.on("error", reject);
    request.end(options.body);
  });
}

/** A credentials sign-in as next-auth's form posts it; returns the error message, or "signed in". */
async function signInFrom(
  localAddress: string,
  password: string,
  forwardedFor?: string,
): Promise<string> {
  const csrf = await call("GET", "/api/auth/csrf", { localAddress });
  const { csrfToken } = JSON.parse(csrf.body) as { csrfToken: string };
  const cookie = csrf.cookies.map((c) => c.split(";")[0]).join("; ");
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
    cookie,
  };
  if (forwardedFor) headers["x-forwarded-for"] = forwardedFor;
  const body = new URLSearchParams({ email: EMAIL, password, csrfToken, json: "true" }).toString();
  const answer = await call("POST", "/api/auth/callback/credentials", {
    localAddress,
    headers,
    body,
  });
  if (answer.cookies.some((c) => c.startsWith("next-auth.session-token="))) return "signed in";
  const { url } = JSON.parse(answer.body) as { url: string };
  return new URL(url).searchParams.get("error") ?? `no error in ${url}`;
}

test("25 sign-ins each forging a different X-Forwarded-For are throttled as one client, and the owner still gets in from elsewhere", async () => {
  test.setTimeout(90_000);
  port = Number(new URL(test.info().project.use.baseURL!).port);
  const answers: string[] = [];
  for (let i = 0; i < 25; i++)
    answers.push(await signInFrom("127.0.0.3", "wrong password", `198.51.100.${i}`));
  expect(answers.slice(0, 5)).toEqual(Array(5).fill("The email or password is not right."));
  for (const answer of answers.slice(5)) expect(answer).toMatch(/^Too many failed sign-ins/);
  // Even the right password, from the attacker's socket, whatever it claims to be.
  expect(await signInFrom("127.0.0.3", DEMO_PASSWORD, "203.0.113.1")).toMatch(
    /^Too many failed sign-ins/,
  );

  expect(await signInFrom("127.0.0.4", DEMO_PASSWORD)).toBe("signed in");
});
