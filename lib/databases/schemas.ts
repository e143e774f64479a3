import { z } from "zod";
import { databaseKinds } from "@/db/schema";

export const databaseNameSchema = z
  .string()
  .regex(
    /^[a-z][a-z0-9_-]{0,39}$/,
    "A database's name is a lowercase letter, then up to 39 lowercase letters, digits, - or _.",
  );

export const envVarSchema = z
  .string()
  .regex(
    /^[A-Z_][A-Z0-9_]{0,63}$/,
    "The variable's name is upper-case letters, digits and _, not starting with a digit.",
  );

export const addDatabaseSchema = z.object({
  name: databaseNameSchema,
  envVar: envVarSchema,
  kind: z.enum(databaseKinds).default("dedicated"),
});
