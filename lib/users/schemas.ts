import { z } from "zod";
import { membershipRoles } from "@/db/schema";

export const changeRoleSchema = z.object({
  userId: z.uuid({ message: "Not a user." }),
  role: z.enum(membershipRoles),
});
export const removeUserSchema = z.object({ userId: z.uuid({ message: "Not a user." }) });

export const setStatusSchema = z.object({
  userId: z.uuid({ message: "Not a user." }),
  status: z.enum(["active", "disabled"], { message: "Choose active or suspended." }),
});

export const requireTwoFactorSchema = z.object({
  require: z.enum(["on", "off"], { message: "Choose on or off." }),
});
