import NextAuth from "next-auth";
import { authOptions } from "@/lib/auth/options";

const handler = NextAuth(authOptions);

/**
 * next-auth answers a GET of the credentials callback — a POST-only endpoint — with a bare 500;
 * it is answered as the wrong method it is.
 */
function GET(request: Request, context: { params: Promise<{ nextauth: string[] }> }) {
  if (new URL(request.url).pathname.endsWith("/callback/credentials"))
    return new Response("Sign in from the sign-in page.", {
      status: 405,
      headers: { Allow: "POST", "Content-Type": "text/plain; charset=utf-8" },
    });
  return handler(request, context);
}

export { GET, handler as POST };
