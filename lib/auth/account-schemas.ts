import { z } from "zod";

/** Six digits from the authenticator app (spaces ignored). */
export const totpCodeSchema = z
  .string()
  .transform((code) => code.replace(/\s/g, ""))
  .pipe(z.string().regex(/^\d{6}$/, { message: "Enter the six digits your app shows." }));

/** A form that asks for a code from the app: enrolment's first, or a fresh one for a step-up. */
export const appCodeSchema = z.object({ code: totpCodeSchema });
export const endSessionSchema = z.object({ sessionId: z.uuid({ message: "Not a session." }) });
export const userIdSchema = z.object({ userId: z.uuid({ message: "Not a user." }) });
export const resetTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/);
