// Sends signed-out visitors to sign-in. A convenience only: every page, action and route
// handler resolves the request context and checks permissions itself.
import { getToken } from "next-auth/jwt";
import { NextResponse, type NextRequest } from "next/server";

export async function proxy(request: NextRequest) {
  const token = await getToken({ req: request, secret: process.env.AUTH_SECRET });
  if (token) return NextResponse.next();
  const signIn = new URL("/sign-in", request.url);
  const target = request.nextUrl.pathname + request.nextUrl.search;
  if (target !== "/") signIn.searchParams.set("callbackUrl", target);
  return NextResponse.redirect(signIn);
}

export const config = {
  matcher: ["/((?!sign-in|invite/|api/auth|api/health|_next/|favicon.ico).*)"],
};
