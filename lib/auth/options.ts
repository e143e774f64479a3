// next-auth 4: credentials provider, JWT sessions that name a session record (docs/architecture.md §16).
import "server-only";
import type { NextAuthOptions } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { requestIp } from "@/lib/http/client-ip";
import { signInSchema } from "./schemas";
import { endSignedOutSession, SESSION_MAX_AGE_SECONDS } from "./sessions";
import { checkCredentials, signInMessage } from "./sign-in";

// next-auth ships CommonJS: Next's bundler hands over the function, plain Node's ESM loader (the
// command-line tools and benches that reach this module) the module object around it.
const CredentialsProvider =
  (Credentials as unknown as { default?: typeof Credentials }).default ?? Credentials;

declare module "next-auth" {
  interface Session {
    user: { id: string; email: string; name: string };
    /** The session record (control.sessions) this browser's JWT names. */
    sessionId?: string;
  }
  interface User {
    sessionId?: string;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
      credentials: {
        email: { type: "email" },
        password: { type: "password" },
        code: { type: "text" },
      },
      async authorize(credentials, request) {
        const parsed = signInSchema.safeParse(credentials ?? {});
        if (!parsed.success) throw new Error(parsed.error.issues[0].message);
        const agent = request?.headers?.["user-agent"];
        const result = await checkCredentials({
          ...parsed.data,
          ip: clientIp(request?.headers),
          userAgent: Array.isArray(agent) ? agent.join(" ") : (agent ?? ""),
        });
        if (!result.ok) throw new Error(signInMessage(result));
        return {
          id: result.userId,
          email: result.email,
          name: result.displayName,
          sessionId: result.sessionId,
        };
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        token.sub = user.id;
        token.sid = user.sessionId;
      }
      return token;
    },
    session({ session, token }) {
      session.user = { id: token.sub ?? "", email: token.email ?? "", name: token.name ?? "" };
      session.sessionId = typeof token.sid === "string" ? token.sid : undefined;
      return session;
    },
  },
  events: {
    // Signing out ends the session record too: the JWT, if kept somewhere, no longer works.
    async signOut({ token }) {
      const sid = token?.sid;
      if (typeof sid === "string" && UUID.test(sid)) await endSignedOutSession(sid);
    },
  },
};
