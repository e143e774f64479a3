// next-auth 4: credentials provider, JWT sessions that expire (docs/architecture.md §10).
import "server-only";
import type { NextAuthOptions } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { requestIp } from "@/lib/http/client-ip";
import { signInSchema } from "./schemas";
import { checkCredentials, signInMessage } from "./sign-in";

export const SESSION_MAX_AGE_SECONDS = 8 * 60 * 60;

// next-auth ships CommonJS: Next's bundler hands over the function, plain Node's ESM loader (the
// command-line tools and benches that reach this module) the module object around it.
const CredentialsProvider =
  (Credentials as unknown as { default?: typeof Credentials }).default ?? Credentials;

declare module "next-auth" {
  interface Session {
    user: { id: string; email: string; name: string };
  }
}

function clientIp(headers: Record<string, string | string[] | undefined> | undefined): string {
  const forwarded = headers?.["x-forwarded-for"];
  return requestIp(Array.isArray(forwarded) ? forwarded.join(", ") : forwarded) ?? "unknown";
}

export const authOptions: NextAuthOptions = {
  secret: process.env.AUTH_SECRET,
  // Secure (and __Secure-prefixed) cookies whenever the console's public URL is https.
  useSecureCookies: (process.env.NEXTAUTH_URL ?? "").startsWith("https://"),
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
  jwt: { maxAge: SESSION_MAX_AGE_SECONDS },
  pages: { signIn: "/sign-in", error: "/sign-in" },
  providers: [
    CredentialsProvider({
      name: "Email and password",
      credentials: { email: { type: "email" }, password: { type: "password" } },
      async authorize(credentials, request) {
        const parsed = signInSchema.safeParse(credentials ?? {});
        if (!parsed.success) throw new Error(parsed.error.issues[0].message);
        const result = await checkCredentials({ ...parsed.data, ip: clientIp(request?.headers) });
        if (!result.ok) throw new Error(signInMessage(result));
        return { id: result.userId, email: result.email, name: result.displayName };
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) token.sub = user.id;
      return token;
    },
    session({ session, token }) {
      session.user = { id: token.sub ?? "", email: token.email ?? "", name: token.name ?? "" };
      return session;
    },
  },
};
