import { z } from "zod";

export const signInSchema = z.object({
  email: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.email({ message: "Enter a valid email address." })),
  password: z.string().min(1, { message: "Enter your password." }).max(1024),
  /** The second factor: six digits from the app, or a recovery code. */
  code: z
    .string()
    .trim()
    .max(32, { message: "Enter the six-digit code, or a recovery code." })
    .optional()
    .transform((code) => code || undefined),
});
export type SignInInput = z.infer<typeof signInSchema>;
