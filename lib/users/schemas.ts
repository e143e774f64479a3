import { z } from "zod";
import { membershipRoles } from "@/db/schema";

export const changeRoleSchema = z.object({
  userId: z.uuid({ message: "Not a user." }),
  role: z.enum(membershipRoles),
});
export const removeUserSchema = z.object({ userId: z.uuid({ message: "Not a user." }) });
