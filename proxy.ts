// Runs before every page and route handler:
//  - a fresh nonce per request and the Content-Security-Policy built on it, so the console's
//    scripts run without 'unsafe-inline' (Next reads the nonce from the request's CSP header and
//    puts it on its own inline scripts; every page renders dynamically, see app/layout.tsx);
//  - a 400 for a URL with a NUL byte, which no PostgreSQL text can hold;
//  - signed-out visitors to sign-in. A convenience only: every page, action and route handler
//    resolves the request context and checks permissions itself.
import { getToken } from "next-auth/jwt";
import { NextResponse, type NextRequest } from "next/server";

// The platform API (/api/v1) authenticates each call itself (an API key or the session), and
// its reference (/api-docs) is public.
const PUBLIC = /^\/(sign-in|invite\/|reset\/|api\/auth|api\/health|api\/v1\/|api-docs$)/;

export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    // 'strict-dynamic': scripts the nonce'd bootstrap loads are trusted; nothing inline else is.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`,
    // Styles keep 'unsafe-inline': charts and React set style attributes, which nonces cannot cover.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export async function proxy(request: NextRequest) {
  // PostgreSQL text cannot hold NUL: refused here, once, rather than in every query it reaches.
  if (/%00/.test(request.url))
    return new NextResponse("Bad request: the address contains a NUL character.", { status: 400 });
  const path = request.nextUrl.pathname;
  if (!PUBLIC.test(path) && !(await getToken({ req: request, secret: process.env.AUTH_SECRET }))) {
    const signIn = new URL("/sign-in", request.url);
    const target = path + request.nextUrl.search;
    if (target !== "/") signIn.searchParams.set("callbackUrl", target);
    return NextResponse.redirect(signIn);
  }
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const policy = contentSecurityPolicy(nonce);
  const headers = new Headers(request.headers);
  headers.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("Content-Security-Policy", policy);
  return response;
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
