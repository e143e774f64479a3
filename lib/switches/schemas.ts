import { z } from "zod";
import { switchModes } from "@/db/schema";
import { customerIdSchema } from "@/lib/customers/schemas";

export const SWITCH_MINUTES = [15, 30, 60, 120, 240] as const;

export const startSwitchSchema = z.object({
  id: customerIdSchema,
  reason: z
    .string()
    .trim()
    .min(10, { message: "Say why, in at least 10 characters (a ticket reference is welcome)." })
    .max(500),
  mode: z.enum(switchModes).default("read"),
  minutes: z.coerce
    .number()
    .refine((n) => (SWITCH_MINUTES as readonly number[]).includes(n), {
      message: "Choose a duration of at most 4 hours.",
    })
    .default(30),
  /** A fresh code from the authenticator app: asked for in write mode (step-up). */
  code: z.string().trim().max(32).optional(),
});

export const endSwitchSchema = z.object({
  switchId: z.uuid(),
  reason: z.string().trim().min(5, { message: "Say why you end another admin's switch." }).max(500),
});
